package asm

import "github.com/jitrun/jitrun/asm/internal/ir"

// frame decides the prologue and epilogue go tool asm gives a TEXT block
// (cmd/internal/obj/x86 preprocess, Go 1.26): unless NOFRAME, a function
// with a frame or a CALL saves BP (PUSHQ BP; MOVQ SP, BP) and then reserves
// its frame (SUBQ $frame, SP); every RET first undoes both. A function that
// is not NOSPLIT gets a stack-growth check calling the Go runtime, which
// jitrun code cannot have: that is an error unless the function is a leaf
// with a small frame (go tool asm marks those NOSPLIT itself).
func (e *encoder) frame(f *funcScope) {
	d := f.def
	frame := max(d.Frame, 0)
	if d.Flags&NOFRAME == 0 && (frame != 0 || f.hasCall) {
		f.bpSize = 8
	}
	f.local = frame
	const stackSmall = 128
	if d.Flags&NOSPLIT == 0 && (f.hasCall || frame+f.bpSize >= stackSmall) {
		e.errorf(f.stmt, "TEXT %s: a function that is not NOSPLIT gets a stack-growth check calling the Go runtime, which jitrun code cannot have: add NOSPLIT", f.ref)
	}
	if (frame+f.bpSize)%8 != 0 {
		e.errorf(f.stmt, "TEXT %s: unaligned stack size %d: the frame must be a multiple of 8", f.ref, frame)
	}
	if frame > 1<<30 {
		e.errorf(f.stmt, "TEXT %s: frame size %d is too large", f.ref, frame)
	}
}

// prologue returns the instructions go tool asm puts at the start of f.
func (f *funcScope) prologue(src ir.Source) []*ir.Inst {
	var out []*ir.Inst
	if f.bpSize > 0 {
		out = append(out, synth(src, "PUSHQ", ir.RegOp(BP)), synth(src, "MOVQ", ir.RegOp(SP), ir.RegOp(BP)))
	}
	if f.local != 0 {
		out = append(out, adjSP(src, f.local))
	}
	return out
}

// epilogue returns the instructions go tool asm puts before each RET of f.
func (f *funcScope) epilogue(src ir.Source) []*ir.Inst {
	var out []*ir.Inst
	if f.local != 0 {
		out = append(out, adjSP(src, -f.local))
	}
	if f.bpSize > 0 {
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
