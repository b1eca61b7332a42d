package bench

import (
	"context"
	"math"
	"testing"

	"github.com/jitrun/jitrun/asm"
)

// BenchmarkIMULLatency shows Benchmark in use: go test -bench IMUL prints
// cycles/op (3 on recent Intel and AMD cores) and ns/op per IMULQ.
func BenchmarkIMULLatency(b *testing.B) {
	k, err := ParseKernel("imul", "imul.s", []byte("IMULQ BX, AX"), nil, asm.SyntaxGo)
	if err != nil {
		b.Fatal(err)
	}
	Benchmark(b, k, nil)
}

// TestBenchmarkHelper runs Benchmark under testing.Benchmark and checks the
// metrics it reports.
func TestBenchmarkHelper(t *testing.T) {
	p := probeForTest(t)
	k := parse(t, "imul", "IMULQ BX, AX", "")
	var got *Result
	var res testing.BenchmarkResult
	for attempt := 1; ; attempt++ {
		res = testing.Benchmark(func(b *testing.B) { got = Benchmark(b, k, &Options{Probe: p, Warmup: -1}) })
		if res.N > 0 && got != nil {
			break
		}
		// testing.Benchmark keeps no message of a b.Fatal: measure once
		// more, alone, to have one. Its first round takes one sample; a
		// busy machine can spoil that sample's TSC calibration, the
		// likely cause of the two failures CI has seen (under -race,
		// beside the other packages' tests, with Measure alone right
		// after succeeding). A third failure in a row is a failure.
		_, err := Measure(context.Background(), &Options{Probe: p, Warmup: -1, Samples: 1}, k)
		if attempt == 3 {
			t.Fatalf("benchmark did not run in %d attempts: %+v; Measure alone then: %v", attempt, res, err)
		}
		t.Logf("attempt %d: the benchmark did not run (%+v); Measure alone then: %v; trying again", attempt, res, err)
	}
	if c := res.Extra["cycles/op"]; math.Abs(c-3) > 0.12 || c != got.Cycles {
		t.Errorf("cycles/op %v (result %v), want 3", c, got.Cycles)
	}
	if ns := res.Extra["ns/op"]; ns != got.NS || ns <= 0 {
		t.Errorf("ns/op %v, want the result's %v", ns, got.NS)
	}
	if got.Samples != min(res.N, MaxSamples) {
		t.Errorf("samples %d for b.N %d", got.Samples, res.N)
	}
}
