//go:build !race

package trampoline

import (
	"runtime"
	"sync/atomic"
)

// The per-P cache: each P keeps one idle default-size unit, used in place
// and taken and given back with the goroutine pinned to its P (while
// pinned, nothing else runs on that P, so the fast path needs no atomic
// read-modify-write). Calls beyond one per P, and Ps numbered past the
// cache, use the lock-free pool. Race-detector builds (pcache_race.go)
// use the pool alone: the detector cannot see the pinning.
//
// (An earlier version guessed the P before pinning, from a hint kept per
// goroutine stack, to load the slot while procPin ran; on the AMD Zen 5
// VM this package is measured on, pinning first and loading the pinned
// P's slot is about 1 ns faster per call, and simpler.)

// raceEnabled reports a race-detector build.
const raceEnabled = false

const maxCachedPs = 256

// pslot holds the frame of the P's idle unit (nil when empty) and its
// stack's top. Only a goroutine pinned to the P changes them, or
// drainCache from another goroutine (see there), hence the atomic types
// (plain loads and stores on amd64).
type pslot struct {
	f   atomic.Pointer[frame]
	top atomic.Uintptr // f.stackTop, read beside f rather than through it
	_   [48]byte       // one cache line per P
}

var pcache [maxCachedPs]pslot

// draining makes every P leave its slot alone while FreeIdleStacks empties
// the slots. Reading it is a plain load on amd64.
var draining atomic.Bool

// drainCache moves every P's cached unit to the pool. Once draining is
// set, a garbage collection's stop-the-world waits for every pinned
// section (pinned code cannot be stopped) to end, and pinned sections
// that start afterwards see the flag; so when runtime.GC returns nobody
// is using a slot, and they can be emptied.
func drainCache() {
	draining.Store(true)
	runtime.GC()
	for i := range pcache {
		if f := pcache[i].f.Load(); f != nil {
			pcache[i].f.Store(nil)
			pcache[i].top.Store(0)
			defPool.put(units[f.index])
		}
	}
	draining.Store(false)
}

// getUnit returns an idle default-size unit.
func getUnit() (*unit, error) {
	pid := procPin()
	var f *frame
	if pid < maxCachedPs && !draining.Load() {
		if f = pcache[pid].f.Load(); f != nil {
			pcache[pid].f.Store(nil)
			pcache[pid].top.Store(0)
		}
	}
	procUnpin()
	if f != nil {
		return units[f.index], nil
	}
	return defPool.get()
}

// putUnit gives a default-size unit back.
func putUnit(u *unit) {
	pid := procPin()
	if pid < maxCachedPs && !draining.Load() && pcache[pid].f.Load() == nil {
		pcache[pid].top.Store(u.f.stackTop)
		pcache[pid].f.Store(u.f)
		u = nil
	}
	procUnpin()
	if u != nil {
		defPool.put(u)
	}
}

// callDefault is the one call path on the default stack (Call, Run
// without a deadline, bound functions): with the goroutine pinned to its
// P it runs the code on the P's cached unit in place, with no atomic
// read-modify-write and one pin/unpin pair per call; without a cached unit
// it takes one from the pool. floats and regs may be nil. A call that does
// not simply return leaves the cache (it is the call's until the end) and
// is completed unpinned.
func callDefault(addr uintptr, ints *uint64, n int, floats *[8]uint64, flags uint32, regs *Regs, code Code) (Result, error) {
	pid := procPin()
	var f *frame
	var top uintptr
	if pid < maxCachedPs && !draining.Load() {
		f, top = pcache[pid].f.Load(), pcache[pid].top.Load()
	}
	if f == nil {
		procUnpin()
		return callPooled(addr, ints, n, floats, flags, regs, code)
	}
	prepare(f, addr, floats, flags)
	f.interrupt = 0
	f.inCall = 1
	st := enter(f, top, ints, n)
	if st == statusNewThread {
		f.bind() // still pinned: the goroutine cannot change threads
		st = enter(f, top, ints, n)
	}
	if st == statusReturned {
		f.inCall = 0
		// Read the results before unpinning: another goroutine may take
		// the unit then.
		res := Result{RAX: f.rax, RDX: f.rdx, X0: f.x0.Lo, X1: f.x1.Lo}
		if regs != nil {
			f.readRegs(regs)
		}
		procUnpin()
		return res, nil
	}
	return finishPinned(pid, f, st, ints, n, regs, code)
}

// finishPinned completes a call of callDefault that did not simply
// return: its unit leaves the P's cache (it is the call's until the end)
// and the rest runs unpinned.
func finishPinned(pid int, f *frame, st status, ints *uint64, n int, regs *Regs, code Code) (Result, error) {
	pcache[pid].f.Store(nil)
	pcache[pid].top.Store(0)
	procUnpin()
	st = complete(f, st, ints, n, false)
	f.inCall = 0
	f.interrupt = 0
	u := units[f.index]
	res, err := u.finish(nil, st, regs, code)
	putUnit(u)
	return res, err
}
