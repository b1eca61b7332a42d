package repl

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jitrun/jitrun/asm"
	"github.com/jitrun/jitrun/execmem"
	"github.com/jitrun/jitrun/explain"
	"github.com/jitrun/jitrun/trampoline"
)

// Kind says how a line of input ended.
type Kind int

const (
	Nothing    Kind = iota // a blank line with no block open
	Pending                // the line went into an open block
	Ran                    // the code ran to its end: the state is the new one
	Breakpoint             // the code ran into an INT3 of its own: the state there is kept
	Faulted                // the code faulted: the state before it is back
	TimedOut               // the timeout or the context stopped it: the state before it is back
	Refused                // it ran, but left RSP off the stack or ran past its end (a .load without RET): the state before it is back
)

var kindNames = [...]string{"nothing", "pending", "ran", "breakpoint", "fault", "timeout", "refused"}

func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Outcome is what a line (a block, a .set, a .load) did.
type Outcome struct {
	Kind Kind
	// Changes are what the line changed, in the order Changes lists
	// them (Ran, Breakpoint: the state kept).
	Changes []Change
	// Regs are the registers after the line (Ran, Breakpoint), at the
	// fault (Faulted) or where it was stopped (TimedOut, Refused): in
	// the last three the session's state is the one from before.
	Regs trampoline.Regs
	// Fault and Interrupted are the trampoline's report.
	Fault       *trampoline.Fault
	Interrupted *trampoline.Interrupted
	// Where says where the code stopped: "line 2 (+0x5): mov rax, [0]"
	// for a fault, a breakpoint or a timeout in the line's code.
	Where string
	// Why is what a fault did in words (package explain: "read from an
	// unmapped address"), or why a Refused line was undone.
	Why string
}

// errBlockOpen refuses what cannot happen inside a block.
var errBlockOpen = errors.New("a block is open: end it with an empty line first")

// BlockOpen reports whether lines are going into a block.
func (s *Session) BlockOpen() bool { return len(s.block) > 0 }

// CancelBlock drops an open block (Ctrl-C).
func (s *Session) CancelBlock() {
	s.block = s.block[:0]
	s.blockBytes = 0
}

// Feed takes one line of code (Line.Code) and runs it, or adds it to a
// block. A block opens at a label alone on its line (loop:) and at a
// line that refers to a label not defined yet (jnz done); each line then
// goes into it until an empty line ends it, and the block runs as one
// piece of code, where jumps between its lines work. An empty line with
// no block open does nothing. A line or block that does not assemble is
// an error (an ErrorList, FILE:LINE:COL with the file "repl" and lines
// counted in the block), and the session is as it was.
func (s *Session) Feed(ctx context.Context, code string) (*Outcome, error) {
	if s.m == nil {
		return nil, errClosed
	}
	if len(code) > MaxLineLen {
		return nil, fmt.Errorf("the line is %d bytes long; at most %d", len(code), MaxLineLen)
	}
	blank := strings.TrimSpace(code) == ""
	switch {
	case s.BlockOpen() && blank:
		src := strings.Join(s.block, "\n")
		s.CancelBlock()
		out, err := s.runText(ctx, src)
		if err != nil && onlyUndefined(err) {
			err = labelHint(err)
		}
		return out, err
	case s.BlockOpen():
		if len(s.block) == MaxBlockLines || s.blockBytes+len(code) > MaxBlockBytes {
			s.CancelBlock()
			return nil, fmt.Errorf("the block is longer than %d lines or %d bytes: it is dropped", MaxBlockLines, MaxBlockBytes)
		}
		s.block = append(s.block, code)
		s.blockBytes += len(code) + 1
		return &Outcome{Kind: Pending}, nil
	case blank:
		return &Outcome{Kind: Nothing}, nil
	case isLabelLine(code):
		s.block = append(s.block, code)
		s.blockBytes = len(code) + 1
		return &Outcome{Kind: Pending}, nil
	}
	p, err := s.assemble(code)
	if err != nil {
		if onlyUndefined(err) {
			s.block = append(s.block, code)
			s.blockBytes = len(code) + 1
			return &Outcome{Kind: Pending}, nil
		}
		return nil, err
	}
	return s.runProgram(ctx, code, p)
}

