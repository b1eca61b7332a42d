package ir

import "testing"

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
