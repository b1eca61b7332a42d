package x86enc

import (
	"github.com/jitrun/jitrun/asm/internal/ir"
	"github.com/twitchyliquid64/golang-asm/obj"
	"github.com/twitchyliquid64/golang-asm/obj/x86"
)

// operandClasses are golang-asm's operand classes (asm6.go, oclass: Yal,
// Yrl, Yxr, Ym, Yi8, …) of the operands the encoder gives it, as numbers
// learned from golang-asm when go generate runs (tables_gen.go). The
// class of a Prog's From and To is the first thing golang-asm works out
// for an instruction, by a switch of some hundred cases, and it keeps it
// in the Prog (Prog.Ft, Prog.Tt) for when it assembles the Prog again:
// prog sets them from these tables, so that golang-asm finds them there.
// A class of 0 (Yxxx) is none: golang-asm then works it out itself.
type operandClasses struct {
	none uint8                // an absent operand (Ynone)
	reg  [x86.MAXREG]uint8    // a register, by number
	mem  uint8                // a memory operand that is not a vector index (Ym)
	imm  [immClassCount]uint8 // an integer constant, by immClassOf
}

// The kinds of integer constant golang-asm tells apart, in oclass's order:
// immClassOf returns one of them, and operandClasses.imm holds the class
// of each. immProbes are a value of each kind.
const (
	immZero = iota // 0: Yi0
	immOne         // 1: Yi1
	immU2          // 2, 3: Yu2
	immU7          // 4..127: Yu7
	immU8          // 128..255: Yu8
	immI8          // -128..-1: Yi8
	immS32         // other values of 32 bits signed: Ys32
	immU32         // other values of 32 bits unsigned: Yi32
	immI64         // the rest: Yi64
	immClassCount
)

var immProbes = [immClassCount]int64{0, 1, 2, 100, 200, -5, -1000, 1 << 31, 1 << 40}

// immClassOf returns the kind of integer constant v is: the switch of
// oclass's TYPE_CONST case, for amd64.
func immClassOf(v int64) int {
	switch {
	case v == 0:
		return immZero
	case v == 1:
		return immOne
	case v >= 0 && v <= 3:
		return immU2
	case v >= 0 && v <= 127:
		return immU7
	case v >= 0 && v <= 255:
		return immU8
	case v >= -128 && v <= 127:
		return immI8
	case int64(int32(v)) == v:
		return immS32
	case v>>32 == 0:
		return immU32
	}
	return immI64
}

// of returns the class golang-asm gives a, an operand prog made, or 0
// when these tables do not know it.
func (c *operandClasses) of(a *obj.Addr) uint8 {
	switch a.Type {
	case obj.TYPE_NONE:
		return c.none
	case obj.TYPE_REG:
		if uint(a.Reg) < uint(len(c.reg)) {
			return c.reg[a.Reg]
		}
	case obj.TYPE_CONST:
		if a.Sym == nil {
			return c.imm[immClassOf(a.Offset)]
		}
	case obj.TYPE_MEM:
		// oclass: an index that is not a general-purpose register other
		// than SP makes another class (a vector index) or none; a symbol
		// takes no base, index or scale.
		if a.Index != x86.REG_NONE && (!isGPR(ir.Reg(a.Index)) || a.Index == x86.REG_SP) {
			return 0
		}
		switch a.Name {
		case obj.NAME_NONE:
			return c.mem
		case obj.NAME_EXTERN, obj.NAME_STATIC:
			if a.Reg == x86.REG_NONE && a.Index == x86.REG_NONE && a.Scale == 0 {
				return c.mem
			}
		}
	}
	return 0
}
