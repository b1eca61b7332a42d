package main

// When the garbage collector first runs in jitrun asm. It reads one
// input, writes one output and exits within tens of milliseconds. With
// the runtime's defaults its first collection comes when the heap reaches
// 4 MB, in the middle of the work: it finds almost everything still live,
// and while it marks, every pointer the assembler writes goes through the
// write barrier. So asm starts with the first heap goal raised to
// startHeapGoal, as the Go compiler does for itself (cmd/compile's
// base.AdjustStartingHeap): a small input is done before any collection,
// and a large one is collected from startHeapGoal on with the default
// GOGC, which the first collection puts back. A GOGC or GOMEMLIMIT in the
// environment is the user's own setting: then nothing changes. The cost
// would be memory, up to startHeapGoal of heap before the first
// collection; measured, asm's peak was lower (the collector's own memory
// is not touched). disasm is left alone: its many small values cost more
// in fresh pages without a collection than the collections it saves.

import (
	"runtime"
	"runtime/debug"
)

const (
	// startHeapGoal is the heap size asm's first collection waits
	// for.
	startHeapGoal = 32 << 20
	// firstHeapGoal is the runtime's first heap goal at GOGC=100 (its
	// heap minimum), which scales with GOGC.
	firstHeapGoal = 4 << 20
	// defaultGOGC is GOGC when the environment does not set it.
	defaultGOGC = 100
)

// startGCPercent returns the GOGC that makes startHeapGoal the first heap
// goal of jitrun ARGS, and whether to set it: only for asm, and only when
// getenv (os.Getenv) sets neither GOGC nor GOMEMLIMIT.
func startGCPercent(args []string, getenv func(string) string) (int, bool) {
	if len(args) == 0 || args[0] != "asm" {
		return 0, false
	}
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return 0, false
	}
	return defaultGOGC * startHeapGoal / firstHeapGoal, true
}

// delayFirstGC sets, for jitrun ARGS, the GOGC startGCPercent gives until
// the first collection, which puts the default back.
func delayFirstGC(args []string, getenv func(string) string) {
	percent, ok := startGCPercent(args, getenv)
	if !ok {
		return
	}
	debug.SetGCPercent(percent)
	afterNextGC(func() { debug.SetGCPercent(defaultGOGC) })
}

// afterNextGC calls fn once, on the finalizer goroutine, after the next
// collection: the finalizer of an object that nothing holds runs once a
// collection has found it unreachable.
func afterNextGC(fn func()) {
	type sentinel [32]byte // too large for the tiny allocator, which would keep it alive with its neighbours
	runtime.SetFinalizer(new(sentinel), func(*sentinel) { fn() })
}
