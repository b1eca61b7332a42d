package intel

// The memory of a parse. A line is lexed, split into operands and its
// expressions parsed in buffers that the next line uses again (none of it
// outlives the line: what a statement keeps is copied out of them), and
// the statements are made from blocks rather than one allocation each
// (package slab; instructions and their operands from slabs not cleared
// when used again, slab.MakeUncleared): the source of a typical
// instruction line then costs no allocation of its own.

import (
	"github.com/jitrun/jitrun/asm/internal/ir"
	"github.com/jitrun/jitrun/asm/internal/slab"
)

// lineScratch holds the buffers of the line being parsed.
type lineScratch struct {
	toks []itok // the line's tokens
	// opToks are the operands' tokens, each run followed by an itEOL, and
	// opRuns the runs (instructionOperands).
	opToks []itok
	opRuns [][]itok
	// expr is an expression's tokens followed by an itEOL.
	expr []itok
	// regs hands out the register terms of the line's expressions.
	regs []iregTerm
	// operands are the line's operands, handed out in order (nOps) and
	// zeroed when handed out again; ops lists them for an instruction.
	operands []*intelOperand
	nOps     int
	ops      []*intelOperand
	// cands are the forms an instruction's operands fit.
	cands []*intelForm
}

// reset starts a line: what the previous line took is free again.
func (s *lineScratch) reset() {
	s.nOps = 0
	s.regs = s.regs[:0]
}

// operand returns a zeroed operand for the line being parsed.
func (s *lineScratch) operand() *intelOperand {
	if s.nOps == len(s.operands) {
		s.operands = append(s.operands, new(intelOperand))
	}
	o := s.operands[s.nOps]
	s.nOps++
	*o = intelOperand{}
	return o
}

// regTerms returns a copy of the register terms ts in memory of the
// line's, with no room to append in place: an expression's values share
// their terms.
func (s *lineScratch) regTerms(ts ...iregTerm) []iregTerm { return s.regTerms2(ts, nil) }

// regTerms2 is regTerms of the terms of a and then b.
func (s *lineScratch) regTerms2(a, b []iregTerm) []iregTerm {
	n := len(a) + len(b)
	if len(s.regs)+n > cap(s.regs) {
		// A new block; what was handed out of the old one stays valid.
		s.regs = make([]iregTerm, 0, max(64, 2*n))
	}
	k := len(s.regs)
	s.regs = append(append(s.regs, a...), b...)
	return s.regs[k : k+n : k+n]
}

// stmtMemory hands out the instructions, operands and spellings of a
// parse from blocks. The statements live until the parse's caller lets
// go of them: the blocks are used again only when it says so
// (ParseFunc).
type stmtMemory struct {
	// taken counts the instructions made since the blocks were last
	// used again.
	taken int
	insts slab.Slab[ir.Inst]    // uncleared: inst writes every field
	args  slab.Slab[ir.Operand] // uncleared: setOperand writes every field
	// instRun and argRun are the last run of instructions and of operands
	// taken from insts and args: inst hands them out one by one from
	// instUsed and argUsed on (what it handed out before them), and takes
	// a run of instChunk and argChunk (a slab's Take is a call of some 30
	// instructions, a slice of the run a few). An index moved on is an
	// integer written, a run resliced a pointer written (the write
	// barrier's test).
	instRun             []ir.Inst
	argRun              []ir.Operand
	instUsed, argUsed   int
	instChunk, argChunk int
	spellings           slab.Slab[ir.Spelling]
	spelled             slab.Slab[ir.SpelledOperand]
	argOps              slab.Slab[int8]
}

// newStmtMemory returns the memory of a parse of a source of lines
// lines. A source of many lines starts with the blocks it takes before
// it uses them again (instBlock, argBlock), instead of growing to them
// from small ones that would be garbage after the first reuse.
func newStmtMemory(lines int) stmtMemory {
	return stmtMemory{
		insts:     slab.MakeStep[ir.Inst](min(lines, instBlock), heldBlock, true),
		args:      slab.MakeStep[ir.Operand](min(2*lines, argBlock), argsPerInst*heldBlock, true),
		spellings: slab.Make[ir.Spelling](512),
		spelled:   slab.Make[ir.SpelledOperand](1024),
		argOps:    slab.Make[int8](2048),
		// Runs no longer than the first blocks, so that a small source
		// (a line read again: respell) takes no more than before.
		instChunk: max(1, min(lines, 8)),
		argChunk:  max(1, min(2*lines, 32)),
	}
}

