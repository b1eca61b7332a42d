//go:build race

package trampoline

// Under the race detector the per-P cache is off (see pcache.go).

func getUnit() (*unit, error) { return defPool.get() }
func putUnit(u *unit)         { defPool.put(u) }

func callFast(addr uintptr, args []uint64) (Result, error) {
	if len(args) > len(Args{}.Int) || !ready.Load() {
		return callSlow(addr, args)
	}
	return callPooled(addr, args)
}

func runFast(addr uintptr, a *Args, flags uint32, regs *Regs, code Code) (Result, error) {
	return runPooled(addr, a, flags, regs, code)
}

func drainCache() {}

// raceEnabled reports a race-detector build.
const raceEnabled = true
