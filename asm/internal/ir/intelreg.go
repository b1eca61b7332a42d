package ir

import (
	"slices"
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

// IntelRegID numbers the registers LookupIntelReg finds, from 1 (0 is
// no register): a name and its aliases (r8b, r8l) have one number. A
// parser that reads many registers keeps the number, one byte, and reads
// the register's Go register, class and name from it when it needs them.
type IntelRegID uint8

// Codes of the register classes (IntelRegID.ClassCode), from 1 in the
// order IntelReg.Class lists them; rip has none (0).
const (
	IntelR8 = 1 + iota
	IntelR16
	IntelR32
	IntelR64
	IntelXMM
	IntelYMM
	IntelZMM
	IntelK
	IntelMM
	IntelST
	IntelSreg
	IntelCR
	IntelDR
)

// intelClassCodes are the classes by code.
var intelClassCodes = [...]string{"", "r8", "r16", "r32", "r64", "xmm", "ymm", "zmm", "k", "mm", "st", "sreg", "cr", "dr"}

// intelRegs is built once, on first use, and never written afterwards.
var intelRegs struct {
	once   sync.Once
	byName map[string]IntelReg
	// byID are the registers by number (byID[0] is none), codes their
	// class codes; refByName holds the names of byName by number, refs
	// is refByName for the lookups (nametab.go), held here rather than
	// behind a pointer: a lookup reads its arrays at fixed addresses.
	byID      []IntelReg
	codes     []uint8
	refByName map[string]IntelRegRef
	refs      IntelRegTable
}

// LookupIntelReg returns the register with an Intel name, in any case.
func LookupIntelReg(name string) (IntelReg, bool) {
	id, ok := LookupIntelRegID(name)
	return intelRegs.byID[id], ok
}

// LookupIntelRegID returns the number of the register with an Intel
// name, in any case: LookupIntelReg, as a number.
func LookupIntelRegID(name string) (IntelRegID, bool) {
	r := LookupIntelRegRef(name)
	return r.ID, r.ID != 0
}

// IntelRegRef is a register as a parser keeps it in an operand: its Go
// register, its number and the code of its class, in four bytes. The
// zero IntelRegRef is no register.
type IntelRegRef struct {
	Reg  Reg
	ID   IntelRegID
	Code uint8 // ID.ClassCode()
}

// LookupIntelRegRef returns the register with an Intel name, in any
// case, the zero IntelRegRef for a name of none: LookupIntelRegID with
// what an operand reads of the register.
func LookupIntelRegRef(name string) IntelRegRef {
	intelRegs.once.Do(buildIntelRegs)
	if k, ok := packName(name, true); ok {
		return intelRegs.refs.LookupPacked(k)
	}
	return intelRegs.refByName[strings.ToLower(name)]
}

// IntelRegs returns the Intel registers' table, made on first use and
// only read afterwards: LookupPacked is LookupIntelRegRef of a name of 1
// to 8 ASCII bytes other than 0, packed (its bytes in lower case, the
// first lowest in the word), so that a reader that packs a word as it
// scans it looks the word up without reading it again.
func IntelRegs() *IntelRegTable {
	intelRegs.once.Do(buildIntelRegs)
	return &intelRegs.refs
}

// Class is the register's class (IntelReg.Class), "" for none.
func (r IntelRegRef) Class() string { return r.ID.Class() }

// Name is the register's canonical Intel name, "" for none.
func (r IntelRegRef) Name() string { return r.ID.Name() }

// Reg is the Go register of the register numbered id (0 for rip and for
// none).
func (id IntelRegID) Reg() Reg { return id.IntelReg().Reg }

// Class is the class of the register numbered id, "" for none.
func (id IntelRegID) Class() string { return id.IntelReg().Class }

// Name is the canonical Intel name of the register numbered id, "" for
// none.
func (id IntelRegID) Name() string { return id.IntelReg().Name }

// IntelReg is the register numbered id, the zero IntelReg for none.
func (id IntelRegID) IntelReg() IntelReg {
	intelRegs.once.Do(buildIntelRegs)
	if int(id) >= len(intelRegs.byID) {
		return IntelReg{}
	}
	return intelRegs.byID[id]
}

// ClassCode is the code of the class of the register numbered id
// (IntelR8 … IntelDR), 0 for rip and for none.
func (id IntelRegID) ClassCode() uint8 {
	intelRegs.once.Do(buildIntelRegs)
	if int(id) >= len(intelRegs.codes) {
		return 0
	}
	return intelRegs.codes[id]
}

// IntelClassCode is the code of a register class (IntelR8 … IntelDR), 0
// for any other word.
func IntelClassCode(class string) uint8 {
	for i, c := range intelClassCodes[1:] {
		if c == class {
			return uint8(i + 1)
		}
	}
	return 0
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
	// Number the registers in the order of their names, so that the
	// numbers are the same in every run.
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	slices.Sort(names)
	intelRegs.byID, intelRegs.codes = []IntelReg{{}}, []uint8{0}
	intelRegs.refByName = make(map[string]IntelRegRef, len(m))
	idOf := map[IntelReg]IntelRegID{}
	for _, name := range names {
		r := m[name]
		id, ok := idOf[r]
		if !ok {
			// Fewer than 256 registers (TestIntelRegIDs).
			id = IntelRegID(len(intelRegs.byID))
			idOf[r] = id
			intelRegs.byID = append(intelRegs.byID, r)
			intelRegs.codes = append(intelRegs.codes, IntelClassCode(r.Class))
		}
		intelRegs.refByName[name] = IntelRegRef{Reg: r.Reg, ID: id, Code: intelRegs.codes[id]}
	}
	// Every name finds its register there (TestIntelRegTable).
	intelRegs.refs.fill(intelRegs.refByName)
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
