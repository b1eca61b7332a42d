package trampoline

import (
	"syscall"
	_ "unsafe" // for go:linkname

	"github.com/jitrun/jitrun/internal/platform"
)

// The deadline of a timed call (Options.Timeout, a context's deadline) is
// a kernel timer per frame, made once for the thread the frame is bound
// to and kept from call to call, which signals that thread
// (TimeoutSignal) when it expires: the kernel interrupts the code wherever
// it runs, with no help from Go, whose scheduler may have no P to give.
// Arming the timer is a system call (about 1 µs in a VM), so a call does
// not arm it when it is armed already to expire no later than the call's
// deadline: it then expires early, for an earlier call's deadline, and the
// signal handler, which reads the clock, arms it again for the running
// call's deadline (frame.deadlineSpec) and lets the code run on; a
// deadline that has passed stops the call. So a stream of calls with the
// same timeout makes about one system call per timeout period, in the
// handler, and none per call.
//
// frame.armedAt says when the timer will expire (0: it will not): the
// handler sets it to 0 when it does not arm the timer again, the call to
// the deadline just before it arms it. It may say 0 for a timer that is
// armed (a signal came between the two), which costs a system call more,
// never for one that is not, which would lose the interruption.

// nanotime is the runtime's CLOCK_MONOTONIC reading (the vDSO), the clock
// the timers count on (kept linkable on purpose, go.dev/issue/67401).
//
//go:linkname nanotime runtime.nanotime
func nanotime() int64

// timerKey says which thread a frame's timer signals: its id, with the
// runtime's M and g0 (0 when unknown). A timer made for a thread signals
// that thread only, even after it has exited and its id has gone to
// another thread: the id alone could name a timer that signals no one.
type timerKey struct {
	tid   int32
	m, g0 uintptr
}

// armDeadline arms f's timer, for the calling thread (locked) known by
// key, for the call's deadline dl (CLOCK_MONOTONIC nanoseconds), making
// the timer first if f has none for that thread. On failure it names the
// system call that failed.
func (f *frame) armDeadline(key timerKey, dl int64) (string, syscall.Errno) {
	if f.timerTid != key.tid || f.timerM != key.m || f.timerG0 != key.g0 || key.m == 0 {
		if e := f.newTimer(key); e != 0 {
			return "timer_create", e
		}
	}
	f.deadlineSpec = [4]int64{0, 0, dl / 1e9, dl % 1e9}
	f.deadline = dl
	if at := f.armedAt; at != 0 && at <= dl {
		return "", 0 // it expires first; the handler arms it again for dl
	}
	f.armedAt = dl
	if e := f.timer.ArmAt(&f.deadlineSpec); e != 0 {
		f.deadline, f.armedAt = 0, 0
		return "timer_settime", e
	}
	return "", 0
}

// disarmDeadline ends the call's deadline: the timer stays armed, and
// when it expires with no timed call running the handler drops its
// signal.
func (f *frame) disarmDeadline() { f.deadline = 0 }

// newTimer replaces f's timer with one that signals the thread key names:
// a frame used on another thread since its last timed call (or, when the
// runtime's layout is unknown and key has no M, on every call). Deleting
// the old one drops its pending signal.
func (f *frame) newTimer(key timerKey) syscall.Errno {
	f.deleteTimer()
	t, e := platform.NewThreadTimer(int(key.tid), timeoutSignal, uint64(timerMagic)<<48|uint64(f.index)<<32)
	if e != 0 {
		return e
	}
	f.timer, f.timerTid, f.timerM, f.timerG0 = t, key.tid, key.m, key.g0
	return 0
}

// deleteTimer deletes f's timer, if it has one, with any signal of it
// still pending: a frame whose stack FreeIdleStacks unmaps keeps no
// kernel timer (each counts against RLIMIT_SIGPENDING). f runs no call.
func (f *frame) deleteTimer() {
	if f.timerTid != 0 {
		f.timerTid = 0
		f.timer.Delete()
	}
	f.timerM, f.timerG0, f.armedAt = 0, 0, 0
}
