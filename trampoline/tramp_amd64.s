//go:build linux && amd64

// The trampoline: Go calls enter (or resume) with a *frame; it switches RSP
// to the frame's own stack, runs the code, and comes back to Go with every
// piece of state Go relies on restored.
//
// Register contract towards the code (System V AMD64):
//   entry:  RDI RSI RDX RCX R8 R9 = enter's n ints (zero past n); X0–X7 =
//           frame.floats (low 64 bits, upper bits zero); every other GPR,
//           RBP included, and
//           X8–X15 zero; RSP = stackTop-8 (the return address), so RSP+8 is
//           16-byte aligned; RFLAGS as left by XORL (ZF PF IF); DF = AC = 0;
//           MXCSR and the x87 control word are the thread's (in a Go
//           program 0x1F80 and 0x37F).
//   return: RAX RDX X0 X1 are the results. The code may clobber anything,
//           callee-saved registers included.
// Back in Go: RSP RBP restored, DF AC TF NT cleared, MXCSR and the x87
// control word restored when the code changed them (sticky MXCSR exception
// flags, bits 0–5, aside; with reloadMXCSR, on AMD, MXCSR is loaded after
// every call, sticky flags cleared), the x87 register stack emptied (EMMS, after MMX
// code), upper YMM state cleared, and the FS base — Go's thread-local
// storage — restored if the code changed it. Go's ABI0 call sequence
// reloads R14 (g) and zeroes X15 itself.
//
// What the FPU control words are restored to (frame.goMXCSR, goFCW):
// with exactFPU (a program with cgo, whose C code may have set them on
// this thread) the values enter and resume read on entry; otherwise Go's
// fixed defaults, which pure Go code never changes, so that entry costs no
// STMXCSR (see exactFPU in sys_linux_amd64.go).
//
// The stack of a call: [stackTop] = the frame's address XOR frameKey (the
// epilogue finds the frame there; the key makes the word a non-canonical
// address, so code that pops it and writes through it faults instead of
// writing Go's memory), [stackTop-16] = the call target (CALL takes it
// from memory so that every register can be zero), [stackTop-8] = the
// return address. No other pointer into Go's memory is on the code's
// stack or in its registers. enter writes them only after it has switched
// to that stack, so that a stack the code broke in an earlier call
// (without GuardSyscalls it can mprotect or munmap it) faults as the
// call's.
//
// The signal handler (handler_amd64.s) ends a call early by pointing the
// interrupted context at recoverStub (a fault, a timeout) or parkStub (the
// runtime wants the thread; a system call for Go to decide); both return
// from enter/resume on Go's stack.

#include "textflag.h"
#include "go_asm.h"

// The offset of m in the runtime's g (checked at set-up, gmOffsetOK in
// thread_linux_amd64.go).
#define g_m 48
// The offset of procid (the thread id) in the runtime's m: after g0 and
// morebuf (a gobuf of six words) and divmod (checked at set-up,
// procidOK in thread_linux_amd64.go).
#define m_procid 64

// checkThread records the goroutine's g in the frame at f and, with
// threadKeys, jumps to unbound when the frame is not bound to the
// goroutine's M (the thread). Clobbers AX.
#define checkThread(f, unbound) \
	MOVQ	(TLS), AX; \
	MOVQ	AX, frame_g(f); \
	CMPB	·threadKeys(SB), $0; \
	JEQ	4(PC); \
	MOVQ	g_m(AX), AX; \
	CMPQ	AX, frame_m(f); \
	JNE	unbound

// func enter(f *frame, top uintptr, ints *uint64, n int) status
//
// The prologue: check that f is bound to this goroutine's thread, load the
// integer arguments, save Go's RSP and RBP (and, with exactFPU, the FPU
// control words), switch to the code's stack, load the float arguments,
// zero the rest, and jump to callSite, whose first instruction is the
// CALL. top is f.stackTop, passed in so that the switch need not wait for
// a load through f: the call's cost is mostly a chain of dependent loads.
// ints points at n (0 to 6) integer arguments in Go memory: they are read
// on the code's stack, before the code runs, while the goroutine cannot
// move its stack (the handler never parks a call in enter or resume;
// once the code runs, a parked call lets Go run, and a pointer into a
// goroutine stack may go stale).
TEXT ·enter(SB), NOSPLIT|NOFRAME, $0-36
	MOVQ	f+0(FP), R11
	checkThread(R11, newthread)	// (newthread: Go binds the frame to this thread and calls again)
	// The M's words that may differ from one call to the next
	// (mguard.go), as they are now, before the code can run.
	MOVQ	frame_mGuard(R11), CX
	TESTQ	CX, CX
	JZ	psaved
	MOVQ	const_mPOffset(CX), DX
	MOVQ	DX, frame_mP(R11)
	MOVQ	const_mOldpOffset(CX), DX
	MOVQ	DX, frame_mOldp(R11)
	MOVL	const_mLocksOffset(CX), DX	// 4 bytes, as procPin wrote them (a wider
	MOVL	DX, frame_mLocks(R11)		// load would wait for that store to retire)
	MOVQ	const_mProfilehzOffset(CX), DX
	MOVQ	DX, frame_mProfile(R11)
