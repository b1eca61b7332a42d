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
// binding and through Run with the baseline of a non-inlined Go call.
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
