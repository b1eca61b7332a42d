package bench

import (
	"context"
	"errors"
	"testing"
)

// Benchmark measures k inside a Go benchmark function and reports, per copy
// of the kernel, the metric "cycles/op" and the time as "ns/op" (replacing
// the time the testing package measured, which includes the set-up):
//
//	func BenchmarkIMUL(b *testing.B) {
//		k, err := bench.ParseKernel("imul", "imul", []byte("IMULQ BX, AX"), nil, asm.SyntaxGo)
//		if err != nil {
//			b.Fatal(err)
//		}
//		bench.Benchmark(b, k, nil)
//	}
//
// b.N sets Options.Samples, and Options.Batches is left to its default for
// that many samples, so -benchtime scales the measurement as usual
// (-benchtime=500x takes 500 samples of each size). It stops the benchmark with b.Fatal when the measurement fails, and
// skips it with b.Skip where jitrun cannot run (not linux/amd64). It returns
// the result for further checks.
func Benchmark(b *testing.B, k Kernel, opt *Options) *Result {
	b.Helper()
	var o Options
	if opt != nil {
		o = *opt
	}
	o.Samples = min(b.N, MaxSamples)
	o.Batches = 0
	rep, err := Measure(context.Background(), &o, k)
	if errors.Is(err, errors.ErrUnsupported) {
		b.Skip(err)
	}
	if err != nil {
		b.Fatal(err)
	}
	r := rep.Kernels[0]
	b.ReportMetric(r.Cycles, "cycles/op")
	b.ReportMetric(r.NS, "ns/op")
	return r
}