psaved:
	MOVQ	ints+16(FP), R10	// (SYSCALL below keeps R10 and BX)
	MOVQ	n+24(FP), BX
	MOVQ	top+8(FP), AX
	MOVQ	SP, frame_goSP(R11)
	MOVQ	BP, frame_goBP(R11)
	CMPB	·exactFPU(SB), $0
	JEQ	fpusaved
	STMXCSR	frame_goMXCSR(R11)
	FSTCW	frame_goFCW(R11)
fpusaved:
	MOVQ	SP, DX			// Go's RSP, for [stackTop+8] below
	MOVQ	AX, SP			// now on the code's stack: a fault from here on is the call's
	MOVQ	R11, AX
	XORQ	·frameKey(SB), AX
	MOVQ	AX, 0(SP)		// [stackTop] = f^frameKey (the code may have overwritten it last time)
	XORQ	·frameKey(SB), DX
	MOVQ	DX, 8(SP)		// [stackTop+8] = Go's RSP^frameKey: the epilogue's shortcut to it
	MOVQ	frame_fn(R11), AX
	MOVQ	AX, -16(SP)		// [stackTop-16] = the call target
	// A timeout signal that came before the switch set interrupt; from
	// the switch on, the handler sees RSP on this stack and stops the
	// call itself. running is set only past the check: with it set, a
	// signal on this thread is the call's, and with PrivateTLS the
	// handler hands the thread the code's FS base back after Go's
	// handler, which the way back to Go below must not get.
	CMPL	frame_interrupt(R11), $0
	JNE	interrupted
	MOVL	$1, frame_running(R11)
	TESTL	$const_flagPrivateTLS, frame_flags(R11)
	JZ	tlsdone
	CALL	·privateFS(SB)
tlsdone:
	// The integer arguments, from Go memory: n (0 to 6) at R10.
	XORL	DI, DI
	XORL	SI, SI
	XORL	DX, DX
	XORL	CX, CX
	XORL	R8, R8
	XORL	R9, R9
	CMPQ	BX, $1			// a jump on n, not a loop: n is the same call after call
	JLT	intsdone
	MOVQ	0(R10), DI
	CMPQ	BX, $2
	JLT	intsdone
	MOVQ	8(R10), SI
	CMPQ	BX, $3
	JLT	intsdone
	MOVQ	16(R10), DX
	CMPQ	BX, $4
	JLT	intsdone
	MOVQ	24(R10), CX
	CMPQ	BX, $5
	JLT	intsdone
	MOVQ	32(R10), R8
	CMPQ	BX, $6
	JLT	intsdone
	MOVQ	40(R10), R9
intsdone:
	// From here on DI SI DX CX R8 R9 hold the arguments.
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
	TESTL	$const_flagSnapshot, frame_flags(R11)
	JNZ	clearvec		// a snapshot: the rest of the vector state zero too
vecclear:
	XORL	AX, AX
	XORL	BX, BX
	XORL	BP, BP
	XORL	R10, R10
	XORL	R12, R12
	XORL	R13, R13
	XORL	R14, R14
	XORL	R15, R15
	XORL	R11, R11		// last: RFLAGS = ZF PF IF
	JMP	·callSite(SB)

