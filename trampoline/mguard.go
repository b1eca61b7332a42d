//go:build linux && amd64

package trampoline

import (
	"encoding/binary"
	"runtime"
	"unsafe"

	"github.com/jitrun/jitrun/internal/platform"
)

// Code that runs with Go's FS base (no Options.PrivateTLS) can write
// relative to FS: FS points into the runtime's M of the thread, just past
// its fields g0, procid, gsignal, goSigStack and sigmask and just before
// curg. A write there (random code does it a few times in 100,000 blobs:
// fnstenv fs:[rsi] with a small RSI) is harmless to the code and fatal
// to Go later: the next signal Go's handler takes on that thread reads
// m.gsignal, finds garbage and faults inside the handler, and the kernel
// kills the process without a word.
//
// So the trampoline guards those words. bind saves them (saveM).
// repairM (tramp_amd64.s) writes back the saved words and curg = the
// call's g: the signal handler calls it before anything of Go's runs
// while the code runs or has just returned, and the epilogue of every
// returned call when g0, gsignal or curg differs. Only the M's own thread
// writes these words, and it is in the trampoline when they are repaired.
// The offsets (mlayout.go) are the runtime's m layout (runtime2.go);
// set-up confirms them against the running runtime (mLayoutOK) before
// the guard is turned on (guardM), and a runtime with another layout
// runs unguarded, as before.
//
// Writes further into the M (m.p, the scheduler's fields) are not
// guarded, nor is curg while the code still runs: Go's sysmon thread
// reads the curg of every running P's M on each tick. Only PrivateTLS
// keeps the code off the M entirely.

// guardM turns the M guard on. It is set once, at set-up.
var guardM bool

// saveM records the calling thread's guarded M words in f (bind calls it
// with the thread locked).
func (f *frame) saveM() {
	f.mGuard = 0
	if !guardM {
		return
	}
	m := getm()
	f.mWords[0] = mWord(m, 0)
	for i := 1; i < mGuardWords; i++ {
		f.mWords[i] = mWord(m, uintptr(mProcidOffset+8*(i-1)))
	}
	f.mGuard = m
}

// mWord reads the word at offset off of the M at m.
func mWord(m, off uintptr) uintptr {
	p := *(*unsafe.Pointer)(unsafe.Pointer(&m)) // not Go's heap as far as the collector is told
	return *(*uintptr)(unsafe.Add(p, off))
}

// mLayoutOK reports whether the runtime's M has the layout the guard
// writes: g0 at 0 (gmOffsetOK), procid at mProcidOffset (procidOK), the
// signal g at gsignal whose g.m is the M, the TLS slots where the FS base
// points, and curg = the running goroutine. It reads through
// platform.ReadMemory, which cannot fault.
func mLayoutOK() bool {
	if !threadKeys || !procidOK() {
		return false
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	word := func(addr uintptr) uintptr {
		var w [8]byte
		if platform.ReadMemory(addr, w[:]) != len(w) {
			return 0
		}
		return uintptr(binary.LittleEndian.Uint64(w[:]))
	}
	m := getm()
	gsignal := word(m + mProcidOffset + 8)
	fs, err := platform.FSBase()
	return gsignal != 0 && word(gsignal+gmOffset) == m &&
		err == nil && fs == m+mTLSOffset+8 &&
		word(m+mCurgOffset) == getg()
}
