package disasm

import (
	"fmt"
	"io"
	"strings"

	"github.com/jitrun/jitrun/asm"
)

// Write prints rows as a listing, one row a line, in columns: a gutter
// ("=>" on the marked row), the address, the nearest symbol or label and
// the offset from it, the bytes in hex, the text, and a comment (in the
// syntax's comment style) with the note of a Bad row and the source line
// of the row. Symbols and labels get "name:" lines of their own.
//
//	f:
//	   0x1000  f+0x0     48 c7 c0 2a 00 00 00  MOVQ $0x2a, AX
//	loop:
//	   0x1007  loop+0x0  48 ff c8              DECQ AX
//	   0x100a  loop+0x3  75 fb                 JNE loop
//	=> 0x100c  loop+0x5  c3                    RET
func Write(w io.Writer, rows []Row, s asm.Syntax) error {
	addrDigits, symWidth, bytesWidth, textWidth := 4, 0, 0, 0
	for _, r := range rows {
		if r.End() {
			continue
		}
		addrDigits = max(addrDigits, len(fmt.Sprintf("%x", r.Addr)))
		symWidth = max(symWidth, len(symbolColumn(r)))
		bytesWidth = max(bytesWidth, 3*len(r.Bytes)-1)
		textWidth = max(textWidth, len(r.Text))
	}
	var out strings.Builder
	var shown asm.Pos
	for _, r := range rows {
		for _, l := range r.Labels {
			out.WriteString(l + ":\n")
		}
		if r.End() {
			continue
		}
		line := fmt.Sprintf("%s0x%0*x  %-*s  %-*s  %s", gutter(r), addrDigits, r.Addr,
			symWidth, symbolColumn(r), bytesWidth, hexBytes(r.Bytes), r.Text)
		var comment []string
		if r.Note != "" {
			comment = append(comment, r.Note)
		}
		if r.Source != "" && r.Pos != shown {
			shown = r.Pos
			comment = append(comment, asm.Pos{File: r.Pos.File, Line: r.Pos.Line}.String()+"  "+r.Source)
		}
		if len(comment) > 0 {
			line = fmt.Sprintf("%-*s  %s %s", len(line)-len(r.Text)+textWidth, line, commentFor(s), strings.Join(comment, "; "))
		}
		out.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	_, err := io.WriteString(w, out.String())
	return err
}

// WriteAsm prints rows as assembler source: "name:" lines for symbols and
// labels, and each row's text (its Asm text where it has one) on a line of
// its own, indented by a tab (except a row Outside the code, which is not
// part of it). No
// addresses, bytes or comments: the assembler of the syntax (jitrun asm
// --syntax intel for Intel rows) reads it back into the same bytes, as far
// as the decoder printed them right (see the package doc).
func WriteAsm(w io.Writer, rows []Row) error {
	var out strings.Builder
	for _, r := range rows {
		for _, l := range r.Labels {
			out.WriteString(l + ":\n")
		}
		switch {
		case r.End() || r.Outside:
		case r.Asm != "":
			out.WriteString("\t" + r.Asm + "\n")
		default:
			out.WriteString("\t" + r.Text + "\n")
		}
	}
	_, err := io.WriteString(w, out.String())
	return err
}

func gutter(r Row) string {
	if r.Marked {
		return "=> "
	}
	return "   "
}

// symbolColumn is "name+0xN", or "+0xN" (from the start of the code) when
// no symbol or label comes before the row, or "outside" for a row outside
// the code.
func symbolColumn(r Row) string {
	if r.Outside {
		return "outside"
	}
	return fmt.Sprintf("%s+%#x", r.Symbol, r.SymOffset)
}

// hexBytes is b as "48 c7 c0".
func hexBytes(b []byte) string {
	var s strings.Builder
	for i, c := range b {
		if i > 0 {
			s.WriteByte(' ')
		}
		fmt.Fprintf(&s, "%02x", c)
	}
	return s.String()
}

// commentFor is the start of a line comment in syntax s.
func commentFor(s asm.Syntax) string {
	switch s {
	case asm.SyntaxIntel:
		return ";"
	case asm.SyntaxATT:
		return "#"
	}
	return "//"
}

// printed is the syntax rows are printed in for s: s itself, or Go for
// SyntaxAuto (the zero Options) and any value asm does not define.
func printed(s asm.Syntax) asm.Syntax {
	if s == asm.SyntaxIntel || s == asm.SyntaxATT {
		return s
	}
	return asm.SyntaxGo
}

// slot is the index of syntax s in the package's per-syntax tables, which
// hold Go, Intel and AT&T in that order.
func slot(s asm.Syntax) int {
	switch printed(s) {
	case asm.SyntaxIntel:
		return 1
	case asm.SyntaxATT:
		return 2
	}
	return 0
}
