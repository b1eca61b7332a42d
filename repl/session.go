package repl

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jitrun/jitrun/asm"
	"github.com/jitrun/jitrun/execmem"
	"github.com/jitrun/jitrun/trampoline"
)

// The session's sizes and caps.
const (
	// StackSize is the usable stack of a session: RSP starts at its top,
	// stack+0x8000.
	StackSize = 32 << 10
	// ScratchSize is the scratch data area RDI points to at the start.
	ScratchSize = 4096
	// ScratchHint is where New maps the scratch area when that range is
	// free (MAP_FIXED_NOREPLACE), so that a session's addresses read the
	// same from run to run and code may name it as an absolute address
	// (mov [0x10000000], rax); elsewhere when it is taken.
	ScratchHint = 0x1000_0000
	// DefaultTimeout is how long a line may run when Options.Timeout is
	// 0; MaxTimeout the longest Options.Timeout New accepts.
	DefaultTimeout = time.Second
	MaxTimeout     = time.Hour
	// MaxUndo is how many lines .undo can take back.
	MaxUndo = 64
	// MaxBlockLines and MaxBlockBytes bound a block of several lines.
	MaxBlockLines = 256
	MaxBlockBytes = 64 << 10
	// MaxEntries is how many lines a session keeps for History and
	// Source; older ones are dropped (Source then refuses: the session
	// is no longer whole).
	MaxEntries = 100_000
	// MaxEntryBytes bounds the text and machine code of the entries
	// kept, as MaxEntries their number.
	MaxEntryBytes = 16 << 20
	// MaxLoadSize is the largest file Load runs.
	MaxLoadSize = 1 << 20
)

// Options configure a Session.
type Options struct {
	// Syntax is what lines are written in: asm.SyntaxIntel (the default,
	// for asm.SyntaxAuto) or asm.SyntaxGo.
	Syntax asm.Syntax
	// Timeout bounds each line's run (0: DefaultTimeout; at least
	// trampoline.MinTimeout, at most MaxTimeout).
	Timeout time.Duration
}

// Session is a REPL's machine and what was typed into it. It is not safe
// for concurrent use.
type Session struct {
	syntax  asm.Syntax
	timeout time.Duration
	m       *trampoline.Machine
	scratch *execmem.Mapping
	fpu     *fpuSaver

	// initial is the state a session starts with (and .reset returns
	// to); cur the state after the last line that ran, which a fault
	// puts back; undo the states before the lines .undo can take back,
	// oldest first (at most MaxUndo), with spare the checkpoints dropped
	// from it, to be used again.
	initial, cur *checkpoint
	undo         []*checkpoint
	spare        []*checkpoint

	entries    []Entry
	entryBytes int  // the size of the entries' Text and Bytes
	truncated  bool // entries were dropped (MaxEntries, MaxEntryBytes)

	block      []string // the lines of the open block
	blockBytes int
}

