//go:build linux

package platform

import (
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// SetSigaction installs act (when not nil) for sig and returns the action
// it replaced in old (when not nil): rt_sigaction.
func SetSigaction(sig int, act, old *Sigaction) error {
	_, _, e := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig),
		uintptr(unsafe.Pointer(act)), uintptr(unsafe.Pointer(old)), 8, 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

// QueueThreadSignal queues signal sig with value (si_value) to thread tid
// of this process, as SI_QUEUE: rt_tgsigqueueinfo. It does not allocate.
func QueueThreadSignal(tid, sig int, value uint64) {
	pid := os.Getpid()
	var info [128]byte
	*(*int32)(unsafe.Pointer(&info[0])) = int32(sig)
	*(*int32)(unsafe.Pointer(&info[8])) = -1 // si_code SI_QUEUE
	*(*int32)(unsafe.Pointer(&info[16])) = int32(pid)
	*(*uint32)(unsafe.Pointer(&info[20])) = uint32(os.Getuid())
	*(*uint64)(unsafe.Pointer(&info[24])) = value
	unix.RawSyscall6(unix.SYS_RT_TGSIGQUEUEINFO, uintptr(pid), uintptr(tid), uintptr(sig), uintptr(unsafe.Pointer(&info)), 0, 0)
}

// SignalStack returns the base (ss_sp) of the calling thread's signal
// stack, or 0 when it has none: sigaltstack.
func SignalStack() (uintptr, error) {
	ss, err := GetSigStack()
	if err != nil || ss.Flags&SSDisable != 0 {
		return 0, err
	}
	return ss.SP, nil
}

// SigStack is a thread's signal stack as sigaltstack reads and sets it
// (stack_t).
type SigStack struct {
	SP    uintptr
	Flags uint32 // SSDisable, SSAutoDisarm; SS_ONSTACK when read on it
	_     int32
	Size  uintptr
}

// sigaltstack's flags.
const (
	SSDisable    = 2       // SS_DISABLE: no signal stack
	SSAutoDisarm = 1 << 31 // SS_AUTODISARM: disarmed while a handler runs on it (Linux 4.7+)
)

// GetSigStack returns the calling thread's signal stack: sigaltstack.
func GetSigStack() (SigStack, error) {
	var ss SigStack
	if _, _, e := unix.RawSyscall(unix.SYS_SIGALTSTACK, 0, uintptr(unsafe.Pointer(&ss)), 0); e != 0 {
		return ss, e
	}
	return ss, nil
}

// SetSigStack makes ss the calling thread's signal stack: sigaltstack.
func SetSigStack(ss SigStack) error {
	if _, _, e := unix.RawSyscall(unix.SYS_SIGALTSTACK, uintptr(unsafe.Pointer(&ss)), 0, 0); e != 0 {
		return e
	}
	return nil
}

// SignalMask returns the calling thread's blocked signals, bit n-1 for
// signal n: rt_sigprocmask.
func SignalMask() (uint64, error) {
	var mask uint64
	if _, _, e := unix.RawSyscall6(unix.SYS_RT_SIGPROCMASK, 0, 0, uintptr(unsafe.Pointer(&mask)), 8, 0, 0); e != 0 {
		return 0, e
	}
	return mask, nil
}
