package asm

import (
	"fmt"
	"strings"
)

// Pos is a position in a source: file name, 1-based line and 1-based
// column (in bytes).
type Pos struct {
	File string
	Line int
	Col  int
}

func (p Pos) String() string {
	file := p.File
	if file == "" {
		file = "<input>"
	}
	if p.Col > 0 {
		return fmt.Sprintf("%s:%d:%d", file, p.Line, p.Col)
	}
	return fmt.Sprintf("%s:%d", file, p.Line)
}

// Error is one problem in a source, at a position.
type Error struct {
	Pos Pos
	Msg string
}

func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// MaxErrors is how many errors one assembly collects before it stops.
const MaxErrors = 20

// ErrorList is every problem found in one pass over a source, in source
// order, at most MaxErrors of them (the last one then says "too many
// errors"). Assemble returns an ErrorList as its error when the source has
// problems; use errors.As to get at the individual positions.
type ErrorList []*Error

func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}
