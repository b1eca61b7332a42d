package disasm

import (
	"strings"

	"golang.org/x/arch/x86/x86asm"
)

// The Go printer's text, put the way go tool asm reads it.

// goDataSize returns inst with DataSize 8 when its operands are byte
// registers (and maybe an immediate): x86asm's Go printer takes the size
// suffix from DataSize, which is 32 for 00 c3, and prints ADDL AL, BL for
// ADDB AL, BL.
func goDataSize(inst x86asm.Inst) x86asm.Inst {
	if inst.MemBytes != 0 {
		return inst
	}
	bytes := 0
	for _, a := range inst.Args {
		switch a := a.(type) {
		case x86asm.Reg:
			if a < x86asm.AL || a > x86asm.R15B {
				return inst
			}
			bytes++
		case x86asm.Mem, x86asm.Rel:
			return inst
		}
	}
	if bytes > 0 {
		inst.DataSize = 8
	}
	return inst
}

// goByteNames are the Go names of the byte registers that x86asm's Go
// printer calls SP, BP, SI and DI, the names of the wider registers.
var goByteNames = map[x86asm.Reg]string{x86asm.SPB: "SPB", x86asm.BPB: "BPB", x86asm.SIB: "SIB", x86asm.DIB: "DIB"}

// goByteRegs renames SPL, BPL, SIL and DIL operands in Go text (MOVB SIB,
// AL, not MOVB SI, AL). Go text lists the operands in reverse, separated by
// ", ", except that CMP keeps Intel order.
func goByteRegs(text string, inst x86asm.Inst) string {
	n := argCount(inst)
	found := false
	for _, a := range inst.Args[:n] {
		if r, ok := a.(x86asm.Reg); ok && goByteNames[r] != "" {
			found = true
		}
	}
	parts := strings.Split(text, ", ")
	if !found || len(parts) != n {
		return text
	}
	head, first := "", parts[0]
	if i := strings.LastIndexByte(first, ' '); i >= 0 {
		head, first = first[:i+1], first[i+1:]
	}
	parts[0] = first
	for k := range parts {
		i := n - 1 - k
		if inst.Op == x86asm.CMP && n == 2 {
			i = k
		}
		if r, ok := inst.Args[i].(x86asm.Reg); ok && goByteNames[r] != "" {
			parts[k] = goByteNames[r]
		}
	}
	return head + strings.Join(parts, ", ")
}

// goCompares are the SSE compares with a predicate immediate, which Go
// writes last (CMPPS (BX), X2, $7) and x86asm first.
var goCompares = map[x86asm.Op]string{x86asm.CMPPS: "CMPPS", x86asm.CMPPD: "CMPPD", x86asm.CMPSS: "CMPSS", x86asm.CMPSD_XMM: "CMPSD"}

// goCleanup puts x86asm's Go text the way go tool asm reads it where
// they differ in a way that is plain to fix: PUSHQ for a push of an
// immediate (x86asm: PUSHL, which is not valid in 64-bit mode), the SSE
// compares (x86asm: CMPSD_XMM $0x7, 0(BX), X2 for CMPSD (BX), X2, $7),
// and VCVTPD2DQ of 512-bit memory (x86asm: VCVTPD2DQZ).
func goCleanup(text string, inst x86asm.Inst) string {
	if _, imm := inst.Args[0].(x86asm.Imm); inst.Op == x86asm.PUSH && imm && inst.DataSize != 16 {
		text = strings.Replace(text, "PUSHL $", "PUSHQ $", 1)
	}
	// x86asm's Z suffix; Go has X and Y for the 128- and 256-bit memory
	// forms, and no suffix for 512 bits.
	text = strings.Replace(text, "VCVTPD2DQZ ", "VCVTPD2DQ ", 1)
	if name, ok := goCompares[inst.Op]; ok {
		op, args, _ := strings.Cut(text, " ")
		if imm, rest, ok := strings.Cut(args, ", "); ok && strings.HasPrefix(imm, "$") {
			text = name + " " + rest + ", " + imm
		} else {
			text = name + strings.TrimPrefix(text, op)
		}
	}
	return text
}
