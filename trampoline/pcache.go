//go:build !race

package trampoline

import (
	"runtime"
	"sync/atomic"
	_ "unsafe" // for go:linkname
)

// The per-P cache: each P keeps one idle default-size unit, taken and
// given back with the goroutine pinned to its P (no atomic operations:
// while pinned, nothing else runs on that P). Calls beyond one per P, and
// Ps numbered past the cache, use the lock-free pool. Race-detector builds
// (pcache_race.go) use the pool alone: the detector cannot see the pinning.

//go:linkname procPin runtime.procPin
func procPin() int

//go:linkname procUnpin runtime.procUnpin
func procUnpin()

// raceEnabled reports a race-detector build.
const raceEnabled = false

const maxCachedPs = 256

// pslot holds index+1 of the P's idle unit (an index, not a pointer, so
// that storing it needs no write barrier); 0 when empty.
type pslot struct {
	idx uint32
	_   [60]byte // one cache line per P
}

var pcache [maxCachedPs]pslot

// draining makes every P leave its slot alone while FreeIdleStacks empties
// the slots. Reading it is a plain load on amd64.
var draining atomic.Bool

// drainCache moves every P's cached unit to the pool. Once draining is
// set, a garbage collection's stop-the-world waits for every pinned
// section (pinned code cannot be stopped) to end, and pinned sections
// that start afterwards see the flag; so when runtime.GC returns nobody
// is using a slot, and they can be emptied with plain accesses.
func drainCache() {
	draining.Store(true)
	runtime.GC()
	for i := range pcache {
		if idx := pcache[i].idx; idx != 0 {
			pcache[i].idx = 0
			defPool.put(units[idx-1])
		}
	}
	draining.Store(false)
}

// getUnit returns an idle default-size unit.
func getUnit() (*unit, error) {
	pid := procPin()
	var idx uint32
	if pid < maxCachedPs && !draining.Load() {
		idx = pcache[pid].idx
		pcache[pid].idx = 0
	}
	procUnpin()
	if idx != 0 {
		return units[idx-1], nil
	}
	return defPool.get()
}

// putUnit gives a default-size unit back.
func putUnit(u *unit) {
	pid := procPin()
	if pid < maxCachedPs && !draining.Load() && pcache[pid].idx == 0 {
		pcache[pid].idx = uint32(u.index + 1)
		u = nil
	}
	procUnpin()
	if u != nil {
		defPool.put(u)
	}
}

// callFast is Call's body. With the goroutine pinned to its P it runs the
// code on the P's cached unit in place: no atomic operation and one
// pin/unpin pair per call. If the runtime parks the code, or the code
// faults, the unit leaves the cache and finishPinned ends the call.
func callFast(addr uintptr, args []uint64) (Result, error) {
	pid := procPin()
	var idx uint32
	if pid < maxCachedPs && !draining.Load() {
		idx = pcache[pid].idx
	}
	if idx == 0 {
		procUnpin()
		return callPooled(addr, args)
	}
	f := units[idx-1].f
	setCallArgs(f, addr, args)
	f.interrupt = 0
	f.inCall = 1
	st := enter(f)
	if st == statusReturned {
		f.inCall = 0
		// Read the results before unpinning: another goroutine may take
		// the unit then.
		res := Result{RAX: f.rax, RDX: f.rdx, X0: f.x0.Lo, X1: f.x1.Lo}
		procUnpin()
		return res, nil
	}
	return finishPinned(pid, idx, st)
}

// callArgsFast is callFast with integer and float arguments.
func callArgsFast(addr uintptr, a *Args, floats bool) (Result, error) {
	pid := procPin()
	var idx uint32
	if pid < maxCachedPs && !draining.Load() {
		idx = pcache[pid].idx
	}
	if idx == 0 {
		procUnpin()
		return callArgsPooled(addr, a, floats)
	}
	f := units[idx-1].f
	setArgs(f, addr, a, floats)
	f.interrupt = 0
	f.inCall = 1
	st := enter(f)
	if st == statusReturned {
		f.inCall = 0
		res := Result{RAX: f.rax, RDX: f.rdx, X0: f.x0.Lo, X1: f.x1.Lo}
		procUnpin()
		return res, nil
	}
	return finishPinned(pid, idx, st)
}

// finishPinned ends a call that did not simply return: the unit leaves the
// P's cache (it is the call's until the end) and the rest runs unpinned.
func finishPinned(pid int, idx uint32, st uint32) (Result, error) {
	pcache[pid].idx = 0
	procUnpin()
	u := units[idx-1]
	if st == statusParked {
		st = runParked(u.f)
	}
	u.f.inCall = 0
	u.f.interrupt = 0
	return finishPooled(u, st)
}