clearvec:
	// A call that takes a snapshot (flagSnapshot) starts with the rest of
	// the vector state zero too, so that the snapshot shows what the code
	// did: the upper bits of YMM0–15 and ZMM0–15 (VZEROUPPER keeps the
	// low 128, the float arguments), ZMM16–31 and k0–k7, which an
	// earlier call, C code or Go's own AVX-512 code (the collector's scan
	// kernels use k1–k7) may have left set. (Here in
	// enter, not in a function of its own: a signal here is in the
	// prologue, whose registers are not the code's.)
	CMPB	·hasAVX(SB), $0
	JEQ	vecclear
	VZEROUPPER
	CMPB	·vecAVX512(SB), $0
	JEQ	vecclear
	VPXORD	Z16, Z16, Z16		// EVEX: zeroes all 512 bits
	VPXORD	Z17, Z17, Z17
	VPXORD	Z18, Z18, Z18
	VPXORD	Z19, Z19, Z19
	VPXORD	Z20, Z20, Z20
	VPXORD	Z21, Z21, Z21
	VPXORD	Z22, Z22, Z22
	VPXORD	Z23, Z23, Z23
	VPXORD	Z24, Z24, Z24
	VPXORD	Z25, Z25, Z25
	VPXORD	Z26, Z26, Z26
	VPXORD	Z27, Z27, Z27
	VPXORD	Z28, Z28, Z28
	VPXORD	Z29, Z29, Z29
	VPXORD	Z30, Z30, Z30
	VPXORD	Z31, Z31, Z31
	KXORW	K0, K0, K0		// VEX: zeroes bits 16–63 too
	KXORW	K1, K1, K1
	KXORW	K2, K2, K2
	KXORW	K3, K3, K3
	KXORW	K4, K4, K4
	KXORW	K5, K5, K5
	KXORW	K6, K6, K6
	KXORW	K7, K7, K7
	JMP	vecclear

interrupted:
	MOVQ	frame_goBP(R11), BP
	MOVQ	frame_goSP(R11), SP
	MOVL	$const_statusTimeout, ret+32(FP)
	RET

newthread:
	MOVL	$const_statusNewThread, ret+32(FP)
	RET

// callSite is the rest of enter. Its first instruction is the CALL of
// the code, so a fault whose PC is callSite's address is the CPU refusing
// the call itself (Intel raises #GP there for a non-canonical target).
// It runs on the code's stack, with enter's return address and result on
// Go's stack at frame.goSP.
TEXT ·callSite(SB), NOSPLIT|NOFRAME, $0
	CALL	-16(SP)

	// Back from the code with RSP = stackTop. Nothing here may change
	// RFLAGS before it is saved. The two pushes are the first writes to
	// the code's RSP: a RET imm16 or a RET through a copied return address
	// leaves RSP in the guard region above the stack (as large as the
	// largest RET imm16) or elsewhere on the stack, where they fault or
	// fail the check below.
	// PUSHQ R11; PUSHFQ, as bytes: the assembler would otherwise track
	// the pushes, and RSP is restored from the frame anyway.
	BYTE	$0x41; BYTE $0x53	// PUSHQ R11
	BYTE	$0x9C			// PUSHFQ
	// AC off at once, the pushed copy kept for the snapshot: with it set,
	// a misaligned access below would raise #AC (AMD does so even for
	// MOVOU).
	TESTL	$const_flagAC, 0(SP)
	JNZ	clearac
acclear:
	MOVQ	16(SP), R11		// f^frameKey, from [stackTop]
	XORQ	·frameKey(SB), R11
	CMPQ	SP, frame_stackTop16(R11)
	JNE	badreturn		// the code overwrote the frame word, or returned with RSP elsewhere
	MOVL	$0, frame_running(R11)
	MOVQ	AX, frame_rax(R11)
	MOVQ	DX, frame_rdx(R11)
	MOVOU	X0, frame_x0(R11)
	MOVOU	X1, frame_x1(R11)
	TESTL	$const_flagSnapshot, frame_flags(R11)
	JZ	cleanup
	// Every register as the code left it (RAX, RDX, X0, X1 are intact;
	// R11 and RFLAGS are on the stack).
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
	// The YMM, ZMM and opmask state, with XSAVE, into the frame's
	// snapshot image (vector.go reads it by its header).
	CMPB	·useXSAVE(SB), $0
	JEQ	cleanup
	MOVQ	frame_vec(R11), SI
	MOVL	$const_vecComponents, AX	// EDX:EAX = the components to save
	XORL	DX, DX
	XSAVE64	(SI)
	MOVQ	·vecCopy(SB), AX
	MOVL	AX, frame_vecLen(R11)

cleanup:
	// Go's RSP, from [stackTop+8] rather than through the frame: the
	// loads of each call form a chain (Go's RSP, the code's stack top,
	// [stackTop], the frame, Go's RSP again) that bounds how fast calls
	// can follow each other, and this takes one load off it. The code
	// may have overwritten the word, and a resumed call finds an earlier
	// call's there: out checks it against the frame's. (Here, past the
	// snapshot, which saves the code's RBX.)
	MOVQ	24(SP), BX
	XORQ	·frameKey(SB), BX
	// DF, AC and NT are almost never left set: test them with the flags
	// already pushed, and pay for POPFQ only when one is. (TF cannot be
	// set here: its trap would have fired on this function's first
	// instruction. NT does Go no harm, but a step's IRETQ on this thread
	// raises #GP while it is set.)
	TESTL	$(const_flagAC|const_flagDF|const_flagNT), 0(SP)
	JNZ	fixflags
