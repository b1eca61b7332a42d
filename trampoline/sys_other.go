//go:build !(linux && amd64)

package trampoline

import "syscall"

const supported = false

// TimeoutSignal is the real-time signal used for timeouts on linux/amd64.
const TimeoutSignal = syscall.Signal(61)

const timeoutSignal = 61

var (
	frameTable [maxFrames]*frame
	frameCount uint32
	xsaveSize  = 512
	tramp      struct{ enter, callSite, resume, badReturn, privateFS uintptr }
	threadKeys bool
	// trampText is inTrampoline's [start, end) ranges (set-up, on
	// linux/amd64).
	trampText [2][2]uintptr
)

// The assembly and the thread binding, which only linux/amd64 has: setup
// fails first, so none of these runs.

func setup() error                                            { return errUnsupported }
func enter(f *frame, top uintptr, ints *uint64, n int) status { return statusNone }
func resumeCode(f *frame) status                              { return statusNone }
func (f *frame) bind()                                        {}
func (f *frame) bindHere()                                    {}
func inPrologueText(pc uintptr) bool                          { return false }
func inEnter(pc uintptr) bool                                 { return false }
func inResume(pc uintptr) bool                                { return false }
func installSyscallFilter(SyscallPolicy) error                { return errUnsupported }
func installWebFilter() error                                 { return errUnsupported }
func currentThread() (tid int, m, g0 uintptr)                 { return 0, 0, 0 }
