//go:build linux && amd64

package trampoline

import (
	"fmt"
	"runtime"
	"sync"
	"syscall"
	"time"
	_ "unsafe" // for go:linkname

	"github.com/jitrun/jitrun/internal/hostcpu"
	"github.com/jitrun/jitrun/internal/platform"
)

// This file and the assembly files are the package's only contact with the
// signal machinery and the CPU; system calls go through internal/platform.

const supported = true

// timeoutSignal is the real-time signal that interrupts a call at its
// deadline. It is sent only to the calling thread, and only while a call
// with a deadline runs. 32–34 belong to C libraries, SIGURG to the Go
// scheduler and SIGPROF to the profiler.
const timeoutSignal = 61

// TimeoutSignal is the real-time signal this package uses for timeouts
// (signal 61). An application that also uses it with os/signal.Notify
// will not see the package's own signals (they are consumed), only others.
const TimeoutSignal = syscall.Signal(timeoutSignal)

// Assembly (tramp_amd64.s, handler_amd64.s).
//
// enter and resume keep no pointer they are given (enter reads ints and
// forgets it; f lives in frameTable anyway): noescape, so that Call's
// variadic arguments stay on the caller's stack.
//
//go:noescape
func enter(f *frame, top uintptr, ints *uint64, n int) status

//go:noescape
func resume(f *frame, _ uintptr, _ *uint64, _ int) status

func textAddrs(a *textAddresses)
func bareCall(fn uintptr, a, b uint64) uint64
func fpuControl() (mxcsr uint32, fcw uint16)
func goRFLAGS() uint64
func setGoRFLAGS(rflags uint64)
func setFPUControl(mxcsr uint32, fcw uint16)

// Referenced only from assembly; declared so vet can check the frames.
func sigHandler()
func callSite()
func recoverStub()
func recoverOut()
func parkStub()
func badReturn()
func sigReturn()
func fsProbe()
func setFS()
func privateFS()

func findFrame()
func parkable()
func inPrologue()
func recoveringFrame()
func isFrame()
func pcIn()
func saveVec()
func restoreFS()
func setFSBase()

// iscgo is true when the program links runtime/cgo (kept linkable on
// purpose, go.dev/issue/67401).
//
//go:linkname iscgo runtime.iscgo
var iscgo bool

// The FPU control words. Go code never changes MXCSR or the x87 control
// word on linux/amd64 (neither the compiler's code nor the standard
// library's assembly does), and a new thread or process starts with the
// defaults, GoMXCSR and GoX87CW. So in a pure Go program a thread's
// control words are the defaults whenever no machine code called here is
// running, and the trampoline need not read them on entry: after the
// call it compares them with the defaults, and reloads them only if the
// code changed them. That saves an STMXCSR (about 1 ns on this package's
// Intel and AMD machines) on every call. C code, though, may set them on
// its thread (fesetround, flush-to-zero for speed): in a program with cgo
// (exactFPU) the trampoline reads them on every entry and restores exactly
// those. Pure Go programs whose own assembly changes them are not
// supported: after a call they are back at the defaults.
func chooseFPUMode() { exactFPU = iscgo }

// The runtime's syscall-state transitions, kept linkable on purpose
// (go.dev/issue/67401).
//
//go:linkname entersyscall runtime.entersyscall
func entersyscall()

//go:linkname exitsyscall runtime.exitsyscall
func exitsyscall()

