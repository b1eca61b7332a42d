//go:build linux && amd64

// The process-wide signal handler (installed once by install in
// sys_linux_amd64.go) for every signal the Go runtime handles: the faults
// SIGSEGV, SIGBUS, SIGILL, SIGFPE and SIGTRAP, SIGSYS (a system call the
// filter of GuardSyscalls refused or stopped), SIGURG, the timeout signal,
// and the others (SIGPROF, SIGCHLD, SIGINT, …), which it only passes on.
// It runs on the thread's signal stack (SA_ONSTACK) with the C ABI: DI =
// signal number, SI = *siginfo, DX = *ucontext. It calls nothing of Go's,
// keeps DI SI DX intact for chaining, and either rewrites the ucontext and
// returns (through Go's sa_restorer, rt_sigreturn), or, for a call's fault
// or timeout, goes back to Go itself (jumpOut, recoverOut), or jumps to
// the handler the Go runtime had installed, with the same arguments, as
// the os/signal documentation prescribes for non-Go handlers of
// synchronous signals.
//
// A signal belongs to a call when the interrupted RSP lies inside the
// guard regions or stack of a frame that is in a call (frameTable), or,
// when the code has moved RSP elsewhere, when it arrived on the signal
// stack of the thread a running call is bound to (frame.altLo, checked
// against the thread id). Whatever the code did to RFLAGS.AC, the FS base
// (Go's thread-local storage) or the code segment is undone before Go
// runs: AC here, on entry; the segments in the ucontext the handler
// returns to; FS by recoverStub and callSite's epilogue, or here before a
// signal is passed on to Go's handler while the code runs or the
// trampoline is on its way back to Go (chain).

#include "textflag.h"
#include "go_asm.h"

#define GREG(r) (const_ucGregs+8*(r))(DX)

// The fault signals: SIGILL 4, SIGTRAP 5, SIGBUS 7, SIGFPE 8, SIGSEGV 11,
// SIGSYS 31.
#define faultSignals ((1<<4)|(1<<5)|(1<<7)|(1<<8)|(1<<11)|(1<<31))

// saveRegs copies the interrupted GPRs, RIP and RFLAGS from the ucontext
// into the frame at R10, field base, in hardware order. Clobbers AX.
#define saveRegs(base, rip, rflags) \
	MOVQ	GREG(const_gRAX), AX; MOVQ AX, (base+0)(R10); \
	MOVQ	GREG(const_gRCX), AX; MOVQ AX, (base+8)(R10); \
	MOVQ	GREG(const_gRDX), AX; MOVQ AX, (base+16)(R10); \
	MOVQ	GREG(const_gRBX), AX; MOVQ AX, (base+24)(R10); \
	MOVQ	GREG(const_gRSP), AX; MOVQ AX, (base+32)(R10); \
	MOVQ	GREG(const_gRBP), AX; MOVQ AX, (base+40)(R10); \
	MOVQ	GREG(const_gRSI), AX; MOVQ AX, (base+48)(R10); \
	MOVQ	GREG(const_gRDI), AX; MOVQ AX, (base+56)(R10); \
	MOVQ	GREG(const_gR8+0), AX; MOVQ AX, (base+64)(R10); \
	MOVQ	GREG(const_gR8+1), AX; MOVQ AX, (base+72)(R10); \
	MOVQ	GREG(const_gR8+2), AX; MOVQ AX, (base+80)(R10); \
	MOVQ	GREG(const_gR8+3), AX; MOVQ AX, (base+88)(R10); \
	MOVQ	GREG(const_gR8+4), AX; MOVQ AX, (base+96)(R10); \
	MOVQ	GREG(const_gR8+5), AX; MOVQ AX, (base+104)(R10); \
	MOVQ	GREG(const_gR8+6), AX; MOVQ AX, (base+112)(R10); \
	MOVQ	GREG(const_gR8+7), AX; MOVQ AX, (base+120)(R10); \
	MOVQ	GREG(const_gRIP), AX; MOVQ AX, rip(R10); \
	MOVQ	GREG(const_gEFL), AX; MOVQ AX, rflags(R10)

