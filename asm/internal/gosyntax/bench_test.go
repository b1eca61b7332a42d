package gosyntax

import (
	"testing"

	"github.com/jitrun/jitrun/asm/internal/ir"
	"github.com/jitrun/jitrun/internal/platform"
)

// BenchmarkParseFunc runs the front end alone over amd64enc.s (Go's
// encoder tests, about 10,000 instructions), its statements let go of
// every 512, as the encoder does, with plain lines read at once (fast) and every line token by
// token (tokens). It reports instructions per second of the wall clock
// (instr/s) and of the process's CPU time (instr/cpu-s).
func BenchmarkParseFunc(b *testing.B) {
	src := []byte(goTestdata(b, "amd64enc.s"))
	if len(src) == 0 {
		b.Skip("SKIP: Go's assembler test data is not installed")
	}
	for _, c := range []struct {
		name string
		mode readMode
	}{{"fast", readMode{fast: true, window: minWindow}}, {"tokens", readMode{window: minWindow}}} {
		b.Run(c.name, func(b *testing.B) {
			n := 0
			parse("amd64enc.s", src, c.mode, func(st ir.Stmt) bool {
				if _, ok := st.(*ir.Inst); ok {
					n++
				}
				return true
			}, nil)
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			cpu0, cpuErr := platform.ProcessCPUTime()
			b.ResetTimer()
			for b.Loop() {
				k := 0
				parse("amd64enc.s", src, c.mode, func(ir.Stmt) bool {
					k++
					return k%512 == 0
				}, nil)
			}
			b.StopTimer()
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "instr/s")
			if cpu1, err := platform.ProcessCPUTime(); cpuErr == nil && err == nil && cpu1 > cpu0 {
				b.ReportMetric(float64(n)*float64(b.N)/(cpu1-cpu0).Seconds(), "instr/cpu-s")
			}
		})
	}
}
