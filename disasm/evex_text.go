package disasm

import (
	"fmt"
	"regexp"
	"strings"

	"golang.org/x/arch/x86/x86asm"

	"github.com/jitrun/jitrun/asm"
)

// The text of AVX-512 instructions, where x86asm's printers get it wrong
// in ways evex.go finds in the decoding or that are plain in the text.

// kOperandOps are the AVX-512 instructions whose second operand is a k
// register, not an opmask: x86asm's Intel and AT&T printers take any k
// register there for the opmask and print vpmovm2d xmm4 {k4}.
var kOperandOps = lazyOpSet(kOperandNames)

const kOperandNames = `VPMOVM2B VPMOVM2W VPMOVM2D VPMOVM2Q VPBROADCASTMB2Q VPBROADCASTMW2D`

// prefetchOps are the AVX512PF gather and scatter prefetches, whose one
// operand x86asm's Intel printer puts after the opmask: vgatherpf0dpd
// {k5}, qword ptr [r10+8*ymm29].
var prefetchOps = lazyOpSet(prefetchNames)

const prefetchNames = `
	VGATHERPF0DPD VGATHERPF0DPS VGATHERPF0QPD VGATHERPF0QPS VGATHERPF1DPD VGATHERPF1DPS VGATHERPF1QPD VGATHERPF1QPS
	VSCATTERPF0DPD VSCATTERPF0DPS VSCATTERPF0QPD VSCATTERPF0QPS VSCATTERPF1DPD VSCATTERPF1DPS VSCATTERPF1QPD VSCATTERPF1QPS
`

var (
	roundingText   = regexp.MustCompile(`\{r[nduz]-sae\}`)
	roundingSuffix = regexp.MustCompile(`\.R[NDUZ]_SAE\b`)
	broadcastText  = regexp.MustCompile(`\{1to[0-9]+\}`)
)

// evexText corrects x86asm's text of an AVX-512 instruction where
// evex.go found it wrong: {sae} for a rounding mode, the element count of
// a broadcast, a k register operand shown as an opmask, and the opmask of
// a prefetch printed before its operand.
func evexText(s asm.Syntax, text string, d decoded) string {
	inst := d.inst
	if d.sae {
		if s == asm.SyntaxGo {
			text = roundingSuffix.ReplaceAllString(text, ".SAE")
		} else {
			text = roundingText.ReplaceAllString(text, "{sae}")
		}
	}
	if inst.SAE && s != asm.SyntaxGo {
		text = placeRounding(s, text, inst)
	}
	if d.bcst > 0 && s != asm.SyntaxGo {
		// Go syntax writes a broadcast as .BCST, with no count.
		end := "]"
		if s == asm.SyntaxATT {
			end = ")"
		}
		text = broadcastText.ReplaceAllString(text, "")
		if i := strings.Index(text, end); i >= 0 {
			text = text[:i+1] + fmt.Sprintf("{1to%d}", d.bcst) + text[i+1:]
		}
	}
	if kOperandOps()[inst.Op] && s != asm.SyntaxGo {
		dst, dok := inst.Args[0].(x86asm.Reg)
		k, kok := inst.Args[1].(x86asm.Reg)
		if dok && kok {
			op, _, _ := strings.Cut(text, " ")
			if s == asm.SyntaxIntel {
				return op + " " + vectorRegName(dst) + ", " + vectorRegName(k)
			}
			return op + " %" + vectorRegName(k) + ",%" + vectorRegName(dst)
		}
	}
	if prefetchOps()[inst.Op] && s == asm.SyntaxIntel {
		op, rest, _ := strings.Cut(text, " ")
		if mask, mem, ok := strings.Cut(rest, ", "); ok && strings.HasPrefix(mask, "{k") {
			return op + " " + mem + " " + mask
		}
	}
	return text
}

// gprRoundingOps are the conversions from a general-purpose register
// whose rounding mode GNU as takes after that register in AT&T syntax:
// vcvtsi2sd %rax,{rd-sae},%xmm2,%xmm1.
var gprRoundingOps = lazyOpSet(gprRoundingNames)

const gprRoundingNames = `VCVTSI2SD VCVTSI2SS VCVTUSI2SD VCVTUSI2SS`

// placeRounding moves the {sae} or rounding-mode operand x86asm prints
// last (Intel) or first (AT&T) to where GNU as takes it: before an
// immediate in Intel syntax (vgetmantps zmm1, zmm2, {sae}, 0x3), after it
// in AT&T syntax (vgetmantps $0x3,{sae},%zmm2,%zmm1), and after the
// general-purpose register of vcvtsi2sd in AT&T syntax.
func placeRounding(s asm.Syntax, text string, inst x86asm.Inst) string {
	op, rest, ok := strings.Cut(text, " ")
	if !ok {
		return text
	}
	if s == asm.SyntaxIntel {
		args := strings.Split(rest, ", ")
		n := len(args)
		if n >= 3 && strings.HasPrefix(args[n-1], "{") && isImmediate(args[n-2]) {
			args[n-2], args[n-1] = args[n-1], args[n-2]
		}
		return op + " " + strings.Join(args, ", ")
	}
	args := strings.Split(rest, ",")
	if len(args) >= 2 && strings.HasPrefix(args[0], "{") &&
		(strings.HasPrefix(args[1], "$") || gprRoundingOps()[inst.Op] && isGPRName(args[1])) {
		args[0], args[1] = args[1], args[0]
	}
	return op + " " + strings.Join(args, ",")
}

// isImmediate reports whether an Intel operand is a number.
func isImmediate(arg string) bool {
	arg = strings.TrimPrefix(arg, "-")
	return arg != "" && arg[0] >= '0' && arg[0] <= '9'
}

// isGPRName reports whether an AT&T operand is a general-purpose register.
func isGPRName(arg string) bool {
	return strings.HasPrefix(arg, "%r") || strings.HasPrefix(arg, "%e")
}

// vectorRegName is the Intel name of a vector or opmask register: xmm4,
// ymm17, zmm31, k4 (the AT&T name without its %).
func vectorRegName(r x86asm.Reg) string {
	switch {
	case x86asm.X0 <= r && r <= x86asm.X31:
		return fmt.Sprintf("xmm%d", r-x86asm.X0)
	case x86asm.Y0 <= r && r <= x86asm.Y31:
		return fmt.Sprintf("ymm%d", r-x86asm.Y0)
	case x86asm.Z0 <= r && r <= x86asm.Z31:
		return fmt.Sprintf("zmm%d", r-x86asm.Z0)
	case x86asm.K0 <= r && r <= x86asm.K7:
		return fmt.Sprintf("k%d", r-x86asm.K0)
	}
	return strings.ToLower(r.String())
}
