package disasm

import (
	"fmt"
	"strings"
)

// Syntax selects how instructions are printed.
type Syntax uint8

const (
	// SyntaxGo is the Go (Plan 9) assembler syntax: MOVQ $0x2a, AX. It is
	// the zero value.
	SyntaxGo Syntax = iota
	// SyntaxIntel is Intel syntax as XED and objdump -M intel print it, in
	// the form jitrun's Intel front end reads back: mov rax, qword ptr [rbx+0x8].
	SyntaxIntel
	// SyntaxGNU is the AT&T syntax of the GNU assembler: mov 0x8(%rbx),%rax.
	SyntaxGNU
)

func (s Syntax) String() string {
	switch s {
	case SyntaxGo:
		return "go"
	case SyntaxIntel:
		return "intel"
	case SyntaxGNU:
		return "gnu"
	}
	return fmt.Sprintf("Syntax(%d)", uint8(s))
}

// ParseSyntax parses a syntax name as a --syntax flag takes it: "go" (or
// "plan9"), "intel" (or "nasm"), "gnu" (or "att").
func ParseSyntax(name string) (Syntax, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "go", "plan9":
		return SyntaxGo, nil
	case "intel", "nasm":
		return SyntaxIntel, nil
	case "gnu", "att":
		return SyntaxGNU, nil
	}
	return 0, fmt.Errorf("unknown syntax %q: want go, intel or gnu", name)
}

// comment is the start of a line comment in the syntax.
func (s Syntax) comment() string {
	switch s {
	case SyntaxIntel:
		return ";"
	case SyntaxGNU:
		return "#"
	}
	return "//"
}
