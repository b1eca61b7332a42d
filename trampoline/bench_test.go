//go:build linux && amd64

package trampoline

import (
	"context"
	"math"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
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
// non-inlined Go call (timed calls: BenchmarkTimed).
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
}

// BenchmarkCallPath splits Call's cost, for add(1, 2) (codeAdd), from the
// floor up. Floor is a bare ABI0 CALL of the code on the goroutine's stack
// (bareCall), with nothing switched, zeroed or restored: what no safe call
// can beat; Caller and Call are judged as ratios to it, measured in the
// same run. Enter is enter on a unit the benchmark holds: the trampoline
// (enter, the code, callSite's epilogue) and the frame's bookkeeping
// stores. PinEnter is the same between procPin and procUnpin. Caller is
// Caller.Call, the whole path with a stack held; Call the whole path of
// Call (callDefault: the pinned P's slot, the arguments, the Result).
//
//	go test -run '^$' -bench CallPath -count 10 ./trampoline/
func BenchmarkCallPath(b *testing.B) {
	add := load(b, codeAdd)
	if _, err := Call(add.Addr()); err != nil { // the handler, once
		b.Fatal(err)
	}
	ints := [6]uint64{1, 2}
	b.Run("Floor", func(b *testing.B) {
		for b.Loop() {
			sink += bareCall(add.Addr(), 1, 2)
		}
	})
	b.Run("Enter", func(b *testing.B) {
		u, err := getUnit()
		if err != nil {
			b.Fatal(err)
		}
		defer putUnit(u)
		f := u.f
		f.fn, f.flags = add.Addr(), 0
		for b.Loop() {
			if st := execute(f, f.stackTop, &ints[0], 2); st != statusReturned {
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
		f.fn, f.flags = add.Addr(), 0
		for b.Loop() {
			procPin()
			f.interrupt = 0
			f.inCall = 1
			st := enter(f, f.stackTop, &ints[0], 2)
			procUnpin()
			if st != statusReturned {
				st = complete(f, st, &ints[0], 2, false)
			}
			f.inCall = 0
			if st != statusReturned {
				b.Fatalf("status %d", st)
			}
			sink += f.rax
		}
	})
	b.Run("Caller", func(b *testing.B) {
		c, err := NewCaller(0)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		for b.Loop() {
			r, _ := c.Call(add.Addr(), 1, 2)
			sink += r.RAX
		}
	})
	b.Run("Call", func(b *testing.B) {
		for b.Loop() {
			r, _ := Call(add.Addr(), 1, 2)
			sink += r.RAX
		}
	})
}

// BenchmarkBind compares a bound function with the call it stands for, at
// every arity: ints=N is N integer parameters (Call with N arguments),
// floats=N is N float64 parameters (Run with the floats put in Args for
// each call). The code is a RET stub.
//
//	go test -run '^$' -bench Bind -count 10 ./trampoline/
func BenchmarkBind(b *testing.B) {
	ret := load(b, codeRet)
	addr := ret.Addr()
	type u = uint64
	type d = float64
	// The bound functions are called straight from the loop, as Call is.
	ints := []func(b *testing.B){
		func(b *testing.B) {
			f, err := Bind0[u](addr)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				sink += f()
			}
		},
		func(b *testing.B) {
			f, err := Bind1[u, u](addr)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				sink += f(1)
			}
		},
		func(b *testing.B) {
			f, err := Bind2[u, u, u](addr)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				sink += f(1, 2)
			}
		},
		func(b *testing.B) {
			f, err := Bind3[u, u, u, u](addr)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				sink += f(1, 2, 3)
			}
		},
		func(b *testing.B) {
			f, err := Bind4[u, u, u, u, u](addr)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				sink += f(1, 2, 3, 4)
			}
		},
		func(b *testing.B) {
			f, err := Bind5[u, u, u, u, u, u](addr)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				sink += f(1, 2, 3, 4, 5)
			}
		},
		func(b *testing.B) {
			f, err := Bind6[u, u, u, u, u, u, u](addr)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				sink += f(1, 2, 3, 4, 5, 6)
			}
		},
	}
	all := []u{1, 2, 3, 4, 5, 6}
	for n, bind := range ints {
		args := all[:n]
		b.Run("ints="+itoa(int64(n))+"/Call", func(b *testing.B) {
			for b.Loop() {
				r, _ := Call(addr, args...)
				sink += r.RAX
			}
		})
		b.Run("ints="+itoa(int64(n))+"/Bind", bind)
	}
	floats := []func(b *testing.B){
		func(b *testing.B) {
			f, err := Bind1[d, d](addr)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				sink += uint64(f(1))
			}
		},
		func(b *testing.B) {
			f, err := Bind2[d, d, d](addr)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				sink += uint64(f(1, 2))
			}
		},
		func(b *testing.B) {
			f, err := Bind3[d, d, d, d](addr)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				sink += uint64(f(1, 2, 3))
			}
		},
		func(b *testing.B) {
			f, err := Bind4[d, d, d, d, d](addr)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				sink += uint64(f(1, 2, 3, 4))
			}
		},
		func(b *testing.B) {
			f, err := Bind5[d, d, d, d, d, d](addr)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				sink += uint64(f(1, 2, 3, 4, 5))
			}
		},
		func(b *testing.B) {
			f, err := Bind6[d, d, d, d, d, d, d](addr)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				sink += uint64(f(1, 2, 3, 4, 5, 6))
			}
		},
		func(b *testing.B) {
			f, err := Bind7[d, d, d, d, d, d, d, d](addr)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				sink += uint64(f(1, 2, 3, 4, 5, 6, 7))
			}
		},
		func(b *testing.B) {
			f, err := Bind8[d, d, d, d, d, d, d, d, d](addr)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				sink += uint64(f(1, 2, 3, 4, 5, 6, 7, 8))
			}
		},
	}
	for i, bind := range floats {
		n := i + 1
		b.Run("floats="+itoa(int64(n))+"/Run", func(b *testing.B) {
			vals := []float64{1, 2, 3, 4, 5, 6, 7, 8}[:n]
			for b.Loop() {
				// The arguments as a caller has them, as a bound
				// function gets them: float64 values, put in Args
				// for each call.
				var a Args
				for j, v := range vals {
					a.Float[j] = math.Float64bits(v)
				}
				r, _ := Run(context.Background(), addr, &a, nil)
				sink += r.X0
			}
		})
		b.Run("floats="+itoa(int64(n))+"/Bind", bind)
	}
}

