package ir

import (
	"fmt"
	"sort"
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

// Errors collects the errors of one pass, in any order; List returns them
// sorted by position and capped at MaxErrors. The zero Errors is empty and
// ready to use.
type Errors struct {
	errs []*Error
}

// Add records an error at pos.
func (s *Errors) Add(pos Pos, format string, args ...any) {
	// Keep a margin above MaxErrors so that sorting still finds the
	// earliest ones when passes report out of order.
	if len(s.errs) < 4*MaxErrors {
		s.errs = append(s.errs, &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)})
	}
}

// AddAll records every error of other.
func (s *Errors) AddAll(other *Errors) {
	for _, e := range other.errs {
		s.Add(e.Pos, "%s", e.Msg)
	}
}

// Full reports whether no more errors will be kept: a pass stops then.
func (s *Errors) Full() bool { return len(s.errs) >= 4*MaxErrors }

// Len is the number of errors recorded.
func (s *Errors) Len() int { return len(s.errs) }

// List returns the errors sorted by position (stable for equal positions),
// at most MaxErrors of them, the last one saying "too many errors" when some
// were left out. It returns nil when there are none.
func (s *Errors) List() ErrorList {
	if len(s.errs) == 0 {
		return nil
	}
	l := make(ErrorList, len(s.errs))
	copy(l, s.errs)
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i].Pos, l[j].Pos
		if a.File != b.File {
			return false
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	if len(l) > MaxErrors {
		last := l[MaxErrors-1].Pos
		l = append(l[:MaxErrors-1:MaxErrors-1], &Error{Pos: last, Msg: "too many errors"})
	}
	return l
}
