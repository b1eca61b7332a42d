package trampoline

import (
	"fmt"
	"sync/atomic"
	"syscall"

	"github.com/jitrun/jitrun/internal/platform"
)

// frame is the memory one call shares between Go, the assembly trampoline
// and the signal handler. Every frame ever made stays in frameTable for
// the life of the process (the handler reads it without locks), so frames
// are reused, never freed. It holds no Go pointers: the handler writes it
// with plain stores.
//
// The assembly reaches the fields through go_asm.h (frame_fn, …); keep
// the types fixed-size.
type frame struct {
	// Inputs, written by Go before each call.
	// (The integer arguments are not here: enter reads them where the
	// caller has them.)
	fn     uintptr   // address called
	floats [8]uint64 // low 64 bits of X0–X7
	flags  uint32    // flagSnapshot, flagFloats, flagPrivateTLS, flagMachine, flagStep

	index uint32 // in frameTable and units, for good

	// Fixed while a stack is attached.
	stackTop   uintptr // RSP before the CALL: [stackTop] = this frame's address XOR frameKey (Go's RSP is in goSP)
	stackTop16 uintptr // stackTop-16: RSP in the epilogue after two pushes
	lo, hi     uintptr // [lo, hi): both guard regions and the stack between
	stackLo    uintptr // lowest usable byte of the stack
	xsave      uintptr // 64-byte-aligned save area for a parked call's FPU state
	vec        uintptr // 64-byte-aligned XSAVE image of a snapshot's vector state (vector.go)

	// The thread the frame is bound to (bind, thread_linux_amd64.go):
	// enter and resume check m on every call and return statusNewThread
	// when the goroutine runs on another M. The handler finds a call
	// whose code has moved RSP off its stack by the signal stack the
	// signal arrived on (altLo), checked against tid; fsBase is what the
	// trampoline restores when the code changed the FS base, Go's
	// thread-local storage.
	m      uintptr // the runtime's M (g.m)
	fsBase uintptr
	altLo  uintptr // the thread's signal stack (sigaltstack ss_sp)
	tid    int32
	_      int32
	g      uintptr // the goroutine's g, as enter and resume found it in TLS

	// The words of the M that code writing relative to FS can reach and
	// Go's signal handler reads (mguard.go): mGuard is the M when its
	// layout was confirmed at set-up (0: not guarded), mWords what its
	// guarded words held when the frame was bound.
	mGuard uintptr
	mWords [mGuardWords]uintptr
	// mP, mOldp, mLocks and mProfile are m.p, m.oldp, m.locks and the
	// word of m.profilehz as enter (or resume) found them (the M may hold
	// another P from call to call, and the procPin of Call's fast path
	// and of a timed call counts in m.locks); mP is 0 in a call resumed
	// in the runtime's syscall state, where the scheduler may take the P
	// away (the words past curg, mlayout.go).
	mP       uintptr
	mOldp    uintptr
	mLocks   uint32
	_        uint32
	mProfile uintptr

	scratch uintptr // where setFS reads the FS base
	tls     uintptr // the call's own FS base (Options.PrivateTLS)

	// Go's state, saved by enter and resume. The FPU control words are
	// saved only with exactFPU; otherwise they hold Go's defaults,
	// GoMXCSR and GoX87CW, for good (see sys_linux_amd64.go).
	goSP    uintptr
	goBP    uintptr
	goMXCSR uint32
	goFCW   uint16
	_       uint16

	// Shared with the signal handler (all written on the calling thread).
	inCall    uint32 // 1 while a call owns the frame
	running   uint32 // 1 while the code runs (from enter's or resume's interrupt check to the epilogue's RSP check): it may be parked (outside the prologues), and a signal on the frame's thread is the call's
	interrupt uint32 // the call's timeout signal arrived before the code ran
	status    status // how enter/resume ended
	callValue uint64 // si_value of this call's cancellation signal; 0 = none

	// The frame's deadline timer (timer.go): a kernel timer that signals
	// thread timerTid (0: no timer), kept from call to call. deadline is the running timed call's deadline (CLOCK_MONOTONIC
	// nanoseconds; 0: none), deadlineSpec the same as the absolute
	// itimerspec the handler re-arms the timer with; armedAt is when the
	// timer is armed to expire (0: not armed), a hint the handler keeps.
	timer        platform.ThreadTimer // one int32, the kernel's timer id: the handler reads it at frame_timer
	timerTid     int32
	timerM       uintptr // with timerTid, the thread the timer signals (timerKey)
	timerG0      uintptr
	deadline     int64
	armedAt      int64
	deadlineSpec [4]int64

	// Results.
	rax, rdx uint64
	x0, x1   XMM

	// Registers at return (flagSnapshot), fault or interruption.
	// gpr is in hardware order: RAX RCX RDX RBX RSP RBP RSI RDI R8–R15.
	gpr    [16]uint64
	rip    uint64
	rflags uint64
	xmm    [16]XMM
	mxcsr  uint32
	fcw    uint16
	_      uint16
	vecLen uint32 // bytes of the image at vec that belong to the snapshot (0: none)
	_      uint32

	// The fault, from siginfo and the ucontext.
	signo   int32
	code    int32
	addr    uint64
	trapno  uint64
	errcode uint64

	// A parked call's registers, restored by resume (and, for a system
	// call the handler stopped for Go to decide, its arguments and the
	// register its result goes back in).
	jit       [16]uint64
	jitRIP    uint64
	jitRFLAGS uint64

	// A step's IRETQ frame (flagStep): resume builds it from jitRIP,
	// jitRFLAGS with TF, jit[RSP] and the current CS and SS, and enters the
	// code with IRETQ through it, so that the single-step trap comes after
	// the code's first instruction (POPFQ would trap after resume's RET).
	iret [5]uint64 // RIP, CS, RFLAGS, RSP, SS: the order IRETQ pops them

	// A SIGSYS's siginfo (a system call the filter refused or stopped,
	// syscall.go): si_syscall, si_arch, and si_errno, where the filter
	// passes back its rule.
	sysNr   int32
	sysArch uint32
	sysRule int32
	_       int32

	// The signal mask the code ran with, which the handler keeps here
	// when it goes back to Go without rt_sigreturn, for recoverOut to put
	// back (jumpOut, handler_amd64.s). Last, so that the fields a call
	// reads keep their places.
	sigmask uint64
}

