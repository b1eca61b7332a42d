package main

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/jitrun/jitrun/trampoline"
)

// callArgs are the positional arguments of `jitrun run`, sorted into the
// System V AMD64 registers.
type callArgs struct {
	args   trampoline.Args
	nInt   int // integer arguments in use, counting the two of --map
	nFloat int
	mem    *memArgs // the memory arguments (run_memargs.go), nil for none
}

// maxFloatArgs is the number of float argument registers, XMM0–XMM7.
const maxFloatArgs = len(trampoline.Args{}.Float)

// addInt appends an integer argument to the next free integer register.
func (c *callArgs) addInt(v uint64) error {
	if c.nInt == len(c.args.Int) {
		return fmt.Errorf("too many integer arguments: %d go in registers (rdi, rsi, rdx, rcx, r8, r9)", len(c.args.Int))
	}
	c.args.Int[c.nInt] = v
	c.nInt++
	return nil
}

// parse sorts the positional arguments: integers (42, 0x2a, -1,
// 0b101, 1_000) and the pointers of memory arguments (mapMemory) go to
// RDI, RSI, RDX, RCX, R8, R9 after the nInt already used; floats (1.5,
// 2e3, -0.25, 0x1p-2, inf, nan) to XMM0–XMM7 as doubles. Each problem
// is one line that names the argument.
func (c *callArgs) parse(list []string, mapped bool) error {
	for i, a := range list {
		n := i + 1
		if _, err := strconv.ParseInt(a, 0, 64); errors.Is(err, strconv.ErrRange) {
			if _, err := strconv.ParseUint(a, 0, 64); err != nil {
				return fmt.Errorf("argument %d (%s) is out of range: integers take 64 bits (-0x8000000000000000 to 0xffffffffffffffff)", n, a)
			}
		}
		v, ok := parseIntArg(a)
		if p, isMem := c.memPointer(i); isMem { // run_memargs.go
			v, ok = p, true
		}
		if ok {
			if err := c.addInt(v); err != nil {
				if mapped {
					return fmt.Errorf("argument %d (%s): %v, and --map takes the first two", n, a, err)
				}
				return fmt.Errorf("argument %d (%s): %v", n, a, err)
			}
			continue
		}
		f, err := strconv.ParseFloat(a, 64)
		if err != nil {
			var ne *strconv.NumError
			if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
				return fmt.Errorf("argument %d (%s) is out of range for an integer (64 bits) or a double", n, a)
			}
			return fmt.Errorf("argument %d (%q) is not a number: integers (42, 0x2a, -1) go to rdi, rsi, rdx, rcx, r8, r9; floats (1.5, 2e3) to xmm0-xmm7; memory (str:TEXT, buf:N, i64:1,2) as a pointer in the next integer register", n, a)
		}
		if c.nFloat == maxFloatArgs {
			return fmt.Errorf("argument %d (%s): too many float arguments: %d go in registers (xmm0-xmm7)", n, a, maxFloatArgs)
		}
		c.args.Float[c.nFloat] = math.Float64bits(f)
		c.nFloat++
	}
	return nil
}

// parseIntArg reads an integer argument: signed (-5, -0x10) or unsigned up
// to 0xffffffffffffffff, in any Go base prefix, with underscores.
func parseIntArg(s string) (uint64, bool) {
	if v, err := strconv.ParseInt(s, 0, 64); err == nil {
		return uint64(v), true
	}
	if v, err := strconv.ParseUint(s, 0, 64); err == nil {
		return v, true
	}
	return 0, false
}
