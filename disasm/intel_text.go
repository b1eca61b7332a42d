package disasm

import (
	"strings"

	"golang.org/x/arch/x86/x86asm"
)

// The Intel printer's text, put the way assemblers read it.

// x87Implicit lists the x87 instructions for which x86asm, following
// XED, prints implicit st0 (and st1) operands that no assembler accepts:
// fsqrt st0, fld st0, qword ptr [rax], fstp dword ptr [rbx], st0. It maps
// each to the text to remove when the instruction has the given number of
// decoded operands.
var x87Implicit = map[x86asm.Op]implicitST{}

type implicitST struct {
	args int    // decoded operands when x86asm adds the implicit ones
	drop string // what it adds
}

func init() {
	add := func(st implicitST, ops ...x86asm.Op) {
		for _, op := range ops {
			x87Implicit[op] = st
		}
	}
	add(implicitST{0, " st0"}, x86asm.FCHS, x86asm.FABS, x86asm.FTST, x86asm.FLDPI, x86asm.FLDL2E, x86asm.FLDLG2,
		x86asm.F2XM1, x86asm.FXAM, x86asm.FLD1, x86asm.FLDL2T, x86asm.FSQRT, x86asm.FRNDINT, x86asm.FCOS, x86asm.FSIN)
	add(implicitST{0, " st0, st1"}, x86asm.FPTAN, x86asm.FSINCOS, x86asm.FUCOMPP, x86asm.FCOMPP, x86asm.FYL2X,
		x86asm.FPATAN, x86asm.FXTRACT, x86asm.FPREM1, x86asm.FPREM, x86asm.FYL2XP1, x86asm.FSCALE)
	add(implicitST{1, ", st0"}, x86asm.FST, x86asm.FSTP, x86asm.FISTTP, x86asm.FIST, x86asm.FISTP, x86asm.FBSTP)
	add(implicitST{1, " st0,"}, x86asm.FLD, x86asm.FXCH, x86asm.FCOM, x86asm.FCOMP, x86asm.FIADD, x86asm.FIMUL,
		x86asm.FICOM, x86asm.FICOMP, x86asm.FISUBR, x86asm.FIDIV, x86asm.FUCOM, x86asm.FUCOMP, x86asm.FILD, x86asm.FBLD,
		x86asm.FADD, x86asm.FMUL, x86asm.FSUB, x86asm.FSUBR, x86asm.FISUB, x86asm.FDIV, x86asm.FDIVR, x86asm.FIDIVR)
}

// intelPrefixes puts back the prefixes x86asm's Intel printer leaves out
// or spells in a way no assembler reads: a CS, DS, ES or SS override on a
// memory operand (a no-op in 64-bit mode, but in the bytes of every padding
// NOP 66 2e 0f 1f 84 …), notrack (3e) on an indirect branch, and the
// branch hints hint-not-taken (2e) and hint-taken (3e), which become cs and
// ds.
func intelPrefixes(text string, inst x86asm.Inst) string {
	text = strings.Replace(text, "hint-not-taken ", "cs ", 1)
	text = strings.Replace(text, "hint-taken ", "ds ", 1)
	seg := ""
prefixes:
	for _, p := range inst.Prefix {
		if p == 0 {
			break
		}
		switch p & 0xff {
		case 0xc4, 0xc5, 0x62:
			// A VEX or EVEX prefix ends the legacy prefixes: the bytes
			// after it are its payload, not overrides.
			break prefixes
		case 0x2e:
			seg = "cs"
		case 0x3e:
			seg = "ds"
		case 0x26:
			seg = "es"
		case 0x36:
			seg = "ss"
		case 0x64, 0x65:
			seg = "" // fs and gs win, and x86asm prints them
		}
	}
	if seg == "" {
		return text
	}
	mems, indirect := 0, false
	for _, a := range inst.Args {
		switch a.(type) {
		case x86asm.Mem:
			mems++
			indirect = true
		case x86asm.Reg:
			indirect = true
		}
	}
	switch {
	case (inst.Op == x86asm.JMP || inst.Op == x86asm.CALL) && seg == "ds" && indirect:
		return "notrack " + text
	case mems == 1 && strings.Count(text, "[") == 1 && !strings.Contains(text, ":["):
		return strings.Replace(text, "[", seg+":[", 1)
	}
	return text
}

// tbyteOps are the x87 instructions with an 80-bit memory form, which
// x86asm decodes with MemBytes 0.
var tbyteOps = map[x86asm.Op]bool{x86asm.FLD: true, x86asm.FSTP: true, x86asm.FBLD: true, x86asm.FBSTP: true}

// sizeWords are the operand-size keywords that may precede "ptr".
var sizeWords = map[string]bool{
	"byte": true, "word": true, "dword": true, "qword": true, "tbyte": true, "fword": true,
	"mmword": true, "xmmword": true, "ymmword": true, "zmmword": true,
}

