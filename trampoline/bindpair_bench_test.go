//go:build linux && amd64

package trampoline

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"
)

// pairChunk is how many calls of each kind BenchmarkBindPair times at a
// stretch: long enough that reading the clock costs nothing that shows
// (two reads in some 6 µs), short enough that a stretch often runs
// without an interrupt or the host taking the CPU.
const pairChunk = 256

// BenchmarkBindPair compares a bound function with the call it stands
// for in one loop that alternates the two, a stretch of pairChunk calls
// each, so that both see the same machine: on a VM whose speed drifts
// from second to second, two benchmarks run one after the other differ
// by more than the 10% this compares. The calls it stands for are Call
// with the same integer arguments, written in the call (ints=N/args) or
// in a slice the caller holds (ints=N/slice, BenchmarkBind's pair), and
// Run with the same doubles put in Args (floats=N, BenchmarkBind's). Each
// reports the fastest stretch of each kind, per call (call-ns, bind-ns),
// and their ratio (bind/call), which is what to read; ns/op is the time
// of one stretch of each.
//
//	go test -run '^$' -bench BindPair -count 5 ./trampoline/
func BenchmarkBindPair(b *testing.B) {
	addr := load(b, codeRet).Addr()
	type u = uint64
	type d = float64
	var call, callSlice, bind [7]func()
	// Call as a program writes it in place of a bound function: the
	// arguments in the call (Go builds the variadic slice at each call).
	call[0] = func() {
		for range pairChunk {
			r, _ := Call(addr)
			sink += r.RAX
		}
	}
	call[1] = func() {
		for range pairChunk {
			r, _ := Call(addr, 1)
			sink += r.RAX
		}
	}
	call[2] = func() {
		for range pairChunk {
			r, _ := Call(addr, 1, 2)
			sink += r.RAX
		}
	}
	call[3] = func() {
		for range pairChunk {
			r, _ := Call(addr, 1, 2, 3)
			sink += r.RAX
		}
	}
	call[4] = func() {
		for range pairChunk {
			r, _ := Call(addr, 1, 2, 3, 4)
			sink += r.RAX
		}
	}
	call[5] = func() {
		for range pairChunk {
			r, _ := Call(addr, 1, 2, 3, 4, 5)
			sink += r.RAX
		}
	}
	call[6] = func() {
		for range pairChunk {
			r, _ := Call(addr, 1, 2, 3, 4, 5, 6)
			sink += r.RAX
		}
	}
	// And with a slice the caller already holds (BenchmarkBind's Call):
	// nothing to store per call, the cheapest Call there is.
	all := []u{1, 2, 3, 4, 5, 6}
	for n := range callSlice {
		args := all[:n]
		callSlice[n] = func() {
			for range pairChunk {
				r, _ := Call(addr, args...)
				sink += r.RAX
			}
		}
	}
	f0, errf0 := Bind0[u](addr)
	f1, errf1 := Bind1[u, u](addr)
	f2, errf2 := Bind2[u, u, u](addr)
	f3, errf3 := Bind3[u, u, u, u](addr)
	f4, errf4 := Bind4[u, u, u, u, u](addr)
	f5, errf5 := Bind5[u, u, u, u, u, u](addr)
	f6, errf6 := Bind6[u, u, u, u, u, u, u](addr)
	if err := errors.Join(errf0, errf1, errf2, errf3, errf4, errf5, errf6); err != nil {
		b.Fatal(err)
	}
	// Each stretch calls its bound function directly, as a program does.
	bind[0] = func() {
		for range pairChunk {
			sink += f0()
		}
	}
	bind[1] = func() {
		for range pairChunk {
			sink += f1(1)
		}
	}
	bind[2] = func() {
		for range pairChunk {
			sink += f2(1, 2)
		}
	}
	bind[3] = func() {
		for range pairChunk {
			sink += f3(1, 2, 3)
		}
	}
	bind[4] = func() {
		for range pairChunk {
			sink += f4(1, 2, 3, 4)
		}
	}
	bind[5] = func() {
		for range pairChunk {
			sink += f5(1, 2, 3, 4, 5)
		}
	}
	bind[6] = func() {
		for range pairChunk {
			sink += f6(1, 2, 3, 4, 5, 6)
		}
	}
	for n := range call {
		b.Run("ints="+itoa(int64(n))+"/args", func(b *testing.B) { runPair(b, call[n], bind[n]) })
		b.Run("ints="+itoa(int64(n))+"/slice", func(b *testing.B) { runPair(b, callSlice[n], bind[n]) })
	}

	var run, bindF [3]func()
	for i, n := range []int{1, 2, 8} {
		vals := []float64{1, 2, 3, 4, 5, 6, 7, 8}[:n]
		run[i] = func() {
			for range pairChunk {
				// As BenchmarkBind's Run: the doubles put in Args for
				// each call, as a caller has them.
				var a Args
				for j, v := range vals {
					a.Float[j] = math.Float64bits(v)
				}
				r, _ := Run(context.Background(), addr, &a, nil)
				sink += r.X0
			}
		}
	}
	g1, errg1 := Bind1[d, d](addr)
	g2, errg2 := Bind2[d, d, d](addr)
	g8, errg8 := Bind8[d, d, d, d, d, d, d, d, d](addr)
	if err := errors.Join(errg1, errg2, errg8); err != nil {
		b.Fatal(err)
	}
	bindF[0] = func() {
		for range pairChunk {
			sink += u(g1(1))
		}
	}
	bindF[1] = func() {
		for range pairChunk {
			sink += u(g2(1, 2))
		}
	}
	bindF[2] = func() {
		for range pairChunk {
			sink += u(g8(1, 2, 3, 4, 5, 6, 7, 8))
		}
	}
	for i, n := range []int{1, 2, 8} {
		b.Run("floats="+itoa(int64(n)), func(b *testing.B) { runPair(b, run[i], bindF[i]) })
	}
}

// runPair times stretches of base and of bound, alternately, and
// reports the fastest of each.
func runPair(b *testing.B, base, bound func()) {
	base() // the first calls set up the stacks, off the clock
	bound()
	fastBase, fastBound := time.Duration(math.MaxInt64), time.Duration(math.MaxInt64)
	for b.Loop() {
		t0 := time.Now()
		base()
		t1 := time.Now()
		bound()
		t2 := time.Now()
		fastBase, fastBound = min(fastBase, t1.Sub(t0)), min(fastBound, t2.Sub(t1))
	}
	callNs, bindNs := float64(fastBase)/pairChunk, float64(fastBound)/pairChunk
	b.ReportMetric(callNs, "call-ns")
	b.ReportMetric(bindNs, "bind-ns")
	b.ReportMetric(bindNs/callNs, "bind/call")
}
