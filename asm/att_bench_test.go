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
// instructions, one program) per iteration: the AT&T counterpart of
// BenchmarkAssembleIntelCorpus, whose instructions it holds.
func BenchmarkAssembleATT(b *testing.B) {
	src, n := attBenchSource(b)
	benchAssemble(b, "corpus.s", src, SyntaxATT, n)
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

// gnuEnc is amd64enc.s in one of GNU objdump's syntaxes, made once
// (gnuEncSource).
type gnuEnc struct {
	once sync.Once
	src  []byte
	n    int
	err  error
}

// attEnc and intelEnc are amd64enc.s in AT&T and in Intel syntax.
var attEnc, intelEnc gnuEnc

// gnuEncSource returns amd64enc.s (the source BenchmarkAssemble
// assembles) in syntax, AT&T or Intel, from e: each of its instructions
// assembled by the Go front end and printed by GNU objdump (in Intel
// syntax with -M intel), the lines that syntax's front end rejects alone
// (branches to numeric addresses, which objdump prints) left out; and
// the number of instructions.
func gnuEncSource(b *testing.B, e *gnuEnc, syntax Syntax) ([]byte, int) {
	goSrc, _ := benchSource(b)
	e.once.Do(func() {
		p, err := AssembleSource("amd64enc.s", goSrc, SyntaxGo)
		if err != nil {
			e.err = err
			return
		}
		var codes [][]byte
		for _, l := range p.Lines {
			codes = append(codes, p.Code[l.Offset:l.Offset+l.Len])
		}
		var opts []string // AT&T: objdump's default
		if syntax == SyntaxIntel {
			opts = []string{"-M", "intel"}
		}
		texts, err := inteltab.DecodeGNUWith(opts, codes...)
		if err != nil {
			e.err = err
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
			if _, err := AssembleSource("t.s", []byte(t), syntax); err != nil {
				continue
			}
			out.WriteString(t + "\n")
			e.n++
		}
		e.src = []byte(out.String())
	})
	if e.err != nil {
		b.Skipf("SKIP: amd64enc.s in %s syntax needs GNU objdump: %v", syntax, e.err)
	}
	return e.src, e.n
}

// BenchmarkAssembleATTEnc assembles amd64enc.s in AT&T syntax (the same
// instructions as BenchmarkAssemble, less the few the text cannot say):
// instr/cpu-s compares the two front ends over the same instructions
// (BenchmarkAssembleAmd64encGo).
func BenchmarkAssembleATTEnc(b *testing.B) {
	src, n := gnuEncSource(b, &attEnc, SyntaxATT)
	benchAssemble(b, "amd64enc_att.s", src, SyntaxATT, n)
}

// BenchmarkParseATTEnc is the AT&T front end alone over amd64enc.s in
// AT&T syntax: compare with BenchmarkParse (Go syntax, the same
// instructions).
func BenchmarkParseATTEnc(b *testing.B) {
	src, n := gnuEncSource(b, &attEnc, SyntaxATT)
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
