package asm

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/jitrun/jitrun/internal/platform"
)

var (
	benchOnce sync.Once
	benchSrc  []byte
	benchN    int
)

// benchSource returns amd64enc.s without the few instruction lines that
// are errors here (instructions newer than golang-asm), so that the whole
// file assembles, and the number of instructions in it.
func benchSource(b *testing.B) ([]byte, int) {
	path := goTestdata(b, "amd64enc.s")
	benchOnce.Do(func() {
		data, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		lines := strings.Split(string(data), "\n")
		for i, line := range lines {
			text := strings.TrimSpace(strings.Split(line, "//")[0])
			if text == "" || strings.HasPrefix(text, "#") || strings.HasPrefix(text, "TEXT") || strings.Contains(text, "(PC)") {
				continue
			}
			if _, err := Assemble(text); err != nil {
				lines[i] = "// dropped: " + line
			}
		}
		benchSrc = []byte(strings.Join(lines, "\n"))
		stmts, err := Parse("amd64enc.s", benchSrc, SyntaxGo)
		if err != nil {
			b.Fatal(err)
		}
		for _, st := range stmts {
			if _, ok := st.(*Inst); ok {
				benchN++
			}
		}
	})
	return benchSrc, benchN
}

var (
	intelBenchOnce sync.Once
	intelBenchSrc  []byte
	intelBenchN    int
)

// intelBenchSource returns the corpus of TestIntelOracle
// (testdata/intel/corpus.s, GNU as spelling, one instruction a line)
// without the lines the Intel front end rejects, so that the whole file
// assembles as one program, and the number of instructions in it.
func intelBenchSource(b *testing.B) ([]byte, int) {
	intelBenchOnce.Do(func() {
		data, err := os.ReadFile(filepath.Join("testdata", "intel", "corpus.s"))
		if err != nil {
			b.Fatal(err)
		}
		var kept []string
		for _, line := range strings.Split(string(data), "\n") {
			text := strings.TrimSpace(line)
			if text == "" || text[0] == '#' {
				continue
			}
			if _, err := AssembleSource("corpus.s", []byte(text), SyntaxIntel); err != nil {
				continue
			}
			kept = append(kept, text)
		}
		intelBenchSrc = []byte(strings.Join(kept, "\n") + "\n")
		intelBenchN = len(kept)
	})
	return intelBenchSrc, intelBenchN
}

// benchAssemble assembles src, n instructions, per iteration and reports
// instructions per second of the wall clock (instr/s) and of the
// process's CPU time (instr/cpu-s: the garbage collector's workers
// included, time spent waiting for a CPU excluded, which on a busy machine
// varies much less than the wall clock).
func benchAssemble(b *testing.B, file string, src []byte, syntax Syntax, n int) {
	if _, err := AssembleSource(file, src, syntax); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	cpu0, cpuErr := platform.ProcessCPUTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := AssembleSource(file, src, syntax); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "instr/s")
	if cpu1, err := platform.ProcessCPUTime(); cpuErr == nil && err == nil && cpu1 > cpu0 {
		b.ReportMetric(float64(n)*float64(b.N)/(cpu1-cpu0).Seconds(), "instr/cpu-s")
	}
}

// BenchmarkAssembleAmd64encGo assembles all of amd64enc.s in Go syntax
// (about 10,000 instructions, one program) per iteration.
func BenchmarkAssembleAmd64encGo(b *testing.B) {
	src, n := benchSource(b)
	benchAssemble(b, "amd64enc.s", src, SyntaxGo, n)
}

// BenchmarkAssembleIntelCorpus assembles the Intel-syntax corpus of
// TestIntelOracle (about 10,000 instructions of every category, one
// program) per iteration.
func BenchmarkAssembleIntelCorpus(b *testing.B) {
	src, n := intelBenchSource(b)
	benchAssemble(b, "corpus.s", src, SyntaxIntel, n)
}

// BenchmarkAssembleIntelEnc assembles amd64enc.s in Intel syntax, as
// GNU objdump -M intel prints it (the instructions of
// BenchmarkAssembleAmd64encGo, less the few the text cannot say): with
// BenchmarkAssembleATTEnc, it compares the three front ends over the same
// instructions, where BenchmarkAssembleIntelCorpus's instructions are
// others (every category, EVEX forms most).
func BenchmarkAssembleIntelEnc(b *testing.B) {
	src, n := gnuEncSource(b, &intelEnc, SyntaxIntel)
	benchAssemble(b, "amd64enc_intel.s", src, SyntaxIntel, n)
}

// BenchmarkAssembleSnippet is the smallest useful source, three
// instructions (a function adding its two arguments), in each syntax:
// what a -e source or a test's one-off function costs.
func BenchmarkAssembleSnippet(b *testing.B) {
	for _, c := range []struct {
		name   string
		src    string
		syntax Syntax
	}{
		{"go", "MOVQ DI, AX\nADDQ SI, AX\nRET\n", SyntaxGo},
		{"intel", "mov rax, rdi\nadd rax, rsi\nret\n", SyntaxIntel},
	} {
		b.Run(c.name, func(b *testing.B) {
			benchAssemble(b, "<input>", []byte(c.src), c.syntax, 3)
		})
	}
}

// BenchmarkAssembleSmall is a typical -e source: a few instructions.
func BenchmarkAssembleSmall(b *testing.B) {
	src := "loop: ADDQ (DI), AX; ADDQ $8, DI; DECQ SI; JNE loop; RET"
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Assemble(src); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParse is the Go-syntax front end alone over amd64enc.s.
func BenchmarkParse(b *testing.B) {
	src, n := benchSource(b)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Parse("amd64enc.s", src, SyntaxGo); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "instr/s")
}

// BenchmarkGoToolAsm runs `go tool asm` as a process on amd64enc.s, for
// comparison with BenchmarkAssembleAmd64encGo (which leaves out the 4 lines jitrun
// rejects; go tool asm needs them, or its PUSH/POP check fails).
func BenchmarkGoToolAsm(b *testing.B) {
	_, n := benchSource(b)
	src, err := os.ReadFile(goTestdata(b, "amd64enc.s"))
	if err != nil {
		b.Fatal(err)
	}
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goBin); err != nil {
		b.Skipf("SKIP: no go command at %s", goBin)
	}
	dir := b.TempDir()
	path := filepath.Join(dir, "amd64enc.s")
	fixed := strings.Replace(string(src), `#include "../../../../../runtime/textflag.h"`, `#include "textflag.h"`, 1)
	if err := os.WriteFile(path, []byte(fixed), 0o644); err != nil {
		b.Fatal(err)
	}
	args := []string{"tool", "asm", "-p", "x", "-I", filepath.Join(runtime.GOROOT(), "pkg", "include"), "-o", filepath.Join(dir, "out.o"), path}
	if out, err := exec.Command(goBin, args...).CombinedOutput(); err != nil {
		b.Fatalf("go tool asm: %v\n%s", err, out)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := exec.Command(goBin, args...).Run(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "instr/s")
}