// toGo points the interrupted context at stub on Go's stack, with the
// frame in RDI, the 64-bit code and stack segments, and DF, AC and TF
// clear. Clobbers AX.
#define toGo(stub) \
	LEAQ	stub(SB), AX; MOVQ AX, GREG(const_gRIP); \
	MOVQ	frame_goSP(R10), AX; MOVQ AX, GREG(const_gRSP); \
	MOVQ	frame_goBP(R10), AX; MOVQ AX, GREG(const_gRBP); \
	MOVQ	R10, GREG(const_gRDI); \
	ANDQ	$~(const_flagAC|const_flagDF|const_flagTF), GREG(const_gEFL); \
	MOVW	$const_userCS, GREG(const_gCSGSFS); \
	MOVW	$const_userSS, (const_ucGregs+8*const_gCSGSFS+6)(DX)

TEXT ·sigHandler(SB), NOSPLIT|NOFRAME, $0
	// AC off before anything else: the code may have left it set, and
	// neither this handler's nor Go's accesses are all aligned.
	PUSHFQ
	ANDQ	$~const_flagAC, 0(SP)
	POPFQ
	MOVQ	$faultSignals, AX
	BTQ	DI, AX
	JCC	notfsprobe
	MOVQ	GREG(const_gRIP), AX
	CMPQ	AX, ·fsProbeAddr(SB)
	JEQ	fsprobe
notfsprobe:
	CALL	·findFrame(SB)		// R10 = the call's frame, or 0
	// Before Go's handler can run: the M words it reads, which the code
	// may have overwritten through FS (mguard.go), while the code runs
	// or callSite's epilogue has not yet checked them.
	TESTQ	R10, R10
	JZ	mguarded
	CMPL	frame_running(R10), $0
	JNE	guardm
	MOVQ	GREG(const_gRIP), AX
	LEAQ	·callSite(SB), CX
	CMPQ	AX, CX
	JCS	mguarded		// below callSite
	CMPQ	AX, ·callSiteEnd(SB)
	JCC	mguarded
guardm:
	CALL	·repairM(SB)
mguarded:
	CMPL	DI, $23			// SIGURG
	JEQ	urg
	CMPL	DI, $const_timeoutSignal
	JEQ	timeout
	MOVQ	$faultSignals, AX
	BTQ	DI, AX
	JCC	foreign

	// SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS: ours only if
	// raised by the code itself (si_code > 0: from the kernel, not
	// kill/tgkill).
	TESTQ	R10, R10
	JZ	chain
	MOVL	const_siCode(SI), AX
	CMPL	AX, $0
	JLE	foreign
	CMPL	DI, $const_sigSYS
	JNE	fault
	// SIGSYS: ours only from a seccomp filter (SYS_SECCOMP), not from
	// syscall user dispatch. The kernel skipped the call and rolled RAX
	// back to its number; RIP is after the SYSCALL. There is no
	// exception: the ucontext's error code and trap number are stale.
	CMPL	AX, $const_sysSeccomp
	JNE	foreign
	MOVL	const_siSyscall(SI), R9
	MOVL	R9, frame_sysNr(R10)
	MOVL	const_siArch(SI), R9
	MOVL	R9, frame_sysArch(R10)
	MOVL	const_siErrno(SI), R9
	MOVL	R9, frame_sysRule(R10)
	// A call the filter stops for Go to decide (a memory system call,
	// an open) parks like SIGURG; one refused outright is a fault.
	SUBL	$(const_ruleMagic+const_ruleDecideBase), R9
	CMPL	R9, $const_ruleDecideCount
	JCC	refused
	CALL	·parkable(SB)
	JNE	refused			// RSP off the stack, or not 64-bit code: it cannot be resumed
	saveRegs(frame_jit, frame_jitRIP, frame_jitRFLAGS)
	MOVL	$0, frame_running(R10)
	MOVL	$const_statusSyscall, frame_status(R10)
	toGo(·parkStub)
	RET
