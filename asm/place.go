package asm

import (
	"slices"

	"github.com/jitrun/jitrun/asm/internal/ir"
	"github.com/jitrun/jitrun/asm/internal/x86enc"
)

// piece is one statement's share of the code, in code order. Its body is
// what it holds; layout sets off and size.
type piece struct {
	stmt      stmtID
	off, size int
	body      pieceBody
}

// pieceBody is what a piece holds: *fixed bytes, a *branch whose form the
// layout picks, or *padding to an alignment.
type pieceBody interface {
	// length is the piece's size when laid out at off.
	length(off int) int
	// write writes the piece laid out at p.off into dst, its p.size bytes.
	write(e *encoder, p *piece, dst []byte)
}

// fixed is bytes whose length the layout does not change: an
// instruction's encoding, data placed in code. PC-relative fields in them
// are relocs of the piece.
type fixed struct {
	code []byte
}

// branch is a branch to a label: short (rel8) or near (rel32), as the
// layout decides.
type branch struct {
	at     pieceID
	fn     funcID
	op     ir.Operand // the target as written: a LabelOperand
	form   *x86enc.BranchForm
	near   bool
	target target // set by resolve
}

// padding is NOPs up to the next multiple of align.
type padding struct {
	align int
}

// reloc is a 4-byte PC-relative field at off in a fixed piece that must
// hold the position of sym (plus add) minus the end of the field. resolve
// finds the target.
type reloc struct {
	at     pieceID
	off    int
	fn     funcID
	sym    ir.SymRef
	add    int64
	target target // set by resolve
}

// target is a resolved position: in the code (at a piece) or in a data
// symbol, plus an offset.
type target struct {
	data  *dataSym // nil for a position in the code
	piece pieceID
	add   int64
}

func (f *fixed) length(int) int { return len(f.code) }

func (b *branch) length(int) int {
	if b.near {
		return len(b.form.Near) + 4
	}
	return len(b.form.Short) + 1
}

func (p *padding) length(off int) int { return (p.align - off%p.align) % p.align }

// slab hands out values from blocks, so that a piece of code costs no
// allocation of its own. Blocks start small and double, so that a one-line
// source allocates little.
type slab[T any] struct {
	block []T
}

// new returns a pointer to v's copy in the slab.
func (s *slab[T]) new(v T) *T {
	if len(s.block) == cap(s.block) {
		s.block = make([]T, 0, min(max(2*cap(s.block), 8), 1024))
	}
	s.block = append(s.block, v)
	return &s.block[len(s.block)-1]
}

// encodeChunk is how many instructions wait for the encoder before it
// runs: its scratch memory is per chunk, not per source.
const encodeChunk = 1024

// place turns the statements into pieces of code, in order, and has the
// instructions encoded.
func (e *encoder) place() {
	e.pieces = make([]piece, 0, len(e.stmts)+8)
	e.insts = make([]pieceID, 0, len(e.stmts))
	e.queued = make([]pieceID, 0, min(len(e.stmts), encodeChunk))
	for i, st := range e.stmts {
		if e.errs.Full() {
			return
		}
		id := stmtID(i)
		switch s := st.(type) {
		case *ir.TextDef:
			e.placeText(id, s)
		case *ir.LabelDef:
			e.placeLabel(id, s)
		case *ir.BytesDef:
			if e.stmtFunc[id] != noFunc && len(s.Bytes) > 0 {
				e.add(id, e.fixed.new(fixed{code: s.Bytes}))
			}
		case *ir.AlignDef:
			e.placeAlign(id, s)
		case *ir.Inst:
			e.placeInst(id, s)
		case *ir.DataDef:
			e.dataDef(id, s)
		}
		if len(e.queued) >= encodeChunk {
			e.flush()
		}
	}
	e.flush()
	e.closeFuncs()
	e.addFloats()
}

// add appends a piece for statement id and returns its ID.
func (e *encoder) add(id stmtID, body pieceBody) pieceID {
	e.pieces = append(e.pieces, piece{stmt: id, body: body})
	return pieceID(len(e.pieces) - 1)
}

// next is the ID the next piece will have: the current position.
func (e *encoder) next() pieceID { return pieceID(len(e.pieces)) }

