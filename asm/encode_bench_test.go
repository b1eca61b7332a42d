package asm

import (
	"testing"

	"github.com/jitrun/jitrun/internal/platform"
)

// BenchmarkEncodeAmd64enc is the encoder alone (every stage after the
// front end: validation, golang-asm, layout, the Program) over the
// statements of amd64enc.s, parsed once: compare with
// BenchmarkAssembleAmd64encGo (front end and encoder) and BenchmarkParse
// (front end alone).
func BenchmarkEncodeAmd64enc(b *testing.B) {
	src, n := benchSource(b)
	benchEncode(b, "amd64enc.s", src, SyntaxGo, n)
}

// BenchmarkEncodeIntelCorpus is the encoder alone over the statements of
// the Intel corpus (BenchmarkAssembleIntelCorpus's source), parsed once:
// what the Intel front end costs is the difference between the two.
func BenchmarkEncodeIntelCorpus(b *testing.B) {
	src, n := intelBenchSource(b)
	benchEncode(b, "corpus.s", src, SyntaxIntel, n)
}

// benchEncode parses src once and encodes its statements, n
// instructions, per iteration, reporting instr/s and instr/cpu-s as
// benchAssemble does.
func benchEncode(b *testing.B, file string, src []byte, syntax Syntax, n int) {
	stmts, err := Parse(file, src, syntax)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	cpu0, cpuErr := platform.ProcessCPUTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, errs := encode(file, stmts); errs.Len() > 0 {
			b.Fatal(errs.List())
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "instr/s")
	if cpu1, err := platform.ProcessCPUTime(); cpuErr == nil && err == nil && cpu1 > cpu0 {
		b.ReportMetric(float64(n)*float64(b.N)/(cpu1-cpu0).Seconds(), "instr/cpu-s")
	}
}
