package ir

import (
	"strings"
	"testing"
)

// TestNameTables checks the lookup tables against the maps they are made
// from: every name, in every case for Intel names, and names that are
// none (near misses, too long, empty, not ASCII).
func TestNameTables(t *testing.T) {
	LookupIntelReg("rax") // builds the Intel table
	for name, want := range regByName {
		if got, ok := LookupReg(name); !ok || got != want {
			t.Errorf("LookupReg(%q) = %v, %v; want %v", name, got, ok, want)
		}
		if _, ok := LookupReg(strings.ToLower(name)); ok != (regByName[strings.ToLower(name)] != 0) {
			t.Errorf("LookupReg(%q) found a register: Go names are case-sensitive", strings.ToLower(name))
		}
	}
	for name, want := range intelRegs.byName {
		for _, spelled := range []string{name, strings.ToUpper(name), strings.ToUpper(name[:1]) + name[1:]} {
			if got, ok := LookupIntelReg(spelled); !ok || got != want {
				t.Errorf("LookupIntelReg(%q) = %v, %v; want %v", spelled, got, ok, want)
			}
		}
	}
	for _, name := range []string{"", "A", "AXX", "R16", "X32", "rbxx", "xmm32", "eaxeaxeax", "R15BR15B", "\u212a1", "r\u0131p", "k\x00"} {
		if r, ok := LookupReg(name); ok != (regByName[name] != 0) {
			t.Errorf("LookupReg(%q) = %v, %v", name, r, ok)
		}
		_, inMap := intelRegs.byName[strings.ToLower(name)]
		if r, ok := LookupIntelReg(name); ok != inMap {
			t.Errorf("LookupIntelReg(%q) = %v, %v; the map says %v", name, r, ok, inMap)
		}
	}
	// The Kelvin sign lower-cases to k: through the map, as before.
	if r, ok := LookupIntelReg("\u212a1"); !ok || r.Name != "k1" {
		t.Errorf("LookupIntelReg(Kelvin sign + 1) = %v, %v; want k1 (strings.ToLower folds it)", r, ok)
	}
}

func BenchmarkLookupReg(b *testing.B) {
	names := []string{"AX", "R15", "X7", "Y31", "K1", "MOVQ", "loop"}
	for i := 0; i < b.N; i++ {
		LookupReg(names[i%len(names)])
	}
}

// TestIntelRegTable checks that the table of the Intel registers holds
// every name, each once, and finds it in its slot; that a word of none
// (empty, a near miss, longer than a slot's name) finds nothing; and
// that a table finds a name exactly when its map has it.
func TestIntelRegTable(t *testing.T) {
	LookupIntelReg("rax") // builds the Intel table
	n := 0
	for _, e := range intelRegs.refs.slots {
		if e != 0 {
			n++
		}
	}
	if n != len(intelRegs.refByName) {
		t.Errorf("%d names in the table, %d Intel names", n, len(intelRegs.refByName))
	}
	for name, want := range intelRegs.refByName {
		k, _ := packName(name, true)
		if got := intelRegs.refs.LookupPacked(k); got != want {
			t.Errorf("LookupPacked(%q) = %+v, want %+v", name, got, want)
		}
	}
	for _, w := range []string{"", "dword", "xmmword", "ptr", "raxx", "xmm32", "eaxeaxea", "r"} {
		k, _ := packName(w, true)
		if got := intelRegs.refs.LookupPacked(k); got != (IntelRegRef{}) {
			t.Errorf("LookupPacked(%q) = %+v, want none", w, got)
		}
	}
	m := map[string]IntelRegRef{"a": {Reg: 1, ID: 1, Code: 1}, "bb": {Reg: 4095, ID: 255, Code: 15}, "ccccc": {ID: 3}, "dddddd": {ID: 4}, "e": {Reg: 4096, ID: 5}}
	var tab IntelRegTable
	tab.fill(m)
	for _, w := range []string{"a", "bb", "ccccc", "dddddd", "e", "b", "aa", "cccc"} {
		k, _ := packName(w, true)
		want := m[w]
		if w == "dddddd" || w == "e" {
			want = IntelRegRef{} // more than a slot holds: left out
		}
		if got := tab.LookupPacked(k); got != want {
			t.Errorf("LookupPacked(%q) = %+v; want %+v", w, got, want)
		}
	}
}
