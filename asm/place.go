package asm

import (
	"slices"

	"github.com/jitrun/jitrun/asm/internal/ir"
	"github.com/jitrun/jitrun/asm/internal/x86enc"
)

// piece is one statement's share of the code, in code order: line is the
// source line it belongs to (an index in the line map); layout sets off
// and, for a branch or padding, size. What it holds depends on kind, and
// ref says where it is: pieces hold no pointers, so that a program's
// thousands of them cost the garbage collector nothing.
type piece struct {
	off, size int
	ref       int
	line      int32
	kind      pieceKind
}

// pieceKind is what a piece holds.
type pieceKind uint8

const (
	// pieceCode is bytes whose length the layout does not change, an
	// instruction's encoding: size bytes of encoder.code from ref.
	// PC-relative fields in them are relocs of the piece. A piece whose
	// instruction is not encoded yet, or that failed, is one of no bytes.
	pieceCode pieceKind = iota
	// pieceBytes is data placed in code (encoder.blobs[ref]), size bytes.
	pieceBytes
	// pieceBranch is a branch to a label (encoder.branches[ref]), whose
	// form, short or near, the layout picks.
	pieceBranch
	// piecePad is NOPs up to the next multiple of ref, the alignment.
	piecePad
)

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

// reloc is a 4-byte PC-relative field at off in a code piece that must
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

// length is the branch's size in its current form.
func (b *branch) length() int {
	if b.near {
		return len(b.form.Near) + 4
	}
	return len(b.form.Short) + 1
}

// padLength is the size of the padding to a multiple of align at off.
func padLength(align, off int) int { return (align - off%align) % align }

// encodeChunk is how many instructions wait for the encoder before it
// runs: its scratch memory is per chunk, not per source. It is the
// encoder's run (x86enc's runSize), so that the statements are let go of
// as soon as golang-asm has encoded them: the front ends then write the
// next ones into memory still in the first-level cache, and the encoder's
// queues stay there too (cachegrind, per assembly of amd64enc.s: 7% fewer
// data-cache misses than 512, and 0.4% fewer instructions).
const encodeChunk = 64

// place turns one statement into pieces of code, in the current function.
func (e *encoder) place(st ir.Stmt) {
	if in, ok := st.(*ir.Inst); ok && e.cur != noFunc {
		// Most statements, looked for first: no copy of the Source.
		e.lineMap.add(&in.Source)
		e.placeInst(in)
		if len(e.queued) >= encodeChunk {
			e.flush()
		}
		return
	}
	switch s := st.(type) {
	case *ir.TextDef:
		e.declareText(s)
		e.lineMap.add(&s.Source)
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
	src := st.Src()
	e.lineMap.add(&src)
	switch s := st.(type) {
	case *ir.LabelDef:
		e.placeLabel(s)
	case *ir.BytesDef:
		if len(s.Bytes) > 0 {
			e.blobs = append(e.blobs, s.Bytes)
			at := e.newPiece()
			pc := &e.pieces[at]
			pc.kind, pc.ref, pc.size = pieceBytes, len(e.blobs)-1, len(s.Bytes)
		}
	case *ir.AlignDef:
		if s.Align < 1 || s.Align > ir.MaxAlign || s.Align&(s.Align-1) != 0 {
			e.errorf(s.Pos, "alignment %d is not a power of two between 1 and %d", s.Align, ir.MaxAlign)
			return
		}
		at := e.newPiece()
		e.pieces[at].kind, e.pieces[at].ref = piecePad, int(s.Align)
	}
}

// newPiece appends a piece of no bytes on the current line and returns
// its ID.
func (e *encoder) newPiece() pieceID {
	e.pieces = append(e.pieces, piece{line: e.lineMap.current()})
	return pieceID(len(e.pieces) - 1)
}

// newCode appends a piece of code on the current line and returns its ID.
func (e *encoder) newCode(code []byte) pieceID {
	at := e.newPiece()
	e.setCode(at, code)
	return at
}

// setCode makes piece at hold code (copied).
func (e *encoder) setCode(at pieceID, code []byte) {
	pc := &e.pieces[at]
	pc.kind, pc.ref, pc.size = pieceCode, len(e.code), len(code)
	e.code = append(e.code, code...)
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
		if f.labels == nil {
			f.labels, f.labelPos = map[string]pieceID{}, map[string]ir.Pos{}
		}
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
	e.instructionAt(e.newPiece(), s)
}

// instructionAt validates an instruction (of the source, or one the
// encoder adds for it) and gives piece at its body: its bytes, a branch,
// or a place in the encoder's queue.
func (e *encoder) instructionAt(at pieceID, in *ir.Inst) {
	plan, err := e.enc.Add(in)
	switch {
	case err != nil:
		e.errorf(in.Pos, "%v", err)
	case plan.Bytes != nil:
		e.setCode(at, plan.Bytes)
	case plan.Branch != nil:
		b := e.jumps.New(branch{at: at, fn: e.cur, inst: *in, op: in.Args[0], form: plan.Branch})
		b.inst.Args = nil // the front end may reuse them
		e.branches = append(e.branches, b)
		pc := &e.pieces[at]
		pc.kind, pc.ref = pieceBranch, len(e.branches)-1
	default:
		e.queued = append(e.queued, queuedPiece{at: at, fn: e.cur, in: in})
	}
}

// flush encodes the queued instructions and gives their pieces their
// bytes and references.
func (e *encoder) flush() {
	encoded := e.enc.Encode()
	for k := range encoded {
		enc := &encoded[k]
		q := &e.queued[k]
		if enc.Err != nil {
			e.errs.Add(q.in.Pos, "%v", enc.Err) // not errorf, which flushes
			continue
		}
		e.setCode(q.at, enc.Code)
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
