package asm

import (
	"bytes"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/jitrun/jitrun/asm/internal/asmtest"
	"github.com/jitrun/jitrun/asm/internal/regtab"
)

// TestFactsRegressions holds one case for each input FACTS.md lists as
// making golang-asm drop an instruction, emit wrong bytes, panic or exit
// the process, plus the ones TestShapeScan found. Each must now either be
// an error or assemble to the right bytes; none may reach the encoder's
// log.Fatalf (the hook turns that into a test failure instead of an exit).
func TestFactsRegressions(t *testing.T) {
	tests := []struct {
		name string
		src  string
		err  string // substring of the error; "" means it must assemble
		hex  string // the right bytes, when it assembles
	}{
		// Reported and dropped by golang-asm: now positioned errors.
		{"memory to memory", "MOVQ (AX), (BX)", "MOVQ: invalid instruction", ""},
		{"immediate over 32 bits", "ADDQ $0x100000000, AX", "does not fit in a sign-extended 32-bit field", ""},
		{"shift count not in CX", "SHLQ BX, AX", "SHLQ: invalid instruction", ""},
		{"LEA from a register", "LEAQ AX, BX", "LEAQ: invalid instruction", ""},
		{"wrong register class", "ADDQ X0, AX", "ADDQ: invalid instruction", ""},
		// Reported but wrong bytes emitted.
		{"offset 1<<40", "MOVQ 1<<40(AX), BX", "offset too large", ""},
		{"scale 3", "MOVQ (AX)(BX*3), CX", "scale 3 is not 1, 2, 4 or 8", ""},
		// Wrong bytes without an error.
		{"JMP with no target", "JMP", "JMP needs a target", ""},
		{"JCC with no target", "JNE", "JNE needs a target", ""},
		{"JCC to a missing label", "JNE nowhere", "undefined: nowhere", ""},
		{"CALL to a symbol", "CALL f(SB)\nRET\nf: RET", "", "e801000000c3c3"},
		{"CALL to an undefined symbol", "CALL f(SB)", "undefined: f is not a label", ""},
		{"JMP to a constant", "JMP $1", "a constant is not a branch target", ""},
		{"MOVB AH, R8B", "MOVB AH, R8B", "AH cannot be used in an instruction that needs a REX prefix", ""},
		{"MOVB R8B, AH", "MOVB R8B, AH", "AH cannot be used in an instruction that needs a REX prefix", ""},
		{"MOVB AH, SIB", "MOVB AH, SIB", "AH cannot be used in an instruction that needs a REX prefix", ""},
		{"MOVB AH, BL", "MOVB AH, BL", "", "88e3"},
		// Panics in golang-asm.
		{"branch target not an instruction", "JMP 5(PC)", "outside the program", ""},
		{"CALL to a local label", "CALL x\nx: RET", "", "e800000000c3"},
		{"VGATHER without its third operand", "VGATHERDPD X2, (BP)(X7*2)", "needs 3 operands", ""},
		// log.Fatalf paths.
		{"RETFL with an external memory operand", "RETFL x(SB)\nGLOBL x(SB), $8", "RETFL: invalid instruction", ""},
		{"RETFL with an address", "RETFL $x(SB)\nGLOBL x(SB), $8", "can only be loaded into a register", ""},
		{"TLS register", "MOVQ TLS, AX", "TLS needs a linker", ""},
		{"TLS base", "MOVQ 0(TLS), AX", "TLS needs a linker", ""},
		{"TLS index", "MOVQ 0(AX)(TLS*1), BX", "TLS needs a linker", ""},
		{"many relaxation passes", strings.Repeat("JMP x\n", 100) + strings.Repeat("BYTE $0\n", 100) + "x: RET", "", ""},
		// Found by TestShapeScan (objdump disagrees with golang-asm).
		// golang-asm has no operand class for SPB and drops it: it goes to
		// golang-asm as AH, and a REX prefix makes that SPL.
		{"SPB as AH with REX", "ADDB SPB, AL", "", "4000e0"},
		{"SPB alone", "NEGB SPB", "", "40f6dc"},
		{"SPB immediate", "MOVB $5, SPB", "", "40b405"},
		{"SPB with REX.W", "MOVBQSX SPB, AX", "", "480fbec4"},
		{"SPB with REX.B", "MOVB SPB, R8B", "", "4188e0"},
		{"SPB and AH", "MOVB AH, SPB", "AH cannot be used in an instruction that needs a REX prefix", ""},
		{"SPB in CRC32B", "CRC32B SPB, AX", "", "f2400f38f0c4"},
		{"CR9 dropped", "MOVQ CR9, AX", "register CR9 is not supported by the encoder", ""},
		{"INVLPG register is SWAPGS", "INVLPG AX", "INVLPG needs a memory operand", ""},
		{"INVLPG memory", "INVLPG (AX)", "", "0f0138"},
		{"MOVNTO register destination", "MOVNTO X1, AX", "MOVNTO needs a memory operand", ""},
		{"CMPXCHG16B register", "CMPXCHG16B AX", "needs a memory operand", ""},
		{"XRSTOR register is LFENCE", "XRSTOR AX", "needs a memory operand", ""},
		{"GPR as MMX register", "PAND AX, M1", "AX is not an MMX register", ""},
		{"GPR as MMX source of CVTPL2PS", "CVTPL2PS AX, X1", "AX is not an MMX register", ""},
		{"MMX as GPR", "PINSRQ $7, M1, X1", "does not take an MMX register", ""},
		{"MOVLPS registers is MOVHLPS", "MOVLPS X2, X1", "write MOVHLPS", ""},
		{"PUSHAW in 64-bit mode", "PUSHAW", "not valid in 64-bit mode", ""},
		{"BOUNDW is an EVEX prefix", "BOUNDW AX, (BX)", "not valid in 64-bit mode", ""},
		{"PUSHW CS", "PUSHW CS", "not valid in 64-bit mode", ""},
		{"PUSHQ FS", "PUSHQ FS", "", "0fa0"},
		{"AH in a 32-bit operation is ESP", "NEGL AH", "AH is a byte register", ""},
		{"AH in a byte operation", "NEGB AH", "", "f6dc"},
		{"XCHGL AX, AX is NOP", "XCHGL AX, AX", "does not clear the upper half of RAX", ""},
		{"CRC32B SI reads DH", "CRC32B SI, AX", "the encoder would read SI as DH, a high-byte register: write SIB", ""},
		{"CRC32B SIB", "CRC32B SIB, AX", "", "f2400f38f0c6"},
		{"CRC32B DIB", "CRC32B DIB, R9", "", "f2440f38f0cf"},
		{"CRC32B DL", "CRC32B DL, DX", "", "f20f38f0d2"},
		{"JCXZW is JRCXZ", "JCXZW x\nx:", "not encodable in 64-bit mode", ""},
		{"ADJSP", "ADJSP $8", "frame pseudo-instruction", ""},
		{"zeroing without a mask", "VMOVDQA32.Z Z0, Z1", "needs an opmask register", ""},
		{"byte immediate truncated", "ADDB $0x1234, AL", "does not fit in 8 bits", ""},
		{"word immediate truncated", "ADDW $0x12345, AX", "does not fit in 16 bits", ""},
		{"quad immediate sign-extended", "ANDQ $0xffffffff, AX", "does not fit in a sign-extended 32-bit field", ""},
		{"quad immediate to memory", "MOVQ $0xffffffff, (AX)", "does not fit in a sign-extended 32-bit field", ""},
		{"quad immediate to register", "MOVQ $0xffffffff, AX", "", "b8ffffffff"},
		{"port truncated", "INB $256", "does not fit in an unsigned 8-bit field", ""},
		{"BYTE truncated", "BYTE $256", "does not fit in 8 bits", ""},
		{"absolute reference", "ADDQ $x(SB), AX\nGLOBL x(SB), $8", "can only be loaded into a register", ""},
		{"symbol plus index", "MOVL x(SB)(AX*4), BX\nGLOBL x(SB), $8", "cannot add registers", ""},
	}
	defer asmtest.HookFatal()()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Assemble(tt.src)
			if hit := asmtest.FatalHit(); hit != "" {
				t.Fatalf("reached log.Fatalf: %s", hit)
			}
			switch {
			case tt.err != "" && err == nil:
				t.Errorf("%q assembled to %x, want an error containing %q", tt.src, p.Code, tt.err)
			case tt.err != "" && !strings.Contains(err.Error(), tt.err):
				t.Errorf("%q: error %q, want it to contain %q", tt.src, err, tt.err)
			case tt.err == "" && err != nil:
				t.Errorf("%q: %v", tt.src, err)
			case tt.err == "" && tt.hex != "" && hex.EncodeToString(p.Code) != tt.hex:
				t.Errorf("%q = %x, want %s", tt.src, p.Code, tt.hex)
			}
		})
	}
}

