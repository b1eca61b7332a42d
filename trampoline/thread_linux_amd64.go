//go:build linux && amd64

package trampoline

import (
	"encoding/binary"
	"runtime"

	"github.com/jitrun/jitrun/internal/platform"
)

// A frame is bound to the thread its call runs on, so that the signal
// handler can find the call whatever the code did to RSP and FS (see
// frame.m). The key the trampoline checks on every call is the runtime's
// M, read from the goroutine's g at offset gmOffset (the field g.m, at that
// offset in every Go release since 1.4); set-up confirms the layout
// (gmOffsetOK) before it turns the check on (threadKeys). Everything else
// is read once per thread change, with system calls: the thread id, the FS
// base (arch_prctl) and the signal stack (sigaltstack, which the Go
// runtime gives every thread it makes).

const gmOffset = 48 // keep equal to g_m in tramp_amd64.s

// threadKeys turns on the M check in enter and resume (and with it the
// handler's search by signal stack). It is set once, at set-up, before any
// call.
var threadKeys bool

// getg returns the running goroutine's g, and getm its g.m, as the
// trampoline reads them (tramp_amd64.s).
func getg() uintptr
func getm() uintptr

// getThread returns the calling thread's id as the runtime keeps it in its
// M (m.procid, at mProcidOffset), the M and the M's g0: what a timed call
// keys its frame's timer by (timer.go). Only with procidKeys.
func getThread() (tid uint64, m, g0 uintptr)

// procidKeys says getThread's thread id is the kernel's (procidOK): a
// timed call then reads it there, not with a system call. Set once, at
// set-up.
var procidKeys bool

// procidOK reports whether the runtime's M holds the thread id at
// mProcidOffset: on this thread, locked, it is what gettid says.
func procidOK() bool {
	if !threadKeys { // the M found as getm does is checked there first
		return false
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var w [8]byte
	if platform.ReadMemory(getm()+mProcidOffset, w[:]) != len(w) {
		return false
	}
	tid := binary.LittleEndian.Uint64(w[:])
	return tid != 0 && tid == uint64(platform.Gettid())
}

// currentThread returns the calling thread's id and, for a frame's timer,
// the M and its g0 (0 when the runtime's layout is not the one
// getThread reads: a system call gives the id then).
func currentThread() (tid int, m, g0 uintptr) {
	if procidKeys {
		t, m, g0 := getThread()
		return int(t), m, g0
	}
	return platform.Gettid(), 0, 0
}

// gmOffsetOK reports whether the runtime's g holds its M at gmOffset:
// m := g.m, and the M's g0 (its first word) points back to m. It reads
// through platform.ReadMemory, which cannot fault, so a runtime with another layout
// answers false instead of crashing.
func gmOffsetOK() bool {
	var w [8]byte
	word := func(addr uintptr) (uintptr, bool) {
		if platform.ReadMemory(addr, w[:]) != len(w) {
			return 0, false
		}
		return uintptr(binary.LittleEndian.Uint64(w[:])), true
	}
	m, ok := word(getg() + gmOffset)
	if !ok || m == 0 {
		return false
	}
	g0, ok := word(m)
	if !ok || g0 == 0 {
		return false
	}
	back, ok := word(g0 + gmOffset)
	return ok && back == m
}

// bind binds f to the calling thread. The goroutine is locked to its
// thread while bind reads it, so that the M and the thread's id, FS base
// and signal stack are one thread's (an unpinned caller could otherwise
// move between the reads, and the trampoline would later give one thread
// another's FS base). It may move afterwards: enter and resume then find
// the M changed and ask for a new binding. A value the kernel will not
// give stays 0: the handler then cannot use it (a frame with no FS base
// is never given one back).
func (f *frame) bind() {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	f.m = getm()
	f.tid = int32(platform.Gettid())
	f.fsBase, _ = platform.FSBase()
	f.altLo, _ = platform.SignalStack()
	f.saveM()
}

// bindHere binds f to the calling thread if it is bound to another: the
// system calls of bind, made before a timer is armed, do not eat into the
// call's time.
func (f *frame) bindHere() {
	if threadKeys && f.m != getm() {
		f.bind()
	}
}
