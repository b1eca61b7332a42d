//go:build linux && amd64

package trace

import (
	"context"
	"testing"

	"github.com/jitrun/jitrun/asm"
)

// BenchmarkTrace traces a loop of 3,000 instructions; steps/s is the
// rate of the whole tracer (the debug trap, the decoding, the register
// and memory comparison).
func BenchmarkTrace(b *testing.B) {
	l := load(b, asm.SyntaxGo, sumSrc)
	opt := l.options(1000)
	steps := 0
	for b.Loop() {
		sum, err := Run(context.Background(), opt, func(*Step) bool { return true })
		if err != nil {
			b.Fatal(err)
		}
		steps += sum.Steps
	}
	b.ReportMetric(float64(steps)/b.Elapsed().Seconds(), "steps/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(steps), "ns/step")
}