// TestNoOutput checks that assembling, even failing inputs, never writes to
// stdout or stderr (golang-asm's own Builder prints its diagnostics).
func TestNoOutput(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr := os.Stdout, os.Stderr
	os.Stdout, os.Stderr = w, w
	for _, src := range []string{"MOVQ (AX), (BX)", "MOVQ 1<<40(AX), BX", "RETFL x(SB)", "VADDPD.RU_SAE X3, X2, K1, X1", "FOO"} {
		Assemble(src)
	}
	os.Stdout, os.Stderr = stdout, stderr
	w.Close()
	var out bytes.Buffer
	out.ReadFrom(r)
	if out.Len() > 0 {
		t.Errorf("assembling printed %q", out.String())
	}
}

// TestDataPseudoOps checks BYTE, WORD, LONG and QUAD, which the shape scan
// leaves out (they are data, not instructions).
func TestDataPseudoOps(t *testing.T) {
	for src, want := range map[string]string{
		"BYTE $-1":                 "ff",
		"BYTE $255":                "ff",
		"WORD $-2":                 "feff",
		"WORD $0xffff":             "ffff",
		"LONG $0xdeadbeef":         "efbeadde",
		"LONG $-1":                 "ffffffff",
		"QUAD $0x0102030405060708": "0807060504030201",
		"QUAD $-1":                 "ffffffffffffffff",
	} {
		t.Run(src, func(t *testing.T) {
			p, err := Assemble(src)
			if err != nil || hex.EncodeToString(p.Code) != want {
				t.Errorf("%s = %x, %v; want %s", src, p.Code, err, want)
			}
		})
	}
	for _, src := range []string{"WORD $0x10000", "LONG $0x100000000", "BYTE AX", "QUAD $1, $2"} {
		if _, err := Assemble(src); err == nil {
			t.Errorf("%s: no error", src)
		}
	}
}

// TestRegGenUpToDate checks that reg_gen.go and internal/ir/reg_gen.go are
// what go generate writes.
func TestRegGenUpToDate(t *testing.T) {
	for _, f := range regtab.Files {
		want, err := regtab.Generate(f.Package)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(f.Path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is stale: run go generate ./asm", f.Path)
		}
	}
	for _, r := range []Reg{AL, AH, AX, R15, X31, Y0, Z31, K7, CR8, DR7, FS} {
		if got, ok := LookupReg(r.String()); !ok || got != r {
			t.Errorf("LookupReg(%s) = %d, %v; want %d", r, got, ok, r)
		}
	}
}
