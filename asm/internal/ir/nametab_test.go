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

// TestPerfectTable checks that the table of the Intel registers holds
// every name that packs, in its slot, and that a table finds a name
// exactly when its map has it.
func TestPerfectTable(t *testing.T) {
	LookupIntelReg("rax") // builds the Intel table
	n := 0
	for _, k := range intelRegs.refs.keys {
		if k != 0 {
			n++
		}
	}
	packs := 0
	for name := range intelRegs.refByName {
		if _, ok := packName(name, true); ok {
			packs++
		}
	}
	if n != packs {
		t.Errorf("%d names in the table, %d pack", n, packs)
	}
	m := map[string]int{"a": 1, "bb": 2, "ccc": 3, "dword": 4, "x": 5}
	var tab perfectTable[int]
	tab.fill(m, false)
	for _, w := range []string{"a", "bb", "ccc", "dword", "x", "b", "A", "qword", "cccc"} {
		k, _ := packName(w, false)
		v, ok := tab.lookupKey(k)
		if want, in := m[w]; ok != in || v != want {
			t.Errorf("lookupKey(%q) = %d, %v; want %d, %v", w, v, ok, want, in)
		}
	}
	if v, ok := tab.lookupKey(0); ok || v != 0 {
		t.Errorf("lookupKey(0) = %d, %v; want nothing", v, ok)
	}
}
