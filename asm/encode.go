package asm

// The last stage, shared by every front end: the encoder takes statements
// in the IR one at a time, has internal/x86enc validate and encode each
// instruction, and then does what a linker would: lays out code (choosing
// short or near branches and padding alignments), places the data after
// the code (the read-only data, then the writable data, each from a page
// boundary), and resolves every reference PC-relatively. Anything that
// cannot be resolved that way is an error.
//
// Statements are taken in order (add) and let go of once placed, so that a
// front end can hand them over as it reads them: the encoder keeps the
// pieces of code they became, the line map, and what an error found later
// needs (branches, references), not the statements. The steps, one file
// each: declare.go gives each statement its function and declares the
// symbols; place.go turns statements into pieces of code; frame.go adds go
// tool asm's prologue and epilogue once a function's end is known;
// data.go writes DATA; resolve.go binds every branch and reference;
// layout.go gives pieces and data their offsets; emit.go and lines.go
// write the bytes and build the Program.

import (
	"slices"
	"sync"

	"github.com/jitrun/jitrun/asm/internal/ir"
	"github.com/jitrun/jitrun/asm/internal/slab"
	"github.com/jitrun/jitrun/asm/internal/x86enc"
)

// funcID is a function's index in encoder.funcs; noFunc is none.
type funcID int32

const noFunc funcID = -1

// pieceID is a piece's index in encoder.pieces. It names a position in the
// code: the start of that piece once laid out. The ID after the last piece
// (len(pieces)) is the end of the code.
type pieceID int32

type encoder struct {
	file string
	enc  *x86enc.Batch
	errs ir.Errors
	// Statements before the first TEXT wait here: they are one implicit
	// function if the source has no TEXT, and outside any function if it
	// has one. sawText says a TEXT came.
	early   []ir.Stmt
	sawText bool
	// noText says the front end writes no TEXT (AT&T syntax): the
	// statements are the implicit function, placed as they come, and
	// namer names it at the end (streamText).
	noText bool
	namer  implicitNamer
	// Symbols and functions: cur is the function statements go to now.
	funcs []*funcScope
	texts map[ir.SymRef]funcID
	data  []*dataSym
	datas map[ir.SymRef]*dataSym
	cur   funcID
	// DATA waits for the end: its GLOBL may come after it. dataWrites
	// are the DATA accepted, which emit writes; dataSize is the size of
	// the data symbols declared so far.
	dataDefs   []*ir.DataDef
	dataWrites []dataWrite
	dataSize   int64
	// The code: pieces in code order, the bytes of the code pieces and
	// of the data placed in code, the piece of each instruction written
	// in the source (for N(PC) targets), the branches and PC-relative
	// references to resolve, the pieces waiting for the encoder's next
	// chunk, and the line map being built.
	pieces   []piece
	code     []byte
	blobs    [][]byte
	insts    []pieceID
	branches []*branch
	relocs   []reloc
	queued   []queuedPiece
	jumps    slab.Slab[branch]
	lineMap  lineMap
	// scratch is where pieces, code, insts and queued came from, and go
	// back to (release).
	scratch *scratch
	// The layout: the end of the code, the offsets where the read-only
	// data and the writable data start (each where the next part starts,
	// when there is none), the end of everything.
	codeLen       int
	rodataStart   int
	writableStart int
	end           int
	// libFirstInst is the index in insts of the first instruction of
	// the I/O library linked after the program (lib.go); 0 when none is.
	libFirstInst int
	// libGuard is 1 + the piece of the INT3 placed before the library
	// (lib.go); 0 when none is.
	libGuard pieceID
}

// newEncoder returns an encoder for a source named file of about n
// statements (a hint for its first allocations); exactly n when exact,
// which a front end that reads the whole source first knows.
func newEncoder(file string, n int, exact bool) *encoder {
	early := min(n, 64) // not n: a source with TEXT leaves early empty
	if exact {
		early = n // and if it has no TEXT, early holds every statement
	}
	s, _ := scratches.Get().(*scratch)
	if s == nil {
		s = &scratch{}
	}
	return &encoder{
		file:    file,
		enc:     x86enc.NewBatch(min(n, encodeChunk)),
		texts:   make(map[ir.SymRef]funcID),
		datas:   make(map[ir.SymRef]*dataSym),
		cur:     noFunc,
		jumps:   slab.Make[branch](1024),
		scratch: s,
		pieces:  slices.Grow(s.pieces[:0], n+8),
		code:    slices.Grow(s.code[:0], 4*n),
		insts:   slices.Grow(s.insts[:0], n),
		queued:  slices.Grow(s.queued[:0], min(n, encodeChunk)),
		lineMap: lineMap{lines: make([]Line, 0, n)},
		early:   slices.Grow(s.early[:0], early),
	}
}

// scratch is the memory an encoder needs only until it has built its
// Program: kept in scratches between assemblies (a cache: it holds
// nothing of an assembly once released, only capacity), so that
// assembling a large source again does not allocate and clear it again.
type scratch struct {
	pieces []piece
	code   []byte
	insts  []pieceID
	queued []queuedPiece
	early  []ir.Stmt // cleared as soon as placed (dropEarly)
}

var scratches sync.Pool

// maxScratch is the most pieces a scratch kept for reuse may have room
// for (8 MiB of them): a huge source's memory is not kept.
const maxScratch = 1 << 18

