package disasm

import (
	"regexp"
	"unicode"
	"unicode/utf8"

	"github.com/jitrun/jitrun/asm"
)

// readsName reports whether the syntax's assembler reads name back as a
// symbol or label name, so that the listing may print it. A name it does
// not read (<main>, asm's old name for the function of a source without
// TEXT; an Intel source's local label start.loop in Go syntax; a register
// name) is left out: it is neither a "name:" line nor an operand, and the
// listing names the address another way (another name there, a symbol and
// an offset, a loc_ADDR label, or the address).
func readsName(s asm.Syntax, name string) bool {
	if name == "" {
		return false
	}
	switch s {
	case asm.SyntaxIntel:
		return intelName.MatchString(name) && !asm.IsIntelReserved(name)
	case asm.SyntaxATT:
		return gnuName.MatchString(name)
	}
	// Go syntax: the lexer of asm (and of go tool asm).
	for i, r := range name {
		if r == utf8.RuneError || !(r == '_' || r == '·' || r == '∕' || unicode.IsLetter(r) || i > 0 && unicode.IsDigit(r)) {
			return false
		}
	}
	_, isReg := asm.LookupReg(name)
	return !isReg
}

var (
	// intelName is a NASM identifier, as asm's Intel front end reads it
	// (without NASM's $ escape, which GNU as does not take).
	intelName = regexp.MustCompile(`^[A-Za-z_.?@][A-Za-z0-9_.?@$]*$`)
	// gnuName is a GNU as symbol name.
	gnuName = regexp.MustCompile(`^[A-Za-z_.$][A-Za-z0-9_.$]*$`)
)
