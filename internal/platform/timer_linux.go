//go:build linux

package platform

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ThreadTimer is a one-shot kernel timer (CLOCK_MONOTONIC) that sends a
// signal, with a value, to one thread of this process (SIGEV_THREAD_ID),
// armed again and again for absolute times (ArmAt). Its calls do not
// allocate: a caller may hold its goroutine pinned. Its one field is the
// kernel's timer id, where assembly that arms it again finds it.
type ThreadTimer struct{ id int32 }

// kernel's struct sigevent.
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

// NewThreadTimer creates a kernel timer (CLOCK_MONOTONIC, not armed) that
// sends sig with value to thread tid of this process when it expires.
func NewThreadTimer(tid, sig int, value uint64) (ThreadTimer, syscall.Errno) {
	ev := sigevent{value: value, signo: int32(sig), notify: sigevThreadID, tid: int32(tid)}
	var id int32
	_, _, e := unix.RawSyscall(unix.SYS_TIMER_CREATE, clockMonotonic, uintptr(unsafe.Pointer(&ev)), uintptr(unsafe.Pointer(&id)))
	if e != 0 {
		return ThreadTimer{}, e
	}
	return ThreadTimer{id}, 0
}

// ArmAt arms the timer to expire once at spec[2] seconds and spec[3]
// nanoseconds of CLOCK_MONOTONIC (absolute; spec[0] and spec[1], the
// interval, 0): timer_settime with TIMER_ABSTIME. A time already past
// expires at once. It does not allocate.
func (t ThreadTimer) ArmAt(spec *[4]int64) syscall.Errno {
	_, _, e := unix.RawSyscall6(unix.SYS_TIMER_SETTIME, uintptr(t.id), timerAbstime, uintptr(unsafe.Pointer(spec)), 0, 0, 0)
	return e
}

const timerAbstime = 1

// Delete deletes the timer; a signal it sent that is still pending is
// dropped with it.
func (t ThreadTimer) Delete() { unix.RawSyscall(unix.SYS_TIMER_DELETE, uintptr(t.id), 0, 0) }