refused:
	MOVL	const_siCode(SI), AX	// (parkable clobbered it)
	MOVL	DI, frame_signo(R10)
	MOVL	AX, frame_code(R10)
	MOVQ	const_siAddr(SI), AX	// si_call_addr
	MOVQ	AX, frame_addr(R10)
	MOVQ	$0, frame_errcode(R10)
	MOVQ	$-1, frame_trapno(R10)	// no exception: Fault.Trap -1
	JMP	regs
fault:
	MOVL	DI, frame_signo(R10)
	MOVL	AX, frame_code(R10)
	MOVQ	const_siAddr(SI), AX
	MOVQ	AX, frame_addr(R10)
	MOVQ	GREG(const_gERR), AX
	MOVQ	AX, frame_errcode(R10)
	MOVQ	GREG(const_gTRAPNO), AX
	MOVQ	AX, frame_trapno(R10)
regs:
	saveRegs(frame_gpr, frame_rip, frame_rflags)
	MOVL	$const_statusFault, frame_status(R10)

snapfpu:
	CALL	·saveVec(SB)		// the YMM, ZMM and opmask state (vec_amd64.s)
	// XMM0–15, MXCSR and the x87 control word from the saved FPU state
	// (FXSAVE layout), if the kernel gave one.
	MOVQ	(const_ucFpregs)(DX), R9
	TESTQ	R9, R9
	JZ	recover
	MOVL	const_fxMXCSR(R9), AX
	MOVL	AX, frame_mxcsr(R10)
	MOVW	const_fxFCW(R9), AX
	MOVW	AX, frame_fcw(R10)
	PUSHQ	DI
	PUSHQ	SI
	LEAQ	const_fxXMM(R9), SI
	LEAQ	frame_xmm(R10), DI
	MOVL	$32, CX			// 16 registers × 2 quadwords (DF is clear)
	REP;	MOVSQ
	POPQ	SI
	POPQ	DI

recover:
	// Resume in recoverStub on Go's stack; it returns from enter/resume.
	// A Machine's run saves its whole FPU state on the way (parkStub),
	// once resume has loaded it: before, the FPU state is still Go's,
	// and the machine's saved one stands.
	MOVL	$0, frame_running(R10)
	TESTL	$const_flagMachine, frame_flags(R10)
	JZ	recoverGo
	CALL	·inPrologue(SB)
	JNE	machine
recoverGo:
	// Back to Go by jumping there (jumpOut), not through rt_sigreturn,
	// which in a VM costs more than half a microsecond and would only
	// load the registers toGo sets, the code's FPU state (which
	// recoverStub replaces with Go's) and the signal mask. The handler
	// already runs with what toGo sets but RIP, RSP, RBP and RDI: the
	// 64-bit segments, DF and TF clear (the kernel clears them for a
	// handler) and AC clear (on entry here); and with the fresh FPU state
	// the kernel gives a handler, which recoverStub sets up for Go as it
	// would the code's. So jumpOut sets those four registers and
	// recoverOut puts back the mask. Through rt_sigreturn still when it
	// would undo more: a signal stack the kernel disarmed for the handler
	// (SS_AUTODISARM), or a PKRU the code changed.
	CMPB	·bySigreturn(SB), $0
	JNE	bysigreturn
	TESTL	$const_ssAutoDisarm, const_ucStackFlags(DX)
	JNZ	bysigreturn
	MOVQ	·pkruOffset(SB), CX
	TESTQ	CX, CX
	JZ	jumpOut
	// PKRU: rt_sigreturn would load the image's; the handler runs with
	// the kernel's default. Jump only when they are the same.
	MOVQ	(const_ucFpregs)(DX), R9
	TESTQ	R9, R9
	JZ	bysigreturn
	CMPL	const_fxSWMagic1(R9), $const_fpXstateMagic1
	JNE	bysigreturn
	LEAQ	4(CX), AX
	CMPL	AX, const_fxSWXstateSize(R9)
	JHI	bysigreturn		// the image ends before PKRU
	TESTQ	$const_xstatePKRU, const_xsaveHeader(R9)
	JZ	bysigreturn		// PKRU not in the image
	MOVL	(R9)(CX*1), R8		// the code's PKRU
	MOVQ	DX, R11
	XORL	CX, CX
	BYTE	$0x0f; BYTE $0x01; BYTE $0xee	// RDPKRU: EAX = PKRU, EDX = 0
	MOVQ	R11, DX
	CMPL	AX, R8
	JNE	bysigreturn
