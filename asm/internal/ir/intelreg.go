package ir

import (
	"strconv"
	"strings"
	"sync"
)

// IntelReg is a register as Intel syntax names it: the Go register, its
// operand class (r8 r16 r32 r64 xmm ymm zmm k mm st sreg cr dr, or rip) and
// its canonical Intel name (lower case).
type IntelReg struct {
	Reg   Reg
	Class string
	Name  string
}

// intelRegs is built once, on first use, and never written afterwards.
var intelRegs struct {
	once   sync.Once
	byName map[string]IntelReg
	table  *nameTable[IntelReg] // byName for the lookups (nametab.go)
}

// LookupIntelReg returns the register with an Intel name, in any case.
func LookupIntelReg(name string) (IntelReg, bool) {
	intelRegs.once.Do(buildIntelRegs)
	if r, found, packed := intelRegs.table.lookup(name); packed {
		return r, found
	}
	r, ok := intelRegs.byName[strings.ToLower(name)]
	return r, ok
}

func buildIntelRegs() {
	m := map[string]IntelReg{}
	add := func(name, goName, class string) {
		// Every name is in the generated register table (TestIntelRegisters).
		if r, ok := LookupReg(goName); ok {
			m[name] = IntelReg{Reg: r, Class: class, Name: name}
		}
	}
	legacy := []string{"ax", "cx", "dx", "bx", "sp", "bp", "si", "di"}
	goLegacy := []string{"AX", "CX", "DX", "BX", "SP", "BP", "SI", "DI"}
	byteLow := []string{"al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil"}
	goByteLow := []string{"AL", "CL", "DL", "BL", "SPB", "BPB", "SIB", "DIB"}
	for i, n := range legacy {
		add("r"+n, goLegacy[i], "r64")
		add("e"+n, goLegacy[i], "r32")
		add(n, goLegacy[i], "r16")
		add(byteLow[i], goByteLow[i], "r8")
	}
	for _, n := range []string{"ah", "ch", "dh", "bh"} {
		add(n, strings.ToUpper(n), "r8")
	}
	for i := 8; i < 16; i++ {
		n, g := "r"+strconv.Itoa(i), "R"+strconv.Itoa(i)
		add(n, g, "r64")
		add(n+"d", g, "r32")
		add(n+"w", g, "r16")
		add(n+"b", g+"B", "r8")
	}
	for i := 0; i < 32; i++ {
		s := strconv.Itoa(i)
		add("xmm"+s, "X"+s, "xmm")
		add("ymm"+s, "Y"+s, "ymm")
		add("zmm"+s, "Z"+s, "zmm")
	}
	for i := 0; i < 8; i++ {
		s := strconv.Itoa(i)
		add("k"+s, "K"+s, "k")
		add("mm"+s, "M"+s, "mm")
		add("st"+s, "F"+s, "st")
		add("dr"+s, "DR"+s, "dr")
	}
	for i := 0; i < 16; i++ {
		s := strconv.Itoa(i)
		add("cr"+s, "CR"+s, "cr")
	}
	for _, s := range []string{"es", "cs", "ss", "ds", "fs", "gs"} {
		add(s, strings.ToUpper(s), "sreg")
	}
	// Other spellings: NASM's r8l…r15l, x86asm's mmx0…mmx7, st for st0.
	for i := 8; i < 16; i++ {
		m["r"+strconv.Itoa(i)+"l"] = m["r"+strconv.Itoa(i)+"b"]
	}
	for i := 0; i < 8; i++ {
		m["mmx"+strconv.Itoa(i)] = m["mm"+strconv.Itoa(i)]
	}
	m["st"] = m["st0"]
	m["rip"] = IntelReg{Class: "rip", Name: "rip"}
	intelRegs.byName = m
	intelRegs.table = newNameTable(m, true)
}

// IntelRegName is the Intel name of a register, the 64-bit one for a
// general-purpose register.
func IntelRegName(r Reg) string {
	intelRegs.once.Do(buildIntelRegs)
	best := ""
	for name, x := range intelRegs.byName {
		if x.Reg != r || x.Name != name {
			continue
		}
		// Prefer the 64-bit name, then the shortest, then the first in
		// order (for a stable choice among aliases).
		if best == "" || x.Class == "r64" && intelRegs.byName[best].Class != "r64" ||
			(x.Class == "r64") == (intelRegs.byName[best].Class == "r64") && (len(name) < len(best) || len(name) == len(best) && name < best) {
			best = name
		}
	}
	if best == "" {
		return strings.ToLower(r.String())
	}
	return best
}

// IntelClassBits returns the size in bits an Intel memory operand class
// names (m32 → 32, b32:16 → 32, vm64y → 64), or 0 for any other class.
// The classes are those of the Intel form table and IntelReg.Class.
func IntelClassBits(c string) int {
	switch {
	case strings.HasPrefix(c, "vm"):
		n, _ := strconv.Atoi(c[2 : len(c)-1])
		return n
	case strings.HasPrefix(c, "b"):
		elt, _, _ := strings.Cut(c[1:], ":")
		n, _ := strconv.Atoi(elt)
		return n
	case strings.HasPrefix(c, "m") && c != "mm":
		n, _ := strconv.Atoi(c[1:])
		return n
	}
	return 0
}

// IntelGPR returns the general-purpose register of r's family (rax, eax,
// ax, al are one family; so are r8, r8d, r8w, r8b) that has the given
// size in bits. A high-byte register (ah, bh, ch, dh) has no other size.
func IntelGPR(r Reg, bits int) (IntelReg, bool) {
	var target Reg
	switch {
	case AL <= r && r <= R15B:
		target = AX + (r - AL)
	case AX <= r && r <= R15:
		target = r
	case AH <= r && r <= BH && bits == 8:
		target = r
	default:
		return IntelReg{}, false
	}
	if bits == 8 && target >= AX && target <= R15 {
		target = AL + (target - AX)
	}
	class := "r" + strconv.Itoa(bits)
	intelRegs.once.Do(buildIntelRegs)
	best := IntelReg{}
	for name, x := range intelRegs.byName {
		if x.Reg == target && x.Class == class && x.Name == name && (best.Name == "" || name < best.Name) {
			best = x
		}
	}
	return best, best.Name != ""
}
