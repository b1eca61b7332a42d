package ir

import "github.com/twitchyliquid64/golang-asm/obj/x86"

// Reg is an x86-64 register by its Go-syntax identity (AX, R8, X3, Y7, Z31,
// K1, …). Widths of general-purpose registers are implied by the mnemonic
// in Go syntax (ADDL AX, BX adds EAX to EBX), so there is one Reg per
// architectural register, plus AL…R15B and AH…BH for byte registers.
// The zero Reg means "no register". Registers are numbered as golang-asm
// numbers them (obj/x86).
type Reg int16

// String returns the Go-syntax name, or "NONE" for the zero Reg.
func (r Reg) String() string {
	if i := int(r) - x86.REG_AL; i >= 0 && i < len(x86.Register) && r < x86.MAXREG {
		return x86.Register[i]
	}
	return "NONE"
}

// regByName maps every Go-syntax register name to its Reg. It is built once
// from golang-asm's register table and never written afterwards.
var regByName = func() map[string]Reg {
	m := make(map[string]Reg, len(x86.Register))
	for i, name := range x86.Register {
		if name == "MAXREG" { // the table's end marker, not a register
			continue
		}
		m[name] = Reg(x86.REG_AL + i)
	}
	return m
}()

// LookupReg returns the register with the given Go-syntax name (AX, R8,
// X0, Y31, Z7, K1, AL, R8B, AH, …); names are case-sensitive, as in
// `go tool asm`.
func LookupReg(name string) (Reg, bool) {
	if r, found, packed := regTable.lookup(name); packed {
		return r, found
	}
	r, ok := regByName[name]
	return r, ok
}

// regTable is regByName for the lookups (nametab.go).
var regTable = newNameTable(regByName, false)

// Regs calls f for every register with its Go-syntax name.
func Regs(f func(name string, r Reg)) {
	for name, r := range regByName {
		f(name, r)
	}
}
