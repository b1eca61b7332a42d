//go:build linux && amd64

package trampoline

import (
	"context"
	"testing"
	"time"
)

var sink uint64

// goStub is the baseline: a Go function the compiler may not inline, of
// the same shape as the RET stub (no arguments, one word back).
//
//go:noinline
func goStub() uint64 { return 0 }

// BenchmarkCall compares calling a RET stub through Call, through a typed
// binding, through a Caller and through Run, with the baseline of a
// non-inlined Go call.
//
//	go test -run '^$' -bench 'Call|Fault' -count 10 ./trampoline/
func BenchmarkCall(b *testing.B) {
	ret := load(b, codeRet)
	b.Run("GoFunc", func(b *testing.B) {
		for b.Loop() {
			sink += goStub()
		}
	})
	b.Run("Call", func(b *testing.B) {
		for b.Loop() {
			r, _ := Call(ret.Addr())
			sink += r.RAX
		}
	})
	b.Run("Caller", func(b *testing.B) {
		c, err := NewCaller(0)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		for b.Loop() {
			r, _ := c.Call(ret.Addr())
			sink += r.RAX
		}
	})
	b.Run("Bind", func(b *testing.B) {
		f, err := Bind0[uint64](ret.Addr())
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			sink += f()
		}
	})
	b.Run("Run", func(b *testing.B) {
		var a Args
		for b.Loop() {
			r, _ := Run(context.Background(), ret.Addr(), &a, nil)
			sink += r.RAX
		}
	})
	b.Run("RunTimeout", func(b *testing.B) {
		opt := &Options{Timeout: time.Second}
		for b.Loop() {
			r, _ := Run(context.Background(), ret.Addr(), nil, opt)
			sink += r.RAX
		}
	})
}

// BenchmarkCallPath splits Call's cost between the assembly and the Go
// fast path around it, for the RET stub:
//
//   - Enter: enter on a unit the benchmark holds — the trampoline
//     (enter, the code, callSite's epilogue) and the frame's bookkeeping
//     stores.
//   - PinEnter: the same between procPin and procUnpin.
//   - Call: the whole path (Call, callFast: the guessed per-P slot, the
//     arguments, the Result).
//
// The remaining steps (the assembly piece by piece) need stripped-down
// copies of the trampoline and are not kept here.
//
//	go test -run '^$' -bench CallPath -count 10 ./trampoline/
func BenchmarkCallPath(b *testing.B) {
	ret := load(b, codeRet)
	if _, err := Call(ret.Addr()); err != nil { // the handler, once
		b.Fatal(err)
	}
	b.Run("Enter", func(b *testing.B) {
		u, err := getUnit()
		if err != nil {
			b.Fatal(err)
		}
		defer putUnit(u)
		f := u.f
		f.fn, f.flags = ret.Addr(), 0
		for b.Loop() {
			if st := execute(f, f.stackTop, nil, 0); st != statusReturned {
				b.Fatalf("status %d", st)
			}
			sink += f.rax
		}
	})
	b.Run("PinEnter", func(b *testing.B) {
		u, err := getUnit()
		if err != nil {
			b.Fatal(err)
		}
		defer putUnit(u)
		f := u.f
		f.fn, f.flags = ret.Addr(), 0
		for b.Loop() {
			procPin()
			f.interrupt = 0
			f.inCall = 1
			st := enter(f, f.stackTop, nil, 0)
			procUnpin()
			if st != statusReturned {
				st = complete(f, st, nil, 0, false)
			}
			f.inCall = 0
			if st != statusReturned {
				b.Fatalf("status %d", st)
			}
			sink += f.rax
		}
	})
	b.Run("Call", func(b *testing.B) {
		for b.Loop() {
			r, _ := Call(ret.Addr())
			sink += r.RAX
		}
	})
}

// BenchmarkFault is one recovered fault: the signal, the handler, the
// return to Go and the *Fault.
func BenchmarkFault(b *testing.B) {
	for _, tc := range []struct {
		name string
		code snippet
	}{{"SIGILL", codeUD2}, {"SIGSEGV", codeNull}} {
		b.Run(tc.name, func(b *testing.B) {
			blk := load(b, tc.code)
			for b.Loop() {
				if _, err := Call(blk.Addr()); err == nil {
					b.Fatal("no fault")
				}
			}
		})
	}
}