// New starts a session: a machine with its stack, the scratch area, and
// the starting state — every general register zero but RSP (the top of
// the stack) and RDI (the scratch area), RFLAGS 0x246 (as jitrun run's
// code starts), MXCSR and the x87 control word at Go's defaults, every
// vector register zero.
func New(opt Options) (*Session, error) {
	s := &Session{syntax: opt.Syntax, timeout: opt.Timeout}
	if s.syntax == asm.SyntaxAuto {
		s.syntax = asm.SyntaxIntel
	}
	if err := checkSyntax(s.syntax); err != nil {
		return nil, err
	}
	if s.timeout == 0 {
		s.timeout = DefaultTimeout
	}
	if s.timeout < trampoline.MinTimeout || s.timeout > MaxTimeout {
		return nil, fmt.Errorf("repl: timeout %v: want %v to %v", s.timeout, trampoline.MinTimeout, MaxTimeout)
	}
	var err error
	if s.m, err = trampoline.NewMachine(StackSize); err != nil {
		return nil, fmt.Errorf("repl: %w", err)
	}
	if s.scratch, err = mapScratch(); err != nil {
		s.m.Close()
		return nil, err
	}
	if s.fpu, err = newFPUSaver(); err != nil {
		s.Close()
		return nil, err
	}
	s.m.Regs.RFLAGS = trampoline.EntryRFLAGS
	s.m.Regs.GPR[trampoline.RDI] = uint64(s.scratch.Addr())
	if s.initial, err = s.capture(nil); err != nil {
		s.Close()
		return nil, err
	}
	if s.cur, err = s.capture(nil); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// mapScratch maps the scratch area read+write at ScratchHint, or where
// the kernel puts it when that range is taken.
func mapScratch() (*execmem.Mapping, error) {
	m, err := execmem.Map(ScratchSize, execmem.MapOptions{Prot: execmem.ProtRW, Addr: ScratchHint, Placement: execmem.PlaceNoReplace})
	if err != nil {
		m, err = execmem.Map(ScratchSize, execmem.MapOptions{Prot: execmem.ProtRW})
	}
	if err != nil {
		return nil, fmt.Errorf("repl: map the scratch area: %w", err)
	}
	return m, nil
}

func checkSyntax(s asm.Syntax) error {
	if s != asm.SyntaxGo && s != asm.SyntaxIntel {
		return fmt.Errorf("repl: syntax %v: want go or intel", s)
	}
	return nil
}

// Close unmaps the machine's stack, the scratch area and the code the
// session keeps. A closed Session does not run.
func (s *Session) Close() error {
	var err error
	if s.m != nil {
		err = s.m.Close()
		s.m = nil
	}
	if s.scratch != nil {
		err = errors.Join(err, s.scratch.Close())
		s.scratch = nil
	}
	if s.fpu != nil {
		err = errors.Join(err, s.fpu.close())
		s.fpu = nil
	}
	return err
}

// errClosed is the error of a closed Session's methods.
var errClosed = errors.New("repl: the session is closed")

// Syntax is the syntax lines are read in.
func (s *Session) Syntax() asm.Syntax { return s.syntax }

// SetSyntax changes the syntax of the lines that follow (asm.SyntaxGo or
// asm.SyntaxIntel); an open block is refused.
func (s *Session) SetSyntax(syn asm.Syntax) error {
	if err := checkSyntax(syn); err != nil {
		return err
	}
	if s.BlockOpen() {
		return errBlockOpen
	}
	s.syntax = syn
	return nil
}

// Timeout is how long a line may run.
func (s *Session) Timeout() time.Duration { return s.timeout }

// Regs are the registers now (the state after the last line that ran).
func (s *Session) Regs() *trampoline.Regs { return &s.cur.regs }

// InitialRegs are the registers a session starts with.
func (s *Session) InitialRegs() *trampoline.Regs { return &s.initial.regs }

// StackTop and StackBottom bound the session's stack; ScratchAddr is the
// scratch area's address.
func (s *Session) StackTop() uint64    { return uint64(s.m.StackTop()) }
func (s *Session) StackBottom() uint64 { return uint64(s.m.StackBottom()) }
func (s *Session) ScratchAddr() uint64 { return uint64(s.scratch.Addr()) }

// AddrName names an address in the session's stack, the guard regions
// on either side of it, or the scratch area symbolically —
// "stack+0x7ff8" (the stack's top is stack+0x8000), "stack-0x8" (below
// it, in the guard region), "scratch", "scratch+0x10" — and reports false
// for any other value. Those addresses change from run to run (the
// stack's always, the scratch area's when ScratchHint is taken): output
// that shows them so reads the same every time.
func (s *Session) AddrName(v uint64) (string, bool) {
	bottom := s.StackBottom()
	switch {
	case v >= bottom-trampoline.StackGuardSize && v < bottom:
		return fmt.Sprintf("stack-%#x", bottom-v), true
	case v >= bottom && v < s.StackTop()+trampoline.StackGuardSize:
		return offsetName("stack", v-bottom), true
	case v >= s.ScratchAddr() && v <= s.ScratchAddr()+ScratchSize:
		return offsetName("scratch", v-s.ScratchAddr()), true
	}
	return "", false
}

func offsetName(base string, off uint64) string {
	if off == 0 {
		return base
	}
	return fmt.Sprintf("%s+%#x", base, off)
}

// Reset puts the machine back in its starting state (the stack and the
// scratch area zeroed) and forgets the lines typed so far: History and
// Source start again, and there is nothing to undo. (The code's FS block,
// trampoline.Options.PrivateTLS, keeps what the code wrote there.)
func (s *Session) Reset() error {
	if s.m == nil {
		return errClosed
	}
	s.CancelBlock()
	if err := s.restore(s.initial); err != nil {
		return err
	}
	s.copyInto(s.cur, s.initial)
	s.spare = append(s.spare, s.undo...)
	s.undo = s.undo[:0]
	s.entries = nil
	s.entryBytes = 0
	s.truncated = false
	return nil
}

// Undo takes the last line that ran back: the machine returns to the
// state before it, and History and Source leave it out (with the lines
// that faulted after it). It returns the entry taken back.
func (s *Session) Undo() (Entry, error) {
	if s.m == nil {
		return Entry{}, errClosed
	}
	if s.BlockOpen() {
		return Entry{}, errBlockOpen
	}
	last := -1
	for i := len(s.entries) - 1; i >= 0; i-- {
		if s.entries[i].Failed == "" {
			last = i
			break
		}
	}
	if last < 0 || len(s.undo) == 0 {
		if last >= 0 {
			return Entry{}, fmt.Errorf("nothing left to undo: .undo takes back the last %d lines", MaxUndo)
		}
		return Entry{}, errors.New("nothing to undo")
	}
	prev := s.undo[len(s.undo)-1]
	if err := s.restore(prev); err != nil {
		return Entry{}, err
	}
	s.undo = s.undo[:len(s.undo)-1]
	s.spare = append(s.spare, s.cur)
	s.cur = prev
	e := s.entries[last]
	for _, dropped := range s.entries[last:] {
		s.entryBytes -= entrySize(dropped)
	}
	s.entries = s.entries[:last]
	return e, nil
}

// accept makes the machine's state the session's: the state before it
// goes on the undo list (the caller records the entry).
func (s *Session) accept() error {
	next, err := s.capture(s.takeSpare())
	if err != nil {
		return err
	}
	if len(s.undo) == MaxUndo {
		s.spare = append(s.spare, s.undo[0])
		copy(s.undo, s.undo[1:])
		s.undo = s.undo[:len(s.undo)-1]
	}
	s.undo = append(s.undo, s.cur)
	s.cur = next
	return nil
}

// record adds e to the entries, dropping the oldest past MaxEntries or
// MaxEntryBytes.
func (s *Session) record(e Entry) {
	s.entries = append(s.entries, e)
	s.entryBytes += entrySize(e)
	drop := 0
	for len(s.entries)-drop > MaxEntries || s.entryBytes > MaxEntryBytes && drop < len(s.entries)-1 {
		s.entryBytes -= entrySize(s.entries[drop])
		drop++
	}
	if drop > 0 {
		s.entries = append(s.entries[:0], s.entries[drop:]...)
		s.truncated = true
	}
}

// entrySize is what an entry counts against MaxEntryBytes.
func entrySize(e Entry) int { return len(e.Text) + len(e.Bytes) }

func (s *Session) takeSpare() *checkpoint {
	if n := len(s.spare); n > 0 {
		c := s.spare[n-1]
		s.spare = s.spare[:n-1]
		return c
	}
	return nil
}

// run runs the machine from rip with the session's timeout and its own
// FS block.
func (s *Session) run(ctx context.Context, rip uint64, code trampoline.Code) error {
	s.m.Regs.RIP = rip
	return trampoline.RunMachine(ctx, s.m, &trampoline.Options{Timeout: s.timeout, Code: code, PrivateTLS: true})
}
