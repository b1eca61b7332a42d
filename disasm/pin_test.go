package disasm

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jitrun/jitrun/asm"
)

// attRoundTrip writes the AT&T source of code (decoded with prog's labels,
// its encodings pinned) and assembles it with jitrun's AT&T front end: it
// must give code back, byte for byte. It returns the rows and how many
// were pinned to their bytes.
func attRoundTrip(t *testing.T, name string, code []byte, prog *asm.Program) (rows, pinned int) {
	t.Helper()
	decoded := Decode(code, Options{Syntax: asm.SyntaxATT, Program: prog})
	before := map[int]bool{}
	for i, r := range decoded {
		before[i] = r.Asm != ""
	}
	pinnedRows := PinEncodings(decoded, asm.SyntaxATT)
	for i, r := range pinnedRows {
		if r.Asm != "" && !before[i] {
			pinned++
		}
		if !r.End() && !r.Outside {
			rows++
		}
	}
	var src strings.Builder
	if err := WriteAsm(&src, pinnedRows); err != nil {
		t.Fatal(err)
	}
	p, err := asm.AssembleSource(name, []byte(src.String()), asm.SyntaxATT)
	if err != nil {
		t.Fatalf("%s: the AT&T source of the listing does not assemble: %v", name, err)
	}
	if !bytes.Equal(p.Code, code) {
		at := 0
		for at < len(code) && at < len(p.Code) && code[at] == p.Code[at] {
			at++
		}
		t.Fatalf("%s: the AT&T source assembles to %d bytes, first difference at offset %#x; the code is %d bytes", name, len(p.Code), at, len(code))
	}
	return rows, pinned
}

// TestATTRoundTrip: the AT&T source disasm writes of this package's corpus
// (GNU-assembled) and of asm's AT&T oracle corpus (jitrun-assembled)
// assembles back through jitrun's AT&T front end to the same bytes: rows
// whose text jitrun would encode otherwise (or not read) are pinned to
// their bytes, and the rest read back exactly.
func TestATTRoundTrip(t *testing.T) {
	t.Run("disasm corpus", func(t *testing.T) {
		needTools(t, "as", "objcopy", "nm")
		var entries []string
		for _, e := range corpus() {
			if !isUndecodedByDesign(e) {
				entries = append(entries, e)
			}
		}
		obj, _, starts, _ := assembleEntries(t, gnuHeaders[asm.SyntaxIntel], entries, nil)
		rows, pinned := attRoundTrip(t, "corpus.s", obj.text, entryProgram(obj.text, starts))
		t.Logf("disasm corpus: %d rows, %d pinned to their bytes, the rest read back exactly", rows, pinned)
	})
	t.Run("asm att corpus", func(t *testing.T) {
		data, err := os.ReadFile(filepath.Join("..", "asm", "testdata", "att", "corpus.s"))
		if err != nil {
			t.Skipf("SKIPPED: asm's AT&T corpus is not there (%v)", err)
		}
		var code []byte
		var starts []int
		for _, line := range strings.Split(string(data), "\n") {
			if line == "" || line[0] == '#' {
				continue
			}
			p, err := asm.AssembleSource("corpus.s", []byte(line), asm.SyntaxATT)
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			starts = append(starts, len(code))
			code = append(code, p.Code...)
		}
		rows, pinned := attRoundTrip(t, "corpus.s", code, entryProgram(code, append(starts, len(code))))
		t.Logf("asm AT&T corpus: %d rows, %d pinned to their bytes, the rest read back exactly", rows, pinned)
		if rows < 10000 {
			t.Errorf("only %d rows", rows)
		}
	})
}

// TestPinEncodings: the two encodings of add %ecx,%eax, a near jump the
// assembler would make short; the pinned rows say why.
func TestPinEncodings(t *testing.T) {
	code := []byte{0x01, 0xc8, 0x03, 0xc1, 0xeb, 0x00, 0xe9, 0x00, 0x00, 0x00, 0x00, 0xc3}
	rows := PinEncodings(Decode(code, Options{Syntax: asm.SyntaxATT}), asm.SyntaxATT)
	var src strings.Builder
	if err := WriteAsm(&src, rows); err != nil {
		t.Fatal(err)
	}
	want := "\tadd %ecx,%eax\n\t.byte 0x03, 0xc1  # add %ecx,%eax\n\tjmp loc_6\nloc_6:\n\t.byte 0xe9, 0x00, 0x00, 0x00, 0x00  # jmpq loc_b\nloc_b:\n\tretq\n"
	if src.String() != want {
		t.Errorf("source:\n%s\nwant:\n%s", src.String(), want)
	}
	if !strings.Contains(rows[1].Note, "another encoding of this text: jitrun's AT&T assembler writes 01 c8") {
		t.Errorf("note %q", rows[1].Note)
	}
	for _, s := range []asm.Syntax{asm.SyntaxGo, asm.SyntaxIntel} {
		in := Decode(code, Options{Syntax: s})
		if out := PinEncodings(in, s); out[1].Asm != "" {
			t.Errorf("%s: pinned %q", s, out[1].Asm)
		}
	}
}
