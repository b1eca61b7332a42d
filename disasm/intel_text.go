package disasm

import (
	"regexp"
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
	"data16 iret": "iretw", "data16 insw": "insw", "data16 outsw": "outsw", "data16 nop": "xchg ax, ax",
}

// intelCleanup makes x86asm's Intel text something GNU as (with
// .intel_syntax noprefix) and jitrun's Intel front end read back, one
// correction after the other.
func intelCleanup(text string, inst x86asm.Inst) string {
	for _, fix := range intelFixes {
		text = fix(text, inst)
	}
	return text
}

// intelFixes are the corrections intelCleanup makes, in order.
var intelFixes = []func(string, x86asm.Inst) string{
	intelSizes, intelPrefixes, intelEIP, intelNOP, intelStringOps, intelX87, intelNames, intelPush,
	intelFar, intelPointerLoads, intelRegisters,
}

// intelSizes leaves out a "ptr" without a size keyword before it (lea
// rax, ptr [rip+0x8]), but gives the 80-bit operand of fld, fstp, fbld and
// fbstp, which x86asm prints with no size, tbyte (fld [r13] would be
// ambiguous).
func intelSizes(text string, inst x86asm.Inst) string {
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
			out.WriteString(before + "tbyte ptr ")
		case (i == 0 || before[len(before)-1] == ' ') && !sizeWords[word]:
			out.WriteString(before)
		default:
			out.WriteString(text[:i+4])
		}
		text = text[i+4:]
	}
	return out.String()
}

// intelEIP puts back the EIP that x86asm prints as RIP, leaving out the 67
// that makes it EIP.
func intelEIP(text string, inst x86asm.Inst) string {
	for _, a := range inst.Args {
		if m, ok := a.(x86asm.Mem); ok && m.Base == x86asm.EIP {
			text = strings.Replace(text, "[rip", "[eip", 1)
		}
	}
	return text
}

// intelNOP leaves out the register XED adds to the one operand of 0F 1F
// (nop dx, ax for 66 0F 1F C2; nop dword ptr [rax], eax), which
// assemblers reject.
func intelNOP(text string, inst x86asm.Inst) string {
	if inst.Op == x86asm.NOP && argCount(inst) == 1 {
		if i := strings.LastIndex(text, ", "); i >= 0 {
			text = text[:i]
		}
	}
	return text
}

// intelStringOps leaves out the implied operands of string instructions:
// rep movsb, not rep movsb byte ptr [rdi], byte ptr [rsi] (NASM takes
// none). Operands with a segment override or 32-bit registers stay.
func intelStringOps(text string, inst x86asm.Inst) string {
	if !stringOps[inst.Op] || strings.Contains(text, ":[") || strings.Contains(text, "[e") {
		return text
	}
	for _, size := range []string{" byte ptr [", " word ptr [", " dword ptr [", " qword ptr ["} {
		if i := strings.Index(text, size); i >= 0 {
			return text[:i]
		}
	}
	return text
}

// intelX87 leaves out the implicit st0 operands (see x87Implicit).
func intelX87(text string, inst x86asm.Inst) string {
	if x, ok := x87Implicit[inst.Op]; ok && argCount(inst) == x.args {
		text = strings.Replace(text, x.drop, "", 1)
	}
	return text
}

// intelNames gives cmpsd_xmm its name (apart from the string instruction
// cmpsd), and the instructions x86asm prints as data16 plus their 32-bit
// name the 16-bit name (see data16Names).
func intelNames(text string, inst x86asm.Inst) string {
	if inst.Op == x86asm.CMPSD_XMM {
		text = replaceWord(text, "cmpsd_xmm", "cmpsd")
	}
	if name, ok := data16Names[text]; ok {
		text = name
	}
	return text
}

// intelPush prints the immediate of push as the CPU reads it. x86asm
// prints it as 32 bits unsigned (push 0xffffffff for 6a ff), but the CPU
// sign-extends it to the operand size: push -0x1 pushes eight bytes of
// ones. 66 6a 01 pushes two bytes, push 0x1 eight.
func intelPush(text string, inst x86asm.Inst) string {
	imm, ok := inst.Args[0].(x86asm.Imm)
	if inst.Op != x86asm.PUSH || !ok {
		return text
	}
	prefixes, _, _ := strings.Cut(text, "push ")
	if inst.DataSize == 16 {
		return prefixes + "push word ptr " + signedHex(int64(int16(imm)))
	}
	return prefixes + "push " + signedHex(int64(int32(imm)))
}

// intelFar spells far transfers as GNU as reads them (x86asm: ret far,
// call far [rax], which GNU as takes for a near ret or call with a symbol
// named far): retf, retfw and retfq by operand size; call and jmp with the
// size of the far pointer, fword ptr [rax] (m16:32) or dword ptr [rax]
// (m16:16, prefix 66), and rex.w before for REX.W (m16:64), as objdump
// writes it.
func intelFar(text string, inst x86asm.Inst) string {
	switch inst.Op {
	case x86asm.LRET:
		return strings.Replace(text, "ret far", farNames[inst.DataSize], 1)
	case x86asm.LCALL, x86asm.LJMP:
		if _, ok := inst.Args[0].(x86asm.Mem); !ok {
			return text
		}
		text = strings.Replace(text, "far ", "", 1)
		switch inst.DataSize {
		case 16:
			return text // dword ptr already
		case 64:
			return "rex.w " + sizeMemory(text, "fword")
		}
		return sizeMemory(text, "fword")
	}
	return text
}

// farNames are the names of far ret by operand size.
var farNames = map[int]string{16: "retfw", 32: "retf", 64: "retfq"}

// intelPointerLoads gives the far pointer of lfs, lgs and lss its size,
// which x86asm leaves out (lfs eax, [rax]: GNU as rejects it): fword
// (m16:32), or dword with prefix 66 (m16:16). The REX.W form (m16:64),
// which no assembler writes, gets tbyte; its row gets an Asm text (see
// bytesNote).
func intelPointerLoads(text string, inst x86asm.Inst) string {
	if inst.Op != x86asm.LFS && inst.Op != x86asm.LGS && inst.Op != x86asm.LSS || strings.Contains(text, " ptr ") {
		return text
	}
	return sizeMemory(text, map[int]string{16: "dword", 32: "fword", 64: "tbyte"}[inst.DataSize])
}

// sizeMemory puts "size ptr" before the memory operand of text ([rax],
// fs:[rax]).
func sizeMemory(text, size string) string {
	i := strings.Index(text, "[")
	if i < 0 || size == "" {
		return text
	}
	if i >= 3 && text[i-1] == ':' {
		i -= 3 // fs:[rax]
	}
	return text[:i] + size + " ptr " + text[i:]
}

// intelRegister are the register names x86asm spells in a way GNU as does
// not read: st0 (st(0)) and mmx0 (mm0).
var intelRegister = regexp.MustCompile(`\b(st|mmx)([0-7])\b`)

// intelRegisters spells x87 and MMX registers as GNU as reads them: st(1)
// and mm2 for x86asm's st1 and mmx2. (GNU as takes mmx2 for a symbol:
// movd mmx0, eax would be a store of eax to the address of mmx0.)
func intelRegisters(text string, _ x86asm.Inst) string {
	return intelRegister.ReplaceAllStringFunc(text, func(r string) string {
		n := r[len(r)-1:]
		if strings.HasPrefix(r, "mmx") {
			return "mm" + n
		}
		return "st(" + n + ")"
	})
}
