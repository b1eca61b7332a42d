package ir

import (
	"fmt"
	"strings"
)

// FormatInst writes an instruction in Go syntax, for listings.
func FormatInst(in *Inst) string {
	s := in.Op
	if in.Suffix != "" {
		s += "." + in.Suffix
	}
	for i, a := range in.Args {
		if i == 0 {
			s += " "
		} else {
			s += ", "
		}
		s += FormatOperand(a)
	}
	return s
}

// FormatOperand writes an operand in Go syntax.
func FormatOperand(a Operand) string {
	switch a.Kind {
	case RegOperand:
		return a.Reg.String()
	case ImmOperand:
		return fmt.Sprintf("$%d", a.Imm)
	case FloatOperand:
		return fmt.Sprintf("$(%v)", a.Float)
	case StringOperand:
		return fmt.Sprintf("$%q", a.String)
	case MemOperand:
		return DescribeMem(a)
	case AddrOperand:
		return "$" + DescribeMem(a)
	case LabelOperand:
		if a.Sym == "" {
			return fmt.Sprintf("%d(PC)", a.Disp)
		}
		return a.Sym
	case RegListOperand:
		return fmt.Sprintf("[%s-%s]", a.Reg, a.RegHi)
	}
	return "?"
}

// DescribeMem writes a memory operand back in Go syntax, for messages. A
// PC-relative displacement is written as go tool objdump shows one,
// 16(IP), and a segment override with both a base and an index, which Go
// syntax cannot write, as FS:8(AX)(BX*1).
func DescribeMem(a Operand) string {
	var b strings.Builder
	if a.Seg != 0 && a.Index != 0 {
		b.WriteString(a.Seg.String() + ":")
	}
	if a.PCRel {
		fmt.Fprintf(&b, "%d(IP)", a.Disp)
		return b.String()
	}
	if a.Sym != "" {
		b.WriteString(a.Sym)
		if a.Static {
			b.WriteString("<>")
		}
		if a.Disp != 0 {
			fmt.Fprintf(&b, "%+d", a.Disp)
		}
		b.WriteString("(SB)")
		return b.String()
	}
	if a.Disp != 0 || (a.Reg == 0 && a.Index == 0) {
		fmt.Fprintf(&b, "%d", a.Disp)
	}
	switch {
	case a.Seg != 0 && a.Reg == 0 && a.Index == 0:
		fmt.Fprintf(&b, "(%s)", a.Seg)
	case a.Reg != 0:
		fmt.Fprintf(&b, "(%s)", a.Reg)
	}
	switch {
	case a.Index != 0:
		fmt.Fprintf(&b, "(%s*%d)", a.Index, a.Scale)
	case a.Seg != 0 && a.Reg != 0:
		fmt.Fprintf(&b, "(%s*1)", a.Seg)
	}
	return b.String()
}

// DescribeArgs names the kinds of an instruction's operands, for the
// "no form takes these operands" message: (AX, memory, $imm).
func DescribeArgs(in *Inst) string {
	if len(in.Args) == 0 {
		return "no operands"
	}
	parts := make([]string, len(in.Args))
	for i, a := range in.Args {
		switch a.Kind {
		case RegOperand:
			parts[i] = a.Reg.String()
		case ImmOperand:
			parts[i] = "$imm"
		case FloatOperand:
			parts[i] = "$float"
		case MemOperand:
			parts[i] = "memory"
		case AddrOperand:
			parts[i] = "$address"
		case LabelOperand:
			parts[i] = "label"
		case RegListOperand:
			parts[i] = "register range"
		default:
			parts[i] = "?"
		}
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// FmtImm writes an integer in hexadecimal with its sign, as go tool asm's
// messages do: 0x1f, -0x80.
func FmtImm(v int64) string {
	if v < 0 {
		return fmt.Sprintf("-%#x", uint64(-v))
	}
	return fmt.Sprintf("%#x", v)
}
