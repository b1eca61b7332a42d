//go:build linux && amd64

// The trampoline: Go calls enter (or resume) with a *frame; it switches RSP
// to the frame's own stack, runs the code, and comes back to Go with every
// piece of state Go relies on restored.
//
// Register contract towards the code (System V AMD64):
//   entry:  RDI RSI RDX RCX R8 R9 = frame.ints; X0–X7 = frame.floats (low
//           64 bits, upper bits zero); every other GPR, RBP included, and
//           X8–X15 zero; RSP = stackTop-8 (the return address), so RSP+8 is
//           16-byte aligned; RFLAGS as left by XORL (ZF PF IF); DF = AC = 0;
//           MXCSR and the x87 control word are Go's (normally 0x1F80, 0x37F).
//   return: RAX RDX X0 X1 are the results. The code may clobber anything,
//           callee-saved registers included.
// Back in Go: RSP RBP restored, DF AC cleared, MXCSR and the x87 control
// word restored when the code changed them, upper YMM state cleared. Go's
// ABI0 wrapper reloads R14 (g) and zeroes X15 itself.
//
// The signal handler (handler_amd64.s) ends a call early by pointing the
// interrupted context at recoverStub (a fault, a timeout) or parkStub (the
// runtime wants the thread); both return from enter/resume on Go's stack.

#include "textflag.h"
#include "go_asm.h"

// func enter(f *frame) uint32
TEXT ·enter(SB), NOSPLIT|NOFRAME, $0-12
	MOVQ	f+0(FP), R11
	MOVQ	SP, frame_goSP(R11)
	MOVQ	BP, frame_goBP(R11)
	STMXCSR	frame_goMXCSR(R11)
	FSTCW	frame_goFCW(R11)
	MOVQ	frame_stackTop(R11), SP	// now on the code's stack
	MOVQ	R11, 0(SP)		// [stackTop] = f, for the epilogue (rewritten each call)
	MOVQ	frame_fn(R11), AX
	MOVQ	AX, 8(SP)		// call target, above the frame pointer
	MOVL	$1, frame_parkable(R11)
	CMPL	frame_interrupt(R11), $0	// timeout already fired?
	JNE	interrupted
	MOVQ	frame_ints+0(R11), DI
	MOVQ	frame_ints+8(R11), SI
	MOVQ	frame_ints+16(R11), DX
	MOVQ	frame_ints+24(R11), CX
	MOVQ	frame_ints+32(R11), R8
	MOVQ	frame_ints+40(R11), R9
	TESTL	$const_flagFloats, frame_flags(R11)
	JZ	nofloats
	MOVQ	frame_floats+0(R11), X0	// MOVQ m64 zeroes bits 64–127
	MOVQ	frame_floats+8(R11), X1
	MOVQ	frame_floats+16(R11), X2
	MOVQ	frame_floats+24(R11), X3
	MOVQ	frame_floats+32(R11), X4
	MOVQ	frame_floats+40(R11), X5
	MOVQ	frame_floats+48(R11), X6
	MOVQ	frame_floats+56(R11), X7
	JMP	floatsdone
nofloats:
	XORPS	X0, X0
	XORPS	X1, X1
	XORPS	X2, X2
	XORPS	X3, X3
	XORPS	X4, X4
	XORPS	X5, X5
	XORPS	X6, X6
	XORPS	X7, X7