jumpOut:
	MOVQ	const_ucSigmask(DX), AX
	MOVQ	AX, frame_sigmask(R10)
	MOVQ	frame_goSP(R10), SP
	MOVQ	frame_goBP(R10), BP
	MOVQ	R10, DI
	JMP	·recoverOut(SB)
bysigreturn:
	toGo(·recoverStub)
	RET				// to sa_restorer: rt_sigreturn
machine:
	toGo(·parkStub)
	RET

urg:
	// The runtime wants this thread to stop (GC stop-the-world, stack
	// scan, preemption). Code on the fast path holds the P and ignores
	// it, so park it: save its registers, continue in parkStub on Go's
	// stack (which saves the FPU state and returns to Go), and let the
	// Go side resume it in the runtime's syscall state. Go's handler
	// still runs, to acknowledge the request, so the FS base must be
	// Go's by then. Code that moved RSP off its stack cannot be resumed
	// (resume writes below its RSP): it is not parked.
	TESTQ	R10, R10
	JZ	chain
	CMPL	frame_running(R10), $0
	JEQ	chain
	CALL	·restoreFS(SB)
	CALL	·parkable(SB)
	JNE	unparked
	saveRegs(frame_jit, frame_jitRIP, frame_jitRFLAGS)
	MOVL	$0, frame_running(R10)
	MOVL	$const_statusParked, frame_status(R10)
	toGo(·parkStub)
	JMP	chainGo			// (restoreFS above)

timeout:
	// Ours if queued by this package (SI_QUEUE, -1) or from its timer
	// (SI_TIMER, -2) with the magic in the top of si_value.
	MOVL	const_siCode(SI), AX
	CMPL	AX, $-1
	JEQ	tvalue
	CMPL	AX, $-2
	JNE	foreign
tvalue:
	MOVQ	const_siValue(SI), AX
	MOVQ	AX, R9
	SHRQ	$48, R9
	CMPQ	R9, $const_timerMagic
	JEQ	deadline
	CMPQ	R9, $const_valueMagic
	JNE	foreign
	MOVQ	AX, R9
	SHRQ	$32, R9
	ANDL	$0xffff, R9
	CMPL	R9, ·frameCount(SB)
	JCC	swallow
	LEAQ	·frameTable(SB), R11
	MOVQ	(R11)(R9*8), R11
	CMPQ	AX, frame_callValue(R11)
	JNE	swallow			// a stale signal of a finished call
matched:
	// R11 is the frame the signal stops, R10 the frame the signal
	// interrupted (or 0).
	CMPQ	R11, R10
	JNE	early
	// The code has returned and callSite's epilogue is running — in
	// callSite itself, or, once past its RSP check (running 0), in the
	// fsProbe and setFS it calls: let the call finish (its result is
	// complete). running is 0 before the code starts too, in enter's and
	// resume's prologues: a timeout there stops the call.
	MOVQ	GREG(const_gRIP), AX
	LEAQ	·callSite(SB), R9
	CMPQ	AX, R9
	JLS	notcallsite		// at the CALL, or below callSite
	CMPQ	AX, ·callSiteEnd(SB)
	JCS	swallow