flagsok:
	// MXCSR back to what Go had, and the x87 control word when the code
	// changed it. Reading MXCSR (STMXCSR) is slow on some cores (about
	// 4 ns on AMD Zen 5, against 0.5 ns for loading it), so where it is
	// (reloadMXCSR, chosen at set-up by vendor) MXCSR is simply loaded;
	// elsewhere it is read and compared, and reloaded only when the code
	// changed it (the sticky exception flags, bits 0–5, aside: Go never
	// reads them). Either way Go gets its own MXCSR back.
	CMPB	·reloadMXCSR(SB), $0
	JNE	fixmxcsr
	STMXCSR	-8(SP)
	MOVL	-8(SP), AX
	XORL	frame_goMXCSR(R11), AX
	TESTL	$~0x3f, AX
	JNZ	fixmxcsr
mxcsrok:
	FSTCW	-8(SP)
	MOVW	-8(SP), AX
	CMPW	AX, frame_goFCW(R11)
	JNE	fixfcw
fcwok:
	// The FS base: the code may have loaded FS (mov fs, pop fs) or
	// written its base (wrfsbase). fsProbe loads g through it; where that
	// faults, the handler repairs FS and the load runs again.
	CALL	·fsProbe(SB)
	CMPQ	AX, frame_g(R11)
	JNE	fixfs
fsok:
	// The M's words Go's signal handler reads (mguard.go): code that
	// wrote relative to FS may have overwritten them.
	MOVQ	frame_mGuard(R11), CX
	TESTQ	CX, CX
	JZ	mok			// the M is not guarded
	MOVQ	0(CX), DX		// m.g0
	CMPQ	DX, frame_mWords+0(R11)
	JNE	fixm
	MOVQ	(const_mProcidOffset+8)(CX), DX	// m.gsignal
	CMPQ	DX, frame_mWords+(8*const_mGsignalWord)(R11)
	JNE	fixm
	MOVQ	const_mCurgOffset(CX), DX	// m.curg
	CMPQ	DX, frame_g(R11)
	JNE	fixm
	// The words past curg are written back on every return, not
	// compared: stores cost less here than loads and branches.
	MOVQ	$0, const_mNextpOffset(CX)	// zero whenever Go calls the code:
	MOVQ	$0, const_mMallocingOffset(CX)	// m.nextp, m.mallocing and m.throwing,
	MOVQ	$0, (const_mPreemptoffOffset+8)(CX)	// the length of m.preemptoff
	MOVQ	frame_mOldp(R11), DX		// m.oldp, m.locks and m.profilehz as enter
	MOVQ	DX, const_mOldpOffset(CX)	// or resume found them
	MOVL	frame_mLocks(R11), DX
	MOVL	DX, const_mLocksOffset(CX)
	MOVL	$0, (const_mLocksOffset+4)(CX)	// m.dying: zero while Go runs
	MOVQ	frame_mProfile(R11), DX
	MOVQ	DX, const_mProfilehzOffset(CX)
	MOVQ	frame_mP(R11), DX		// m.p as enter found it; 0 in a resumed call
	TESTQ	DX, DX
	JZ	mok
	MOVQ	DX, const_mPOffset(CX)
mok:
	EMMS				// an empty x87 stack after MMX code
	CMPB	·hasAVX(SB), $0
	JEQ	out
	VZEROUPPER
out:
	MOVQ	frame_goBP(R11), BP
	CMPQ	BX, frame_goSP(R11)
	JNE	slowsp			// [stackTop+8] overwritten by the code
	MOVQ	BX, SP
	MOVL	$const_statusReturned, 40(SP)	// enter's result
	RET

slowsp:
	MOVQ	frame_goSP(R11), SP
	MOVL	$const_statusReturned, 40(SP)	// enter's result
	RET

fixflags:
	ANDL	$~(const_flagAC|const_flagDF|const_flagTF|const_flagNT), 0(SP)
	BYTE	$0x9D			// POPFQ
	BYTE	$0x9C			// PUSHFQ: keep the stack as it was
	JMP	flagsok

clearac:
	BYTE	$0x9C			// PUSHFQ
	ANDL	$~const_flagAC, 0(SP)
	BYTE	$0x9D			// POPFQ
	JMP	acclear

fixmxcsr:
	LDMXCSR	frame_goMXCSR(R11)
	JMP	mxcsrok

fixfcw:
	FCLEX				// no pending x87 exception may fire in Go
	FLDCW	frame_goFCW(R11)
	JMP	fcwok

fixfs:
	CALL	·setFS(SB)
	JMP	fcwok			// probe again

fixm:
	MOVQ	R11, R10
	CALL	·repairM(SB)
	JMP	mok