// release returns the encoder's scratch memory for reuse; the encoder
// must not be used afterwards.
func (e *encoder) release() {
	if e.scratch == nil || cap(e.pieces) > maxScratch {
		return
	}
	clear(e.queued[:cap(e.queued)]) // pointers; early is clear already
	e.dropEarly()
	*e.scratch = scratch{pieces: e.pieces[:0], code: e.code[:0], insts: e.insts[:0], queued: e.queued[:0], early: e.early}
	scratches.Put(e.scratch)
	e.scratch, e.pieces, e.code, e.insts, e.queued, e.early = nil, nil, nil, nil, nil, nil
}

// dropEarly lets go of the statements in early, placed or not (an error
// limit stops addAll), keeping its memory.
func (e *encoder) dropEarly() {
	clear(e.early)
	e.early = e.early[:0]
}

// encode assembles statements into a Program. file names the source in
// positions. It never panics and never returns bytes golang-asm got wrong:
// every problem is an error in the returned list, and then the Program is
// nil.
func encode(file string, stmts []ir.Stmt) (*Program, *ir.Errors) {
	e := newEncoder(file, len(stmts), true)
	for _, st := range stmts {
		e.add(st)
	}
	return e.finish()
}

// add takes the next statement of the source. It reports whether the
// encoder has let go of every statement it was given: it keeps all of
// them until the first TEXT (early), and after it holds instructions only
// until the encoder's next chunk (a branch keeps a copy of what it needs).
func (e *encoder) add(st ir.Stmt) bool {
	if e.errs.Full() {
		// Nothing is placed any more and no error kept: encode what
		// waits now, so that no instruction of the front end is held.
		e.flush()
		return e.sawText || e.noText
	}
	if e.noText {
		e.addImplicit(st)
		return len(e.queued) == 0
	}
	if !e.sawText {
		if _, ok := st.(*ir.TextDef); !ok {
			e.early = append(e.early, st)
			return false
		}
		// The source has TEXT: what came before is outside any function.
		e.sawText = true
		e.addAll(e.early)
		e.dropEarly()
	}
	e.place(st)
	return len(e.queued) == 0
}

// letGo encodes the instructions that wait, so that the encoder holds no
// statement a front end handed it, and reports whether it holds none (it
// holds those before the first TEXT of a source that has one).
func (e *encoder) letGo() bool {
	if !e.sawText && !e.noText {
		return false
	}
	e.flush()
	return len(e.queued) == 0
}

// streamText makes the encoder take a source from a front end that
// writes no TEXT directive (AT&T syntax) as it is read: the statements
// are the implicit function (implicitFunc), placed as they come instead
// of held until the end, and the function is named at the end.
func (e *encoder) streamText() {
	e.noText = true
	e.dropEarly()
}

// addImplicit places a statement of a source without TEXT: the first
// statement that is code starts the implicit function, as implicitFunc
// does when it sees the statements all at once.
func (e *encoder) addImplicit(st ir.Stmt) {
	if _, ok := st.(*ir.Inst); ok && e.cur != noFunc {
		// Most statements, looked for first: an instruction once the
		// implicit function has started, all the namer needs to see of
		// which is that the top of the source is past.
		e.namer.pastTop = true
		e.place(st)
		return
	}
	e.namer.see(st)
	if len(e.funcs) == 0 {
		switch st.(type) {
		case *ir.Inst, *ir.LabelDef, *ir.BytesDef, *ir.AlignDef:
			e.funcs = append(e.funcs, newFunc(ir.SymRef{}, nil))
			e.cur = 0
		}
	}
	e.place(st)
}

// addAll places statements in order, letting go of each once placed.
func (e *encoder) addAll(stmts []ir.Stmt) {
	for i, st := range stmts {
		if e.errs.Full() {
			return
		}
		e.place(st)
		stmts[i] = nil
	}
}

// finish ends the source and builds the Program. The encoder must not
// be used afterwards.
func (e *encoder) finish() (*Program, *ir.Errors) {
	defer e.release()
	if e.noText && len(e.funcs) > 0 {
		// The implicit function, placed as it came, gets its name now
		// that every label and data symbol is known.
		e.funcs[0].ref.Name = e.namer.name()
	}
	if !e.sawText && !e.noText {
		// No TEXT: the statements are one implicit function, if any of
		// them is code.
		e.cur = e.implicitFunc(e.early)
		e.addAll(e.early)
		e.dropEarly()
	}
	e.endFunc()
	e.link() // lib.go: the I/O library routines the program calls
	e.flush()
	e.addFloats()
	e.enc.Release()
	for _, d := range e.dataDefs {
		e.dataDef(d)
	}
	e.resolve()
	if e.errs.Len() > 0 {
		return nil, &e.errs
	}
	e.layout()
	if e.errs.Len() > 0 {
		return nil, &e.errs
	}
	p := e.emit()
	if e.errs.Len() > 0 {
		return nil, &e.errs
	}
	return p, &e.errs
}

// errorf records an error at pos. The instructions waiting for the
// encoder come before it in the source: they are encoded first, so that
// their errors are collected before it and the errors come in the
// source's order. Past 4×MaxErrors, ir.Errors keeps no more: an early
// error golang-asm finds would otherwise be dropped for the later ones
// validation finds first (TestErrorsBeforeTheCap).
func (e *encoder) errorf(pos ir.Pos, format string, args ...any) {
	if len(e.queued) > 0 {
		e.flush()
	}
	e.errs.Add(pos, format, args...)
}
