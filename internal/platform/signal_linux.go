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
	var ss struct {
		sp    uintptr
		flags int32
		_     int32
		size  uintptr
	}
	if _, _, e := unix.RawSyscall(unix.SYS_SIGALTSTACK, 0, uintptr(unsafe.Pointer(&ss)), 0); e != 0 {
		return 0, e
	}
	if ss.flags&ssDisable != 0 {
		return 0, nil
	}
	return ss.sp, nil
}

const ssDisable = 2 // SS_DISABLE