badreturn:
	JMP	·badReturn(SB)

// badReturn raises SIGILL with RSP still on the code's stack, so that the
// signal handler, which finds the frame by RSP, reports it as a fault.
// The Go side recognises its PC.
TEXT ·badReturn(SB), NOSPLIT|NOFRAME, $0
	UD2

// repairM writes back the guarded words of the M of the frame at R10
// (mguard.go): g0, procid to sigmask as bind saved them, curg = the
// call's g, nextp, mallocing, throwing, preemptoff and dying = zero,
// m.oldp, m.locks and the word of m.profilehz as enter or resume found them,
// and, but in a resumed call, m.p as enter found it (frame.mP). Clobbers
// AX and CX only.
TEXT ·repairM(SB), NOSPLIT|NOFRAME, $0
	MOVQ	frame_mGuard(R10), CX
	TESTQ	CX, CX
	JZ	repaired
	MOVQ	frame_mWords+0(R10), AX
	MOVQ	AX, 0(CX)		// g0
	MOVQ	frame_mWords+8(R10), AX
	MOVQ	AX, (const_mProcidOffset+0)(CX)	// procid
	MOVQ	frame_mWords+16(R10), AX
	MOVQ	AX, (const_mProcidOffset+8)(CX)	// gsignal
	MOVQ	frame_mWords+24(R10), AX
	MOVQ	AX, (const_mProcidOffset+16)(CX)	// goSigStack, 5 words
	MOVQ	frame_mWords+32(R10), AX
	MOVQ	AX, (const_mProcidOffset+24)(CX)
	MOVQ	frame_mWords+40(R10), AX
	MOVQ	AX, (const_mProcidOffset+32)(CX)
	MOVQ	frame_mWords+48(R10), AX
	MOVQ	AX, (const_mProcidOffset+40)(CX)
	MOVQ	frame_mWords+56(R10), AX
	MOVQ	AX, (const_mProcidOffset+48)(CX)
	MOVQ	frame_mWords+64(R10), AX
	MOVQ	AX, (const_mProcidOffset+56)(CX)	// sigmask
	MOVQ	frame_g(R10), AX
	MOVQ	AX, const_mCurgOffset(CX)	// curg
	MOVQ	$0, const_mNextpOffset(CX)
	MOVQ	$0, const_mMallocingOffset(CX)	// mallocing and throwing
	MOVQ	$0, const_mPreemptoffOffset(CX)	// preemptoff: pointer
	MOVQ	$0, (const_mPreemptoffOffset+8)(CX)	// and length
	MOVQ	frame_mOldp(R10), AX
	MOVQ	AX, const_mOldpOffset(CX)
	MOVL	frame_mLocks(R10), AX
	MOVL	AX, const_mLocksOffset(CX)
	MOVL	$0, (const_mLocksOffset+4)(CX)	// m.dying
	MOVQ	frame_mProfile(R10), AX
	MOVQ	AX, const_mProfilehzOffset(CX)
	MOVQ	frame_mP(R10), AX
	TESTQ	AX, AX
	JZ	repaired			// a resumed call: p is the scheduler's
	MOVQ	AX, const_mPOffset(CX)
repaired:
	RET

// fsProbe loads g through the FS segment into AX. When the code has left
// FS unusable (a null base), the load faults and the handler, which
// recognises this PC, sets the FS base back from the frame at R11 (every
// caller puts it there) and lets the load run again.
TEXT ·fsProbe(SB), NOSPLIT|NOFRAME, $0
	MOVQ	(TLS), AX
	RET

// setFS repairs what fsProbe found wrong, for the frame at R11: when the
// FS base is the frame's, the code overwrote the goroutine's slot in
// thread-local storage, and g goes back there; otherwise the FS base goes
// back with a null FS selector, as arch_prctl(ARCH_SET_FS, frame.fsBase)
// sets them: with RDFSBASE and WRFSBASE where the kernel lets user mode
// run them (useFSGSBASE), else with arch_prctl. It keeps R11; clobbers AX
// CX SI DI R8. A frame not bound to a thread (fsBase 0) only gets its g
// back.
TEXT ·setFS(SB), NOSPLIT|NOFRAME, $0
	MOVQ	R11, R8			// SYSCALL clobbers R11 and CX
	CMPQ	frame_fsBase(R8), $0
	JEQ	gslot
	CMPB	·useFSGSBASE(SB), $0
	JEQ	prctl
	RDFSBASEQ	AX
	CMPQ	AX, frame_fsBase(R8)
	JEQ	gslot
	MOVQ	frame_fsBase(R8), SI
	CALL	·wrFSBase(SB)
	MOVQ	R8, R11
	RET
