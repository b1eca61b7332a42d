package disasm

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/jitrun/jitrun/asm"
)

// Write prints rows as a listing, one row a line, in columns: a gutter
// ("=>" on the marked row), the address, the nearest symbol or label and
// the offset from it, the bytes in hex, the text, and a comment (in the
// syntax's comment style) with the note of the row and its source line.
// Symbols and labels get "name:" lines of their own. A run of foldMin or
// more data rows alike (resb 4096: 512 rows of .quad 0x0) is one line,
// whose comment says how many rows and bytes it stands for.
//
//	f:
//	   0x1000  f+0x0     48 c7 c0 2a 00 00 00  MOVQ $0x2a, AX
//	loop:
//	   0x1007  loop+0x0  48 ff c8              DECQ AX
//	   0x100a  loop+0x3  75 fb                 JNE loop
//	=> 0x100c  loop+0x5  c3                    RET
//	buf:
//	   0x100d  buf+0x0   00 00 00 00 00 00 00 00  QUAD $0x0  // 512 rows alike: 4096 bytes, 0x100d-0x200c
func Write(w io.Writer, rows []Row, s asm.Syntax) error {
	c := newColumns(rows)
	var out strings.Builder
	var shown asm.Pos
	for i := 0; i < len(rows); {
		r := rows[i]
		writeLabels(&out, r)
		n := 1
		if !r.End() {
			var comment []string
			if n = foldedRun(rows, i); n > 1 {
				size := n * len(r.Bytes)
				comment = append(comment, fmt.Sprintf("%d rows alike: %d bytes, %s", n, size, span(r.Addr, size)))
			}
			if r.Note != "" {
				comment = append(comment, r.Note)
			}
			if r.Source != "" && r.Pos != shown {
				shown = r.Pos
				comment = append(comment, asm.Pos{File: r.Pos.File, Line: r.Pos.Line}.String()+"  "+r.Source)
			}
			out.WriteString(c.line(r, comment, s))
		}
		i += n
	}
	_, err := io.WriteString(w, out.String())
	return err
}

// columns are the widths of the columns of a listing.
type columns struct {
	addrDigits, sym, bytes, text int
}

func newColumns(rows []Row) columns {
	c := columns{addrDigits: 4}
	for _, r := range rows {
		if r.End() {
			continue
		}
		c.addrDigits = max(c.addrDigits, len(fmt.Sprintf("%x", r.Addr)))
		c.sym = max(c.sym, len(symbolColumn(r)))
		c.bytes = max(c.bytes, 3*len(r.Bytes)-1)
		c.text = max(c.text, len(r.Text))
	}
	return c
}

// line is the listing line of r, with a comment of the parts given.
func (c columns) line(r Row, comment []string, s asm.Syntax) string {
	line := fmt.Sprintf("%s0x%0*x  %-*s  %-*s  %s", gutter(r), c.addrDigits, r.Addr,
		c.sym, symbolColumn(r), c.bytes, hexBytes(r.Bytes), r.Text)
	if len(comment) > 0 {
		line = fmt.Sprintf("%-*s  %s %s", len(line)-len(r.Text)+c.text, line, commentFor(s), strings.Join(comment, "; "))
	}
	return strings.TrimRight(line, " ") + "\n"
}

// foldMin is the fewest data rows alike that Write shows as one line, and
// WriteAsm as one directive where it can.
const foldMin = 3

// foldedRun returns how many rows from rows[i] on Write shows as one line:
// a run of at least foldMin data rows with the same bytes, none but the
// first with a label, a mark, a note or a source line of its own; or 1.
func foldedRun(rows []Row, i int) int {
	r := rows[i]
	n := 1
	for r.Data && !r.Outside && i+n < len(rows) {
		q := rows[i+n]
		if !q.Data || q.Outside || q.Marked || len(q.Labels) > 0 || q.Note != "" ||
			!bytes.Equal(q.Bytes, r.Bytes) || q.Source != "" && q.Pos != r.Pos {
			break
		}
		n++
	}
	if n < foldMin {
		return 1
	}
	return n
}

// WriteAsm prints rows as assembler source: "name:" lines for symbols and
// labels, and each row's text (its Asm text where it has one) on a line of
// its own, indented by a tab (except a row Outside the code, which is not
// part of it). A run of data rows that Write folds, all of one byte value,
// is one .zero or .skip directive in Intel and AT&T source. No addresses
// or bytes, and a comment only after an Asm text: the assembler of the
// syntax (jitrun asm --syntax intel for Intel rows) reads it back into the
// same instructions, as far as the decoder printed them right, and the
// same bytes but where an instruction has several encodings (see the
// package doc).
func WriteAsm(w io.Writer, rows []Row) error {
	var out strings.Builder
	for i := 0; i < len(rows); {
		n := foldedRun(rows, i)
		if fill := fillText(rows[i : i+n]); n > 1 && fill != "" {
			writeLabels(&out, rows[i])
			out.WriteString("\t" + fill + "\n")
			i += n
			continue
		}
		for _, r := range rows[i : i+n] {
			writeLabels(&out, r)
			switch {
			case r.End() || r.Outside:
			case r.Asm != "":
				out.WriteString("\t" + r.Asm + "\n")
			default:
				out.WriteString("\t" + r.Text + "\n")
			}
		}
		i += n
	}
	_, err := io.WriteString(w, out.String())
	return err
}

// writeLabels writes the "name:" lines of the labels of r.
func writeLabels(out *strings.Builder, r Row) {
	for _, l := range r.Labels {
		out.WriteString(l + ":\n")
	}
}

// fillText is one directive for a run of data rows alike whose bytes are
// all one value, in Intel and AT&T source (whose data directives are GNU
// as's: .quad): .zero N, or .skip N, V. GNU as and jitrun's Intel front
// end read both. It is "" for Go source (which has no such directive) and
// for rows of more than one byte value.
func fillText(run []Row) string {
	r := run[0]
	if !strings.HasPrefix(r.Text, ".") {
		return ""
	}
	for _, c := range r.Bytes {
		if c != r.Bytes[0] {
			return ""
		}
	}
	size := len(run) * len(r.Bytes)
	if r.Bytes[0] == 0 {
		return fmt.Sprintf(".zero %d", size)
	}
	return fmt.Sprintf(".skip %d, %#x", size, r.Bytes[0])
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
