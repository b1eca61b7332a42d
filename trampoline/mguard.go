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
// Past curg, up to the last word an 8-bit displacement from FS reaches,
// lie words Go's own code reads as soon as it runs again: m.p (the P
// every allocation uses), m.mallocing (not 0: the next allocation throws
// "malloc deadlock"), m.preemptoff, m.oldp (the P exitsyscall takes
// back), m.nextp (not 0: startm throws "m has p"), m.locks and the word
// of m.profilehz and the M's scheduling flags. Random code wrote each of
// them (inc dword fs:[rsi+0x56] over nextp, adc fs:[rsi+0x4d], ah over
// p, pop qword fs:[rsi+0x7c] over m.locks, fnsave fs:[rsi] over most of
// them: testdata/random-killers.txt).
//
// So the trampoline guards those words. bind saves the ones before the
// TLS slots (saveM); enter saves m.p, m.oldp, m.locks and the word of
// m.profilehz on every call (the M may hold another P by then, and a
// procPin counts in m.locks); nextp, mallocing, throwing, preemptoff and
// dying are
// zero whenever Go calls the code (set-up checks it, mLayoutOK) and need
// no saving. repairM (tramp_amd64.s) writes back the saved words, curg =
// the call's g and the zeros: the signal handler calls it before
// anything of Go's runs while the code runs or has just returned, and
// the epilogue of every returned call when g0, gsignal or curg differs;
// the epilogue writes the words past curg back on every return. Only the M's own thread writes these words
// while the code runs, and it is in the trampoline when they are
// repaired — but for m.p of a call resumed after a park, which runs in
// the runtime's syscall state, where the scheduler may take the P away
// (resumeCode): resume leaves m.p unguarded. The offsets (mlayout.go)
// are the runtime's m layout (runtime2.go); set-up confirms them against
// the running runtime (mLayoutOK) before the guard is turned on
// (guardM), and a runtime with another layout runs unguarded, as before.
//
// Writes further into the M (from m.incgo on, FS+144) are not
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
// points, curg = the running goroutine, m.p a P whose id (its first
// field) is the one procPin gives and m.locks the count procPin adds to
// (pOK), and nextp, mallocing, throwing, preemptoff and dying zero, as
// they are in a goroutine's own code (oldp need not be: it keeps the P of
// some earlier system call). It reads through platform.ReadMemory, which
// cannot fault.
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
		word(m+mCurgOffset) == getg() &&
		pOK(m, word) &&
		word(m+mNextpOffset) == 0 && word(m+mMallocingOffset) == 0 &&
		word(m+mPreemptoffOffset) == 0 && word(m+mPreemptoffOffset+8) == 0 &&
		word(m+mLocksOffset)>>32 == 0 // m.dying
}

// pOK reports whether the word at mPOffset of the M at m is the P the
// goroutine runs on, and the one at mLocksOffset holds m.locks: pinned
// to its P (procPin, which counts in m.locks), the P's first field, its
// id, is the pinned P's, and m.locks is one more than after procUnpin.
// word reads memory, 0 where it cannot.
func pOK(m uintptr, word func(uintptr) uintptr) bool {
	id := procPin()
	p := word(m + mPOffset)
	pinned := int32(word(m + mLocksOffset))
	ok := p != 0 && int32(word(p)) == int32(id)
	procUnpin()
	return ok && int32(word(m+mLocksOffset)) == pinned-1
}