prctl:
	MOVL	$158, AX		// SYS_arch_prctl
	MOVL	$0x1003, DI		// ARCH_GET_FS, into frame.scratch
	LEAQ	frame_scratch(R8), SI
	SYSCALL
	MOVQ	frame_fsBase(R8), SI
	CMPQ	SI, frame_scratch(R8)
	JEQ	gslot
	MOVL	$158, AX
	MOVL	$0x1002, DI		// ARCH_SET_FS
	SYSCALL
	MOVQ	R8, R11
	RET
gslot:
	MOVQ	R8, R11
	MOVQ	frame_g(R11), AX
	MOVQ	AX, (TLS)
	RET

// wrFSBase sets the FS base to SI with a null FS selector, as
// arch_prctl(ARCH_SET_FS) sets them, with WRFSBASE (only where
// useFSGSBASE): setFS and the handler's setFSBase. The selector is loaded
// only when the code left one that is not null. Clobbers AX.
TEXT ·wrFSBase(SB), NOSPLIT|NOFRAME, $0
	MOVW	FS, AX
	TESTW	AX, AX
	JEQ	nullfs
	XORL	AX, AX
	MOVW	AX, FS			// a null selector
nullfs:
	WRFSBASEQ	SI
	RET

// privateFS gives the thread the call's own FS base, frame.tls (R11 = the
// frame): WRFSBASE where the kernel lets user mode run it (useFSGSBASE),
// else arch_prctl(ARCH_SET_FS). WRFSBASE leaves the FS selector as it is:
// Go's null one on the way in, and after a signal the handler passed on
// to Go, null unless the code had loaded one and set Go's FS base itself
// (arch_prctl would make it null). Keeps R11, R10 and BX; clobbers AX CX
// SI DI R12. (With Options.PrivateTLS; the epilogue, recoverStub and the
// handler give Go its FS base back.)
TEXT ·privateFS(SB), NOSPLIT|NOFRAME, $0
	MOVQ	frame_tls(R11), SI
	CMPB	·useFSGSBASE(SB), $0
	JEQ	prctl
	WRFSBASEQ	SI
	RET
prctl:
	MOVQ	R11, R12		// SYSCALL clobbers R11 and CX
	MOVL	$158, AX		// SYS_arch_prctl
	MOVL	$0x1002, DI		// ARCH_SET_FS
	SYSCALL
	MOVQ	R12, R11
	RET

// func resume(f *frame, _ uintptr, _ *uint64, _ int) status
//
// resume continues a parked call: it restores the code's FPU state and
// registers exactly as the signal handler found them. The RIP and RFLAGS
// go below the code's red zone (RSP-128), where the ABI lets a signal
// handler write; RET $128 then pops RIP and lands RSP back on its value.
// A Machine's step (flagStep) enters with IRETQ instead, through the
// frame's iret words, with the trap flag set: the single-step trap comes
// after the code's first instruction, and the handler ends the step there
// as it ends a fault (SIGTRAP, TRAP_TRACE), clearing TF on the way to Go.
// A step parked on the way (SIGURG while its instruction page-faults)
// comes back here and enters with IRETQ and TF again.
// When the code returns, callSite's epilogue takes Go's RSP from
// frame.goSP, which resume sets as enter does. (resume shares enter's
// argument layout because recoverStub, parkStub and the epilogue write
// either one's result: the three unused words keep resume's result where
// enter's is.)
TEXT ·resume(SB), NOSPLIT|NOFRAME, $0-36
	MOVQ	f+0(FP), DI
	checkThread(DI, rnewthread)
	// A resumed call runs in the runtime's syscall state, where the
	// scheduler may take the P away (resumeCode): m.p is not guarded
	// (mP 0), but m.oldp, the P exitsyscall takes back, is, as it is now,
	// and so are the words of m.locks and m.profilehz.
	MOVQ	frame_mGuard(DI), CX
	TESTQ	CX, CX
	JZ	oldpsaved
	MOVQ	$0, frame_mP(DI)
	MOVQ	const_mOldpOffset(CX), DX
	MOVQ	DX, frame_mOldp(DI)
	MOVL	const_mLocksOffset(CX), DX
	MOVL	DX, frame_mLocks(DI)
	MOVQ	const_mProfilehzOffset(CX), DX
	MOVQ	DX, frame_mProfile(DI)
oldpsaved:
	MOVQ	SP, frame_goSP(DI)
	MOVQ	BP, frame_goBP(DI)
	CMPB	·exactFPU(SB), $0
	JEQ	fpusaved
	STMXCSR	frame_goMXCSR(DI)
	FSTCW	frame_goFCW(DI)