// placeText starts a function, with the prologue go tool asm gives it.
func (e *encoder) placeText(id stmtID, s *ir.TextDef) {
	fn := e.stmtFunc[id]
	if fn == noFunc {
		return
	}
	f := e.funcs[fn]
	f.start = e.next()
	for _, in := range f.prologue(s.Source) {
		e.instruction(id, in)
	}
}

// placeLabel defines a label of the current function here.
func (e *encoder) placeLabel(id stmtID, s *ir.LabelDef) {
	fn := e.stmtFunc[id]
	if fn == noFunc {
		return
	}
	f := e.funcs[fn]
	if s.Name == "" {
		e.errorf(id, "label needs a name")
	} else if at, dup := f.labelPos[s.Name]; dup {
		e.errorf(id, "label %s redefined (first defined at %s)", s.Name, at)
	} else {
		f.labels[s.Name] = e.next()
		f.labelPos[s.Name] = s.Pos
	}
}

// placeAlign pads to an alignment.
func (e *encoder) placeAlign(id stmtID, s *ir.AlignDef) {
	if s.Align < 1 || s.Align > ir.MaxAlign || s.Align&(s.Align-1) != 0 {
		e.errorf(id, "alignment %d is not a power of two between 1 and %d", s.Align, ir.MaxAlign)
		return
	}
	if e.stmtFunc[id] != noFunc {
		e.add(id, &padding{align: int(s.Align)})
	}
}

// placeInst places an instruction of the source, after the epilogue go
// tool asm puts before a RET.
func (e *encoder) placeInst(id stmtID, s *ir.Inst) {
	fn := e.stmtFunc[id]
	if fn == noFunc || ir.IsBroken(s) {
		return
	}
	e.insts = append(e.insts, e.next())
	if s.Op == "RET" {
		for _, in := range e.funcs[fn].epilogue(s.Source) {
			e.instruction(id, in)
		}
	}
	e.instruction(id, s)
}

// instruction validates one instruction of statement id (the statement
// itself, or one the encoder adds for it) and appends its piece.
func (e *encoder) instruction(id stmtID, in *ir.Inst) {
	plan, err := e.enc.Add(in)
	switch {
	case err != nil:
		e.errorf(id, "%v", err)
	case plan.Bytes != nil:
		e.add(id, e.fixed.new(fixed{code: plan.Bytes}))
	case plan.Branch != nil:
		b := e.jumps.new(branch{at: e.next(), fn: e.stmtFunc[id], op: in.Args[0], form: plan.Branch})
		e.branches = append(e.branches, b)
		e.add(id, b)
	default:
		e.queued = append(e.queued, e.add(id, nil))
	}
}

// flush encodes the queued instructions and gives their pieces their
// bytes and references.
func (e *encoder) flush() {
	for k, enc := range e.enc.Encode() {
		at := e.queued[k]
		pc := &e.pieces[at]
		if enc.Err != nil {
			e.errorf(pc.stmt, "%v", enc.Err)
			pc.body = e.fixed.new(fixed{})
			continue
		}
		pc.body = e.fixed.new(fixed{code: enc.Code})
		for _, r := range enc.Relocs {
			e.relocs = append(e.relocs, reloc{at: at, off: r.Off, fn: e.stmtFunc[pc.stmt], sym: r.Sym, add: r.Add})
		}
	}
	e.queued = e.queued[:0]
}

// closeFuncs sets where each function ends: where the next one starts, or
// at the end of the code.
func (e *encoder) closeFuncs() {
	for i, f := range e.funcs {
		f.end = e.next()
		if i+1 < len(e.funcs) {
			f.end = e.funcs[i+1].start
		}
	}
}

// addFloats adds the float constants the instructions read (MOVSD $(1.5),
// X0) as read-only data symbols.
func (e *encoder) addFloats() {
	for _, f := range e.enc.Floats() {
		d := &dataSym{ref: f.Sym, kind: SymRodata, bytes: f.Bytes, pos: f.Pos}
		e.datas[f.Sym] = d
		e.data = append(e.data, d)
	}
}

// instIndex returns the index in e.insts of the instruction at piece at.
func (e *encoder) instIndex(at pieceID) int {
	i, _ := slices.BinarySearch(e.insts, at)
	return i
}