notcallsite:
	CMPL	frame_running(R10), $0
	JNE	stop
	CALL	·inPrologue(SB)
	JNE	swallow
stop:
	saveRegs(frame_gpr, frame_rip, frame_rflags)
	MOVL	$const_statusTimeout, frame_status(R10)
	JMP	snapfpu
early:
	// The call has not started its code (or is between park and
	// resume): enter and resume check this flag on the code's stack.
	MOVL	$1, frame_interrupt(R11)
swallow:
	RET

deadline:
	// The frame's deadline timer expired (timer.go): it stops the frame's
	// timed call if that call's deadline has passed; it expired for an
	// earlier call's deadline if not, and is armed again for this one's;
	// with no timed call running it is dropped. The timer is one-shot:
	// armedAt says 0 unless it is armed again.
	MOVQ	AX, R9
	SHRQ	$32, R9
	ANDL	$0xffff, R9
	CMPL	R9, ·frameCount(SB)
	JCC	swallow
	LEAQ	·frameTable(SB), R11
	MOVQ	(R11)(R9*8), R11
	CMPQ	frame_deadline(R11), $0
	JEQ	unarmed			// no timed call: drop it
	// now: clock_gettime(CLOCK_MONOTONIC) into 16 bytes of this stack,
	// as nanoseconds in AX. (SYSCALL clobbers CX and R11.)
	PUSHQ	DI
	PUSHQ	SI
	PUSHQ	R11
	SUBQ	$16, SP
	MOVL	$228, AX		// SYS_clock_gettime
	MOVL	$1, DI			// CLOCK_MONOTONIC
	MOVQ	SP, SI
	SYSCALL
	MOVQ	0(SP), AX		// tv_sec
	IMULQ	$1000000000, AX
	ADDQ	8(SP), AX		// + tv_nsec
	ADDQ	$16, SP
	POPQ	R11
	POPQ	SI
	POPQ	DI
	CMPQ	AX, frame_deadline(R11)
	JGE	expired
	// Early: arm it again, timer_settime(timer, TIMER_ABSTIME,
	// &deadlineSpec, NULL).
	MOVQ	frame_deadline(R11), AX
	MOVQ	AX, frame_armedAt(R11)
	PUSHQ	DI
	PUSHQ	SI
	PUSHQ	DX
	PUSHQ	R10
	MOVL	frame_timer(R11), DI
	MOVL	$1, SI			// TIMER_ABSTIME
	LEAQ	frame_deadlineSpec(R11), DX
	XORL	R10, R10
	MOVL	$223, AX		// SYS_timer_settime
	SYSCALL
	POPQ	R10
	POPQ	DX
	POPQ	SI
	POPQ	DI
	RET
expired:
	MOVQ	$0, frame_armedAt(R11)
	JMP	matched
unarmed:
	MOVQ	$0, frame_armedAt(R11)
	RET

foreign:
	// Any other signal: Go's. If it interrupted running code, give Go
	// its FS base first.
	TESTQ	R10, R10
	JZ	chain
	CMPL	frame_running(R10), $0
	JEQ	chain
	CALL	·restoreFS(SB)
unparked:
	TESTL	$const_flagPrivateTLS, frame_flags(R10)
	JZ	chainGo			// (restoreFS above)
	// The code runs with an FS base of its own (Options.PrivateTLS):
	// call Go's handler with Go's, then give the code its own back
	// before it goes on. (rt_sigreturn restores every register.)
	LEAQ	·goHandlers(SB), AX
	MOVQ	(AX)(DI*8), AX
	CMPQ	AX, $1
	JLS	ownfs
	PUSHQ	R10			// RSP 16-byte aligned at the call, as the C ABI wants
	CALL	AX
	POPQ	R10
ownfs:
	MOVQ	R10, R11
	CALL	·privateFS(SB)
	RET