// status says how enter or resume ended (frame.status and their result).
type status uint32

const (
	statusNone      status = iota
	statusReturned         // the code returned
	statusFault            // a synchronous signal; details in the frame
	statusTimeout          // the call's timeout signal interrupted it
	statusParked           // the runtime asked the thread to stop (SIGURG): resume it
	statusSyscall          // a system call for Go to decide (decide.go): resume it
	statusNewThread        // the frame is bound to another thread: bind it, then enter again
)

var statusNames = [...]string{"none", "returned", "fault", "timeout", "parked", "syscall", "new thread"}

// String names the status: "returned", "fault", ….
func (s status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("status(%d)", uint32(s))
}

// frame.flags
const (
	flagSnapshot   = 1  // record every register at return
	flagFloats     = 2  // load X0–X7 from floats (else zero them)
	flagPrivateTLS = 4  // run the code with FS = frame.tls
	flagMachine    = 8  // a Machine's run: save the whole FPU state when it stops
	flagStep       = 16 // a Machine's step (StepMachine): resume enters the code with IRETQ and TF set
)

// Timeout signal values: magic<<48 | frame index<<32 | sequence for a
// cancellation (valueMagic, queued by a context's AfterFunc), timerMagic<<48
// | frame index<<32 for the frame's deadline timer.
const (
	valueMagic = 0x4a52 // "JR"
	timerMagic = 0x4a54 // "JT"
	maxFrames  = 1 << 12
)

// Bits of RFLAGS the trampoline clears before Go runs again.
const (
	flagTF = 1 << 8
	flagDF = 1 << 10
	flagNT = 1 << 14 // nested task: harmless to Go, but IRETQ (a step's way in) raises #GP with it set
	flagAC = 1 << 18
)

// Offsets into the kernel's ucontext and siginfo on linux/amd64, for the
// handler (uc_stack starts at 16, uc_mcontext.gregs at 40; fpregs follows
// the 23 gregs).
const (
	ucStack  = 16 // uc_stack.ss_sp: the signal stack the handler runs on
	ucGregs  = 40
	ucFpregs = 40 + 23*8
	gR8      = 0
	gRDI     = 8
	gRSI     = 9
	gRBP     = 10
	gRBX     = 11
	gRDX     = 12
	gRAX     = 13
	gRCX     = 14
	gRSP     = 15
	gRIP     = 16
	gEFL     = 17
	gCSGSFS  = 18 // cs, gs, fs and ss selectors, 16 bits each
	gERR     = 19
	gTRAPNO  = 20

	// What the handler reads to go back to Go without rt_sigreturn
	// (jumpOut): the signal stack's flags, where SS_AUTODISARM says the
	// kernel disarmed it for the handler, and the mask rt_sigreturn would
	// restore (the kernel's sigset_t, 8 bytes).
	ucStackFlags = 24
	ucSigmask    = 296
	ssAutoDisarm = 1 << 31 // SS_AUTODISARM (platform.SSAutoDisarm, for Linux only)

	siCode  = 8
	siAddr  = 16
	siValue = 24

	fxFCW   = 0
	fxMXCSR = 24
	fxXMM   = 160

	// The kernel's signal frame marks an FPU image that is an XSAVE one
	// (not only FXSAVE's legacy region) in the legacy region's software
	// bytes, struct _fpx_sw_bytes: magic1 at 464, xstate_size (the
	// image's size) at 480.
	fxSWMagic1     = 464
	fxSWXstateSize = 480
	fpXstateMagic1 = 0x46505853
	// An XSAVE image's XSTATE_BV (xsaveHeader) has bit 9 set when the
	// image holds PKRU, at pkruOffset.
	xstatePKRU = 1 << 9

	// The 64-bit user code and stack segment selectors of Linux/x86-64
	// (__USER_CS, __USER_DS): what the handler puts back when the code
	// has switched to another segment (a far return to 32-bit code).
	userCS = 0x33
	userSS = 0x2b
)

func signal(n int32) syscall.Signal { return syscall.Signal(n) }

// setCallValue and loadCallValue access callValue atomically: the
// context.AfterFunc of a call reads it from another goroutine. (The
// signal handler reads it with a plain load, on the calling thread or
// after the store is visible: x86 stores are not reordered with stores.)
func (f *frame) setCallValue(v uint64) { atomic.StoreUint64(&f.callValue, v) }

func (f *frame) loadCallValue() uint64 { return atomic.LoadUint64(&f.callValue) }
