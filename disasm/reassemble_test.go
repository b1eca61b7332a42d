package disasm

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/jitrun/jitrun/asm"
)

// This file feeds the source WriteAsm makes of a listing back to GNU as
// (Intel and AT&T) and to jitrun's own front ends, line by line, and
// checks what each makes of it.

// sourceLine is one line of the source WriteAsm makes of rows: a label,
// or the text of row (Asm where the row has one).
type sourceLine struct {
	text string
	row  int // index in rows; -1 for a label line
}

// sourceLines returns the lines WriteAsm writes for rows, with the row
// each comes from.
func sourceLines(t *testing.T, rows []Row) []sourceLine {
	t.Helper()
	var lines []sourceLine
	var want strings.Builder
	for i, r := range rows {
		for _, l := range r.Labels {
			lines = append(lines, sourceLine{text: l + ":", row: -1})
			want.WriteString(l + ":\n")
		}
		if r.End() || r.Outside {
			continue
		}
		text := r.Text
		if r.Asm != "" {
			text = r.Asm
		}
		lines = append(lines, sourceLine{text: text, row: i})
		want.WriteString("\t" + text + "\n")
	}
	var got strings.Builder
	if err := WriteAsm(&got, rows); err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() {
		t.Fatalf("WriteAsm writes other lines than the rows' texts and labels:\n%s\nwant:\n%s", got.String(), want.String())
	}
	return lines
}

// reassembly counts what an assembler made of the lines of a listing.
type reassembly struct {
	lines      int               // instruction and data lines
	same       int               // the same bytes
	equivalent int               // other bytes, decoded to the same text
	rejected   map[string]string // line → the assembler's message
	rejects    int               // lines rejected (a text may repeat)
}

// gnuHeaders are the first lines of a GNU as source in each syntax.
var gnuHeaders = map[asm.Syntax]string{asm.SyntaxIntel: ".intel_syntax noprefix\n.text\n", asm.SyntaxATT: ".text\n"}

// gnuReassemble feeds the source WriteAsm makes of rows (in syntax s) to
// GNU as, and compares what it makes of each line with the row's bytes:
// the same bytes, or bytes that decode to the same text (a shorter
// encoding); anything else is an error. A line GNU as rejects is counted,
// and replaced by the row's bytes so that the rest keeps its addresses.
func gnuReassemble(t *testing.T, s asm.Syntax, rows []Row) reassembly {
	t.Helper()
	lines := sourceLines(t, rows)
	texts := make([]string, len(lines))
	for i, l := range lines {
		texts[i] = l.text
	}
	obj, kept, starts, rejected := assembleEntries(t, gnuHeaders[s], texts, func(i int) string {
		if lines[i].row < 0 {
			return lines[i].text
		}
		return bytesText(asm.SyntaxATT, rows[lines[i].row].Bytes)
	})
	// Decode what GNU as made with the listing's own labels, which it
	// defined where the listing put them.
	again := &asm.Program{Code: obj.text}
	for name, off := range obj.labels {
		if !strings.HasPrefix(name, "entry") && off <= len(obj.text) {
			again.Labels = append(again.Labels, asm.Label{Name: name, Offset: off})
		}
	}
	sort.Slice(again.Labels, func(i, j int) bool { return again.Labels[i].Name < again.Labels[j].Name })
	at := map[int]Row{}
	for _, r := range Decode(obj.text, Options{Syntax: s, Program: again}) {
		at[r.Offset] = r
	}
	n := reassembly{rejected: rejected}
	for i, l := range lines {
		if l.row < 0 {
			continue
		}
		n.lines++
		r := rows[l.row]
		back := obj.text[starts[i]:starts[i+1]]
		if _, ok := rejected[texts[i]]; ok || kept[i] != texts[i] {
			n.rejects++
			continue
		}
		switch {
		case bytes.Equal(back, r.Bytes):
			n.same++
		case r.Asm == "" && !r.Bad && !r.Data && len(at[starts[i]].Bytes) == len(back) &&
			// GNU as shortens bnd jmp rel32 to rel8, which x86asm shows
			// without its bnd (MPX is gone from CPUs).
			(at[starts[i]].Text == r.Text || at[starts[i]].Text == strings.TrimPrefix(r.Text, "bnd ")):
			n.equivalent++
			t.Logf("%s: %q (% x) reassembles to another encoding: % x", s, r.Text, r.Bytes, back)
		default:
			t.Errorf("%s: %q (% x) reassembles to % x (%q)", s, l.text, r.Bytes, back, at[starts[i]].Text)
		}
	}
	return n
}

