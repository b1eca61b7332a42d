package disasm

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/jitrun/jitrun/asm"
)

// rowsAlike finds the comment of a folded listing line.
var rowsAlike = regexp.MustCompile(`(\d+) rows alike: \d+ bytes`)

// layoutProgram builds a Program over code from fuzz bytes, four per
// entry: what it is (TEXT, DATA, RODATA symbol, label or source line),
// its offset (from -1 to len(code)), its size (from -8) and its name (few
// names, so that they clash). Nothing in it need make sense.
func layoutProgram(code, layout []byte) *asm.Program {
	p := &asm.Program{Code: code}
	names := []string{"a", "b", "loop", ""}
	for len(layout) >= 4 {
		c := layout[:4]
		layout = layout[4:]
		off := int(c[1])%(len(code)+2) - 1
		size := int(c[2]) - 8
		name := names[c[3]%4]
		switch c[0] % 5 {
		case 0, 1, 2:
			p.Symbols = append(p.Symbols, asm.Symbol{Name: name, Static: c[3]&4 != 0, Kind: asm.SymbolKind(c[0]%5 + 1), Offset: off, Size: size})
		case 3:
			p.Labels = append(p.Labels, asm.Label{Name: name, Func: names[c[3]>>4%4], Offset: off})
		case 4:
			p.Lines = append(p.Lines, asm.Line{Pos: asm.Pos{File: "f.s", Line: int(c[3])}, Offset: off, Len: size, Text: name})
		}
	}
	return p
}

// FuzzDecode checks, on any bytes and any (even nonsensical) Program, that
// the rows cover the code exactly once and in order, that every text is
// one printable line, that the mark lands on exactly one row, that At
// decodes at a mark inside the code and Outside at one outside it, and
// that nothing panics.
func FuzzDecode(f *testing.F) {
	seeds := []string{sumLoop, "f3 0f 1e fa c3", "66 48 0f 38 f6 c3", "c5 f8 77 c3", "0f 20 98 c3", "62 f5 74 48 58 c2",
		"62 f4 7c 48 58 c2", "66 0f ae f1 c3", "c4 e2 65 40 57 20", "66 66 2e 0f 1f 84 00 00 00 00 00", "48 c7 c0",
		"c7 05 f6 ff ff ff 10 00 00 00", "e9 00 10 00 00", "d9 fa dd 00", "49 0f c7 f0", "f3 0f c7 f8",
		// VEX and EVEX (evex.go).
		"62 f1 24 ba 58 35 00 00 00 00", "62 51 7e bd e6 57 30", "62 f2 7e 08 38 e4", "62 92 fd 45 c6 2c ea",
		"62 d1 36 18 5a e6", "62 f3 7d 18 26 ca 03", "62 f1 7d 18 f9 00", "62 f1 7c cb 11 00", "64 c5 f8 28 00",
		"67 62 f1 74 58 58 05 10 00 00 00", "66 c5 f8 28 00", "2e 26 64 65 67 67 36 3e 26 64 65 67 62 f1 7c 48 28 00",
		// Absolute addresses and alias encodings (asbytes.go).
		"48 8b 04 25 00 00 00 00", "65 48 a1 00 00 00 00 00 00 00 00", "67 a1 00 00 00 00", "d1 f4 d9 db", "48 f7 4c 24 08 ff ff ff ff"}
	for i, h := range seeds {
		f.Add(mustHex(f, h), uint64(0x1000), uint8(i%3), uint64(0x1003), []byte{3, 5, 10, 2})
	}
	p := twoFuncs(f)
	f.Add(p.Code, uint64(0x7f0000000000), uint8(1), uint64(0x7f0000000012), []byte{0, 1, 21, 0, 0, 14, 16, 1, 2, 25, 14, 6, 3, 8, 8, 2, 3, 14, 8, 0x12})
	// A data symbol of 40 zero bytes after a ret: five rows alike.
	f.Add(append([]byte{0xc3}, make([]byte, 40)...), uint64(0x1000), uint8(2), uint64(0x1000), []byte{0, 0, 9, 0, 1, 2, 48, 1})
	f.Fuzz(func(t *testing.T, code []byte, base uint64, syntax uint8, mark uint64, layout []byte) {
		opts := Options{Syntax: asm.Syntaxes()[int(syntax)%len(asm.Syntaxes())], Base: base, Mark: mark, HasMark: syntax&4 == 0, Source: syntax&8 == 0}
		if len(layout) > 0 {
			opts.Program = layoutProgram(code, layout)
		}
		rows := Decode(code, opts)
		checkRows(t, code, opts, rows)
		var listing, source strings.Builder
		if err := Write(&listing, rows, opts.Syntax); err != nil {
			t.Fatal(err)
		}
		if err := WriteAsm(&source, rows); err != nil {
			t.Fatal(err)
		}
		lines := 0
		for _, r := range rows {
			lines += len(r.Labels)
			if !r.End() {
				lines++
			}
		}
		// A folded line stands for n rows.
		for _, m := range rowsAlike.FindAllStringSubmatch(listing.String(), -1) {
			n, _ := strconv.Atoi(m[1])
			lines -= n - 1
		}
		if got := strings.Count(listing.String(), "\n"); got != lines {
			t.Errorf("listing has %d lines for %d rows and labels", got, lines)
		}
		if off := mark - base; off < uint64(len(code)) {
			r, err := At(code, mark, opts)
			if err != nil || r.Addr != mark || !r.Marked || len(r.Bytes) == 0 || r.Text == "" {
				t.Errorf("At(%#x) = %+v, %v", mark, r, err)
			}
		} else {
			// The layout bytes stand for the memory at a pc outside the code.
			r := Outside(code, mark, layout, opts)
			if !r.Outside || !r.Marked || r.Offset != -1 || r.Addr != mark || r.Note == "" ||
				len(r.Bytes) > min(len(layout), maxInstLen) || (len(layout) > 0) != (len(r.Bytes) > 0) || (len(r.Bytes) > 0) != (r.Text != "") ||
				!bytes.Equal(r.Bytes, layout[:len(r.Bytes)]) || strings.ContainsAny(r.Text, "\n\r\x00\x01") || !utf8.ValidString(r.Text) {
				t.Errorf("Outside(%#x, % x) = %+v", mark, layout, r)
			}
		}
	})
}

