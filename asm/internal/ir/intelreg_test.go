package ir

import (
	"strings"
	"testing"
)

// TestIntelRegisters checks every Intel register name against its Go
// register.
func TestIntelRegisters(t *testing.T) {
	for _, tt := range []struct{ intel, goName, class string }{
		{"rax", "AX", "r64"}, {"eax", "AX", "r32"}, {"ax", "AX", "r16"}, {"al", "AL", "r8"}, {"ah", "AH", "r8"},
		{"rsp", "SP", "r64"}, {"spl", "SPB", "r8"}, {"dil", "DIB", "r8"}, {"r15", "R15", "r64"}, {"r15d", "R15", "r32"},
		{"r15w", "R15", "r16"}, {"r15b", "R15B", "r8"}, {"r9l", "R9B", "r8"}, {"xmm31", "X31", "xmm"}, {"ymm16", "Y16", "ymm"},
		{"zmm7", "Z7", "zmm"}, {"k7", "K7", "k"}, {"mm3", "M3", "mm"}, {"mmx3", "M3", "mm"}, {"st", "F0", "st"}, {"st7", "F7", "st"},
		{"fs", "FS", "sreg"}, {"cr8", "CR8", "cr"}, {"dr7", "DR7", "dr"}, {"RAX", "AX", "r64"}, {"Xmm1", "X1", "xmm"},
	} {
		t.Run(tt.intel, func(t *testing.T) {
			r, ok := LookupIntelReg(tt.intel)
			want, _ := LookupReg(tt.goName)
			if !ok || r.Reg != want || r.Class != tt.class {
				t.Errorf("%+v (%v), want %s %s", r, ok, tt.goName, tt.class)
			}
		})
	}
	// 16 GPRs × 4 widths, ah…bh, 32 × xmm/ymm/zmm, 8 × k/mm/st/dr, 16 cr,
	// 6 segment registers, r8l…r15l, mmx0…mmx7, st and rip.
	if len(intelRegs.byName) != 16*4+4+32*3+8*4+16+6+8+8+1+1 {
		t.Errorf("%d Intel register names: a Go register is missing from the generated table", len(intelRegs.byName))
	}
}

// TestIntelRegIDs checks the numbers of the registers against the names:
// every name in every case has the number of its register, which holds
// the register the name does and its class's code; two registers never
// share a number, and a register shares one only with its aliases.
func TestIntelRegIDs(t *testing.T) {
	LookupIntelReg("rax") // builds the table
	if n := len(intelRegs.byID); n > 256 || n < 2 {
		t.Fatalf("%d register numbers, want 1…255", n-1)
	}
	seen := map[IntelRegID]IntelReg{}
	for name, want := range intelRegs.byName {
		for _, spelled := range []string{name, strings.ToUpper(name), strings.ToUpper(name[:1]) + name[1:]} {
			id, ok := LookupIntelRegID(spelled)
			if ref := LookupIntelRegRef(spelled); ref != (IntelRegRef{Reg: want.Reg, ID: id, Code: id.ClassCode()}) || ref.Class() != want.Class || ref.Name() != want.Name {
				t.Errorf("LookupIntelRegRef(%q) = %+v, want %+v numbered %d", spelled, ref, want, id)
			}
			if !ok || id == 0 || id.IntelReg() != want || id.Reg() != want.Reg || id.Class() != want.Class || id.Name() != want.Name {
				t.Errorf("LookupIntelRegID(%q) = %d (%+v), %v; want %+v", spelled, id, id.IntelReg(), ok, want)
			}
			if code := id.ClassCode(); int(code) >= len(intelClassCodes) || intelClassCodes[code] != want.Class && !(code == 0 && want.Class == "rip") {
				t.Errorf("%s: class code %d, class %s", spelled, code, want.Class)
			}
			if prev, ok := seen[id]; ok && prev != want {
				t.Errorf("%s: number %d is %+v's too", spelled, id, prev)
			}
			seen[id] = want
		}
	}
	if len(seen) != len(intelRegs.byID)-1 {
		t.Errorf("%d numbers in use, %d made", len(seen), len(intelRegs.byID)-1)
	}
	for _, c := range []struct {
		class string
		code  uint8
	}{{"r8", IntelR8}, {"r64", IntelR64}, {"zmm", IntelZMM}, {"dr", IntelDR}, {"rip", 0}, {"m32", 0}, {"", 0}} {
		if got := IntelClassCode(c.class); got != c.code {
			t.Errorf("IntelClassCode(%q) = %d, want %d", c.class, got, c.code)
		}
	}
	for _, id := range []IntelRegID{0, IntelRegID(len(intelRegs.byID)), 255} {
		if id.IntelReg() != (IntelReg{}) || id.ClassCode() != 0 || id.Name() != "" {
			t.Errorf("number %d is %+v, code %d; want none", id, id.IntelReg(), id.ClassCode())
		}
	}
}

// FuzzLookupIntelRegID compares the lookup by packed name with the map
// it is made from, for any word.
func FuzzLookupIntelRegID(f *testing.F) {
	for _, s := range []string{"rax", "R8L", "st", "\u212a1", "xmm31", "xmm32", "", "eaxeaxeax", "r\u0131p"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		id, ok := LookupIntelRegID(name)
		want, inMap := intelRegs.byName[strings.ToLower(name)]
		if ok != inMap || id.IntelReg() != want {
			t.Errorf("LookupIntelRegID(%q) = %+v, %v; the map says %+v, %v", name, id.IntelReg(), ok, want, inMap)
		}
		if r, ok2 := LookupIntelReg(name); ok2 != ok || r != want {
			t.Errorf("LookupIntelReg(%q) = %+v, %v; want %+v, %v", name, r, ok2, want, ok)
		}
		if ref := LookupIntelRegRef(name); ref.ID != id || ref.Reg != want.Reg || ref.Code != IntelClassCode(want.Class) {
			t.Errorf("LookupIntelRegRef(%q) = %+v; want %+v numbered %d", name, ref, want, id)
		}
	})
}