fsprobe:
	// fsProbe's load through FS faulted: the code left FS unusable. Set
	// the FS base of the frame in R11 (validated against frameTable) and
	// let the load run again.
	XORL	R10, R10
	MOVQ	GREG(const_gR8+3), AX	// the interrupted R11
	CALL	·isFrame(SB)
	JNE	chain			// not a frame: Go's fault after all
	MOVQ	AX, R10
	CMPQ	frame_fsBase(R10), $0
	JEQ	chain			// a frame never bound to a thread: nothing to set
	CALL	·setFSBase(SB)
	RET

chain:
	// Go's handler finds g through the FS base, so it must be Go's by
	// now. It can still be the code's (or PrivateTLS's) where the signal
	// interrupted the trampoline on its way back to Go: callSite's
	// epilogue past its RSP check (R10: the frame found by RSP, not
	// running), or recoverStub and parkStub, with the fsProbe and setFS
	// they call, on Go's stack (recoveringFrame). R10 is 0 or a frame.
	TESTQ	R10, R10
	JNZ	chainRestore
	CALL	·recoveringFrame(SB)
	TESTQ	R10, R10
	JZ	chainGo
chainRestore:
	CALL	·restoreFS(SB)
chainGo:
	LEAQ	·goHandlers(SB), AX
	MOVQ	(AX)(DI*8), AX
	CMPQ	AX, $1			// SIG_DFL (0) or SIG_IGN (1): nothing to chain to
	JLS	swallow
	JMP	AX

// findFrame sets R10 to the frame of the call the signal interrupted, or
// 0: the in-call frame whose stack (guards included) holds the
// interrupted RSP, else the running frame bound to this thread, known by
// the signal stack the kernel delivered the signal on (uc_stack.ss_sp)
// and then by the thread id. Keeps DI SI DX; clobbers AX CX R8 R9 R11.
TEXT ·findFrame(SB), NOSPLIT|NOFRAME, $0
	MOVQ	GREG(const_gRSP), R8
	MOVL	·frameCount(SB), CX
	LEAQ	·frameTable(SB), R9
byrsp:
	TESTL	CX, CX
	JZ	bythread
	DECL	CX
	MOVQ	(R9)(CX*8), R10
	CMPL	frame_inCall(R10), $0
	JEQ	byrsp
	CMPQ	R8, frame_lo(R10)
	JCS	byrsp			// RSP below lo
	CMPQ	R8, frame_hi(R10)
	JCC	byrsp			// RSP at or above hi
	RET
bythread:
	MOVQ	const_ucStack(DX), R8	// this thread's signal stack
	TESTQ	R8, R8
	JZ	none
	MOVL	·frameCount(SB), CX
next:
	TESTL	CX, CX
	JZ	none
	DECL	CX
	MOVQ	(R9)(CX*8), R10
	CMPL	frame_running(R10), $0
	JEQ	next
	CMPQ	R8, frame_altLo(R10)
	JNE	next
	// The signal stack matches: confirm with the thread id (a frame's
	// binding could be stale if the runtime freed its M and made a new
	// one at the same address).
	PUSHQ	CX
	MOVL	$186, AX		// SYS_gettid
	SYSCALL				// clobbers CX R11
	POPQ	CX
	CMPL	AX, frame_tid(R10)
	JNE	next
	RET
none:
	XORL	R10, R10
	RET

// parkable sets ZF when the call at R10 can be stopped and resumed later:
// its code runs in 64-bit mode (CS 0x33) with RSP on its stack — at most
// its end (stackTop+16: a Machine's code starts there) and at least the
// red zone and two words above its bottom, which resume writes — and the
// interrupted instruction is not the trampoline's prologue (inPrologue),
// whose registers are not the code's: saved over the code's, they would
// replace them, nor callSite's epilogue, which runs with running still 1
// until its RSP check: the code has returned there, and a call parked
// there that then timed out would report the trampoline's PC as the
// code's (seen once in 3,000 calls of TestTimeoutInEpilogue under -race).
// Clobbers AX R8 R9.
TEXT ·parkable(SB), NOSPLIT|NOFRAME, $0
	MOVW	GREG(const_gCSGSFS), AX
	CMPW	AX, $const_userCS
	JNE	no
	MOVQ	GREG(const_gRSP), AX
	SUBQ	$16, AX
	JCS	no
	CMPQ	AX, frame_stackTop(R10)
	JHI	no			// above the stack's end: not its stack
	SUBQ	$128, AX		// RSP-144
	JCS	no
	CMPQ	AX, frame_stackLo(R10)
	JCS	no
	MOVQ	GREG(const_gRIP), AX
	LEAQ	·callSite(SB), R8
	CMPQ	AX, R8
	JLS	notepilogue		// at the CALL, or below callSite
	CMPQ	AX, ·callSiteEnd(SB)
	JCS	no			// callSite's epilogue: the code has returned
