package asm

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkGNUAs runs GNU as (binutils) as a process on the sources the
// in-process benchmarks assemble, for comparison with them: the Intel
// corpus (BenchmarkAssembleIntelCorpus), the AT&T corpus
// (BenchmarkAssembleATT) and amd64enc.s in both syntaxes
// (BenchmarkAssembleIntelEnc, BenchmarkAssembleATTEnc). Each iteration
// runs it twice, on the source and on an empty one, one after the other.
// instr/s is the whole process's rate (start-up included, as
// BenchmarkGoToolAsm's); instr/s-past-startup takes the empty source's
// time off, leaving the rate at which GNU as reads and encodes, which is
// what an in-process assembly's instr/s compares with. ns/op is both
// runs.
func BenchmarkGNUAs(b *testing.B) {
	asPath, err := exec.LookPath("as")
	if err != nil {
		b.Skip("SKIP: GNU as (binutils) is not installed: nothing to compare with")
	}
	for _, c := range []struct {
		name   string
		source func(*testing.B) ([]byte, int)
		syntax Syntax
	}{
		{"intel-corpus", intelBenchSource, SyntaxIntel},
		{"att-corpus", attBenchSource, SyntaxATT},
		{"intel-enc", func(b *testing.B) ([]byte, int) { return gnuEncSource(b, &intelEnc, SyntaxIntel) }, SyntaxIntel},
		{"att-enc", func(b *testing.B) ([]byte, int) { return gnuEncSource(b, &attEnc, SyntaxATT) }, SyntaxATT},
	} {
		b.Run(c.name, func(b *testing.B) {
			src, n := c.source(b)
			if c.syntax == SyntaxIntel {
				src = append([]byte(".intel_syntax noprefix\n"), src...)
			}
			dir := b.TempDir()
			full, empty := filepath.Join(dir, "src.s"), filepath.Join(dir, "empty.s")
			if err := os.WriteFile(full, src, 0o644); err != nil {
				b.Fatal(err)
			}
			if err := os.WriteFile(empty, nil, 0o644); err != nil {
				b.Fatal(err)
			}
			// run runs GNU as on one file and returns how long it took.
			run := func(path string) time.Duration {
				cmd := exec.Command(asPath, "--64", "-o", filepath.Join(dir, "out.o"), path)
				start := time.Now()
				out, err := cmd.CombinedOutput()
				d := time.Since(start)
				if err != nil {
					b.Fatalf("as %s: %v\n%.2000s", filepath.Base(path), err, out)
				}
				return d
			}
			run(full) // the source and as itself into the page cache
			var withSource, startup time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				withSource += run(full)
				startup += run(empty)
			}
			b.StopTimer()
			total := float64(n) * float64(b.N)
			b.ReportMetric(total/withSource.Seconds(), "instr/s")
			if past := withSource - startup; past > 0 {
				b.ReportMetric(total/past.Seconds(), "instr/s-past-startup")
			}
		})
	}
}
