package intel

import "testing"

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