// reuseAfter is how many instructions a parse makes at least before it
// uses the blocks again, once the caller has let go of them: the
// spelling slabs' blocks are zeroed whole when handed out again, so that
// the blocks are used again when a run of instructions is made, not a
// line at a time. A caller that lets go of every line at once (a
// streamed source: ParseFunc) then keeps the parse in a first block of
// instBlock instructions (about 18 KB with their operands), which stays
// in the first-level cache: at 512 an operand written over one of a
// block used again missed it (cachegrind: half the parse's misses), and
// a parse of the Intel corpus allocated 610 KB instead of 390 KB.
const reuseAfter = 32

// instBlock is the most instructions the first block holds: those made
// before the blocks are used again, and a few more (the line that makes
// the last may make more than one).
const instBlock = reuseAfter + reuseAfter/16

// heldBlock is the most instructions a later block holds: a caller that
// holds the statements longer than reuseAfter takes one more block, of
// this many, rather than a series of doubling ones (each a new
// allocation of fresh memory: the page faults cost the assembler more
// than the cache saved); a source whose statements are all held (Parse,
// or ParseFunc past a name used before its definition) takes blocks of
// that size. The assembler's encoder lets go every 64 instructions
// (encodeChunk in package asm), so it writes only the start of its later
// block before the blocks are used again; the size is for the held
// sources: blocks of 64 + 64/16 made BenchmarkParseCorpus allocate 369
// times instead of 136, with 1.2% more instructions and 14% more
// first-level cache misses (cachegrind).
const heldBlock = 512 + 512/16

// argsPerInst is about the most operands an instruction takes from its
// block on average (those of its Go form: 512 instructions of the corpus
// took 1,000 to 2,120), for the later blocks. argBlock is the size of the
// first block: the operands of reuseAfter instructions of the most
// operands a Go form has, so that a run that takes more than 4 an
// instruction does not start a later block (of argsPerInst*heldBlock
// operands). A small source starts with 2 a line (a snippet's fit in
// the slab's first 8).
const (
	argsPerInst = 4
	argBlock    = reuseAfter * 8
)

// reuse hands the blocks out again, once a block's worth of instructions
// was made of them: nothing refers to the statements made of them any
// more (ParseFunc).
func (m *stmtMemory) reuse() {
	if m.taken < reuseAfter {
		return
	}
	m.taken = 0
	m.insts.Reuse()
	m.args.Reuse()
	// The runs are in the blocks used again: taken again from their
	// start.
	m.instRun, m.argRun = nil, nil
	m.instUsed, m.argUsed = 0, 0
	m.spellings.Reuse()
	m.spelled.Reuse()
	m.argOps.Reuse()
}

// inst returns an instruction with room for n operands (Args empty).
// Its memory may hold an instruction made before the blocks were used
// again: inst clears what the callers do not always write (Suffix, the
// broken mark), and they write the rest (Source, Op, the spelling and
// every operand they add: setOperand).
func (m *stmtMemory) inst(n int) *ir.Inst {
	m.taken++
	if m.instUsed >= len(m.instRun) {
		m.instRun, m.instUsed = m.insts.Take(m.instChunk), 0
	}
	in := &m.instRun[m.instUsed]
	m.instUsed++
	if n > len(m.argRun)-m.argUsed {
		// The rest of the run, too short, is left unused.
		m.argRun, m.argUsed = m.args.Take(max(n, m.argChunk)), 0
	}
	// Room for n operands and no more: an operand appended past them
	// would be the next instruction's.
	in.Args = m.argRun[m.argUsed : m.argUsed : m.argUsed+n]
	m.argUsed += n
	if in.Suffix != "" {
		in.Suffix = ""
	}
	ir.ClearBroken(in)
	return in
}