func checkRows(t *testing.T, code []byte, opts Options, rows []Row) {
	t.Helper()
	var all []byte
	marked := 0
	for i, r := range rows {
		if r.End() {
			if i != len(rows)-1 || len(r.Labels) == 0 || r.Offset != len(code) {
				t.Fatalf("end row %d of %d: %+v", i, len(rows), r)
			}
			continue
		}
		if r.Offset != len(all) || r.Addr != opts.Base+uint64(r.Offset) {
			t.Fatalf("row %d at offset %d (addr %#x); want offset %d", i, r.Offset, r.Addr, len(all))
		}
		if !bytes.Equal(r.Bytes, code[r.Offset:r.Offset+len(r.Bytes)]) {
			t.Fatalf("row %d bytes % x; code has % x", i, r.Bytes, code[r.Offset:r.Offset+len(r.Bytes)])
		}
		all = append(all, r.Bytes...)
		if r.Text == "" || strings.ContainsAny(r.Text, "\n\r\x00\x01") || !utf8.ValidString(r.Text) {
			t.Fatalf("row %d text %q", i, r.Text)
		}
		if r.Bad && (r.Note == "" || r.Data) {
			t.Fatalf("row %d: bad with note %q, data %v", i, r.Note, r.Data)
		}
		if r.Bad && r.Text != bytesText(opts.Syntax, r.Bytes) {
			t.Fatalf("row %d: bad row text %q", i, r.Text)
		}
		if r.Data && (len(r.Bytes) != 1 && len(r.Bytes) != 2 && len(r.Bytes) != 4 && len(r.Bytes) != 8) {
			t.Fatalf("row %d: data row of %d bytes", i, len(r.Bytes))
		}
		if r.Marked {
			marked++
			if off := opts.Mark - opts.Base; off < uint64(r.Offset) || off >= uint64(r.Offset+len(r.Bytes)) || (!r.Data && off != uint64(r.Offset)) {
				t.Fatalf("row %d at %#x (%d bytes, data %v) is marked for %#x", i, r.Addr, len(r.Bytes), r.Data, opts.Mark)
			}
		}
	}
	if !bytes.Equal(all, code) {
		t.Fatalf("rows hold % x; code is % x", all, code)
	}
	want := 0
	if opts.HasMark && opts.Mark-opts.Base < uint64(len(code)) {
		want = 1
	}
	if marked != want {
		t.Fatalf("%d rows marked; want %d", marked, want)
	}
}

// TestDecodeRandom runs the FuzzDecode checks on seeded random bytes, so
// that they run on every go test, not only under -fuzz.
func TestDecodeRandom(t *testing.T) {
	var state uint64 = 0x9e3779b97f4a7c15
	next := func() byte {
		state ^= state << 13
		state ^= state >> 7
		state ^= state << 17
		return byte(state)
	}
	for i := 0; i < 2000; i++ {
		code := make([]byte, int(next())%64)
		for j := range code {
			code[j] = next()
		}
		layout := make([]byte, int(next())%24)
		for j := range layout {
			layout[j] = next()
		}
		opts := Options{Syntax: asm.Syntaxes()[i%len(asm.Syntaxes())], Base: uint64(next()) << 40, HasMark: i%2 == 0, Source: true}
		opts.Mark = opts.Base + uint64(next())%uint64(len(code)+1)
		if len(layout) > 0 {
			opts.Program = layoutProgram(code, layout)
		}
		t.Run(fmt.Sprint(i), func(t *testing.T) { checkRows(t, code, opts, Decode(code, opts)) })
	}
}

// TestSyntaxesAgree decodes seeded random bytes in the three syntaxes:
// the rows must be the same but for their text. Each row has the same
// bytes, the same target, is data or bad in all three or in none, and has
// an Asm text in all three or in none (Go syntax aside, which has an Asm
// text of its own where it cannot write a segment override).
func TestSyntaxesAgree(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	code := make([]byte, 1<<16)
	for i := range code {
		code[i] = byte(rnd.Uint32())
	}
	var all [3][]Row
	for _, s := range asm.Syntaxes() {
		all[slot(s)] = Decode(code, Options{Syntax: s, Base: 0x400000})
	}
	if len(all[0]) != len(all[1]) || len(all[0]) != len(all[2]) {
		t.Fatalf("rows: Go %d, Intel %d, AT&T %d", len(all[0]), len(all[1]), len(all[2]))
	}
	for i, g := range all[0] {
		for _, r := range all[1:] {
			o := r[i]
			goOnly := strings.Contains(g.Note, "Go syntax")
			if o.Offset != g.Offset || !bytes.Equal(o.Bytes, g.Bytes) || o.Target != g.Target || o.HasTarget != g.HasTarget ||
				o.Bad != g.Bad || o.Data != g.Data || (o.Asm != "") != (g.Asm != "" && !goOnly) || !goOnly && o.Note != g.Note {
				t.Errorf("row %d disagrees:\n Go %+v\n    %+v", i, g, o)
			}
		}
	}
}
