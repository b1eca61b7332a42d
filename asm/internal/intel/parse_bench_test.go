package intel

import (
	"testing"

	"github.com/jitrun/jitrun/asm/internal/ir"
)

// BenchmarkParseCorpus is the front end alone over the oracle corpus in
// GNU as spelling (about 10,000 instructions, one source), read with both
// shortcuts, without the memory of matches, and token by token only.
func BenchmarkParseCorpus(b *testing.B) {
	src := []byte(corpusText(b, "corpus.s"))
	for _, c := range []struct {
		name string
		mode readMode
	}{
		{"shortcuts", readMode{}},
		{"noCache", readMode{noCache: true}},
		{"tokens", readMode{slowOnly: true, noCache: true}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			for b.Loop() {
				parse("corpus.s", src, Options{}, c.mode)
			}
		})
	}
}

// BenchmarkParseFuncCorpus is ParseFunc over the same corpus, handing
// each statement to a caller that lets go of it at once: the front end
// as the assembler uses it, without the encoder.
func BenchmarkParseFuncCorpus(b *testing.B) {
	src := []byte(corpusText(b, "corpus.s"))
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		ParseFunc("corpus.s", src, Options{}, func(ir.Stmt) bool { return true })
	}
}
