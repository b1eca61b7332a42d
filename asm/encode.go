package asm

// The last stage, shared by every front end: encode takes statements in
// the IR, has internal/x86enc validate and encode each instruction, and
// then does what a linker would: lays out code (choosing short or near
// branches and padding alignments), places the data after the code (the
// read-only data first, the writable data from a page boundary), and
// resolves every reference PC-relatively. Anything that cannot be resolved
// that way is an error.
//
// The work is in steps, one file each: declare (declare.go) collects the
// symbols and gives every statement its function; place (place.go) turns
// statements into pieces of code, in order; resolve (resolve.go) binds
// every branch and reference to its target; layout (layout.go) gives
// pieces and data their offsets; emit (emit.go, lines.go) writes the bytes
// and builds the Program.

import (
	"github.com/jitrun/jitrun/asm/internal/ir"
	"github.com/jitrun/jitrun/asm/internal/x86enc"
)

// stmtID is a statement's index in encoder.stmts.
type stmtID int32

// funcID is a function's index in encoder.funcs; noFunc is none.
type funcID int32

const noFunc funcID = -1

// pieceID is a piece's index in encoder.pieces. It names a position in the
// code: the start of that piece once laid out. The ID after the last piece
// (len(pieces)) is the end of the code.
type pieceID int32

type encoder struct {
	file  string
	stmts []ir.Stmt
	enc   *x86enc.Batch
	errs  ir.Errors
	// Symbols and functions (declare).
	funcs []*funcScope
	texts map[ir.SymRef]funcID
	data  []*dataSym
	datas map[ir.SymRef]*dataSym
	// stmtFunc is the function each statement belongs to.
	stmtFunc []funcID
	// The code (place): pieces in code order, the piece of each
	// instruction written in the source (for N(PC) targets), the
	// branches and PC-relative references to resolve, and the pieces
	// waiting for the encoder's next chunk.
	pieces   []piece
	insts    []pieceID
	branches []*branch
	relocs   []reloc
	queued   []pieceID
	fixed    slab[fixed]
	jumps    slab[branch]
	// The layout: the end of the code, the end of the data.
	codeLen int
	end     int
}

// encode assembles statements into a Program. file names the source in
// positions. It never panics and never returns bytes golang-asm got wrong:
// every problem is an error in the returned list, and then the Program is
// nil.
func encode(file string, stmts []ir.Stmt) (*Program, *ir.Errors) {
	e := &encoder{
		file:  file,
		stmts: stmts,
		enc:   x86enc.NewBatch(min(len(stmts), encodeChunk)),
		texts: make(map[ir.SymRef]funcID),
		datas: make(map[ir.SymRef]*dataSym),
	}
	e.declare()
	e.place()
	e.enc.Release()
	e.resolve()
	if e.errs.Len() > 0 {
		return nil, &e.errs
	}
	e.layout()
	p := e.emit()
	if e.errs.Len() > 0 {
		return nil, &e.errs
	}
	return p, &e.errs
}

func (e *encoder) errorf(id stmtID, format string, args ...any) {
	e.errs.Add(e.stmts[id].Src().Pos, format, args...)
}
