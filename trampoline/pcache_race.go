//go:build race

package trampoline

// Under the race detector the per-P cache is off (see pcache.go).

func getUnit() (*unit, error) { return defPool.get() }
func putUnit(u *unit)         { defPool.put(u) }

func callDefault(addr uintptr, ints *uint64, n int, floats *[8]uint64, flags uint32, regs *Regs, code Code) (Result, error) {
	return callPooled(addr, ints, n, floats, flags, regs, code)
}

func drainCache() {}

// raceEnabled reports a race-detector build.
const raceEnabled = true