// jitrunGaps are what jitrun's Intel front end does not read, though GNU
// as does: a pattern of the lines it rejects, and why. Its forms are the
// Go assembler's, which lacks these; the listing prints them the way GNU
// as reads them, and jitrun's assembler is the one to change.
var jitrunGaps = []struct {
	pattern *regexp.Regexp
	why     string
}{
	{regexp.MustCompile(`\bmm[0-7]\b`), "the MMX forms of most SSE instructions (paddq mm0, mm1; movq mm0, mm1)"},
	{regexp.MustCompile(`^f\w+ st\(\d\), st\(\d\)$|^f(u?comp?|free|freep) st\(\d\)$`), "x87 register forms: fsub st(0), st(3), fdivp, fsubrp, fcomp st(1), fucom, ffree"},
	{regexp.MustCompile(`^(fcompp|fucompp|fnclex|fnsave|frstor|fnstenv|fldenv|fisttp)\b`), "x87 instructions: fcompp, fucompp, fnclex, fnsave, frstor, fnstenv, fldenv, fisttp"},
	{regexp.MustCompile(`^(rex\.w )?(call|jmp) d?f?word ptr|^retf[wq]?( 0x[0-9a-f]+)?$`), "far transfers (call fword ptr [m], retf)"},
	{regexp.MustCompile(`^sys(exit|ret)[dq]$`), "sysexit and sysret"},
	{regexp.MustCompile(`\[e(ax|ip)\b`), "32-bit addressing ([eax], [eip+N])"},
	{regexp.MustCompile(`^(cs|ds|bnd|notrack) `), "branch hints and the bnd and notrack prefixes"},
	{regexp.MustCompile(`\b(cs|ds|es|ss):\[`), "cs, ds, es and ss overrides, which it refuses as no-ops (padding nops have them: nop word ptr cs:[rax+rax])"},
	{regexp.MustCompile(`^(pushfw|push word ptr)`), "16-bit pushes"},
	{regexp.MustCompile(`^crc32 r\w+, byte ptr`), "crc32 r64, m8"},
	{regexp.MustCompile(`^vcvtudq2pd xmm\d+, dword ptr \[\w+\]\{1to2\}$`), "vcvtudq2pd xmm, m32{1to2}"},
	{regexp.MustCompile(`^(vmcall|vmlaunch|vmresume|vmxoff|vmfunc|encls|enclu|setssbsy|saveprevssp|clui|stui|testui|uiret|xsusldtrk|xresldtrk|rdpid|prefetchw|enter|vp2intersectd|vcvtne2ps2bf16)\b`),
		"instructions it does not know: VMX, SGX, CET, user interrupts, TSX suspend, rdpid, prefetchw, enter, vp2intersectd, vcvtne2ps2bf16"},
}

// labelWord finds the names in a line of Intel or Go text.
var labelWord = regexp.MustCompile(`[A-Za-z_.][A-Za-z0-9_.]*`)