// isLabelLine reports whether a line is a label alone (loop:, .L1:),
// with at most a comment after it.
func isLabelLine(code string) bool {
	t := strings.TrimSpace(code)
	if i := strings.IndexAny(t, ";#/"); i >= 0 {
		t = strings.TrimSpace(t[:i])
	}
	if !strings.HasSuffix(t, ":") || len(t) < 2 {
		return false
	}
	for _, r := range t[:len(t)-1] {
		if !(r == '_' || r == '.' || r == '$' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '·') {
			return false
		}
	}
	return true
}

// onlyUndefined reports whether every error in err is a name not defined
// (yet): a jump forward to a label on a later line.
func onlyUndefined(err error) bool {
	var list asm.ErrorList
	if !errors.As(err, &list) || len(list) == 0 {
		return false
	}
	for _, e := range list {
		if !strings.HasPrefix(e.Msg, "undefined") {
			return false
		}
	}
	return true
}

// labelHint adds to the last of a block's "undefined" errors where
// labels live: a label defined on an earlier line, which ran on its
// own, is gone.
func labelHint(err error) error {
	var list asm.ErrorList
	errors.As(err, &list)
	hinted := append(asm.ErrorList(nil), list...)
	last := *hinted[len(hinted)-1]
	last.Msg += " (a label lives in its block only: open the block with the label alone on its line)"
	hinted[len(hinted)-1] = &last
	return hinted
}

// terminator ends every line's code: the INT3 that hands the machine
// back when the code runs to its end.
func terminator(syn asm.Syntax) string {
	if syn == asm.SyntaxGo {
		return "\nBYTE $0xCC"
	}
	return "\nsection .text\nint3"
}

// sourceName is the file name of a line's positions.
const sourceName = "repl"

// assemble assembles a line or block with the terminator after it.
func (s *Session) assemble(src string) (*asm.Program, error) {
	return asm.Options{Syntax: s.syntax}.Assemble(sourceName, []byte(src+terminator(s.syntax)))
}

// runText assembles and runs a block.
func (s *Session) runText(ctx context.Context, src string) (*Outcome, error) {
	p, err := s.assemble(src)
	if err != nil {
		return nil, err
	}
	return s.runProgram(ctx, src, p)
}

// textEnd is where a program's own code ends: after its last TEXT
// symbol, or at the INT3 before the I/O library when the code calls one
// of its routines (print_int), which is linked after it.
func textEnd(p *asm.Program) int {
	if guard, ok := p.LibraryGuard(); ok {
		return guard
	}
	end := 0
	for _, sym := range p.Symbols {
		if sym.Kind == asm.SymText {
			end = max(end, sym.Offset+sym.Size)
		}
	}
	return end
}

// load places a program's code and data in memory.
func load(p *asm.Program) (*execmem.Block, error) {
	ro, w := p.LoadLayout()
	b, err := execmem.LoadWith(p.Code, execmem.LoadOptions{Readonly: ro, Writable: w})
	if err != nil {
		return nil, fmt.Errorf("repl: load the code: %w", err)
	}
	return b, nil
}

// runProgram runs an assembled line or block (src, as typed) from its
// first byte to its terminator.
func (s *Session) runProgram(ctx context.Context, src string, p *asm.Program) (*Outcome, error) {
	blk, err := load(p)
	if err != nil {
		return nil, err
	}
	defer blk.Close()
	end := textEnd(p)
	x := &explain.Context{Code: p.Code, Base: uint64(blk.Addr()), Cap: blk.Cap(), Program: p, Syntax: s.syntax}
	e := Entry{Kind: CodeEntry, Syntax: s.syntax, Text: src, Bytes: append([]byte(nil), p.Code[:end-1]...)}
	// What the code stops at past its terminator is its end; an INT3
	// elsewhere is a breakpoint of its own.
	return s.runFrom(ctx, uint64(blk.Addr()), blk, uint64(blk.Addr())+uint64(end), x, e)
}

