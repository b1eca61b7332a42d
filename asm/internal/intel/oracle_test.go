package intel_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/jitrun/jitrun/asm"
	"github.com/jitrun/jitrun/asm/internal/intel"
	"github.com/jitrun/jitrun/asm/internal/inteltab"
	"github.com/jitrun/jitrun/asm/internal/x86enc"
	"golang.org/x/arch/x86/x86asm"
)

// intelCorpusLine is one line of a corpus file with its category.
type intelCorpusLine struct {
	line     int
	category string
	text     string
}

func readIntelCorpus(t testing.TB, name string) []intelCorpusLine {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "intel", name))
	if err != nil {
		t.Fatal(err)
	}
	var out []intelCorpusLine
	cat := ""
	for i, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if l[0] == '#' || l[0] == ';' {
			if c, ok := strings.CutPrefix(l[1:], " category: "); ok {
				cat = c
			}
			continue
		}
		out = append(out, intelCorpusLine{line: i + 1, category: cat, text: l})
	}
	return out
}

// intelOutcome is what happened to one corpus line.
type intelOutcome uint8

const (
	outMatched intelOutcome = iota
	outEquivalent
	outErrored
	outDifferent
)

// sameDecoded reports whether two encodings decode to the same
// instruction: x86asm prints them alike, or, where x86asm is known to be
// wrong or silent (SAE-only instructions it takes for rounding ones, BMI),
// GNU objdump does.
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

func TestIntelOracle(t *testing.T) {
	gnuLines := readIntelCorpus(t, "corpus.s")
	nasmLines := readIntelCorpus(t, "corpus_nasm.asm")
	if len(gnuLines) != len(nasmLines) {
		t.Fatalf("corpus.s has %d lines, corpus_nasm.asm %d", len(gnuLines), len(nasmLines))
	}
	texts := make([]string, len(gnuLines))
	for i, l := range gnuLines {
		texts[i] = l.text
	}
	want, err := inteltab.AssembleGNU(texts)
	if errors.Is(err, inteltab.ErrNoGNU) {
		t.Skip("SKIP: GNU as (binutils) is not installed: the Intel oracle test needs it (.ci/run installs it)")
	}
	if err != nil {
		t.Fatal(err)
	}
	// results[spelling][line]: the bytes, or nil for an error.
	results := [2][][]byte{}
	for si, spelling := range []struct {
		name  string
		lines []intelCorpusLine
	}{{"corpus.s", gnuLines}, {"corpus_nasm.asm", nasmLines}} {
		results[si] = make([][]byte, len(spelling.lines))
		type tally struct{ matched, equivalent, errored, different, total int }
		per := map[string]*tally{}
		var all tally
		shown, objdumpOnly := 0, 0
		for i, l := range spelling.lines {
			c := per[l.category]
			if c == nil {
				c = &tally{}
				per[l.category] = c
			}
			c.total++
			all.total++
			g := want[i]
			if g.Err != "" {
				t.Errorf("%s:%d: %s: GNU as rejects it (%s): regenerate the corpus", spelling.name, l.line, gnuLines[i].text, g.Err)
				continue
			}
			p, err := asm.AssembleSource(spelling.name, []byte(l.text), asm.SyntaxIntel)
			if err == nil {
				results[si][i] = p.Code
			}
			switch {
			case err != nil:
				c.errored++
				all.errored++
				if testing.Verbose() && shown < 400 {
					shown++
					t.Logf("%s:%d: %s: error: %v", spelling.name, l.line, l.text, err)
				}
			case bytes.Equal(p.Code, g.Code):
				c.matched++
				all.matched++
			default:
				same, byObjdump := sameDecoded(t, p.Code, g.Code)
				if !same {
					c.different++
					all.different++
					t.Errorf("%s:%d: %s: assembled to %x, GNU as %x", spelling.name, l.line, l.text, p.Code, g.Code)
					break
				}
				if byObjdump {
					objdumpOnly++
				}
				c.equivalent++
				all.equivalent++
				if testing.Verbose() && shown < 400 {
					shown++
					t.Logf("%s:%d: %s: equivalent: %x, GNU as %x", spelling.name, l.line, l.text, p.Code, g.Code)
				}
			}
		}
		for _, cat := range inteltab.Categories {
			if c := per[cat]; c != nil {
				t.Logf("%s %-7s matched %5d  equivalent %4d  errored %4d  different %d  total %5d", spelling.name, cat, c.matched, c.equivalent, c.errored, c.different, c.total)
			}
		}
		ok := 100 * float64(all.matched+all.equivalent) / float64(all.total)
		t.Logf("%s: matched %d / equivalent %d (%d of them by objdump where x86asm misreads) / errored %d / different %d / total %d (%.2f%% same instruction)",
			spelling.name, all.matched, all.equivalent, objdumpOnly, all.errored, all.different, all.total, ok)
		if ok < 98 {
			t.Errorf("%s: %.2f%% of the corpus assembles to GNU as's instruction, want at least 98%%", spelling.name, ok)
		}
	}
	// The NASM spelling must give exactly what the GNU spelling gives.
	for i := range gnuLines {
		a, b := results[0][i], results[1][i]
		if (a == nil) != (b == nil) || !bytes.Equal(a, b) {
			t.Errorf("corpus.s:%d %q gives %x, corpus_nasm.asm:%d %q gives %x", gnuLines[i].line, gnuLines[i].text, a, nasmLines[i].line, nasmLines[i].text, b)
		}
	}
}