floatsdone:
	XORPS	X8, X8
	XORPS	X9, X9
	XORPS	X10, X10
	XORPS	X11, X11
	XORPS	X12, X12
	XORPS	X13, X13
	XORPS	X14, X14
	XORPS	X15, X15
	XORL	AX, AX
	XORL	BX, BX
	XORL	BP, BP
	XORL	R10, R10
	XORL	R12, R12
	XORL	R13, R13
	XORL	R14, R14
	XORL	R15, R15
	XORL	R11, R11		// last: RFLAGS = ZF PF IF
	CALL	8(SP)

	// Back from the code with RSP = stackTop. Nothing here may change
	// RFLAGS before it is saved.
	// PUSHQ R11; PUSHFQ, as bytes: the assembler would otherwise track
	// the pushes, and RSP is restored from the frame anyway.
	BYTE	$0x41; BYTE $0x53	// PUSHQ R11
	BYTE	$0x9C			// PUSHFQ
	MOVQ	16(SP), R11		// f, from [stackTop]
	CMPQ	SP, frame_stackTop16(R11)
	JNE	badreturn		// the code overwrote the frame pointer
	MOVL	$0, frame_parkable(R11)
	MOVQ	AX, frame_rax(R11)
	MOVQ	DX, frame_rdx(R11)
	MOVOU	X0, frame_x0(R11)
	MOVOU	X1, frame_x1(R11)
	TESTL	$const_flagSnapshot, frame_flags(R11)
	JZ	cleanup
	MOVQ	AX, frame_gpr+0(R11)
	MOVQ	CX, frame_gpr+8(R11)
	MOVQ	DX, frame_gpr+16(R11)
	MOVQ	BX, frame_gpr+24(R11)
	MOVQ	frame_stackTop(R11), AX	// RSP as the code left it
	MOVQ	AX, frame_gpr+32(R11)
	MOVQ	BP, frame_gpr+40(R11)
	MOVQ	SI, frame_gpr+48(R11)
	MOVQ	DI, frame_gpr+56(R11)
	MOVQ	R8, frame_gpr+64(R11)
	MOVQ	R9, frame_gpr+72(R11)
	MOVQ	R10, frame_gpr+80(R11)
	MOVQ	8(SP), AX		// R11 as the code left it
	MOVQ	AX, frame_gpr+88(R11)
	MOVQ	R12, frame_gpr+96(R11)
	MOVQ	R13, frame_gpr+104(R11)
	MOVQ	R14, frame_gpr+112(R11)
	MOVQ	R15, frame_gpr+120(R11)
	MOVQ	$0, frame_rip(R11)
	MOVQ	0(SP), AX
	MOVQ	AX, frame_rflags(R11)
	MOVOU	X0, frame_xmm+0(R11)
	MOVOU	X1, frame_xmm+16(R11)
	MOVOU	X2, frame_xmm+32(R11)
	MOVOU	X3, frame_xmm+48(R11)
	MOVOU	X4, frame_xmm+64(R11)
	MOVOU	X5, frame_xmm+80(R11)
	MOVOU	X6, frame_xmm+96(R11)
	MOVOU	X7, frame_xmm+112(R11)
	MOVOU	X8, frame_xmm+128(R11)
	MOVOU	X9, frame_xmm+144(R11)
	MOVOU	X10, frame_xmm+160(R11)
	MOVOU	X11, frame_xmm+176(R11)
	MOVOU	X12, frame_xmm+192(R11)
	MOVOU	X13, frame_xmm+208(R11)
	MOVOU	X14, frame_xmm+224(R11)
	MOVOU	X15, frame_xmm+240(R11)
	STMXCSR	frame_mxcsr(R11)
	FSTCW	frame_fcw(R11)

cleanup:
	MOVL	$const_statusReturned, frame_status(R11)
	TESTL	$const_flagAC, 0(SP)	// AC left set: clear it (and DF) with POPFQ
	JZ	noac
	ANDL	$~(const_flagAC|const_flagDF|const_flagTF), 0(SP)
	BYTE	$0x9D			// POPFQ
noac:
	CLD
	STMXCSR	frame_tmp(R11)
	MOVL	frame_tmp(R11), AX
	CMPL	AX, frame_goMXCSR(R11)
	JEQ	mxcsrok
	LDMXCSR	frame_goMXCSR(R11)
mxcsrok:
	FSTCW	frame_tmp(R11)
	MOVW	frame_tmp(R11), AX
	CMPW	AX, frame_goFCW(R11)
	JEQ	fcwok
	FCLEX				// no pending x87 exception may fire in Go
	FLDCW	frame_goFCW(R11)
fcwok:
	CMPB	·hasAVX(SB), $0
	JEQ	out
	VZEROUPPER
out:
	MOVQ	frame_goBP(R11), BP
	MOVQ	frame_goSP(R11), SP
	MOVL	frame_status(R11), AX
	MOVL	AX, ret+8(FP)
	RET

interrupted:
	MOVL	$0, frame_parkable(R11)
	MOVL	$const_statusTimeout, frame_status(R11)
	JMP	out

badreturn:
	JMP	·badReturn(SB)