// runFrom runs the machine from rip until it stops, and makes the
// outcome: the state kept when it stopped at done or another INT3, the
// state before put back otherwise.
func (s *Session) runFrom(ctx context.Context, rip uint64, code trampoline.Code, done uint64, x *explain.Context, e Entry) (*Outcome, error) {
	before := s.cur.regs
	err := s.run(ctx, rip, code)
	out := &Outcome{Regs: s.m.Regs}
	var fault *trampoline.Fault
	var intr *trampoline.Interrupted
	switch {
	case err == nil:
		out.Kind = Ran
		if pc := s.m.Regs.RIP - 1; s.m.Regs.RIP != done {
			out.Kind = Breakpoint
			out.Where = s.where(x, pc)
			if ranPastEnd(x, pc) {
				out.Kind = Refused
				out.Why = fmt.Sprintf("the code jumped past its end, to the INT3 at %s: it is undone", out.Where)
				if e.Kind == LoadEntry {
					out.Why = fmt.Sprintf("the file's code ran on past its end (a missing RET?) to the INT3 at %s: it is undone", out.Where)
				}
			}
		}
		if rsp := s.m.Regs.GPR[trampoline.RSP]; out.Kind != Refused && (rsp < s.StackBottom()+stackReserve || rsp > s.StackTop()) {
			out.Kind = Refused
			out.Why = fmt.Sprintf("the code left RSP at %s, off the REPL's stack (stack to stack+%#x): the next line could not start, so the line is undone", s.AddrText(rsp), StackSize)
		}
	case errors.As(err, &fault):
		out.Kind, out.Fault = Faulted, fault
		out.Where = s.where(x, x.FaultPC(fault))
		out.Why = x.Fault(fault)
	case errors.As(err, &intr):
		out.Kind, out.Interrupted = TimedOut, intr
		if intr.PC != 0 {
			out.Where = s.where(x, uint64(intr.PC))
		}
	default:
		if rerr := s.restore(s.cur); rerr != nil {
			return nil, errors.Join(err, rerr)
		}
		return nil, err
	}
	if out.Kind == Ran || out.Kind == Breakpoint {
		if err := s.accept(); err != nil {
			return nil, err
		}
		out.Changes = Changes(&before, &s.cur.regs)
		out.Regs = s.cur.regs
		if e.Kind == LoadEntry || out.Kind == Breakpoint {
			// Source writes what it did, not the code: a file run
			// cannot stop at an INT3 and go on.
			e.Breakpoint = out.Kind == Breakpoint
			e.Sets = s.setsOf(out.Changes)
		}
		s.record(e)
		return out, nil
	}
	if err := s.restore(s.cur); err != nil {
		return nil, err
	}
	e.Failed = out.Kind.String()
	if out.Kind == Faulted {
		e.Failed = out.Fault.SignalName() + ": " + out.Why
	}
	s.record(e)
	return out, nil
}

// ranPastEnd reports whether the INT3 at pc is not the code's own but
// the padding after it, or the one before the I/O library linked after
// it: code that does not end with RET (.load) ran off its end.
func ranPastEnd(x *explain.Context, pc uint64) bool {
	if x.InPadding(pc) {
		return true
	}
	guard, ok := x.Program.LibraryGuard()
	return ok && pc == x.Base+uint64(guard)
}

// stackReserve is how far above its bottom RSP must be for a run to
// start (trampoline.RunMachine: the red zone and two words).
const stackReserve = 128 + 16

// AddrText is v as AddrName names it (stack+0x7ff8, scratch+0x10), or
// in hex.
func (s *Session) AddrText(v uint64) string {
	if n, ok := s.AddrName(v); ok {
		return n
	}
	return fmt.Sprintf("%#x", v)
}

// where names pc in the code that ran: its line of the block, its offset
// and the instruction there.
func (s *Session) where(x *explain.Context, pc uint64) string {
	off, ok := x.OffsetOf(pc)
	if !ok {
		if x.InPadding(pc) {
			return fmt.Sprintf("+%#x, past the end of the code", pc-x.Base)
		}
		if n, ok := s.AddrName(pc); ok {
			return n
		}
		return fmt.Sprintf("%#x, outside the line's code", pc)
	}
	w := fmt.Sprintf("+%#x", off)
	if l, ok := x.Program.LineAt(off); ok && l.Pos.Line > 0 {
		w = fmt.Sprintf("line %d (+%#x)", l.Pos.Line, off)
	}
	if in := x.Instruction(pc); in != "" {
		w += ": " + in
	}
	return w
}