// jitrunReassemble assembles each line of the source WriteAsm makes of
// rows (in syntax s, Go or Intel) with jitrun's front end, on its own,
// with a definition of each label it names after it. A line that names no
// label must give the row's bytes, or bytes that decode to the same text;
// anything else is an error. The lines jitrun rejects are counted, with
// the first error of each.
func jitrunReassemble(t *testing.T, s asm.Syntax, rows []Row) reassembly {
	t.Helper()
	labels := map[string]bool{}
	for _, r := range rows {
		for _, l := range r.Labels {
			labels[l] = true
		}
	}
	n := reassembly{rejected: map[string]string{}}
	for _, l := range sourceLines(t, rows) {
		if l.row < 0 {
			continue
		}
		n.lines++
		r := rows[l.row]
		src, named := l.text, false
		for _, w := range labelWord.FindAllString(l.text, -1) {
			if labels[w] {
				src += "\n" + w + ":"
				named = true
			}
		}
		p, err := asm.AssembleSource("line.s", []byte(src), s)
		switch {
		case err != nil:
			msg := err.Error()
			var list asm.ErrorList
			if errors.As(err, &list) && len(list) > 0 {
				msg = list[0].Msg
			}
			n.rejects++
			n.rejected[l.text] = msg
		case named:
			n.same++ // the labels stand elsewhere: the bytes cannot match
		case bytes.Equal(p.Code, r.Bytes):
			n.same++
		default:
			again := Decode(p.Code, Options{Syntax: s})
			if len(again) > 0 && again[0].Text == r.Text && len(again[0].Bytes) == len(p.Code) && r.Asm == "" {
				n.equivalent++
				t.Logf("%s: jitrun assembles %q (% x) to another encoding: % x", s, l.text, r.Bytes, p.Code)
				continue
			}
			t.Errorf("%s: jitrun assembles %q (% x) to % x", s, l.text, r.Bytes, p.Code)
		}
	}
	return n
}

// checkIntelText feeds the Intel listing of rows to GNU as and to jitrun's
// Intel front end: GNU as must read every line, jitrun every line but
// those of jitrunGaps. It returns how many lines each gap matched.
func checkIntelText(t *testing.T, name string, rows []Row) (gaps map[int]int) {
	gnu := gnuReassemble(t, asm.SyntaxIntel, rows)
	for text, msg := range gnu.rejected {
		t.Errorf("%s: GNU as rejects %q: %s", name, text, msg)
	}
	jit := jitrunReassemble(t, asm.SyntaxIntel, rows)
	gaps = map[int]int{}
	var texts []string
	for text := range jit.rejected {
		texts = append(texts, text)
	}
	sort.Strings(texts)
next:
	for _, text := range texts {
		for i, g := range jitrunGaps {
			if g.pattern.MatchString(text) {
				gaps[i]++
				continue next
			}
		}
		t.Errorf("%s: jitrun's Intel front end rejects %q: %s", name, text, jit.rejected[text])
	}
	for i, g := range jitrunGaps {
		if gaps[i] > 0 {
			t.Logf("%s: jitrun does not read %d lines of %s", name, gaps[i], g.why)
		}
	}
	t.Logf("%s, Intel: %d lines; GNU as rejects %d, reads %d back to the same bytes, %d to another encoding of the same instruction; jitrun rejects %d (every one a gap of its front end), reads %d back to the same bytes, %d to another encoding",
		name, gnu.lines, gnu.rejects, gnu.same, gnu.equivalent, jit.rejects, jit.same, jit.equivalent)
	return gaps
}

// corpusRows lists the corpus: assembled by GNU as (Intel syntax), then
// decoded in syntax s with a label ci at the start of entry i, so that
// each entry is decoded from its start. The entries shown as data by
// design are left out: the rest of such an entry decodes as junk, which
// branches into the middle of instructions (TestOracleBoundaries checks
// them).
func corpusRows(t *testing.T, s asm.Syntax) []Row {
	var entries []string
	for _, e := range corpus() {
		if !isUndecodedByDesign(e) {
			entries = append(entries, e)
		}
	}
	obj, _, starts, rejected := assembleEntries(t, gnuHeaders[asm.SyntaxIntel], entries, nil)
	for e, msg := range rejected {
		t.Errorf("GNU as rejects corpus entry %q: %s", e, msg)
	}
	return Decode(obj.text, Options{Syntax: s, Program: entryProgram(obj.text, starts)})
}

