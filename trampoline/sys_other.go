//go:build !(linux && amd64)

package trampoline

import (
	"syscall"
	"time"
)

const supported = false

// TimeoutSignal is the real-time signal used for timeouts on linux/amd64.
const TimeoutSignal = syscall.Signal(61)

var (
	frameTable [maxFrames]*frame
	frameCount uint32
	xsaveSize  = 512
	tramp      struct{ enter, callSite, resume, badReturn uintptr }
)

func setup() error                                            { return errUnsupported }
func enter(f *frame, top uintptr, ints *uint64, n int) uint32 { return statusNone }
func runParked(f *frame) uint32                               { return statusNone }
func gettid() int                                             { return 0 }
func signalThread(tid int, v uint64)                          {}

type threadTimer struct{}

func armThreadTimer(tid int, value uint64, d time.Duration) (threadTimer, string, syscall.Errno) {
	return threadTimer{}, "timer_create", syscall.ENOSYS
}
func (threadTimer) stop() {}

func installSyscallFilter(SyscallPolicy) error { return errUnsupported }
