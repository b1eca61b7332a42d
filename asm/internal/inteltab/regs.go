package inteltab

import (
	"strconv"
	"strings"

	"golang.org/x/arch/x86/x86asm"
)

// regID is a register's identity whatever its width: a class letter and a
// number. General-purpose registers of every width share class 'g' (AL, AX,
// EAX and RAX are all g0); AH…BH are class 'h'.
type regID struct {
	class byte
	n     int
}

var goGPR = []string{"AX", "CX", "DX", "BX", "SP", "BP", "SI", "DI", "R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15"}
var goByte = []string{"AL", "CL", "DL", "BL", "SPB", "BPB", "SIB", "DIB", "R8B", "R9B", "R10B", "R11B", "R12B", "R13B", "R14B", "R15B"}
var goHigh = []string{"AH", "CH", "DH", "BH"}
var goSeg = []string{"ES", "CS", "SS", "DS", "FS", "GS"}

// goRegID returns the identity of a Go-syntax register name.
func goRegID(name string) (regID, bool) {
	for i, n := range goGPR {
		if n == name {
			return regID{'g', i}, true
		}
	}
	for i, n := range goByte {
		if n == name {
			return regID{'g', i}, true
		}
	}
	for i, n := range goHigh {
		if n == name {
			return regID{'h', i}, true
		}
	}
	for i, n := range goSeg {
		if n == name {
			return regID{'s', i}, true
		}
	}
	for _, p := range []struct {
		prefix string
		class  byte
	}{{"CR", 'c'}, {"DR", 'd'}, {"X", 'x'}, {"Y", 'y'}, {"Z", 'z'}, {"K", 'k'}, {"M", 'm'}, {"F", 'f'}} {
		if rest, ok := strings.CutPrefix(name, p.prefix); ok {
			if n, err := strconv.Atoi(rest); err == nil {
				return regID{p.class, n}, true
			}
		}
	}
	return regID{}, false
}

// intelRegID returns the identity of an x86asm register and its Intel
// operand class (r8, r16, r32, r64, xmm, ymm, zmm, k, mm, st, sreg, cr, dr).
func intelRegID(r x86asm.Reg) (regID, string, bool) {
	switch {
	case r >= x86asm.AL && r <= x86asm.BL:
		return regID{'g', int(r - x86asm.AL)}, "r8", true
	case r >= x86asm.AH && r <= x86asm.BH:
		return regID{'h', int(r - x86asm.AH)}, "r8", true
	case r >= x86asm.SPB && r <= x86asm.R15B:
		return regID{'g', 4 + int(r-x86asm.SPB)}, "r8", true
	case r >= x86asm.AX && r <= x86asm.R15W:
		return regID{'g', int(r - x86asm.AX)}, "r16", true
	case r >= x86asm.EAX && r <= x86asm.R15L:
		return regID{'g', int(r - x86asm.EAX)}, "r32", true
	case r >= x86asm.RAX && r <= x86asm.R15:
		return regID{'g', int(r - x86asm.RAX)}, "r64", true
	case r >= x86asm.F0 && r <= x86asm.F7:
		return regID{'f', int(r - x86asm.F0)}, "st", true
	case r >= x86asm.M0 && r <= x86asm.M7:
		return regID{'m', int(r - x86asm.M0)}, "mm", true
	case r >= x86asm.X0 && r <= x86asm.X31:
		return regID{'x', int(r - x86asm.X0)}, "xmm", true
	case r >= x86asm.Y0 && r <= x86asm.Y31:
		return regID{'y', int(r - x86asm.Y0)}, "ymm", true
	case r >= x86asm.Z0 && r <= x86asm.Z31:
		return regID{'z', int(r - x86asm.Z0)}, "zmm", true
	case r >= x86asm.K0 && r <= x86asm.K7:
		return regID{'k', int(r - x86asm.K0)}, "k", true
	case r >= x86asm.ES && r <= x86asm.GS:
		return regID{'s', int(r - x86asm.ES)}, "sreg", true
	case r >= x86asm.CR0 && r <= x86asm.CR15:
		return regID{'c', int(r - x86asm.CR0)}, "cr", true
	case r >= x86asm.DR0 && r <= x86asm.DR15:
		return regID{'d', int(r - x86asm.DR0)}, "dr", true
	}
	return regID{}, "", false
}

// intelRegName is the Intel name of an x86asm register, as NASM and GNU as
// spell it.
func intelRegName(r x86asm.Reg) string {
	switch {
	case r >= x86asm.R8B && r <= x86asm.R15B:
		return "r" + strconv.Itoa(8+int(r-x86asm.R8B)) + "b"
	case r >= x86asm.R8W && r <= x86asm.R15W:
		return "r" + strconv.Itoa(8+int(r-x86asm.R8W)) + "w"
	case r >= x86asm.R8L && r <= x86asm.R15L:
		return "r" + strconv.Itoa(8+int(r-x86asm.R8L)) + "d"
	case r == x86asm.SPB:
		return "spl"
	case r == x86asm.BPB:
		return "bpl"
	case r == x86asm.SIB:
		return "sil"
	case r == x86asm.DIB:
		return "dil"
	case r >= x86asm.F0 && r <= x86asm.F7:
		return "st" + strconv.Itoa(int(r-x86asm.F0))
	case r >= x86asm.M0 && r <= x86asm.M7:
		return "mm" + strconv.Itoa(int(r-x86asm.M0))
	case r >= x86asm.X0 && r <= x86asm.X31:
		return "xmm" + strconv.Itoa(int(r-x86asm.X0))
	case r >= x86asm.Y0 && r <= x86asm.Y31:
		return "ymm" + strconv.Itoa(int(r-x86asm.Y0))
	case r >= x86asm.Z0 && r <= x86asm.Z31:
		return "zmm" + strconv.Itoa(int(r-x86asm.Z0))
	}
	return strings.ToLower(r.String())
}