// stringOps are the string instructions, whose memory operands ([rdi],
// [rsi]) are implied by the mnemonic.
var stringOps = map[x86asm.Op]bool{
	x86asm.MOVSB: true, x86asm.MOVSW: true, x86asm.MOVSD: true, x86asm.MOVSQ: true,
	x86asm.STOSB: true, x86asm.STOSW: true, x86asm.STOSD: true, x86asm.STOSQ: true,
	x86asm.LODSB: true, x86asm.LODSW: true, x86asm.LODSD: true, x86asm.LODSQ: true,
	x86asm.SCASB: true, x86asm.SCASW: true, x86asm.SCASD: true, x86asm.SCASQ: true,
	x86asm.CMPSB: true, x86asm.CMPSW: true, x86asm.CMPSD: true, x86asm.CMPSQ: true,
}

// data16Names are the Intel names of instructions x86asm prints as
// "data16" plus the 32-bit name, where 66 selects the 16-bit form.
var data16Names = map[string]string{
	"data16 cbw": "cbw", "data16 cwd": "cwd", "data16 pushf": "pushfw", "data16 popf": "popfw",
	"data16 iret": "iretw", "data16 insw": "insw", "data16 outsw": "outsw",
}

// intelCleanup makes x86asm's Intel text something an Intel-syntax
// assembler reads back: no "ptr" without a size keyword before it
// (lea rax, ptr [rip+0x8]), but tbyte for an 80-bit operand (fld tbyte
// ptr [r13]); no register after a multi-byte NOP's memory
// operand (nop dword ptr [rax], eax), which XED prints and assemblers
// reject; no implicit x87 st0 (see x87Implicit); the 16-bit names of cbw,
// cwd, pushfw and the like, the size of a 16-bit push of an immediate, and
// no implied operands on string instructions (rep movsb).
func intelCleanup(text string, inst x86asm.Inst) string {
	var out strings.Builder
	for {
		i := strings.Index(text, "ptr ")
		if i < 0 {
			out.WriteString(text)
			break
		}
		before := text[:i]
		word := strings.TrimSpace(before[strings.LastIndexAny(strings.TrimRight(before, " "), " ,")+1:])
		switch {
		case (i == 0 || before[len(before)-1] == ' ') && !sizeWords[word] && tbyteOps[inst.Op] && inst.MemBytes == 0:
			// x86asm gives the 80-bit operand of fld, fstp, fbld and
			// fbstp no size; fld [r13] would be ambiguous.
			out.WriteString(before + "tbyte ptr ")
		case (i == 0 || before[len(before)-1] == ' ') && !sizeWords[word]:
			out.WriteString(before)
		default:
			out.WriteString(text[:i+4])
		}
		text = text[i+4:]
	}
	text = out.String()
	text = intelPrefixes(text, inst)
	for _, a := range inst.Args {
		if m, ok := a.(x86asm.Mem); ok && m.Base == x86asm.EIP {
			// x86asm prints EIP as RIP, and leaves out the 67 that
			// makes it EIP.
			text = strings.Replace(text, "[rip", "[eip", 1)
		}
	}
	if inst.Op == x86asm.NOP && argCount(inst) == 1 {
		// XED adds eax (or ax) to the one operand of 0F 1F: nop dx, ax
		// for 66 0F 1F C2, which assemblers reject.
		if i := strings.LastIndex(text, ", "); i >= 0 {
			text = text[:i]
		}
	}
	if inst.Op == x86asm.CMPSD_XMM {
		// x86asm's name, apart from the string instruction cmpsd.
		text = replaceWord(text, "cmpsd_xmm", "cmpsd")
	}
	if stringOps[inst.Op] && !strings.Contains(text, ":[") && !strings.Contains(text, "[e") {
		// rep movsb, not rep movsb byte ptr [rdi], byte ptr [rsi]: the
		// operands are implied, and NASM takes none.
		if i := strings.Index(text, " byte ptr ["); i >= 0 {
			text = text[:i]
		} else if i := strings.Index(text, " word ptr ["); i >= 0 {
			text = text[:i]
		} else if i := strings.Index(text, " dword ptr ["); i >= 0 {
			text = text[:i]
		} else if i := strings.Index(text, " qword ptr ["); i >= 0 {
			text = text[:i]
		}
	}
	if x, ok := x87Implicit[inst.Op]; ok && argCount(inst) == x.args {
		text = strings.Replace(text, x.drop, "", 1)
	}
	if name, ok := data16Names[text]; ok {
		text = name
	}
	if imm, ok := inst.Args[0].(x86asm.Imm); inst.Op == x86asm.PUSH && ok {
		// x86asm prints the immediate as 32 bits unsigned (push
		// 0xffffffff for 6a ff), but the CPU sign-extends it to the
		// operand size: push -0x1 pushes eight bytes of ones. 66 6a 01
		// pushes two bytes, push 0x1 eight.
		prefixes, _, _ := strings.Cut(text, "push ")
		if inst.DataSize == 16 {
			text = prefixes + "push word ptr " + signedHex(int64(int16(imm)))
		} else {
			text = prefixes + "push " + signedHex(int64(int32(imm)))
		}
	}
	return text
}