notepilogue:
	CALL	·inPrologue(SB)
	JEQ	no
	XORL	AX, AX			// ZF = 1
	RET
no:
	MOVL	$1, AX
	TESTL	AX, AX			// ZF = 0
	RET

// inPrologue sets ZF when the interrupted RIP lies in enter, resume or
// privateFS (prologueText): the trampoline's code on the way into the
// machine code, whose registers and FPU state are still the trampoline's
// and Go's. Clobbers AX R8 R9.
TEXT ·inPrologue(SB), NOSPLIT|NOFRAME, $0
	LEAQ	·prologueText(SB), R8
	MOVL	$const_prologueCount, R9
	JMP	·pcIn(SB)

// recoveringFrame sets R10 to the frame recoverOut, recoverStub or
// parkStub is bringing back to Go when the interrupted RIP lies in them
// or in the fsProbe, setFS and wrFSBase they call (recoveryText): the
// interrupted R11, R8 or DI that is one of frameTable's frames (between
// them those functions always hold it in one: DI on entry, R11 after, R8
// across the system calls of recoverOut and setFS, which clobber R11, and
// across setFS's call of wrFSBase). Else 0. Clobbers AX CX R8 R9.
TEXT ·recoveringFrame(SB), NOSPLIT|NOFRAME, $0
	XORL	R10, R10
	LEAQ	·recoveryText(SB), R8
	MOVL	$const_recoveryCount, R9
	CALL	·pcIn(SB)
	JNE	none
	MOVQ	GREG(const_gR8+3), AX	// R11
	CALL	·isFrame(SB)
	JEQ	found
	MOVQ	GREG(const_gR8+0), AX	// R8
	CALL	·isFrame(SB)
	JEQ	found
	MOVQ	GREG(const_gRDI), AX
	CALL	·isFrame(SB)
	JNE	none
found:
	MOVQ	AX, R10
none:
	RET

// isFrame sets ZF when AX is one of frameTable's frames. Clobbers CX R9.
TEXT ·isFrame(SB), NOSPLIT|NOFRAME, $0
	MOVL	·frameCount(SB), CX
	LEAQ	·frameTable(SB), R9
next:
	TESTL	CX, CX
	JZ	no
	DECL	CX
	CMPQ	AX, (R9)(CX*8)
	JNE	next
	RET				// ZF = 1
no:
	INCL	CX			// ZF = 0
	RET

// pcIn sets ZF when the interrupted RIP lies in one of the R9 ranges
// [start, end) at R8. Clobbers AX R8 R9.
TEXT ·pcIn(SB), NOSPLIT|NOFRAME, $0
	MOVQ	GREG(const_gRIP), AX
scan:
	CMPQ	AX, 0(R8)
	JCS	skip			// below the function's start
	CMPQ	AX, 8(R8)
	JCS	yes			// below its end
skip:
	ADDQ	$16, R8
	DECL	R9
	JNZ	scan
	INCL	R9			// ZF = 0
	RET
yes:
	XORL	R9, R9			// ZF = 1
	RET