// badReturn raises SIGILL with RSP still on the code's stack, so that the
// signal handler, which finds the frame by RSP, reports it as a fault.
// The Go side recognises its PC.
TEXT ·badReturn(SB), NOSPLIT|NOFRAME, $0
	UD2

// func resume(f *frame) uint32
//
// resume continues a parked call: it restores the code's FPU state and
// registers exactly as the signal handler found them. The RIP and RFLAGS
// go below the code's red zone (RSP-128), where the ABI lets a signal
// handler write; RET $128 then pops RIP and lands RSP back on its value.
TEXT ·resume(SB), NOSPLIT|NOFRAME, $0-12
	MOVQ	f+0(FP), DI
	MOVQ	SP, frame_goSP(DI)
	MOVQ	BP, frame_goBP(DI)
	STMXCSR	frame_goMXCSR(DI)
	FSTCW	frame_goFCW(DI)
	CMPL	frame_interrupt(DI), $0
	JNE	resumeInterrupted
	MOVQ	frame_jit+32(DI), SP	// the code's RSP
	SUBQ	$(128+16), SP
	MOVQ	frame_jitRFLAGS(DI), AX
	MOVQ	AX, 0(SP)
	MOVQ	frame_jitRIP(DI), AX
	MOVQ	AX, 8(SP)
	MOVQ	frame_xsave(DI), SI
	CMPB	·useXSAVE(SB), $0
	JEQ	fxrstor
	MOVL	$-1, AX			// EDX:EAX = every component
	MOVL	$-1, DX
	XRSTOR64	(SI)
	JMP	fpudone
fxrstor:
	FXRSTOR64	(SI)
fpudone:
	MOVQ	frame_jit+0(DI), AX
	MOVQ	frame_jit+8(DI), CX
	MOVQ	frame_jit+16(DI), DX
	MOVQ	frame_jit+24(DI), BX
	MOVQ	frame_jit+40(DI), BP
	MOVQ	frame_jit+48(DI), SI
	MOVQ	frame_jit+64(DI), R8
	MOVQ	frame_jit+72(DI), R9
	MOVQ	frame_jit+80(DI), R10
	MOVQ	frame_jit+88(DI), R11
	MOVQ	frame_jit+96(DI), R12
	MOVQ	frame_jit+104(DI), R13
	MOVQ	frame_jit+112(DI), R14
	MOVQ	frame_jit+120(DI), R15
	MOVQ	frame_jit+56(DI), DI	// last: DI was the base
	BYTE	$0x9D			// POPFQ
	BYTE	$0xC2; BYTE $0x80; BYTE $0x00	// RET $128

resumeInterrupted:
	MOVL	$const_statusTimeout, frame_status(DI)
	MOVL	$const_statusTimeout, ret+8(FP)
	RET

// recoverStub is where the signal handler sends a faulting or timed-out
// call. The handler set RSP and RBP to Go's (as saved by enter/resume),
// RDI to the frame, cleared DF, AC and TF, and wrote the status. RSP
// points at enter's (or resume's) return address; their result is at
// 16(SP).
TEXT ·recoverStub(SB), NOSPLIT|NOFRAME, $0
	FCLEX
	FLDCW	frame_goFCW(DI)
	LDMXCSR	frame_goMXCSR(DI)
	CMPB	·hasAVX(SB), $0
	JEQ	2(PC)
	VZEROUPPER
	MOVL	frame_status(DI), AX
	MOVL	AX, 16(SP)
	RET

// parkStub is where the signal handler sends code the runtime wants to
// stop (SIGURG). The handler saved the code's registers; the FPU state is
// still the code's, so save it first, then give Go its own back.
TEXT ·parkStub(SB), NOSPLIT|NOFRAME, $0
	MOVQ	frame_xsave(DI), SI
	CMPB	·useXSAVE(SB), $0
	JEQ	fxsave
	MOVL	$-1, AX
	MOVL	$-1, DX
	XSAVE64	(SI)
	JMP	saved
fxsave:
	FXSAVE64	(SI)
saved:
	FCLEX
	FLDCW	frame_goFCW(DI)
	LDMXCSR	frame_goMXCSR(DI)
	CMPB	·hasAVX(SB), $0
	JEQ	2(PC)
	VZEROUPPER
	MOVL	frame_status(DI), AX
	MOVL	AX, 16(SP)
	RET