// BenchmarkTimed is what a deadline adds to a call of a RET stub: Run
// without and with Options.Timeout, and CallContext with a context that
// has a deadline (far off: the code always returns first).
//
//	go test -run '^$' -bench Timed -count 10 ./trampoline/
func BenchmarkTimed(b *testing.B) {
	ret := load(b, codeRet)
	b.Run("Run", func(b *testing.B) {
		for b.Loop() {
			r, _ := Run(context.Background(), ret.Addr(), nil, nil)
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
	b.Run("Call", func(b *testing.B) {
		for b.Loop() {
			r, _ := Call(ret.Addr())
			sink += r.RAX
		}
	})
	b.Run("CallContextDeadline", func(b *testing.B) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
		defer cancel()
		for b.Loop() {
			r, _ := CallContext(ctx, ret.Addr())
			sink += r.RAX
		}
	})
}

// BenchmarkFault is one recovered fault: the signal, the handler, the
// return to Go and the *Fault. BenchmarkFaultC is the oracle to read it
// against: the same faults recovered by a bare C handler.
//
//	go test -run '^$' -bench 'Fault' -count 10 ./trampoline/
func BenchmarkFault(b *testing.B) {
	for _, tc := range []struct {
		name string
		code snippet
	}{{"SIGILL", codeUD2}, {"SIGSEGV", codeNull}, {"SIGTRAP", codeINT3}, {"SIGFPE", codeDiv0}, {"SIGBUS", codeACLoad}} {
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

// BenchmarkFaultC is the oracle for BenchmarkFault: the same five faults
// raised and recovered by a bare C signal handler that only moves RIP past
// the instruction (testdata/fault_oracle.c, built with gcc into a
// temporary directory and run once per b.N; its own ns per fault, timed
// inside the program, is the result). A hypervisor that intercepts an
// exception (#UD, #AC) makes it slow for C too. Skipped without gcc.
func BenchmarkFaultC(b *testing.B) {
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		b.Skip("no gcc on PATH: the C oracle for BenchmarkFault cannot be built")
	}
	bin := filepath.Join(b.TempDir(), "fault_oracle")
	if out, err := exec.Command(gcc, "-O2", "-o", bin, filepath.Join("testdata", "fault_oracle.c")).CombinedOutput(); err != nil {
		b.Fatalf("gcc: %v\n%s", err, out)
	}
	for _, sig := range []string{"SIGILL", "SIGSEGV", "SIGTRAP", "SIGFPE", "SIGBUS"} {
		b.Run(sig, func(b *testing.B) {
			out, err := exec.Command(bin, sig, strconv.Itoa(b.N)).Output()
			if err != nil {
				b.Fatalf("fault_oracle %s %d: %v", sig, b.N, err)
			}
			ns, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
			if err != nil {
				b.Fatalf("fault_oracle %s printed %q: %v", sig, out, err)
			}
			b.ReportMetric(ns, "ns/op")
		})
	}
}

// BenchmarkPrivateTLS is what Options.PrivateTLS adds to a call of a RET
// stub: giving the thread the call's FS base and Go's back afterwards.
//
//	go test -run '^$' -bench PrivateTLS -count 10 ./trampoline/
func BenchmarkPrivateTLS(b *testing.B) {
	ret := load(b, codeRet)
	for _, tc := range []struct {
		name string
		opt  *Options
	}{{"Run", nil}, {"RunPrivateTLS", &Options{PrivateTLS: true}}} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				r, err := Run(context.Background(), ret.Addr(), nil, tc.opt)
				if err != nil {
					b.Fatal(err)
				}
				sink += r.RAX
			}
		})
	}
}
