package disasm

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/jitrun/jitrun/asm"
)

// An AT&T text does not always say which encoding an instruction had:
// add %ecx,%eax is 01 c8 and 03 c1, and an assembler writes one of them.
// PinEncodings gives the rows of an AT&T listing whose text jitrun's AT&T
// front end would assemble to other bytes an Asm text of byte directives
// (the text in a comment), so that the source WriteAsm makes of them
// assembles back to every byte: jitrun disasm --syntax att --asm, then
// jitrun asm, gives the code back.

// maxPinRounds bounds the rounds of PinEncodings: pinning a row fixes its
// length, which can change how the assembler lays out a branch elsewhere,
// so it assembles again until nothing changes.
const maxPinRounds = 8

// PinEncodings returns rows (decoded in AT&T syntax) with an Asm text and
// a Note on each instruction row whose Text jitrun's AT&T front end
// assembles, in the source WriteAsm makes of rows, to other bytes than the
// row's, or does not read. Rows of another syntax come back as they are.
func PinEncodings(rows []Row, s asm.Syntax) []Row {
	if s != asm.SyntaxATT {
		return rows
	}
	out := append([]Row(nil), rows...)
	for round := 0; round < maxPinRounds; round++ {
		src, rowOf := pinSource(out)
		p, err := asm.AssembleSource("listing.s", []byte(src), asm.SyntaxATT)
		pinned := 0
		if err != nil {
			list, ok := err.(asm.ErrorList)
			if !ok {
				return out
			}
			for _, e := range list {
				i, ok := rowOf[e.Pos.Line]
				if !ok || out[i].Asm != "" {
					return out // an error that pinning cannot fix: a label, too many errors
				}
				out[i] = pinRow(out[i], "jitrun's AT&T assembler does not read this text ("+e.Msg+")")
				pinned++
			}
			continue
		}
		made := map[int][]byte{}
		for _, l := range p.Lines {
			made[l.Pos.Line] = p.Code[l.Offset : l.Offset+l.Len]
		}
		for line, i := range rowOf {
			if b := made[line]; out[i].Asm == "" && !bytes.Equal(b, out[i].Bytes) {
				out[i] = pinRow(out[i], fmt.Sprintf("another encoding of this text: jitrun's AT&T assembler writes % x", b))
				pinned++
			}
		}
		if pinned == 0 {
			return out
		}
	}
	return out
}

// pinRow gives r byte directives as its Asm text, and the reason as its
// note.
func pinRow(r Row, why string) Row {
	r.Asm = asmBytes(asm.SyntaxATT, r.Bytes, r.Text)
	if r.Note != "" {
		r.Note += "; "
	}
	r.Note += why + ": --asm writes the bytes"
	return r
}

// pinSource is the source WriteAsm makes of rows, without folding runs of
// data, and the row of each line that holds an instruction or data (by
// line number).
func pinSource(rows []Row) (string, map[int]int) {
	var src strings.Builder
	rowOf := map[int]int{}
	line := 1
	for i, r := range rows {
		for _, l := range r.Labels {
			src.WriteString(l + ":\n")
			line++
		}
		if r.End() || r.Outside {
			continue
		}
		text := r.Text
		if r.Asm != "" {
			text = r.Asm
		} else {
			rowOf[line] = i
		}
		src.WriteString("\t" + text + "\n")
		line++
	}
	return src.String(), rowOf
}