fpusaved:
	MOVQ	frame_jit+32(DI), SP	// the code's RSP
	SUBQ	$(128+16), SP		// now on the code's stack
	// As in enter: a timeout signal from here on finds RSP on the
	// call's stack (and the Go side then reports the parked state);
	// one that came before left interrupt set. running only past the
	// check.
	CMPL	frame_interrupt(DI), $0
	JNE	resumeInterrupted
	MOVL	$1, frame_running(DI)
	TESTL	$const_flagPrivateTLS, frame_flags(DI)
	JZ	rtlsdone
	MOVQ	DI, R11
	CALL	·privateFS(SB)
	MOVQ	R11, DI
rtlsdone:
	MOVQ	frame_jitRFLAGS(DI), AX
	MOVQ	AX, 0(SP)
	MOVQ	frame_jitRIP(DI), AX
	MOVQ	AX, 8(SP)
	TESTL	$const_flagStep, frame_flags(DI)
	JZ	rstate
	// A step: the IRETQ frame in the frame (see below).
	MOVQ	AX, frame_iret+0(DI)	// RIP
	BYTE	$0x48; BYTE $0x8c; BYTE $0xc8	// MOVQ CS, AX (zero-extended selector)
	MOVQ	AX, frame_iret+8(DI)
	MOVQ	frame_jitRFLAGS(DI), AX
	ORQ	$const_flagTF, AX
	MOVQ	AX, frame_iret+16(DI)	// RFLAGS with the trap flag
	MOVQ	frame_jit+32(DI), AX
	MOVQ	AX, frame_iret+24(DI)	// the code's RSP
	BYTE	$0x48; BYTE $0x8c; BYTE $0xd0	// MOVQ SS, AX
	MOVQ	AX, frame_iret+32(DI)
	// IRETQ with NT set in the current RFLAGS is a task return, which
	// 64-bit mode refuses (#GP): clear NT, whatever left it set on this
	// thread (callSite clears what the code leaves; C code might not).
	// The flags go through 0(SP), which a step does not use.
	LEAQ	8(SP), SP
	BYTE	$0x9C			// PUSHFQ, to what was 0(SP)
	ANDL	$~const_flagNT, 0(SP)
	BYTE	$0x9D			// POPFQ
	LEAQ	-8(SP), SP
rstate:
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
	TESTL	$const_flagStep, frame_flags(DI)	// ZF for the JNZ after the loads
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
	JNZ	rstep			// (the MOVs keep TESTL's flags) a step
	MOVQ	frame_jit+56(DI), DI	// last: DI was the base
	BYTE	$0x9D			// POPFQ
	BYTE	$0xC2; BYTE $0x80; BYTE $0x00	// RET $128

rstep:
	// A step enters with IRETQ, which loads RIP, CS, RFLAGS (TF set),
	// RSP and SS at once: the single-step trap comes after the code's
	// first instruction. (POPFQ setting TF would trap after the RET that
	// follows it, before the code ran: a step that does nothing.) For the
	// last two instructions RSP points into the frame, not at the code's
	// stack: a signal there finds the call by its thread (findFrame), and
	// is not parked (parkable: RSP off the stack) but passed on, or stops
	// the call as one whose code has not started (inPrologue).
	LEAQ	frame_iret(DI), SP
	MOVQ	frame_jit+56(DI), DI	// last: DI was the base
	IRETQ

resumeInterrupted:
	MOVQ	frame_goBP(DI), BP
	MOVQ	frame_goSP(DI), SP
	MOVL	$const_statusTimeout, frame_status(DI)
	MOVL	$const_statusTimeout, ret+32(FP)
	RET

rnewthread:
	MOVL	$const_statusNewThread, ret+32(FP)
	RET

// recoverOut is the signal handler's way back to Go without rt_sigreturn
// (jumpOut, handler_amd64.s): on Go's stack, with RDI = the frame and
// every signal blocked as the handler had them, it puts back the mask
// the code ran with, which rt_sigreturn would have restored, and goes on
// in recoverStub. A signal that was held while the handler ran arrives
// after the SYSCALL, here, still with the code's FS base: recoverOut is
// in recoveryText.
TEXT ·recoverOut(SB), NOSPLIT|NOFRAME, $0
	MOVQ	DI, R8			// (SYSCALL keeps R8)
	LEAQ	frame_sigmask(DI), SI	// the mask
	MOVL	$2, DI			// SIG_SETMASK
	XORL	DX, DX			// no old mask wanted
	MOVL	$8, R10			// the kernel's sigset_t: 8 bytes
	MOVL	$14, AX			// SYS_rt_sigprocmask (cannot fail with these)
	SYSCALL
	MOVQ	R8, DI
	JMP	·recoverStub(SB)

