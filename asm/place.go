package asm

import (
	"slices"

	"github.com/jitrun/jitrun/asm/internal/ir"
	"github.com/jitrun/jitrun/asm/internal/x86enc"
)

// piece is one statement's share of the code, in code order. Its body is
// what it holds; line is the source line it belongs to (an index in the
// line map); layout sets off and size.
type piece struct {
	line      int32
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
	inst   ir.Inst    // the branch instruction, without its operands, for messages
	op     ir.Operand // its target as written: a LabelOperand
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
// finds the target; pos is the instruction's, for errors.
type reloc struct {
	at     pieceID
	off    int
	fn     funcID
	sym    ir.SymRef
	add    int64
	pos    ir.Pos
	target target // set by resolve
}

// queuedPiece is a piece whose instruction waits for the encoder's next
// chunk.
type queuedPiece struct {
	at pieceID
	fn funcID
	in *ir.Inst
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

// encodeChunk is how many instructions wait for the encoder before it
// runs: its scratch memory is per chunk, not per source.
const encodeChunk = 512

// place turns one statement into pieces of code, in the current function.
func (e *encoder) place(st ir.Stmt) {
	switch s := st.(type) {
	case *ir.TextDef:
		e.declareText(s)
		e.lineMap.add(s.Source)
		f := e.funcs[e.cur]
		f.start = e.next()
		f.prologue = e.reserve(prologueSlots, s.Source)
		return
	case *ir.GloblDef:
		e.declareGlobl(s)
		return
	case *ir.DataDef:
		e.dataDefs = append(e.dataDefs, s)
		return
	}
	if e.cur == noFunc {
		e.errorf(st.Src().Pos, "%s outside a TEXT block: put it after a TEXT directive", stmtWhat(st))
		return
	}
	e.lineMap.add(st.Src())
	switch s := st.(type) {
	case *ir.LabelDef:
		e.placeLabel(s)
	case *ir.BytesDef:
		if len(s.Bytes) > 0 {
			e.newPiece(e.fixed.New(fixed{code: s.Bytes}))
		}
	case *ir.AlignDef:
		if s.Align < 1 || s.Align > ir.MaxAlign || s.Align&(s.Align-1) != 0 {
			e.errorf(s.Pos, "alignment %d is not a power of two between 1 and %d", s.Align, ir.MaxAlign)
			return
		}
		e.newPiece(&padding{align: int(s.Align)})
	case *ir.Inst:
		e.placeInst(s)
	}
	if len(e.queued) >= encodeChunk {
		e.flush()
	}
}

// newPiece appends a piece on the current line and returns its ID.
func (e *encoder) newPiece(body pieceBody) pieceID {
	e.pieces = append(e.pieces, piece{line: e.lineMap.current(), body: body})
	return pieceID(len(e.pieces) - 1)
}

// next is the ID the next piece will have: the current position.
func (e *encoder) next() pieceID { return pieceID(len(e.pieces)) }

// placeLabel defines a label of the current function here.
func (e *encoder) placeLabel(s *ir.LabelDef) {
	f := e.funcs[e.cur]
	if s.Name == "" {
		e.errorf(s.Pos, "label needs a name")
	} else if at, dup := f.labelPos[s.Name]; dup {
		e.errorf(s.Pos, "label %s redefined (first defined at %s)", s.Name, at)
	} else {
		f.labels[s.Name] = e.next()
		f.labelPos[s.Name] = s.Pos
	}
}

// placeInst places an instruction of the source, after the room for the
// epilogue go tool asm puts before a RET.
func (e *encoder) placeInst(s *ir.Inst) {
	if ir.IsBroken(s) {
		return
	}
	f := e.funcs[e.cur]
	e.insts = append(e.insts, e.next())
	switch {
	case s.Op == "CALL":
		f.hasCall = true
	case s.Op == "RET" && f.def != nil:
		f.epilogues = append(f.epilogues, e.reserve(epilogueSlots, s.Source))
	}
	e.instructionAt(e.newPiece(nil), s)
}

// instructionAt validates an instruction (of the source, or one the
// encoder adds for it) and gives piece at its body: its bytes, a branch,
// or a place in the encoder's queue.
func (e *encoder) instructionAt(at pieceID, in *ir.Inst) {
	plan, err := e.enc.Add(in)
	pc := &e.pieces[at]
	switch {
	case err != nil:
		e.errorf(in.Pos, "%v", err)
		pc.body = e.fixed.New(fixed{})
	case plan.Bytes != nil:
		pc.body = e.fixed.New(fixed{code: plan.Bytes})
	case plan.Branch != nil:
		b := e.jumps.New(branch{at: at, fn: e.cur, inst: *in, op: in.Args[0], form: plan.Branch})
		b.inst.Args = nil // the front end may reuse them
		e.branches = append(e.branches, b)
		pc.body = b
	default:
		e.queued = append(e.queued, queuedPiece{at: at, fn: e.cur, in: in})
	}
}

// flush encodes the queued instructions and gives their pieces their
// bytes and references.
func (e *encoder) flush() {
	for k, enc := range e.enc.Encode() {
		q := e.queued[k]
		pc := &e.pieces[q.at]
		if enc.Err != nil {
			e.errorf(q.in.Pos, "%v", enc.Err)
			pc.body = e.fixed.New(fixed{})
			continue
		}
		pc.body = e.fixed.New(fixed{code: enc.Code})
		for _, r := range enc.Relocs {
			e.relocs = append(e.relocs, reloc{at: q.at, off: r.Off, fn: q.fn, sym: r.Sym, add: r.Add, pos: q.in.Pos})
		}
	}
	e.queued = e.queued[:0]
}

// addFloats adds the float constants the instructions read (MOVSD $(1.5),
// X0) as read-only data symbols.
func (e *encoder) addFloats() {
	for _, f := range e.enc.Floats() {
		d := &dataSym{ref: f.Sym, kind: SymRodata, size: len(f.Bytes), bytes: f.Bytes, pos: f.Pos}
		e.datas[f.Sym] = d
		e.data = append(e.data, d)
	}
}

// instIndex returns the index in e.insts of the instruction at piece at.
func (e *encoder) instIndex(at pieceID) int {
	i, _ := slices.BinarySearch(e.insts, at)
	return i
}
