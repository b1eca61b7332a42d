package asm

import "github.com/jitrun/jitrun/asm/internal/ir"

// frameSlots are the pieces reserved for the instructions of a prologue or
// an epilogue, which are known only when the function ends (a CALL after a
// RET still gives that RET an epilogue). src is the line they are
// attributed to: the TEXT, or the RET.
type frameSlots struct {
	at  [3]pieceID
	src ir.Source
}

// reserve reserves n empty pieces for frame instructions at the current
// position.
func (e *encoder) reserve(n int, src ir.Source) frameSlots {
	s := frameSlots{src: src}
	for k := 0; k < n; k++ {
		s.at[k] = e.newPiece()
	}
	return s
}

// fill encodes frame instructions into the slots, in order.
func (e *encoder) fill(s frameSlots, insts []*ir.Inst) {
	for k, in := range insts {
		e.instructionAt(s.at[k], in)
	}
}

// frame decides the prologue and epilogue go tool asm gives a TEXT block
// (cmd/internal/obj/x86 preprocess, Go 1.26) and fills them in: unless
// NOFRAME, a function with a frame or a CALL saves BP (PUSHQ BP; MOVQ SP,
// BP) and then reserves its frame (SUBQ $frame, SP); every RET first undoes
// both. A function that is not NOSPLIT gets a stack-growth check calling
// the Go runtime, which jitrun code cannot have: that is an error unless
// the function is a leaf with a small frame (go tool asm marks those
// NOSPLIT itself).
func (e *encoder) frame(f *funcScope) {
	d := f.def
	fr := stackFrame{local: max(d.Frame, 0)}
	if d.Flags&NOFRAME == 0 && (fr.local != 0 || f.hasCall) {
		fr.bpSize = 8
	}
	const stackSmall = 128
	if d.Flags&NOSPLIT == 0 && (f.hasCall || fr.local+fr.bpSize >= stackSmall) {
		e.errorf(d.Pos, "TEXT %s: a function that is not NOSPLIT gets a stack-growth check calling the Go runtime, which jitrun code cannot have: add NOSPLIT", f.ref)
	}
	if (fr.local+fr.bpSize)%8 != 0 {
		e.errorf(d.Pos, "TEXT %s: unaligned stack size %d: the frame must be a multiple of 8", f.ref, fr.local)
	}
	if fr.local > 1<<30 {
		e.errorf(d.Pos, "TEXT %s: frame size %d is too large", f.ref, fr.local)
	}
	e.fill(f.prologue, fr.prologue(f.prologue.src))
	for _, s := range f.epilogues {
		e.fill(s, fr.epilogue(s.src))
	}
}

// stackFrame is the frame go tool asm gives a function: bpSize is 8 when
// it saves BP, local the bytes it reserves below.
type stackFrame struct {
	bpSize, local int64
}

// Slots a prologue and an epilogue take at most.
const (
	prologueSlots = 3
	epilogueSlots = 2
)

// prologue returns the instructions go tool asm puts at the start of a
// function with this frame, attributed to src (its TEXT).
func (fr stackFrame) prologue(src ir.Source) []*ir.Inst {
	var out []*ir.Inst
	if fr.bpSize > 0 {
		out = append(out, synth(src, "PUSHQ", ir.RegOp(BP)), synth(src, "MOVQ", ir.RegOp(SP), ir.RegOp(BP)))
	}
	if fr.local != 0 {
		out = append(out, adjSP(src, fr.local))
	}
	return out
}

// epilogue returns the instructions go tool asm puts before each RET of a
// function with this frame, attributed to src (the RET).
func (fr stackFrame) epilogue(src ir.Source) []*ir.Inst {
	var out []*ir.Inst
	if fr.local != 0 {
		out = append(out, adjSP(src, -fr.local))
	}
	if fr.bpSize > 0 {
		out = append(out, synth(src, "POPQ", ir.RegOp(BP)))
	}
	return out
}

// adjSP is ADJSP $v as obj/x86 expands it: SUBQ $v, SP, or ADDQ $-v, SP
// when that has the shorter immediate (v == 0x80 or v < 0, v != -0x80).
func adjSP(src ir.Source, v int64) *ir.Inst {
	if v == 0x80 || v < 0 && v != -0x80 {
		return synth(src, "ADDQ", Imm(-v), ir.RegOp(SP))
	}
	return synth(src, "SUBQ", Imm(v), ir.RegOp(SP))
}

// synth makes an instruction the encoder adds, attributed to src's line.
func synth(src ir.Source, op string, args ...ir.Operand) *ir.Inst {
	return &ir.Inst{Source: src, Op: op, Args: args}
}
