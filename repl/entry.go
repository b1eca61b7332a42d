package repl

import (
	"github.com/jitrun/jitrun/asm"
	"github.com/jitrun/jitrun/trampoline"
)

// EntryKind says what an Entry was typed as.
type EntryKind int

const (
	CodeEntry EntryKind = iota // a line or block of code
	SetEntry                   // .set REG VALUE
	LoadEntry                  // .load FILE
)

// Entry is one thing typed into a session that ran, or tried to: what
// History lists and Source writes.
type Entry struct {
	Kind   EntryKind
	Syntax asm.Syntax // the syntax the code was typed in
	// Text is the code as typed (a block's lines joined by newlines), or
	// the command (.set rax 5, .load add.s).
	Text string
	// Bytes is the code's machine code (CodeEntry).
	Bytes []byte
	// Failed says why the code did not change the state ("" when it
	// did): the fault in words, "timeout", "refused".
	Failed string
	// Breakpoint is set for code that stopped at an INT3 of its own.
	Breakpoint bool
	// Sets are the registers a SetEntry set, or a LoadEntry or a
	// Breakpoint changed (the
	// general registers that do not hold stack or scratch addresses,
	// RFLAGS, XMM0–15), as Source writes them.
	Sets []RegSet
}

// RegSet is a register given a value.
type RegSet struct {
	Kind  ChangeKind // GPR, Flags or Vector
	Reg   trampoline.Reg
	Index int // the XMM register of a Vector
	Value uint64
	XMM   trampoline.XMM
}

// Entries are the lines typed since the start or the last Reset, in
// order, without those Undo took back (at most MaxEntries, of MaxEntryBytes).
func (s *Session) Entries() []Entry { return s.entries }