// recoverStub is where the signal handler sends a faulting or timed-out
// call, through recoverOut or rt_sigreturn. RSP and RBP are Go's (as
// saved by enter/resume), RDI the frame, the code and stack segments the
// 64-bit user ones, DF, AC and TF clear, and the status written. RSP
// points at enter's (or resume's) return address; their result is at
// 40(SP).
TEXT ·recoverStub(SB), NOSPLIT|NOFRAME, $0
	MOVQ	DI, R11
probe:
	CALL	·fsProbe(SB)		// the FS base as Go needs it (see callSite)
	CMPQ	AX, frame_g(R11)
	JEQ	fsok
	CALL	·setFS(SB)
	JMP	probe
fsok:
	FCLEX				// (FNCLEX) first: with an x87 exception pending, EMMS would raise #MF
	EMMS
	FLDCW	frame_goFCW(R11)
	LDMXCSR	frame_goMXCSR(R11)
	CMPB	·hasAVX(SB), $0
	JEQ	2(PC)
	VZEROUPPER
	MOVL	frame_status(R11), AX
	MOVL	AX, 40(SP)		// enter's or resume's result
	RET

// parkStub is where the signal handler sends code the runtime wants to
// stop (SIGURG), or code whose system call Go decides. The handler saved
// the code's registers; the FPU state is still the code's, so save it
// first, then give Go its own back.
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
	JMP	·recoverStub(SB)	// Go's FPU state back, and the status as the result

// func bareCall(fn uintptr, a, b uint64) uint64
//
// bareCall is the floor the call benchmarks measure against
// (BenchmarkCallPath): a plain CALL of the code on the goroutine's own
// stack, with a and b in RDI and RSI and RAX returned, and nothing
// switched, zeroed, checked or restored. Only for code that leaves the
// stack, the registers Go keeps and every control register alone (a RET
// stub, an ADD).
TEXT ·bareCall(SB), NOSPLIT, $0-32
	MOVQ	a+8(FP), DI
	MOVQ	b+16(FP), SI
	MOVQ	fn+0(FP), AX
	CALL	AX
	MOVQ	AX, ret+24(FP)
	RET

// func fpuControl() (mxcsr uint32, fcw uint16)
//
// fpuControl and setFPUControl read and set the calling thread's MXCSR and
// x87 control word; the tests use them to play C code that changed them.
TEXT ·fpuControl(SB), NOSPLIT, $0-6
	STMXCSR	mxcsr+0(FP)
	FSTCW	fcw+4(FP)
	RET

// func setFPUControl(mxcsr uint32, fcw uint16)
TEXT ·setFPUControl(SB), NOSPLIT, $0-6
	LDMXCSR	mxcsr+0(FP)
	FCLEX
	FLDCW	fcw+4(FP)
	RET

// func getg() uintptr
//
// getg returns the running goroutine's g, as the trampoline reads it.
TEXT ·getg(SB), NOSPLIT, $0-8
	MOVQ	(TLS), AX
	MOVQ	AX, ret+0(FP)
	RET

// func getm() uintptr
TEXT ·getm(SB), NOSPLIT, $0-8
	MOVQ	(TLS), AX
	MOVQ	g_m(AX), AX
	MOVQ	AX, ret+0(FP)
	RET

// func getThread() (tid uint64, m, g0 uintptr)
//
// getThread returns the calling thread's id as the runtime keeps it in
// its M (m.procid, at m_procid: checked at set-up, procidOK in
// thread_linux_amd64.go), the M, and the M's g0 (its first word).
TEXT ·getThread(SB), NOSPLIT, $0-24
	MOVQ	(TLS), AX
	MOVQ	g_m(AX), AX
	MOVQ	AX, m+8(FP)
	MOVQ	0(AX), CX
	MOVQ	CX, g0+16(FP)
	MOVQ	m_procid(AX), AX
	MOVQ	AX, tid+0(FP)
	RET

// func goRFLAGS() uint64
//
// goRFLAGS returns RFLAGS as Go code on this thread has it: the tests
// check that a step's trap flag never reaches Go.
TEXT ·goRFLAGS(SB), NOSPLIT, $0-8
	PUSHFQ
	POPQ	AX
	MOVQ	AX, ret+0(FP)
	RET

// func setGoRFLAGS(rflags uint64)
//
// setGoRFLAGS loads RFLAGS on this thread (POPFQ: the bits user mode may
// change): the tests play code that left a flag set in Go.
TEXT ·setGoRFLAGS(SB), NOSPLIT, $0-8
	PUSHQ	rflags+0(FP)
	POPFQ
	RET
