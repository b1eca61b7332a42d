//go:build !race

package trampoline

import (
	"runtime"
	"sync/atomic"
	"unsafe"
)

// The per-P cache: each P keeps one idle default-size unit, used in place
// and taken and given back with the goroutine pinned to its P (while
// pinned, nothing else runs on that P, so the fast path needs no atomic
// read-modify-write). Calls beyond one per P, and Ps numbered past the
// cache, use the lock-free pool. Race-detector builds (pcache_race.go)
// use the pool alone: the detector cannot see the pinning.
//
// The cost of a short call is mostly latency: a chain of dependent loads
// from procPin's result (the P's id) through the P's slot to the frame and
// its stack, which the stack switch must wait for. To take procPin off
// that chain, the fast path guesses the P before pinning — each goroutine
// stack remembers, in pidHints, the P its last call ran on — loads that
// P's slot while procPin runs, and after pinning only checks, with a
// branch the CPU predicts, that the guess and the slot are still right.
// A wrong guess (the goroutine moved, or two stacks share a hint) costs a
// slot lookup by the real P and a hint update.

// raceEnabled reports a race-detector build.
const raceEnabled = false

const maxCachedPs = 256

// pslot holds the frame of the P's idle unit (nil when empty) and its
// stack's top. Only a goroutine pinned to the P changes them (or
// drainCache, see there); the fast path also reads them before it pins,
// to guess, hence the atomic types (plain loads on amd64).
type pslot struct {
	f   atomic.Pointer[frame]
	top atomic.Uintptr // f.stackTop, read beside f rather than through it
	_   [48]byte       // one cache line per P
}

var pcache [maxCachedPs]pslot

// pidHints maps a goroutine stack, by address, to the P its last call ran
// on: a guess, checked after pinning. Written only when wrong.
var pidHints [256]atomic.Uint32

// hintFor returns the hint of the goroutine stack that holds sp: stacks
// are at least 8 KiB, so neighbours get different hints.
func hintFor(sp uintptr) *atomic.Uint32 { return &pidHints[(sp>>13)%uintptr(len(pidHints))] }

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

// The fast paths pin with this sequence, written out in each (a function
// would not inline, and its call would lengthen the chain it shortens):
//
//	var here byte
//	hint := hintFor(uintptr(unsafe.Pointer(&here)))
//	guess := hint.Load() % maxCachedPs
//	f, top := pcache[guess].f.Load(), pcache[guess].top.Load() // while procPin runs
//	pid := procPin()
//	if !guessed(pid, guess, f, top) {
//		pid, f, top = pinFrameSlow(pid, hint)
//	}
//
// and then unpin. f is nil when the P has no frame to lend (or the cache
// is being drained).

// guessed reports whether the guessed P's slot, read before pinning, is
// the pinned P's and still holds f and top.
func guessed(pid int, guess uint32, f *frame, top uintptr) bool {
	slot := &pcache[guess]
	return uint32(pid) == guess && f != nil && slot.f.Load() == f && slot.top.Load() == top && !draining.Load()
}

// pinFrameSlow looks the pinned P's slot up after a wrong guess, and
// remembers the P.
func pinFrameSlow(pid int, hint *atomic.Uint32) (int, *frame, uintptr) {
	if pid >= maxCachedPs || draining.Load() {
		return pid, nil, 0
	}
	if hint.Load() != uint32(pid) {
		hint.Store(uint32(pid))
	}
	return pid, pcache[pid].f.Load(), pcache[pid].top.Load()
}

// callDefault is the one call path on the default stack (Call, Run
// without a deadline, bound functions): with the goroutine pinned to its
// P it runs the code on the P's cached unit in place, with no atomic
// read-modify-write and one pin/unpin pair per call; without a cached unit
// it takes one from the pool. floats and regs may be nil. A call that does
// not simply return leaves the cache (it is the call's until the end) and
// is completed unpinned.
func callDefault(addr uintptr, ints *uint64, n int, floats *[8]uint64, flags uint32, regs *Regs, code Code) (Result, error) {
	var here byte
	hint := hintFor(uintptr(unsafe.Pointer(&here)))
	guess := hint.Load() % maxCachedPs
	f, top := pcache[guess].f.Load(), pcache[guess].top.Load() // while procPin runs
	pid := procPin()
	if !guessed(pid, guess, f, top) {
		if pid, f, top = pinFrameSlow(pid, hint); f == nil {
			procUnpin()
			return callPooled(addr, ints, n, floats, flags, regs, code)
		}
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