// restoreFS gives the thread the FS base of the frame at R10 if the code
// changed it: it reads the FS base (RDFSBASE, or arch_prctl(ARCH_GET_FS)
// without useFSGSBASE) and sets it (setFSBase) when it differs and the
// frame is bound to this thread. Keeps DI SI DX R10; clobbers AX CX R8
// R11.
TEXT ·restoreFS(SB), NOSPLIT|NOFRAME, $0
	CMPQ	frame_fsBase(R10), $0
	JEQ	done			// a frame never bound to a thread
	PUSHQ	DI
	PUSHQ	SI
	PUSHQ	DX
	CMPB	·useFSGSBASE(SB), $0
	JEQ	prctl
	RDFSBASEQ	R8
	JMP	compare
prctl:
	SUBQ	$8, SP
	MOVL	$158, AX		// SYS_arch_prctl
	MOVL	$0x1003, DI		// ARCH_GET_FS
	MOVQ	SP, SI
	SYSCALL
	MOVQ	0(SP), R8
	ADDQ	$8, SP
compare:
	CMPQ	R8, frame_fsBase(R10)
	JEQ	restored
	MOVL	$186, AX		// SYS_gettid
	SYSCALL
	CMPL	AX, frame_tid(R10)
	JNE	restored		// a stale binding: its FS base is another thread's
	CALL	·setFSBase(SB)
restored:
	POPQ	DX
	POPQ	SI
	POPQ	DI
done:
	RET

// setFSBase sets the FS base to the frame's at R10 (frame.fsBase) with a
// null FS selector, as arch_prctl(ARCH_SET_FS) does: with wrFSBase where
// the kernel lets user mode run WRFSBASE (useFSGSBASE), else with
// arch_prctl. Keeps DI SI DX R10; clobbers AX CX R11.
TEXT ·setFSBase(SB), NOSPLIT|NOFRAME, $0
	PUSHQ	DI
	PUSHQ	SI
	MOVQ	frame_fsBase(R10), SI
	CMPB	·useFSGSBASE(SB), $0
	JEQ	prctl
	CALL	·wrFSBase(SB)
	JMP	done
prctl:
	MOVL	$158, AX		// SYS_arch_prctl
	MOVL	$0x1002, DI		// ARCH_SET_FS
	SYSCALL
done:
	POPQ	SI
	POPQ	DI
	RET

// sigReturn is the sa_restorer used if the runtime had none to copy.
TEXT ·sigReturn(SB), NOSPLIT|NOFRAME, $0
	MOVQ	$15, AX			// SYS_rt_sigreturn
	SYSCALL
	INT	$3

// func textAddrs(a *textAddresses)
//
// textAddrs writes the addresses of the functions the Go side matches PCs
// against or hands to the kernel, in textAddresses' field order.
TEXT ·textAddrs(SB), NOSPLIT, $0-8
	MOVQ	a+0(FP), DI
	LEAQ	·sigHandler(SB), AX
	MOVQ	AX, 0(DI)
	LEAQ	·sigReturn(SB), AX
	MOVQ	AX, 8(DI)
	LEAQ	·enter(SB), AX
	MOVQ	AX, 16(DI)
	LEAQ	·callSite(SB), AX
	MOVQ	AX, 24(DI)
	LEAQ	·resume(SB), AX
	MOVQ	AX, 32(DI)
	LEAQ	·badReturn(SB), AX
	MOVQ	AX, 40(DI)
	LEAQ	·privateFS(SB), AX
	MOVQ	AX, 48(DI)
	LEAQ	·fsProbe(SB), AX
	MOVQ	AX, 56(DI)
	LEAQ	·recoverStub(SB), AX
	MOVQ	AX, 64(DI)
	LEAQ	·parkStub(SB), AX
	MOVQ	AX, 72(DI)
	LEAQ	·setFS(SB), AX
	MOVQ	AX, 80(DI)
	LEAQ	·wrFSBase(SB), AX
	MOVQ	AX, 88(DI)
	LEAQ	·recoverOut(SB), AX
	MOVQ	AX, 96(DI)
	RET
