//go:build linux

package platform

import (
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ThreadTimer is a one-shot kernel timer (CLOCK_MONOTONIC) that sends a
// signal, with a value, to one thread of this process (SIGEV_THREAD_ID).
// Its calls do not allocate: a caller may hold its goroutine pinned.
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

// StartThreadTimer creates a timer that sends sig with value to thread tid
// after d (at least 1ns) and arms it. On failure it names the call that
// failed and returns its errno.
func StartThreadTimer(tid, sig int, value uint64, d time.Duration) (ThreadTimer, string, syscall.Errno) {
	ev := sigevent{value: value, signo: int32(sig), notify: sigevThreadID, tid: int32(tid)}
	var id int32
	_, _, e := unix.RawSyscall(unix.SYS_TIMER_CREATE, clockMonotonic, uintptr(unsafe.Pointer(&ev)), uintptr(unsafe.Pointer(&id)))
	if e != 0 {
		return ThreadTimer{}, "timer_create", e
	}
	d = max(d, 1)
	spec := [4]int64{0, 0, int64(d / time.Second), int64(d % time.Second)} // it_interval, it_value
	_, _, e = unix.RawSyscall6(unix.SYS_TIMER_SETTIME, uintptr(id), 0, uintptr(unsafe.Pointer(&spec)), 0, 0, 0)
	if e != 0 {
		unix.RawSyscall(unix.SYS_TIMER_DELETE, uintptr(id), 0, 0)
		return ThreadTimer{}, "timer_settime", e
	}
	return ThreadTimer{id}, "", 0
}

// Stop deletes the timer (a signal it already sent stays queued).
func (t ThreadTimer) Stop() { unix.RawSyscall(unix.SYS_TIMER_DELETE, uintptr(t.id), 0, 0) }