// Global state read by the signal handler. This is the package's first
// piece of process-wide mutable state: the handler table and the frames it
// searches. (The second is the system-call filter of GuardSyscalls,
// syscall.go.) frameTable[:frameCount] is append-only (under tableMu), so the
// handler can read it without locks.
var (
	frameTable [maxFrames]*frame
	frameCount uint32
	goHandlers [65]uintptr // the handler each signal had before ours

	useXSAVE  bool // save a parked call's FPU state with XSAVE (else FXSAVE)
	hasAVX    bool // VZEROUPPER before returning to Go
	xsaveSize int  // bytes of the XSAVE area (512 for FXSAVE)
	exactFPU  bool // save MXCSR and the x87 control word on every entry
	// reloadMXCSR makes callSite's epilogue load Go's MXCSR after every
	// call instead of reading it and reloading it only when the code
	// changed it: on CPUs where STMXCSR is slow (AMD; about 4 ns on Zen
	// 5, eight times an LDMXCSR) it is the cheaper way to the same
	// state. Set at set-up (probeCPU).
	reloadMXCSR bool
	// useFSGSBASE makes the trampoline and the handler read and write the
	// FS base with RDFSBASE and WRFSBASE (tens of nanoseconds) instead of
	// arch_prctl (a system call, hundreds in a VM): where the CPU has
	// them and the kernel lets user mode run them. Set at set-up
	// (probeCPU).
	useFSGSBASE bool
	// pkruOffset is where the kernel's XSAVE image of a signal's FPU
	// state holds PKRU, where the OS enabled protection keys (0 where
	// not). Set at set-up (probeCPU).
	pkruOffset uintptr
	// bySigreturn makes the handler return to Go through rt_sigreturn
	// always, as it did before jumpOut: only the tests set it, to run
	// both ways.
	bySigreturn bool

	// callSiteEnd is the end of callSite's code: the handler drops a
	// timeout that finds the code returned and the trampoline's epilogue
	// running, (tramp.callSite, callSiteEnd).
	callSiteEnd uintptr
	// trampText is callSite and badReturn, [start, end) each: the
	// trampoline's own code after the code's RET (inTrampoline).
	trampText [2][2]uintptr
	// fsProbeAddr is fsProbe's address: a fault there is FS left
	// unusable by the code, which the handler repairs.
	fsProbeAddr uintptr
	// prologueText is the code of enter, resume and privateFS, [start,
	// end) each: the trampoline's own instructions before the machine
	// code runs. The handler never parks a call there (parkable): the
	// registers it would save are the trampoline's, not the code's.
	prologueText [prologueCount][2]uintptr
	// recoveryText is the code of recoverStub, parkStub, fsProbe, setFS,
	// wrFSBase and recoverOut: the way back to Go after a fault, a
	// timeout or a park, which starts with the code's FS base in place.
	// A signal the handler passes on to Go there has Go's FS base
	// restored first (recoveringFrame).
	recoveryText [recoveryCount][2]uintptr

	// frameKey is XORed into the frame's address on the code's stack
	// (tramp_amd64.s): its top bits make the word a non-canonical
	// address, the rest come from the clock, so that the word is no
	// pointer the code can write through. Set once, at set-up.
	frameKey uintptr
)

// prologueCount and recoveryCount are the number of functions in
// prologueText and recoveryText.
const (
	prologueCount = 3
	recoveryCount = 6
)

// inPrologueText reports whether pc lies in prologueText: the Go side's
// inPrologue.
func inPrologueText(pc uintptr) bool { return inRanges(pc, prologueText[:]) }

// inEnter and inResume report whether pc lies in enter or in resume (the
// first two ranges of prologueText, in set-up's order): a range test,
// where runtime.FuncForPC would search the function table on every fault
// (about 110 instructions, and memory the fault path touches no other
// time).
func inEnter(pc uintptr) bool  { return inRanges(pc, prologueText[0:1]) }
func inResume(pc uintptr) bool { return inRanges(pc, prologueText[1:2]) }

// textAddresses are the addresses textAddrs writes (keep the order).
type textAddresses struct {
	handler, sigReturn, enter, callSite, resume, badReturn, privateFS, fsProbe, recoverStub, parkStub, setFS, wrFSBase, recoverOut uintptr
}

// tramp holds the entry addresses of the trampoline's functions, which
// the Go side matches a fault's or a timeout's PC against and hands to
// the kernel. Set once, at set-up.
var tramp textAddresses

// faultSignals are the signals the code raises itself, which the handler
// turns into a *Fault: the Go runtime must have a handler for each, which
// the handler chains to for Go's own faults. SIGSYS comes only from the
// filter of GuardSyscalls (syscall.go), once installed; a SIGSYS that is
// not a call's goes on to the Go runtime.
var faultSignals = [...]int{
	int(syscall.SIGSEGV), int(syscall.SIGBUS), int(syscall.SIGILL), int(syscall.SIGFPE), int(syscall.SIGTRAP), int(sigSYS),
}

var (
	setupOnce sync.Once
	setupErr  error
)

// setup installs the signal handler and probes the CPU, once per process.
func setup() error {
	setupOnce.Do(func() {
		setupErr = install()
		if setupErr == nil {
			ready.Store(true)
		}
	})
	return setupErr
}