// asmCorpusRows lists asm's Intel oracle corpus (asm/testdata/intel/
// corpus.s, the Go assembler's encoder tests in GNU spelling): each line
// assembled by jitrun, then all of it decoded in Intel syntax, a label at
// the start of each line.
func asmCorpusRows(t *testing.T) []Row {
	data, err := os.ReadFile(filepath.Join("..", "asm", "testdata", "intel", "corpus.s"))
	if err != nil {
		t.Skipf("SKIPPED: asm's corpus is not there (%v)", err)
	}
	var code []byte
	var starts []int
	for _, line := range strings.Split(string(data), "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		p, err := asm.AssembleSource("corpus.s", []byte(line), asm.SyntaxIntel)
		if err != nil {
			continue // asm's oracle test counts these
		}
		starts = append(starts, len(code))
		code = append(code, p.Code...)
	}
	return Decode(code, Options{Syntax: asm.SyntaxIntel, Program: entryProgram(code, append(starts, len(code)))})
}

// TestOracleReassemble feeds the Intel and AT&T listings of the corpus
// back to GNU as, line by line: each must come back as the same bytes, or
// as bytes that decode to the same text (another encoding of the same
// instruction); none may be rejected or come back as a different
// instruction. The Intel listing goes to jitrun's Intel front end too,
// which must read every line but those of jitrunGaps.
func TestOracleReassemble(t *testing.T) {
	needTools(t, "as", "objcopy", "nm", "objdump")
	gaps := checkIntelText(t, "corpus", corpusRows(t, asm.SyntaxIntel))
	for i, g := range jitrunGaps {
		if gaps[i] == 0 {
			t.Errorf("jitrunGaps lists %s, which jitrun reads now (or the corpus lacks): take it off the list", g.why)
		}
	}
	gnu := gnuReassemble(t, asm.SyntaxATT, corpusRows(t, asm.SyntaxATT))
	for text, msg := range gnu.rejected {
		t.Errorf("att: GNU as rejects %q: %s", text, msg)
	}
	t.Logf("corpus, AT&T: %d lines; GNU as rejects %d, reads %d back to the same bytes, %d to another encoding of the same instruction",
		gnu.lines, gnu.rejects, gnu.same, gnu.equivalent)
}

// TestOracleAsmCorpus feeds the Intel listing of asm's oracle corpus (some
// 10,000 instructions of every encoder form jitrun has) to GNU as and to
// jitrun, as TestOracleReassemble does with this package's corpus.
func TestOracleAsmCorpus(t *testing.T) {
	needTools(t, "as", "objcopy", "nm")
	checkIntelText(t, "asm corpus", asmCorpusRows(t))
}

// TestOracleFold feeds the Intel and AT&T source WriteAsm makes of a
// listing with runs of data rows alike (which it writes as .zero and
// .skip) to GNU as: the code must come back byte for byte.
func TestOracleFold(t *testing.T) {
	needTools(t, "as", "objcopy", "nm")
	p, err := asm.AssembleSource("t.asm", []byte("f: mov eax, 1\nret\nsection .data\nbuf: resb 4096\nx: dq 5\n"), asm.SyntaxIntel)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []asm.Syntax{asm.SyntaxIntel, asm.SyntaxATT} {
		var src strings.Builder
		if err := WriteAsm(&src, Decode(p.Code, Options{Syntax: s, Program: p})); err != nil {
			t.Fatal(err)
		}
		obj, errs := gnuAssemble(t, gnuHeaders[s]+src.String())
		switch {
		case errs != nil:
			t.Errorf("%s: GNU as rejects the source: %v\n%s", s, errs, src.String())
		case !bytes.Equal(obj.text, p.Code):
			t.Errorf("%s: GNU as makes %d bytes of the source; want the %d of the code", s, len(obj.text), len(p.Code))
		}
	}
}
