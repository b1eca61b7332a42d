package asm

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jitrun/jitrun/asm/internal/inteltab"
)

// attBenchSource returns the AT&T oracle corpus (testdata/att/corpus.s,
// the forms of the Intel corpus as objdump prints them: about 10,000
// instructions) as one program, and its number of instructions.
func attBenchSource(b *testing.B) ([]byte, int) {
	data, err := os.ReadFile(filepath.Join("testdata", "att", "corpus.s"))
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for _, l := range strings.Split(string(data), "\n") {
		if l != "" && l[0] != '#' {
			n++
		}
	}
	return data, n
}

// BenchmarkAssembleATT assembles the AT&T corpus (about 10,000
// instructions, one program) per iteration and reports instructions per
// second: compare with BenchmarkAssemble (Go syntax, amd64enc.s).
func BenchmarkAssembleATT(b *testing.B) {
	src, n := attBenchSource(b)
	if _, err := AssembleSource("corpus.s", src, SyntaxATT); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := AssembleSource("corpus.s", src, SyntaxATT); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "insts/s")
}

// BenchmarkParseATT is the AT&T front end alone over the corpus: compare
// with BenchmarkParse (Go syntax).
func BenchmarkParseATT(b *testing.B) {
	src, n := attBenchSource(b)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Parse("corpus.s", src, SyntaxATT); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "insts/s")
}

var (
	attEncOnce sync.Once
	attEncSrc  []byte
	attEncN    int
	attEncErr  error
)

// attEncSource returns amd64enc.s (the source BenchmarkAssemble
// assembles) in AT&T syntax: each of its instructions assembled by the Go
// front end and printed by GNU objdump, the lines the AT&T front end
// rejects (branches to numeric addresses, which objdump prints) left out;
// and the number of instructions.
func attEncSource(b *testing.B) ([]byte, int) {
	goSrc, _ := benchSource(b)
	attEncOnce.Do(func() {
		p, err := AssembleSource("amd64enc.s", goSrc, SyntaxGo)
		if err != nil {
			attEncErr = err
			return
		}
		var codes [][]byte
		for _, l := range p.Lines {
			codes = append(codes, p.Code[l.Offset:l.Offset+l.Len])
		}
		texts, err := inteltab.DecodeGNUWith(nil, codes...)
		if err != nil {
			attEncErr = err
			return
		}
		var out strings.Builder
		for _, t := range texts {
			if i := strings.IndexByte(t, '#'); i >= 0 {
				t = t[:i]
			}
			if t == "" {
				continue
			}
			if _, err := AssembleSource("t.s", []byte(t), SyntaxATT); err != nil {
				continue
			}
			out.WriteString(t + "\n")
			attEncN++
		}
		attEncSrc = []byte(out.String())
	})
	if attEncErr != nil {
		b.Skipf("SKIP: amd64enc.s in AT&T syntax needs GNU objdump: %v", attEncErr)
	}
	return attEncSrc, attEncN
}

// BenchmarkAssembleATTEnc assembles amd64enc.s in AT&T syntax (the same
// instructions as BenchmarkAssemble, less the few the text cannot say):
// instr/cpu-s compares the two front ends over the same instructions
// (BenchmarkAssembleAmd64encGo).
func BenchmarkAssembleATTEnc(b *testing.B) {
	src, n := attEncSource(b)
	benchAssemble(b, "amd64enc_att.s", src, SyntaxATT, n)
}

// BenchmarkParseATTEnc is the AT&T front end alone over amd64enc.s in
// AT&T syntax: compare with BenchmarkParse (Go syntax, the same
// instructions).
func BenchmarkParseATTEnc(b *testing.B) {
	src, n := attEncSource(b)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Parse("amd64enc_att.s", src, SyntaxATT); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "insts/s")
}
