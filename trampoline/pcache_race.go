//go:build race

package trampoline

// Under the race detector the per-P cache is off (see pcache.go).

func getUnit() (*unit, error) { return defPool.get() }
func putUnit(u *unit)         { defPool.put(u) }

func callFast(addr uintptr, args []uint64) (Result, error) { return callPooled(addr, args) }

func callArgsFast(addr uintptr, a *Args, floats bool) (Result, error) {
	return callArgsPooled(addr, a, floats)
}

func drainCache() {}

// raceEnabled reports a race-detector build.
const raceEnabled = true
