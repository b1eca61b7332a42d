package inteltab

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/jitrun/jitrun/asm/internal/ir"
	"golang.org/x/arch/x86/x86asm"
)

// operand is one Intel operand of an instruction to render: a register, a
// memory reference or an immediate, or a literal text (a fixed register).
type operand struct {
	reg     x86asm.Reg
	mem     *x86asm.Mem
	imm     int64
	isImm   bool
	literal string
	// omitSize leaves out a memory operand's size keyword.
	omitSize bool
}

// instance is one instruction of a form, ready to be written as text.
type instance struct {
	form     *Form
	ops      []operand // Intel order, one per form class
	mask     int       // opmask register (0: none)
	zeroing  bool
	rounding string // "rn-sae", "rd-sae", "ru-sae", "rz-sae", "sae" or ""
}

// sizeKeywords are the Intel size keywords by operand size in bits.
var sizeKeywords = map[int]string{
	8: "byte", 16: "word", 32: "dword", 48: "fword", 64: "qword", 80: "tbyte",
	128: "xmmword", 256: "ymmword", 512: "zmmword",
}

// spelling selects how memory sizes are written.
type spelling uint8

const (
	spellGNU  spelling = iota // dword ptr [rax]: GNU as (.intel_syntax noprefix), objdump, XED
	spellNASM                 // dword [rax]: NASM
)

func isMemClass(c string) bool {
	return (strings.HasPrefix(c, "m") && c != "mm") || strings.HasPrefix(c, "vm") || (strings.HasPrefix(c, "b") && strings.Contains(c, ":"))
}

// render writes an instance as one line of Intel syntax.
func (in *instance) render(sp spelling) string {
	var args []string
	for i, o := range in.ops {
		c := in.form.Classes[i]
		var s string
		switch {
		case o.literal != "":
			s = o.literal
			if strings.HasPrefix(s, "st") && sp == spellGNU {
				s = "st(" + s[2:] + ")"
			}
		case o.isImm:
			s = fmtImm(o.imm)
		case o.mem != nil:
			s = renderMem(*o.mem, c, sp, o.omitSize)
		default:
			s = intelRegName(o.reg)
			if o.reg >= x86asm.F0 && o.reg <= x86asm.F7 && sp == spellGNU {
				s = "st(" + s[2:] + ")"
			}
		}
		if i == 0 {
			if in.mask != 0 {
				s += "{k" + strconv.Itoa(in.mask) + "}"
			}
			if in.zeroing {
				s += "{z}"
			}
		}
		args = append(args, s)
	}
	if in.rounding != "" {
		// After the last register or memory operand, before immediates, as
		// GNU as and NASM both take it.
		at := len(args)
		for at > 0 && in.ops[at-1].isImm {
			at--
		}
		args = append(args[:at], append([]string{"{" + in.rounding + "}"}, args[at:]...)...)
	}
	if len(args) == 0 {
		return in.form.Mnem
	}
	return in.form.Mnem + " " + strings.Join(args, ", ")
}

func renderMem(m x86asm.Mem, class string, sp spelling, omitSize bool) string {
	var b strings.Builder
	if kw := sizeKeywords[ir.IntelClassBits(class)]; kw != "" && !omitSize {
		b.WriteString(kw)
		if sp == spellGNU {
			b.WriteString(" ptr")
		}
		b.WriteByte(' ')
	}
	b.WriteByte('[')
	plus := ""
	if m.Base != 0 {
		b.WriteString(intelRegName(m.Base))
		plus = "+"
	}
	if m.Index != 0 {
		b.WriteString(plus + intelRegName(m.Index) + "*" + strconv.Itoa(int(m.Scale)))
		plus = "+"
	}
	switch {
	case m.Disp < 0:
		b.WriteString(fmt.Sprintf("-%#x", uint64(-m.Disp)))
	case m.Disp > 0 || plus == "":
		b.WriteString(fmt.Sprintf("%s%#x", plus, m.Disp))
	}
	b.WriteByte(']')
	if strings.HasPrefix(class, "b") {
		_, n, _ := strings.Cut(class, ":")
		b.WriteString("{1to" + n + "}")
	}
	return b.String()
}

func fmtImm(v int64) string {
	if v < 0 {
		return fmt.Sprintf("-%#x", uint64(-v))
	}
	return fmt.Sprintf("%#x", v)
}
