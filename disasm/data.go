package disasm

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/jitrun/jitrun/asm"
)

// dataDirectives are the directives for 1, 2, 4 and 8 bytes, per syntax.
// Intel text takes GNU as's (NASM's db, dw, dd and dq are no directives
// in GNU as's .intel_syntax); jitrun's Intel front end reads both.
var dataDirectives = [3]map[int]string{ // Go, Intel, AT&T: see slot
	{1: "BYTE $", 2: "WORD $", 4: "LONG $", 8: "QUAD $"},
	{1: ".byte ", 2: ".short ", 4: ".long ", 8: ".quad "},
	{1: ".byte ", 2: ".short ", 4: ".long ", 8: ".quad "},
}

// dataText is one data row: a single little-endian value of 1, 2, 4 or 8
// bytes (dataChunks cuts rows that way), as the syntax writes it.
func dataText(s asm.Syntax, b []byte) string {
	var v uint64
	switch len(b) {
	case 1:
		v = uint64(b[0])
	case 2:
		v = uint64(binary.LittleEndian.Uint16(b))
	case 4:
		v = uint64(binary.LittleEndian.Uint32(b))
	case 8:
		v = binary.LittleEndian.Uint64(b)
	default:
		return bytesText(s, b)
	}
	return fmt.Sprintf("%s%#x", dataDirectives[slot(s)][len(b)], v)
}

// bytesText shows bytes that are not an instruction as byte directives:
// .byte 0x62, 0xf5 (Intel and GNU), BYTE $0x62; BYTE $0xf5 (Go, which has
// one value per directive).
func bytesText(s asm.Syntax, b []byte) string {
	var t strings.Builder
	for i, c := range b {
		switch {
		case i == 0:
			t.WriteString(dataDirectives[slot(s)][1])
		case printed(s) == asm.SyntaxGo:
			t.WriteString("; BYTE $")
		default:
			t.WriteString(", ")
		}
		fmt.Fprintf(&t, "0x%02x", c)
	}
	return t.String()
}
