package trampoline

import (
	"sync/atomic"
	"syscall"
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
	flags  uint32    // flagSnapshot, flagFloats

	index uint32 // in frameTable and units, for good

	// Fixed while a stack is attached.
	stackTop   uintptr // RSP before the CALL: [stackTop] = this frame's address, [stackTop+8] = Go's RSP
	stackTop16 uintptr // stackTop-16: RSP in the epilogue after two pushes
	lo, hi     uintptr // [lo, hi): both guard pages and the stack between
	stackLo    uintptr // lowest usable byte of the stack
	xsave      uintptr // 64-byte-aligned save area for a parked call's FPU state

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
	parkable  uint32 // 1 while the code runs on the fast path and may be parked
	interrupt uint32 // the call's timeout signal arrived before the code ran
	status    uint32 // how enter/resume ended (status*)
	callValue uint64 // si_value of this call's timeout signal; 0 = none

	// Results.
	rax, rdx uint64
	x0, x1   XMM

	// Registers at return (flagSnapshot), fault or interruption.
	// gpr is in hardware order: RAX RCX RDX RBX RSP RBP RSI RDI R8–R15.
	gpr    [16]uint64
	rip    uint64
	rflags uint64
	xmm    [16][2]uint64
	mxcsr  uint32
	fcw    uint16
	_      uint16

	// The fault, from siginfo and the ucontext.
	signo   int32
	code    int32
	addr    uint64
	trapno  uint64
	errcode uint64

	// A parked call's registers, restored by resume.
	jit       [16]uint64
	jitRIP    uint64
	jitRFLAGS uint64

	// A SIGSYS fault's siginfo (a system call the filter refused,
	// syscall.go): si_syscall, si_arch, and si_errno, where the filter
	// passes back its rule.
	sysNr   int32
	sysArch uint32
	sysRule int32
	_       int32
}

// How enter and resume end (frame.status and their result).
const (
	statusNone     = 0
	statusReturned = 1 // the code returned
	statusFault    = 2 // a synchronous signal; details in the frame
	statusTimeout  = 3 // the call's timeout signal interrupted it
	statusParked   = 4 // the runtime asked the thread to stop (SIGURG): resume it
)

// frame.flags
const (
	flagSnapshot = 1 // record every register at return
	flagFloats   = 2 // load X0–X7 from floats (else zero them)
)

// Timeout signal values: magic<<48 | frame index<<32 | sequence.
const (
	valueMagic = 0x4a52 // "JR"
	maxFrames  = 1 << 12
)

// Bits of RFLAGS the trampoline clears before Go runs again.
const (
	flagTF = 1 << 8
	flagDF = 1 << 10
	flagAC = 1 << 18
)

// Offsets into the kernel's ucontext and siginfo on linux/amd64, for the
// handler (uc_mcontext.gregs starts at 40; fpregs follows the 23 gregs).
const (
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
	gERR     = 19
	gTRAPNO  = 20

	siCode  = 8
	siAddr  = 16
	siValue = 24

	fxFCW   = 0
	fxMXCSR = 24
	fxXMM   = 160
)

func signal(n int32) syscall.Signal { return syscall.Signal(n) }

// setCallValue and loadCallValue access callValue atomically: the
// context.AfterFunc of a call reads it from another goroutine. (The
// signal handler reads it with a plain load, on the calling thread or
// after the store is visible: x86 stores are not reordered with stores.)
func (f *frame) setCallValue(v uint64) { atomic.StoreUint64(&f.callValue, v) }

func (f *frame) loadCallValue() uint64 { return atomic.LoadUint64(&f.callValue) }
