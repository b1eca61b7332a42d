package att_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jitrun/jitrun/asm"
	"github.com/jitrun/jitrun/asm/internal/inteltab"
	"golang.org/x/arch/x86/x86asm"
)

// corpusLine is one line of a corpus file with its category.
type corpusLine struct {
	line     int
	category string
	text     string
}

func readCorpus(t testing.TB, name string) []corpusLine {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "att", name))
	if err != nil {
		t.Fatal(err)
	}
	var out []corpusLine
	cat := ""
	for i, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if l[0] == '#' {
			if c, ok := strings.CutPrefix(l, "# category: "); ok {
				cat = c
			}
			continue
		}
		out = append(out, corpusLine{line: i + 1, category: cat, text: l})
	}
	return out
}

// sameDecoded reports whether two encodings decode to the same
// instruction: x86asm prints them alike, or, where x86asm is known to be
// wrong or silent (SAE-only instructions, BMI), GNU objdump does.
func sameDecoded(t testing.TB, a, b []byte) (same, byObjdump bool) {
	ia, err1 := x86asm.Decode(a, 64)
	ib, err2 := x86asm.Decode(b, 64)
	lookup := func(uint64) (string, uint64) { return "", 0 }
	if err1 == nil && err2 == nil && ia.Len == len(a) && ib.Len == len(b) && ia.Op != 0 &&
		x86asm.IntelSyntax(ia, 0, lookup) == x86asm.IntelSyntax(ib, 0, lookup) {
		return true, false
	}
	texts, err := inteltab.DecodeGNU(a, b)
	if err != nil {
		t.Logf("objdump: %v", err)
		return false, false
	}
	same = texts[0] != "" && texts[0] == texts[1]
	return same, same
}

// TestATTOracle assembles every line of the AT&T corpora (the forms of
// the Intel corpus as GNU objdump prints them, with and without -M
// suffix) with jitrun and with GNU as (as --64), and compares the bytes:
// at least 99% must be identical, the rest the same instruction by
// decode, none different.
func TestATTOracle(t *testing.T) {
	for _, name := range []string{"corpus.s", "corpus_suffix.s"} {
		t.Run(name, func(t *testing.T) { oracle(t, name) })
	}
}

func oracle(t *testing.T, name string) {
	lines := readCorpus(t, name)
	texts := make([]string, len(lines))
	for i, l := range lines {
		texts[i] = l.text
	}
	want, err := inteltab.AssembleGNUATT(texts)
	if errors.Is(err, inteltab.ErrNoGNU) {
		t.Skip("SKIP: GNU as (binutils) is not installed: the AT&T oracle test needs it (.ci/run installs it)")
	}
	if err != nil {
		t.Fatal(err)
	}
	type tally struct{ matched, equivalent, errored, different, total int }
	per := map[string]*tally{}
	var all tally
	shown, objdumpOnly := 0, 0
	for i, l := range lines {
		c := per[l.category]
		if c == nil {
			c = &tally{}
			per[l.category] = c
		}
		c.total++
		all.total++
		g := want[i]
		if g.Err != "" {
			t.Errorf("%s:%d: %s: GNU as rejects it (%s): regenerate the corpus", name, l.line, l.text, g.Err)
			continue
		}
		p, err := asm.AssembleSource(name, []byte(l.text), asm.SyntaxATT)
		switch {
		case err != nil:
			c.errored++
			all.errored++
			if testing.Verbose() && shown < 400 {
				shown++
				t.Logf("%s:%d: %s: error: %v (GNU as %x)", name, l.line, l.text, err, g.Code)
			}
		case bytes.Equal(p.Code, g.Code):
			c.matched++
			all.matched++
		default:
			same, byObjdump := sameDecoded(t, p.Code, g.Code)
			if !same {
				c.different++
				all.different++
				t.Errorf("%s:%d: %s: assembled to %x, GNU as %x", name, l.line, l.text, p.Code, g.Code)
				break
			}
			if byObjdump {
				objdumpOnly++
			}
			c.equivalent++
			all.equivalent++
			if testing.Verbose() && shown < 400 {
				shown++
				t.Logf("%s:%d: %s: equivalent: %x, GNU as %x", name, l.line, l.text, p.Code, g.Code)
			}
		}
	}
	for _, cat := range inteltab.Categories {
		if c := per[cat]; c != nil {
			t.Logf("%s %-7s matched %5d  equivalent %4d  errored %4d  different %d  total %5d", name, cat, c.matched, c.equivalent, c.errored, c.different, c.total)
		}
	}
	identical := 100 * float64(all.matched) / float64(all.total)
	t.Logf("%s: matched %d (%.2f%%) / equivalent %d (%d of them by objdump where x86asm misreads) / errored %d / different %d / total %d",
		name, all.matched, identical, all.equivalent, objdumpOnly, all.errored, all.different, all.total)
	if identical < 99 {
		t.Errorf("%s: %.2f%% of the corpus assembles to GNU as's bytes, want at least 99%%", name, identical)
	}
	if all.errored > 0 {
		t.Errorf("%s: %d lines GNU as assembles are errors here", name, all.errored)
	}
}