// TestIntelREXByteRegisters checks spl, bpl, sil and dil, the byte
// registers that exist only with a REX prefix, in every corpus line that
// has a byte register: each line with its first byte register replaced by
// each of them must assemble to GNU as's bytes (or the same instruction).
// golang-asm drops SPB from an instruction and encodes it only as AH with a
// REX prefix added afterwards (internal/x86enc, progFix).
func TestIntelREXByteRegisters(t *testing.T) {
	byteRegs := map[string]bool{"al": true, "cl": true, "dl": true, "bl": true}
	for i := 8; i < 16; i++ {
		byteRegs["r"+strconv.Itoa(i)+"b"] = true
	}
	var texts []string
	seen := map[string]bool{}
	for _, l := range readIntelCorpus(t, "corpus.s") {
		toks, _, _, msg := intel.LexLine(l.text)
		if msg != "" || strings.Contains(l.text, "ah") || strings.Contains(l.text, "bh") || strings.Contains(l.text, "ch") || strings.Contains(l.text, "dh") {
			continue
		}
		for _, tk := range toks {
			if tk.Kind != intel.Ident || !byteRegs[tk.Text] {
				continue
			}
			for _, r := range []string{"spl", "bpl", "sil", "dil"} {
				s := l.text[:tk.Col-1] + r + l.text[tk.Col-1+len(tk.Text):]
				if !seen[s] {
					seen[s] = true
					texts = append(texts, s)
				}
			}
			break
		}
	}
	if len(texts) < 400 {
		t.Fatalf("only %d lines with a byte register in the corpus", len(texts))
	}
	want, err := inteltab.AssembleGNU(texts)
	if errors.Is(err, inteltab.ErrNoGNU) {
		t.Skip("SKIP: GNU as (binutils) is not installed: this oracle test needs it (.ci/run installs it)")
	}
	if err != nil {
		t.Fatal(err)
	}
	matched, equivalent, gnuRejects := 0, 0, 0
	for i, s := range texts {
		p, err := asm.AssembleSource("t.asm", []byte(s), asm.SyntaxIntel)
		if want[i].Err != "" {
			gnuRejects++
			if err == nil {
				t.Errorf("%s: assembled to %x, GNU as rejects it: %s", s, p.Code, want[i].Err)
			}
			continue
		}
		switch {
		case err != nil:
			t.Errorf("%s: %v (GNU as: %x)", s, err, want[i].Code)
		case bytes.Equal(p.Code, want[i].Code):
			matched++
		default:
			if same, _ := sameDecoded(t, p.Code, want[i].Code); same {
				equivalent++
				continue
			}
			t.Errorf("%s: assembled to %x, GNU as %x", s, p.Code, want[i].Code)
		}
	}
	// GNU as rejects the lines where the replaced register was a fixed
	// one (the cl of a shift count); so does jitrun (checked above).
	t.Logf("spl/bpl/sil/dil: %d lines: %d matched, %d equivalent, %d rejected by GNU as and jitrun", len(texts), matched, equivalent, gnuRejects)
}

// TestIntelErrorsInIntelTerms checks that the errors an Intel-syntax
// source gets name its instructions, registers and operands in Intel
// syntax, never in Go's (PSHUFD, X1, $imm, (SB)): every corpus line with
// its immediate replaced by values out of range, and with its vector
// registers moved to 16-31.
func TestIntelErrorsInIntelTerms(t *testing.T) {
	goOps := map[string]bool{}
	for _, m := range x86enc.Mnemonics() {
		goOps[m] = true
	}
	goWord := func(w string) bool {
		_, ok := asm.LookupReg(w)
		return ok || goOps[w]
	}
	var srcs []string
	for _, l := range readIntelCorpus(t, "corpus.s") {
		toks, _, _, msg := intel.LexLine(l.text)
		if msg != "" {
			continue
		}
		for _, tk := range toks {
			switch {
			case tk.Kind == intel.Int:
				for _, v := range []string{"300", "-200", "0x10000", "0x123456789"} {
					srcs = append(srcs, l.text[:tk.Col-1]+v+l.text[tk.Col-1+len(tk.Text):])
				}
			case tk.Kind == intel.Ident && (strings.HasPrefix(tk.Text, "xmm") || strings.HasPrefix(tk.Text, "ymm")):
				n, err := strconv.Atoi(tk.Text[3:])
				if err == nil && n < 16 {
					srcs = append(srcs, l.text[:tk.Col-1]+tk.Text[:3]+strconv.Itoa(n+16)+l.text[tk.Col-1+len(tk.Text):])
				}
			}
		}
	}
	errorsSeen := 0
	for _, src := range srcs {
		_, err := asm.AssembleSource("t.asm", []byte(src), asm.SyntaxIntel)
		if err == nil {
			continue
		}
		errorsSeen++
		msg := err.Error()
		if strings.Contains(msg, "$imm") || strings.Contains(msg, "(SB)") {
			t.Errorf("%s: %s", src, msg)
			continue
		}
		for _, w := range strings.FieldsFunc(msg, func(r rune) bool {
			return !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r == '_')
		}) {
			if w == strings.ToUpper(w) && len(w) > 1 && goWord(w) {
				t.Errorf("%s: %s: %q is Go syntax", src, msg, w)
				break
			}
		}
	}
	if errorsSeen < 1000 {
		t.Errorf("only %d of %d lines gave errors", errorsSeen, len(srcs))
	}
	t.Logf("%d lines, %d errors, all in Intel terms", len(srcs), errorsSeen)
}
