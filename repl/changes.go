package repl

import (
	"fmt"

	"github.com/jitrun/jitrun/internal/lanes"
	"github.com/jitrun/jitrun/trampoline"
)

// ChangeKind says what a Change is of.
type ChangeKind int

const (
	GPR     ChangeKind = iota // a general register (Reg)
	Flags                     // RFLAGS (FlagBits lists the bits that changed)
	Vector                    // a vector register, at the width its old and new values need
	Opmask                    // k0–k7
	Control                   // MXCSR or the x87 control word
)

// Change is one register a line changed, old and new.
type Change struct {
	Kind ChangeKind
	Name string         // rax, rflags, xmm0/ymm0/zmm0, k1, mxcsr, x87cw
	Reg  trampoline.Reg // for GPR
	// Old and New are the values of a GPR, RFLAGS, an opmask or a
	// control register.
	Old, New uint64
	// OldVec and NewVec are a vector register's bytes (memory order), 16,
	// 32 or 64 of them.
	OldVec, NewVec []byte
}

// GPROrder is the order registers are listed in, as debuggers list
// them.
var GPROrder = [16]trampoline.Reg{
	trampoline.RAX, trampoline.RBX, trampoline.RCX, trampoline.RDX,
	trampoline.RSI, trampoline.RDI, trampoline.RBP, trampoline.RSP,
	trampoline.R8, trampoline.R9, trampoline.R10, trampoline.R11,
	trampoline.R12, trampoline.R13, trampoline.R14, trampoline.R15,
}

// FlagBit is a bit of RFLAGS with its name.
type FlagBit struct {
	Name string
	Bit  uint
}

// ArithFlags are the status flags and DF, each shown on its own; other
// bits are named when set (SystemFlags).
var ArithFlags = [...]FlagBit{{"CF", 0}, {"PF", 2}, {"AF", 4}, {"ZF", 6}, {"SF", 7}, {"DF", 10}, {"OF", 11}}

// SystemFlags are the system bits of RFLAGS.
var SystemFlags = [...]FlagBit{{"TF", 8}, {"IF", 9}, {"NT", 14}, {"RF", 16}, {"AC", 18}, {"ID", 21}}

// Changes lists what differs from before to after: the general
// registers (GPROrder), RFLAGS, the vector registers (xmm0–31 at the
// width they use), the opmask registers, MXCSR and the x87 control word.
func Changes(before, after *trampoline.Regs) []Change {
	var out []Change
	for _, r := range GPROrder {
		if o, n := before.GPR[r], after.GPR[r]; o != n {
			out = append(out, Change{Kind: GPR, Name: r.String(), Reg: r, Old: o, New: n})
		}
	}
	if before.RFLAGS != after.RFLAGS {
		out = append(out, Change{Kind: Flags, Name: "rflags", Old: before.RFLAGS, New: after.RFLAGS})
	}
	for i := range trampoline.VecRegs {
		o, n := before.Vec(i), after.Vec(i)
		if o == n {
			continue
		}
		w := max(lanes.Width(o[:]), lanes.Width(n[:]), 16)
		out = append(out, Change{Kind: Vector, Name: lanes.Name(i, w), OldVec: o[:w:w], NewVec: n[:w:w]})
	}
	bk, ak := before.Vector.Opmasks(), after.Vector.Opmasks()
	for i := range bk {
		if o, n := bk[i], ak[i]; o != n {
			out = append(out, Change{Kind: Opmask, Name: fmt.Sprintf("k%d", i), Old: o, New: n})
		}
	}
	if before.MXCSR != after.MXCSR {
		out = append(out, Change{Kind: Control, Name: "mxcsr", Old: uint64(before.MXCSR), New: uint64(after.MXCSR)})
	}
	if before.X87CW != after.X87CW {
		out = append(out, Change{Kind: Control, Name: "x87cw", Old: uint64(before.X87CW), New: uint64(after.X87CW)})
	}
	return out
}

// FlagChanges lists the ArithFlags and SystemFlags bits that differ
// between old and new RFLAGS values.
func FlagChanges(old, new uint64) []FlagBit {
	var out []FlagBit
	for _, f := range append(ArithFlags[:], SystemFlags[:]...) {
		if old>>f.Bit&1 != new>>f.Bit&1 {
			out = append(out, f)
		}
	}
	return out
}
