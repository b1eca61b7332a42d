package gosyntax

import (
	"testing"

	"github.com/jitrun/jitrun/asm/internal/ir"
)

// TestRegTable checks that the packed table finds every register by its
// name, as ir.LookupReg does, and no other name.
func TestRegTable(t *testing.T) {
	table := registers()
	n := 0
	ir.Regs(func(name string, r ir.Reg) {
		n++
		if got, ok := table.lookup([]byte(name)); !ok || got != r {
			t.Errorf("lookup(%q) = %v, %v; want %v", name, got, ok, r)
		}
	})
	if n < 100 {
		t.Errorf("only %d registers", n)
	}
	if 4*n > regSlots {
		t.Errorf("%d registers in %d slots: more than a quarter full", n, regSlots)
	}
	for _, name := range []string{"", "ax", "A", "AXX", "PC", "SB", "FP", "R16", "X32", "RAX", "AX\x00", "ABCDEFGHI", "\x80X", "Z31 "} {
		_, want := ir.LookupReg(name)
		if _, ok := table.lookup([]byte(name)); ok || want {
			t.Errorf("lookup(%q) found a register (ir.LookupReg: %v)", name, want)
		}
	}
}