// install installs the handler for every signal the Go runtime handles:
// the faults, SIGURG and the timeout signal are the handler's business;
// any other signal (SIGPROF, SIGCHLD, SIGINT, …) it passes on to Go's
// handler, after giving Go its FS base back when the signal interrupted
// code that had changed it. Signals the runtime leaves at their default
// or ignored are left alone.
func install() error {
	if err := probeCPU(); err != nil {
		return err
	}
	chooseFPUMode()
	threadKeys = gmOffsetOK()
	procidKeys = procidOK()
	guardM = mLayoutOK()
	frameKey = 0xa5a5<<48 | uintptr(time.Now().UnixNano())&(1<<47-1)&^7
	textAddrs(&tramp)
	fsProbeAddr = tramp.fsProbe
	callSiteEnd = funcEnd(tramp.callSite)
	trampText = [2][2]uintptr{{tramp.callSite, callSiteEnd}, {tramp.badReturn, funcEnd(tramp.badReturn)}}
	for i, entry := range [prologueCount]uintptr{tramp.enter, tramp.resume, tramp.privateFS} { // inEnter and inResume read this order
		prologueText[i] = [2]uintptr{entry, funcEnd(entry)}
	}
	for i, entry := range [recoveryCount]uintptr{tramp.recoverStub, tramp.parkStub, tramp.fsProbe, tramp.setFS, tramp.wrFSBase, tramp.recoverOut} {
		recoveryText[i] = [2]uintptr{entry, funcEnd(entry)}
	}
	var olds [len(goHandlers)]platform.Sigaction
	for sig := 1; sig < len(goHandlers); sig++ {
		if sig == int(syscall.SIGKILL) || sig == int(syscall.SIGSTOP) {
			continue
		}
		if err := platform.SetSigaction(sig, nil, &olds[sig]); err != nil {
			return fmt.Errorf("trampoline: read the handler of %v: %w", syscall.Signal(sig), err)
		}
	}
	for _, sig := range faultSignals {
		if olds[sig].Handler <= 1 {
			return fmt.Errorf("trampoline: %v has no handler from the Go runtime (disposition %d): faults in machine code could not be told from Go's own", syscall.Signal(sig), olds[sig].Handler)
		}
	}
	for sig := 1; sig < len(goHandlers); sig++ {
		old := olds[sig]
		if old.Handler <= 1 && sig != timeoutSignal { // SIG_DFL, SIG_IGN: not Go's
			continue
		}
		goHandlers[sig] = old.Handler
		act := platform.Sigaction{
			Handler:  tramp.handler,
			Flags:    old.Flags | platform.SASigInfo | platform.SAOnStack | platform.SARestorer,
			Restorer: old.Restorer,
			Mask:     old.Mask,
		}
		if old.Flags&platform.SARestorer == 0 || act.Restorer == 0 {
			act.Restorer = tramp.sigReturn
		}
		if old.Handler <= 1 {
			// The timeout signal, which the runtime leaves alone: block
			// every signal while the handler runs, as Go's handlers do.
			act.Flags, act.Mask = platform.SASigInfo|platform.SAOnStack|platform.SARestorer|platform.SARestart, ^uint64(0)
		}
		if err := platform.SetSigaction(sig, &act, nil); err != nil {
			return fmt.Errorf("trampoline: install the handler for %v: %w", syscall.Signal(sig), err)
		}
	}
	return nil
}

// probeCPU reads how to save a parked call's FPU state (XSAVE, and its
// size, or FXSAVE), whether VZEROUPPER is needed, and how to set the FS
// base.
func probeCPU() error {
	cpu, err := hostcpu.Read()
	if err != nil {
		return fmt.Errorf("trampoline: reading the CPU's features: %w", err)
	}
	useXSAVE, xsaveSize, hasAVX = cpu.UseXSAVE(), cpu.FPUStateSize(), cpu.AVX
	reloadMXCSR = cpu.Vendor == "AuthenticAMD"
	useFSGSBASE = cpu.FSGSBASE && cpu.KernelFSGSBASE
	pkruOffset = uintptr(cpu.PKRUOffset)
	setVecLayout(cpu)
	return nil
}

// resumeCode continues a parked call (or one whose system call Go has
// decided) in the runtime's syscall state, so that the rest of the
// program (the garbage collector above all) goes on while the code runs.
// It is a separate, splittable function: calling it is a preemption
// point, where the goroutine stops if the runtime asked.
//
// A timeout that comes while the call is parked (the goroutine may wait
// for its turn for a while on a busy machine) stops it there: the call is
// reported as interrupted where it was parked, with the registers it was
// parked with, not as one that never started.
//
//go:noinline
func resumeCode(f *frame) status {
	f.rip = 0
	st := resumeInSyscall(f)
	if st == statusTimeout && (f.rip == 0 || inResume(uintptr(f.rip))) {
		units[f.index].snapshotParked()
	}
	return st
}

// funcEnd returns the end of the Go text symbol that starts at entry: the
// first address past it that belongs to another function (or to none).
func funcEnd(entry uintptr) uintptr {
	lo, hi := entry, entry+1<<16
	for lo+1 < hi { // invariant: lo is in the function, hi is not (or past the search)
		mid := lo + (hi-lo)/2
		if fn := runtime.FuncForPC(mid); fn != nil && fn.Entry() == entry {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
}

// resumeInSyscall must not grow the stack between entersyscall and
// exitsyscall (the runtime forbids it), hence nosplit.
//
//go:nosplit
func resumeInSyscall(f *frame) status {
	entersyscall()
	st := resume(f, 0, nil, 0)
	exitsyscall()
	return st
}
