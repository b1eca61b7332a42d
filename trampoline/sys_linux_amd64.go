//go:build linux && amd64

package trampoline

import (
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// This file and the two assembly files are the package's only contact with
// the kernel and the CPU; the rest is portable Go.

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
func enter(f *frame) uint32
func resume(f *frame) uint32
func handlerAddrs() (handler, recover, park, badReturn uintptr)
func sigReturnAddr() uintptr
func cpuid(eaxIn, ecxIn uint32) (eax, ebx, ecx, edx uint32)
func xgetbv0() (eax, edx uint32)

// Referenced only from assembly; declared so vet can check the frames.
func sigHandler()
func recoverStub()
func parkStub()
func badReturn()
func sigReturn()

// The runtime's syscall-state transitions, kept linkable on purpose
// (go.dev/issue/67401).
//
//go:linkname entersyscall runtime.entersyscall
func entersyscall()

//go:linkname exitsyscall runtime.exitsyscall
func exitsyscall()

// Global state read by the signal handler. This is the package's one piece
// of process-wide mutable state: the handler table and the frames it
// searches. frameTable[:frameCount] is append-only (under tableMu), so the
// handler can read it without locks.
var (
	frameTable [maxFrames]*frame
	frameCount uint32
	goHandlers [65]uintptr // the handler each signal had before ours

	useXSAVE  bool // save a parked call's FPU state with XSAVE (else FXSAVE)
	hasAVX    bool // VZEROUPPER before returning to Go
	xsaveSize int  // bytes of the XSAVE area (512 for FXSAVE)

	parks atomic.Int64 // calls parked so far (tests check the path is taken)
)

// kernel's struct sigaction on linux/amd64.
type sigactiont struct {
	handler  uintptr
	flags    uint64
	restorer uintptr
	mask     uint64
}

const (
	saSIGINFO  = 0x4
	saONSTACK  = 0x08000000
	saRESTORER = 0x04000000
)

func rtSigaction(sig int, act, old *sigactiont) error {
	_, _, e := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig),
		uintptr(unsafe.Pointer(act)), uintptr(unsafe.Pointer(old)), 8, 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

// handledSignals are the signals the handler takes over, faults first.
var handledSignals = [...]int{
	int(unix.SIGSEGV), int(unix.SIGBUS), int(unix.SIGILL), int(unix.SIGFPE), int(unix.SIGTRAP),
	int(unix.SIGURG), timeoutSignal,
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

func install() error {
	probeCPU()
	handler, _, _, _ := handlerAddrs()
	var olds [len(handledSignals)]sigactiont
	for i, sig := range handledSignals {
		if err := rtSigaction(sig, nil, &olds[i]); err != nil {
			return fmt.Errorf("trampoline: read the handler of %v: %w", syscall.Signal(sig), err)
		}
		if i < 5 && olds[i].handler <= 1 {
			return fmt.Errorf("trampoline: %v has no handler from the Go runtime (disposition %d): faults in machine code could not be told from Go's own", syscall.Signal(sig), olds[i].handler)
		}
	}
	for i, sig := range handledSignals {
		old := olds[i]
		goHandlers[sig] = old.handler
		act := sigactiont{
			handler:  handler,
			flags:    old.flags | saSIGINFO | saONSTACK | saRESTORER,
			restorer: old.restorer,
			mask:     old.mask,
		}
		if old.flags&saRESTORER == 0 || act.restorer == 0 {
			act.restorer = sigReturnAddr()
		}
		if err := rtSigaction(sig, &act, nil); err != nil {
			return fmt.Errorf("trampoline: install the handler for %v: %w", syscall.Signal(sig), err)
		}
	}
	return nil
}

func probeCPU() {
	_, _, ecx1, _ := cpuid(1, 0)
	osxsave := ecx1&(1<<27) != 0
	xsaveSize = 512
	if osxsave {
		xcr0, _ := xgetbv0()
		hasAVX = ecx1&(1<<28) != 0 && xcr0&6 == 6
		if _, ebx, _, _ := cpuid(0xd, 0); ebx >= 576 {
			useXSAVE = true
			xsaveSize = int(ebx)
		}
	}
}

// gettid returns the calling thread's id.
func gettid() int { return unix.Gettid() }

// kernel's struct sigevent, for SIGEV_THREAD_ID.
type sigevent struct {
	value  uint64
	signo  int32
	notify int32
	tid    int32
	_      [44]byte
}

const (
	sigevThreadID  = 4
	clockMonotonic = 1
)

// threadTimer is a one-shot timer that sends the timeout signal, with
// value, to one thread.
type threadTimer struct{ id int32 }

func newThreadTimer(tid int, value uint64, d time.Duration) (threadTimer, error) {
	ev := sigevent{value: value, signo: timeoutSignal, notify: sigevThreadID, tid: int32(tid)}
	var id int32
	_, _, e := unix.RawSyscall(unix.SYS_TIMER_CREATE, clockMonotonic, uintptr(unsafe.Pointer(&ev)), uintptr(unsafe.Pointer(&id)))
	if e != 0 {
		return threadTimer{}, fmt.Errorf("trampoline: timer_create: %w", e)
	}
	if d <= 0 {
		d = 1
	}
	spec := [4]int64{0, 0, int64(d / time.Second), int64(d % time.Second)} // it_interval, it_value
	_, _, e = unix.RawSyscall6(unix.SYS_TIMER_SETTIME, uintptr(id), 0, uintptr(unsafe.Pointer(&spec)), 0, 0, 0)
	if e != 0 {
		unix.RawSyscall(unix.SYS_TIMER_DELETE, uintptr(id), 0, 0)
		return threadTimer{}, fmt.Errorf("trampoline: timer_settime: %w", e)
	}
	return threadTimer{id}, nil
}

func (t threadTimer) stop() {
	unix.RawSyscall(unix.SYS_TIMER_DELETE, uintptr(t.id), 0, 0)
}

// signalThread queues the timeout signal, with value, to thread tid of
// this process (rt_tgsigqueueinfo with SI_QUEUE).
func signalThread(tid int, value uint64) {
	var info [128]byte
	*(*int32)(unsafe.Pointer(&info[0])) = timeoutSignal
	*(*int32)(unsafe.Pointer(&info[siCode])) = -1 // SI_QUEUE
	*(*int32)(unsafe.Pointer(&info[16])) = int32(os.Getpid())
	*(*uint32)(unsafe.Pointer(&info[20])) = uint32(os.Getuid())
	*(*uint64)(unsafe.Pointer(&info[siValue])) = value
	unix.RawSyscall6(unix.SYS_RT_TGSIGQUEUEINFO, uintptr(os.Getpid()), uintptr(tid), timeoutSignal, uintptr(unsafe.Pointer(&info)), 0, 0)
}

// runParked continues a parked call in the runtime's syscall state, so
// that the rest of the program (the garbage collector above all) goes on
// while the code runs. It is a separate, splittable function: calling it
// is a preemption point, where the goroutine stops if the runtime asked.
//
//go:noinline
func runParked(f *frame) uint32 {
	parks.Add(1)
	st := uint32(statusParked)
	for st == statusParked {
		st = resumeInSyscall(f)
	}
	return st
}

// resumeInSyscall must not grow the stack between entersyscall and
// exitsyscall (the runtime forbids it), hence nosplit.
//
//go:nosplit
func resumeInSyscall(f *frame) uint32 {
	entersyscall()
	st := resume(f)
	exitsyscall()
	return st
}
