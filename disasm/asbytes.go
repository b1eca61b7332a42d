package disasm

import (
	"strings"

	"golang.org/x/arch/x86/x86asm"

	"github.com/jitrun/jitrun/asm"
)

// Some instructions have a text that an assembler encodes differently
// from the bytes they came from, or that jitrun's assemblers do not read:
// an undocumented alias encoding (sal esp, 1 is d1 f4; assemblers write
// d1 e4), mov with a 64-bit address. Their rows keep the instruction as
// Text, for the listing and for fault reports, and get an Asm text of byte
// directives, with the instruction in a comment, that WriteAsm writes
// instead, so that assembler source made of a listing reproduces every
// byte.

// asmComments start a line comment that both GNU as and jitrun's front
// end of the syntax read (see slot). Intel text takes '#': GNU as reads
// ';' as a statement separator.
var asmComments = [3]string{"//", "#", "#"}

// asmBytes is the Asm text of a row: its bytes as directives, its text in
// a comment.
func asmBytes(s asm.Syntax, b []byte, text string) string {
	return bytesText(s, b) + "  " + asmComments[slot(s)] + " " + text
}

// bytesNote returns why an assembler given the text of d, the decoding of
// src, would not make src of it, or "" when it would.
func (b *block) bytesNote(d decoded, src []byte) string {
	if !d.ok {
		return ""
	}
	if d.alias != "" {
		return d.alias
	}
	switch d.inst.Op {
	case x86asm.LFS, x86asm.LGS, x86asm.LSS:
		if d.inst.DataSize == 64 {
			return "REX.W: a far pointer with a 64-bit offset (m16:64), which GNU as and jitrun do not write: --asm writes the bytes"
		}
	}
	for _, a := range d.inst.Args {
		m, ok := a.(x86asm.Mem)
		switch {
		case !ok:
		case isAbsolute(m) && d.inst.AddrSize == 32:
			return "a 32-bit absolute address (prefix 67), which no assembler text selects: --asm writes the bytes"
		case isAbsolute(m) && isMoffs(src):
			return "mov with a 64-bit address (opcode a0-a3), which jitrun's assemblers do not make: --asm writes the bytes"
		case b.syntax == asm.SyntaxGo && (m.Segment == x86asm.FS || m.Segment == x86asm.GS):
			return "an FS or GS override, which jitrun's Go syntax cannot write: --asm writes the bytes"
		}
	}
	return ""
}

// isMoffs reports whether src is mov between the accumulator and a 64-bit
// address (A0-A3, "moffs").
func isMoffs(src []byte) bool {
	e := split(src)
	return len(e.rest) > 0 && e.rest[0] >= 0xa0 && e.rest[0] <= 0xa3
}

// absoluteText says in Intel and AT&T text what x86asm leaves out of an
// instruction with an absolute memory operand: movabs for the 64-bit
// address form (GNU as makes mov with a 32-bit address of mov), and
// addr32 for prefix 67.
func absoluteText(s asm.Syntax, text string, inst x86asm.Inst, src []byte) string {
	if s == asm.SyntaxGo || !hasAbsolute(inst) {
		return text
	}
	if isMoffs(src) {
		text = replaceWord(text, "mov", "movabs")
	}
	if inst.AddrSize == 32 && !strings.HasPrefix(text, "addr32 ") {
		text = "addr32 " + text
	}
	return text
}

// hasAbsolute reports whether inst has an absolute memory operand.
func hasAbsolute(inst x86asm.Inst) bool {
	for _, a := range inst.Args {
		if m, ok := a.(x86asm.Mem); ok && isAbsolute(m) {
			return true
		}
	}
	return false
}
