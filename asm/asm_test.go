package asm

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/jitrun/jitrun/asm/internal/gosyntax"
	"github.com/jitrun/jitrun/asm/internal/ir"
)

func mustAssemble(t *testing.T, src string) *Program {
	t.Helper()
	p, err := Assemble(src)
	if err != nil {
		t.Fatalf("Assemble(%q): %v", src, err)
	}
	return p
}

// TestAssembleBytes checks exact encodings of the operand forms the Go
// syntax front end reads, and of the encoder's own work (branches, data,
// float constants, alignment).
func TestAssembleBytes(t *testing.T) {
	tests := []struct {
		src, hex string
	}{
		// Immediates and constant expressions.
		{"MOVQ $'a', AX", "48c7c061000000"},
		{"MOVQ $(1<<4), AX", "48c7c010000000"},
		{"MOVQ $~0, AX", "48c7c0ffffffff"},
		{"MOVQ $(3*4+1)&~1, AX", "48c7c00c000000"},
		{"MOVL $-1, AX", "b8ffffffff"},
		{"ADDQ $0x10, R8", "4983c010"},
		{"ADDQ $0b101, R8", "4983c005"},
		{"MOVQ $-9223372036854775808, AX", "48b80000000000000080"},
		{"MOVQ $0xffffffffffffffff, AX", "48c7c0ffffffff"},
		{"MOVQ $0xffffffff, AX", "b8ffffffff"},
		{"PUSHQ $-1", "6aff"},
		// Memory operands.
		{"MOVQ 8(SP), AX", "488b442408"},
		{"MOVQ -8(BP)(CX*4), AX", "488b448df8"},
		{"MOVQ (AX)(BX*1), R9", "4c8b0c18"},
		{"MOVQ (8*2)(R12), AX", "498b442410"},
		{"MOVL 0x1000, AX", "8b042500100000"},
		{"LEAL 0xca62c1d6(AX), AX", "8d80d6c162ca"},
		{"VPGATHERDQ Y2, 8(X4*1), Y6", "c4e2ed90342508000000"},
		// Segment overrides as go tool asm writes them (the bytes it gives).
		{"MOVQ 0x28(FS), AX", "64488b042528000000"},
		{"MOVQ 8(AX)(FS*1), AX", "64488b4008"},
		{"ADDQ AX, 8(AX)(GS*1)", "6548014008"},
		{"MOVQ 8(GS), X0", "65f30f7e042508000000"},
		// RET $n (C2 iw): not in go tool asm, which has no form for it.
		{"RET $8", "c20800"},
		{"RET $0xffff", "c2ffff"},
		// SPB (SPL): AH's number with a REX prefix, which golang-asm cannot
		// give it by itself.
		{"XORB SPB, SPB", "4030e4"},
		{"SETEQ SPB", "400f94c4"},
		{"XCHGB SPB, (AX)", "408620"},
		// AVX-512 suffixes, opmasks, register ranges.
		{"VADDPD.RN_SAE.Z Z3, Z2, K1, Z1", "62f1ed9958cb"},
		{"VADDPD.BCST (AX), Z1, K1, Z2", "62f1f5595810"},
		{"KMOVW K1, AX", "c5f893c1"},
		{"V4FMADDPS (AX), [Z0-Z3], K1, Z4", "62f207499a20"},
		// go tool asm's rewrites.
		{"CMPPS X1, X0, 4", "0fc2c104"},
		{"CMPPS X1, X0, $4", "0fc2c104"},
		{"MOVQ $8(SP), AX", "488d442408"},
		{"MOVSD $(0.0), X2", "0f57d2"},
		// Float constants become read-only data, on the page after the
		// code ("/": INT3 up to the next multiple of SectionAlign).
		{"MOVSS $(1.0), X1", "f30f100df80f0000/0000803f"},
		{"MOVSD $(-0.0), X2", "f20f1015f80f0000/0000000000000080"},
		{"MOVSD $1.5, X0; ADDSD $(1.5), X0", "f20f1005f80f0000f20f5805f00f0000/000000000000f83f"},
		// Data pseudo-instructions and NOP.
		{"BYTE $0x90; WORD $0x1234; LONG $-1; QUAD $1", "903412ffffffff0100000000000000"},
		{"NOP", "90"},
		// Symbols are reached RIP-relatively; read-only data starts on
		// the page after the code.
		{"MOVQ $x(SB), AX\nGLOBL x(SB), RODATA, $8", "488d05f90f0000/0000000000000000"},
		{"LEAQ x+4(SB), AX\nGLOBL x(SB), RODATA, $8", "488d05fd0f0000/0000000000000000"},
		{"MOVQ x<>(SB), AX; RET\nGLOBL x<>(SB), RODATA, $8\nDATA x<>+0(SB)/8, $0x1122334455667788", "488b05f90f0000c3/8877665544332211"},
		{"JMP *x(SB)\nGLOBL x(SB), RODATA, $8", "ff25fa0f0000/0000000000000000"},
		{"LEAQ x(SB), AX; RET\nGLOBL x(SB), RODATA, $0", "488d05f90f0000c3/"},
		{"CALL *x(SB)\nGLOBL x(SB), RODATA, $8", "ff15fa0f0000/0000000000000000"},
		{"ADDQ $7, x(SB)\nGLOBL x(SB), RODATA, $8", "488305f80f000007/0000000000000000"},
		// Branches: labels, N(PC), short and near.
		{"loop: DECQ AX; JNE loop; RET", "48ffc875fbc3"},
		{"JMP 2(PC); NOP; NOP", "eb019090"},
		{"JMP 0(PC)", "ebfe"},
		{"a: JMP 1(PC); RET", "eb00c3"},
		{"x: LOOP x", "e2fe"},
		{"JCXZL x; x:", "67e300"},
		{"JCXZQ x; x:", "e300"},
		{"XBEGIN x; x: XEND", "c7f8000000000f01d5"},
		{"XBEGIN x; NOP; x: XEND", "c7f801000000900f01d5"},
		{"CALL f; RET; f: RET", "e801000000c3c3"},
		// Alignment pads with the recommended NOPs.
		{"PCALIGN $16; RET", "c3"},
		{"NOP; PCALIGN $8; RET", "900f1f8000000000c3"},
		{"NOP; PCALIGN $4; RET", "900f1f00c3"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			p, err := Assemble(tt.src)
			if err != nil {
				t.Errorf("Assemble(%q): %v", tt.src, err)
				return
			}
			want := tt.hex
			if code, data, ok := strings.Cut(want, "/"); ok {
				want = code + strings.Repeat("cc", SectionAlign-len(code)/2) + data
			}
			if got := hex.EncodeToString(p.Code); got != want {
				t.Errorf("Assemble(%q) = %s, want %s", tt.src, got, tt.hex)
			}
		})
	}
}

// TestBranchRelaxation checks that branches take the short form when the
// target is within -128..127 bytes of the end of the branch and the near
// form otherwise, in both directions, at the exact boundaries.
func TestBranchRelaxation(t *testing.T) {
	fill := func(n int) string { return strings.Repeat("BYTE $0x90\n", n) }
	tests := []struct {
		name, src, prefix string
	}{
		{"forward 127 short", "JMP x\n" + fill(127) + "x: RET", "eb7f"},
		{"forward 128 near", "JMP x\n" + fill(128) + "x: RET", "e980000000"},
		{"backward 128 short", "x: " + fill(126) + "JMP x", ""},
		{"backward 129 near", "x: " + fill(127) + "JMP x", ""},
		{"jcc forward 128 near", "JEQ x\n" + fill(128) + "x: RET", "0f8480000000"},
		{"jcc forward 127 short", "JEQ x\n" + fill(127) + "x: RET", "747f"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustAssemble(t, tt.src)
			code := hex.EncodeToString(p.Code)
			if tt.prefix != "" && !strings.HasPrefix(code, tt.prefix) {
				t.Errorf("%s: code starts %s, want %s", tt.name, code[:12], tt.prefix)
			}
		})
	}
	// Backward: the displacement is measured from the end of the branch.
	p := mustAssemble(t, "x: "+fill(126)+"JMP x")
	if got := hex.EncodeToString(p.Code[126:]); got != "eb80" {
		t.Errorf("backward -128: %s, want eb80", got)
	}
	p = mustAssemble(t, "x: "+fill(127)+"JMP x")
	if got := hex.EncodeToString(p.Code[127:]); got != "e97cffffff" {
		t.Errorf("backward -132 near: %s, want e97cffffff", got)
	}
	// A chain where each branch growing pushes the next out of range.
	var b strings.Builder
	for i := 0; i < 200; i++ {
		fmt.Fprintf(&b, "JMP l%d\n", i)
	}
	b.WriteString(fill(60))
	for i := 0; i < 200; i++ {
		fmt.Fprintf(&b, "l%d: NOP\n", i)
	}
	p = mustAssemble(t, b.String())
	for i := 0; i < 200; i++ {
		target, _ := p.Lookup(fmt.Sprintf("l%d", i))
		line := p.Lines[i]
		code := p.Code[line.Offset : line.Offset+line.Len]
		var disp int
		switch {
		case len(code) == 2 && code[0] == 0xeb:
			disp = int(int8(code[1]))
		case len(code) == 5 && code[0] == 0xe9:
			disp = int(int32(uint32(code[1]) | uint32(code[2])<<8 | uint32(code[3])<<16 | uint32(code[4])<<24))
			if d := target - (line.Offset + 2); d >= -128 && d <= 127 && false {
				t.Errorf("branch %d near although short fits", i)
			}
		default:
			t.Fatalf("branch %d: % x", i, code)
		}
		if line.Offset+line.Len+disp != target {
			t.Errorf("branch %d at %d reaches %d, want %d", i, line.Offset, line.Offset+line.Len+disp, target)
		}
	}
}

func TestTextBlocksAndData(t *testing.T) {
	src := `#include "textflag.h"
// func add(a, b int) int
TEXT ·add(SB), NOSPLIT|NOFRAME, $0-24
	MOVQ DI, AX
	ADDQ SI, AX
loop:
	RET

TEXT ·callsAdd(SB), NOSPLIT, $0
	CALL ·add(SB)
	MOVQ table<>+8(SB), BX
	JMP ·add(SB)

DATA table<>+0(SB)/8, $1
DATA table<>+8(SB)/4, $2
DATA table<>+12(SB)/4, $"ab"
GLOBL table<>(SB), RODATA, $16
`
	p := mustAssemble(t, src)
	got := hex.EncodeToString(p.Code)
	wantCode := "4889f84801f0c3" + // add
		"554889e5" + // callsAdd has a CALL: go tool asm saves BP (PUSHQ BP; MOVQ SP, BP)
		"e8f0ffffff" + // CALL ·add(SB): back to 0
		"488b1df10f0000" + // MOVQ table<>+8(SB), BX: 4096+8 from 23
		"ebe7" + // JMP ·add(SB): short, back to 0
		strings.Repeat("cc", SectionAlign-25) + // INT3 up to the read-only data's page
		"0100000000000000" + "02000000" + "61620000"
	if got != wantCode {
		t.Errorf("code %s\nwant %s", got, wantCode)
	}
	wantSyms := []Symbol{
		{Name: "add", Kind: SymText, Offset: 0, Size: 7, Pos: Pos{File: "<input>", Line: 3, Col: 1}},
		{Name: "callsAdd", Kind: SymText, Offset: 7, Size: 18, Pos: Pos{File: "<input>", Line: 9, Col: 1}},
		{Name: "table", Static: true, Kind: SymRodata, Offset: 4096, Size: 16, Pos: Pos{File: "<input>", Line: 17, Col: 1}},
	}
	if !reflect.DeepEqual(p.Symbols, wantSyms) {
		t.Errorf("symbols %+v\nwant %+v", p.Symbols, wantSyms)
	}
	if !reflect.DeepEqual(p.Labels, []Label{{Name: "loop", Func: "add", Offset: 6, Pos: Pos{File: "<input>", Line: 6, Col: 1}}}) {
		t.Errorf("labels %+v", p.Labels)
	}
	wantLines := []Line{
		{Pos{File: "<input>", Line: 4, Col: 2}, 0, 3, "MOVQ DI, AX"},
		{Pos{File: "<input>", Line: 5, Col: 2}, 3, 3, "ADDQ SI, AX"},
		{Pos{File: "<input>", Line: 7, Col: 2}, 6, 1, "RET"},
		{Pos{File: "<input>", Line: 9, Col: 1}, 7, 4, "TEXT ·callsAdd(SB), NOSPLIT, $0"},
		{Pos{File: "<input>", Line: 10, Col: 2}, 11, 5, "CALL ·add(SB)"},
		{Pos{File: "<input>", Line: 11, Col: 2}, 16, 7, "MOVQ table<>+8(SB), BX"},
		{Pos{File: "<input>", Line: 12, Col: 2}, 23, 2, "JMP ·add(SB)"},
		{Pos{File: "<input>", Line: 14, Col: 1}, 4096, 8, "DATA table<>+0(SB)/8, $1"},
		{Pos{File: "<input>", Line: 15, Col: 1}, 4104, 4, "DATA table<>+8(SB)/4, $2"},
		{Pos{File: "<input>", Line: 16, Col: 1}, 4108, 4, `DATA table<>+12(SB)/4, $"ab"`},
	}
	if !reflect.DeepEqual(p.Lines, wantLines) {
		t.Errorf("lines:\n%+v\nwant\n%+v", p.Lines, wantLines)
	}
	if l, ok := p.LineAt(17); !ok || l.Pos.Line != 11 {
		t.Errorf("LineAt(17) = %+v, %v", l, ok)
	}
	if _, ok := p.LineAt(26); ok {
		t.Errorf("LineAt(26) found a line in the padding")
	}
	if s, ok := p.SymbolAt(4104); !ok || s.Name != "table" {
		t.Errorf("SymbolAt(4104) = %+v, %v", s, ok)
	}
	if off, ok := p.Lookup("loop"); !ok || off != 6 {
		t.Errorf("Lookup(loop) = %d, %v", off, ok)
	}
}

// TestFrames checks the prologue and epilogue go tool asm gives a TEXT
// block with a frame (bytes from go tool asm -S, Go 1.26).
func TestFrames(t *testing.T) {
	tests := []struct {
		src, hex string
	}{
		// A frame: save BP, reserve it; every RET undoes both.
		{"TEXT f(SB), NOSPLIT, $16\nMOVQ AX, 8(SP)\nRET", "554889e54883ec1048894424084883c4105dc3"},
		// 0x80 uses the shorter imm8 form in the other direction.
		{"TEXT f(SB), NOSPLIT, $128\nRET", "554889e54883c4804883ec805dc3"},
		// NOFRAME: nothing added.
		{"TEXT f(SB), NOSPLIT|NOFRAME, $0\nCALL g(SB)\nRET\nTEXT g(SB), NOSPLIT, $0\nRET", "e801000000c3c3"},
		// A leaf without NOSPLIT and a small frame is NOSPLIT anyway.
		{"TEXT f(SB), $0\nRET", "c3"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			p, err := Assemble(tt.src)
			if err != nil {
				t.Errorf("%q: %v", tt.src, err)
				return
			}
			if got := hex.EncodeToString(p.Code); got != tt.hex {
				t.Errorf("%q: %s, want %s", tt.src, got, tt.hex)
			}
		})
	}
}

func TestMacros(t *testing.T) {
	tests := []struct {
		name, src, hex string
	}{
		{"object", "#define N 5\nMOVQ $N, AX", "48c7c005000000"},
		{"register", "#define ptr DI\nMOVQ (ptr), AX", "488b07"},
		{"function", "#define LOAD(off, r) MOVQ off(SI), r\nLOAD(8, AX)\nLOAD(16, BX)", "488b4608488b5e10"},
		{"multi-line", "#define TWO(r) \\\n\tINCQ r; \\\n\tINCQ r\nTWO(CX)", "48ffc148ffc1"},
		{"nested", "#define A B\n#define B C\n#define C $7\nMOVQ A, AX", "48c7c007000000"},
		{"parenthesised argument", "#define ADD(x) ADDQ $(x), AX\nADD((1+2)*3)", "4883c009"},
		{"not invoked without parens", "#define F(x) x\nF: RET\nJMP F", "c3ebfd"},
		{"ifdef", "#define V2\n#ifdef V2\nINCQ AX\n#else\nDECQ AX\n#endif", "48ffc0"},
		{"ifndef", "#ifndef V2\nINCQ AX\n#else\nDECQ AX\n#endif", "48ffc0"},
		{"nested ifdef", "#ifdef A\n#ifdef B\nINCQ AX\n#endif\n#else\nDECQ AX\n#endif", "48ffc8"},
		{"undef", "#define N 1\n#undef N\n#define N 2\nMOVL $N, AX", "b802000000"},
		{"textflag known", "TEXT f(SB), NOSPLIT|NOFRAME, $0\nRET", "c3"},
		{"include textflag", `#include "textflag.h"` + "\nTEXT f(SB), NOSPLIT, $0\nRET", "c3"},
		{"include by path", `#include "../../runtime/textflag.h"` + "\nRET", "c3"},
		{"funcdata", `#include "funcdata.h"` + "\nTEXT f(SB), NOSPLIT, $0\nNO_LOCAL_POINTERS\nGO_RESULTS_INITIALIZED\nRET", "c3"},
		{"comments", "MOVQ $1, /* one */ AX // done\n/* a\nblock */ RET", "48c7c001000000c3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Assemble(tt.src)
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
				return
			}
			if got := hex.EncodeToString(p.Code); got != tt.hex {
				t.Errorf("%s: %s, want %s", tt.name, got, tt.hex)
			}
		})
	}
}

// macroBlowUp defines A0 as NOP and each An as two An-1, then uses An.
func macroBlowUp(n int) string {
	var b strings.Builder
	b.WriteString("#define A0 NOP\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "#define A%d A%d; A%d\n", i, i-1, i-1)
	}
	fmt.Fprintf(&b, "A%d", n)
	return b.String()
}

// TestErrors checks messages and positions: every problem of a source, in
// order, one line each.
func TestErrors(t *testing.T) {
	tests := []struct {
		src  string
		want string
	}{
		{"MOV AX, BX", "<input>:1:1: unknown instruction MOV: Go syntax puts the operand size in the mnemonic: MOVB, MOVW, MOVL, MOVQ"},
		{"movq $1, AX", "<input>:1:1: unknown instruction movq (Go syntax mnemonics are upper case: MOVQ)"},
		{"ADQ $1, AX", "<input>:1:1: unknown instruction ADQ (did you mean ADCQ, ADDQ, ANDQ?)"},
		{"NOP\n  JMP nowhere", "<input>:2:3: undefined: nowhere is not a label, TEXT or GLOBL symbol of this source, nor a routine of jitrun's I/O library (jitrun help lib)"},
		{"MOVQ x(SB), AX\nGLOBL x<>(SB), $8", "<input>:1:1: undefined: x(SB) (the source defines x<>(SB))"},
		{"CALL runtime·memmove(SB)", "<input>:1:1: undefined: runtime.memmove(SB): code assembled by jitrun cannot reach Go symbols (there is no linker)"},
		{"MOVQ x+8(FP), AX", "<input>:1:6: x+8(FP) is a Go argument slot; argument references are not supported: jitrun code gets its arguments in registers (DI, SI, DX, CX, R8, R9)"},
		{"MOVQ x-8(SP), AX", "<input>:1:6: x-8(SP) names a slot of a Go frame (pseudo-SP), which jitrun code does not have: use an offset from the hardware SP without a name, as 8(SP)"},
		{"MOVQ $N, AX", "<input>:1:7: undefined: N (a constant needs a #define; the address of a symbol is $N(SB))"},
		{"MOVQ $(1/0), AX", "<input>:1:9: division by zero"},
		{"MOVQ $(1<<64), AX", "<input>:1:9: shift count 64 is too large"},
		{"MOVQ $99999999999999999999, AX", "<input>:1:7: integer constant 99999999999999999999 does not fit in 64 bits"},
		{"MOVQ (AX)(BX), CX", "<input>:1:13: index register BX needs a scale: (BX*1)"},
		{"MOVQ (AX)(BX*3), CX", "<input>:1:14: scale 3 is not 1, 2, 4 or 8"},
		{"MOVQ AX, BX,", "<input>:1:12: missing operand after ','"},
		{"MOVQ AX(BX), CX", "<input>:1:8: a register cannot be followed by an address: write the offset first, as 8(AX)"},
		{"MOVQ $\"s\", AX", "<input>:1:1: MOVQ: a string constant can only initialise data (DATA)"},
		{"x: RET\nx: RET", "<input>:2:1: label x redefined (first defined at <input>:1:1)"},
		{"RET\nTEXT f(SB), $0\nRET", "<input>:1:1: instruction RET outside a TEXT block: put it after a TEXT directive"},
		{"TEXT f(SB), $0\nRET\nTEXT f(SB), $0\nRET", "<input>:3:1: TEXT f(SB) redefined (first defined at <input>:1:1)"},
		{"TEXT f(SB), $0\nCALL f(SB)\nRET", "<input>:1:1: TEXT f(SB): a function that is not NOSPLIT gets a stack-growth check calling the Go runtime, which jitrun code cannot have: add NOSPLIT"},
		{"TEXT f(SB), NOSPLIT, $12\nRET", "<input>:1:1: TEXT f(SB): unaligned stack size 12: the frame must be a multiple of 8"},
		{"DATA x+0(SB)/8, $1", "<input>:1:1: DATA for x(SB), which no GLOBL declares"},
		{"GLOBL x(SB), $4\nDATA x+0(SB)/8, $1", "<input>:2:1: DATA x(SB)+0/8 is outside the 4 bytes GLOBL declares"},
		{"GLOBL x(SB), $8\nDATA x+4(SB)/4, $1\nDATA x+0(SB)/4, $1", "<input>:3:1: DATA x(SB)+0/4 overlaps an earlier DATA for the same symbol (write offsets in increasing order)"},
		{"GLOBL x(SB), $8\nDATA x+0(SB)/1, $256", "<input>:2:1: DATA x(SB): 0x100 does not fit in 1 bytes"},
		{"GLOBL x(SB), $8\nDATA x+0(SB)/8, $y(SB)", "<input>:2:1: DATA x(SB): an address in data needs a linker (jitrun code is position independent); compute it at run time with LEAQ"},
		{"GLOBL x(SB), $-1", "<input>:1:1: GLOBL x(SB): size -1 is not between 0 and 1<<30"},
		{"#include \"go_asm.h\"", "<input>:1:10: cannot include go_asm.h: the Go compiler generates it for a package; #define the constants you need instead"},
		{"#include \"other.h\"", "<input>:1:10: cannot include \"other.h\": jitrun reads no files; only textflag.h and funcdata.h are built in"},
		{"#ifdef X\nRET", "<input>:1:1: unclosed #ifdef or #ifndef"},
		{"#endif", "<input>:1:1: #endif without #ifdef or #ifndef"},
		{"#define A A\nMOVQ A, AX", "<input>:2:6: recursive macro invocation: A (macros nest at most 100 deep)"},
		// A blow-up is one error, at the use, with the limit (each macro
		// doubles the one before: A24 would be 2^24 NOPs).
		{macroBlowUp(24), "<input>:26:1: macro expansion of A24 is too large: one line may expand to at most 65536 tokens"},
		{"#define F(a, b) a\nF(1)", "<input>:2:1: macro F takes 2 arguments, got 1"},
		{"#define N 1\n#define N 2", "<input>:2:9: macro N redefined (first defined at <input>:1:9); #undef it first"},
		{"MOVQ $1, AX # comment", "<input>:1:13: '#' must be first item on line"},
		{"MOVQ \"abc, AX", "<input>:1:6: string literal not terminated"},
		{"/* open", "<input>:1:1: comment not terminated"},
		{"PCALIGN $3", "<input>:1:1: alignment 3 is not a power of two between 1 and 4096"},
		{"x: LOOP y\n" + strings.Repeat("NOP\n", 200) + "y: RET", "<input>:1:4: LOOP: target is 200 bytes away; this instruction reaches only -128..127"},
		{"VMOVDQA32.Z Z0, Z1", "<input>:1:1: VMOVDQA32.Z: zeroing (.Z) needs an opmask register K1-K7 before the destination"},
		{"VADDPD.FOO X1, X2, X3", "<input>:1:1: VADDPD: bad suffix .FOO: unknown suffix \"FOO\""},
		{"MOVQ (TLS), AX", "<input>:1:1: MOVQ: TLS needs a linker and the Go runtime; it has no meaning in jitrun code"},
		{"MOVL $1, eax", "<input>:1:10: eax is an Intel register name: Go syntax writes AX, with the operand size in the mnemonic (this source is read as Go syntax)"},
		{"MOVQ $1, FP", "<input>:1:10: FP is the Go assembler's argument-frame pseudo-register (name+8(FP) is an argument of a Go function), which only the Go toolchain can provide: jitrun code gets its arguments in registers, integers in DI, SI, DX, CX, R8, R9 and floats in X0-X7"},
		{"MOVQ $SB, AX", "<input>:1:7: SB is the Go assembler's static-base pseudo-register: it only appears as name(SB), a TEXT or GLOBL symbol of this source (MOVQ name(SB), AX reads it; LEAQ name(SB), AX takes its address)"},
		{"JMP PC", "<input>:1:5: PC is the Go assembler's program-counter pseudo-register: it only appears as N(PC), a branch target N instructions away (JMP 2(PC)); to branch, use a label"},
		{"MOVQ 8(DS), AX", "<input>:1:1: MOVQ: a DS override has no effect in 64-bit mode (CS, DS, ES and SS have base 0): only FS and GS override"},
		{"LEAQ 8(FS), AX", "<input>:1:1: LEAQ: an address computation ignores a segment override: the FS base would not be added"},
		{"MOVQ 8(FS)(AX*1), BX", "<input>:1:11: FS as a base takes no index: write off(base)(FS*1) for FS-relative memory at a base register (go tool asm has no syntax for a segment, a base and an index together)"},
		{"MOVQ 8(AX)(FS*2), BX", "<input>:1:12: segment override (FS*2) needs scale 1: (FS*1)"},
		{"PSHUFD $300, X1, X0", "<input>:1:1: PSHUFD: immediate 0x12c does not fit in 8 bits (0x0..0xff)"},
		{"PSHUFD $-1, X1, X0", "<input>:1:1: PSHUFD: immediate -0x1 does not fit in 8 bits (0x0..0xff)"},
		{"SHA1RNDS4 $4, X1, X0", "<input>:1:1: SHA1RNDS4: immediate 0x4 does not fit in 2 bits (0x0..0x3)"},
		{"ADDPS X16, X1", "<input>:1:1: ADDPS: X16: registers 16-31 need an EVEX (AVX-512) form, which ADDPS does not have"},
		{"RET $65536", "<input>:1:1: RET: immediate 0x10000 does not fit in an unsigned 16-bit field (0x0..0xffff)"},
		{"MOVB AH, SPB", "<input>:1:1: MOVB: AH cannot be used in an instruction that needs a REX prefix (R8-R15, SPB/BPB/SIB/DIB or 64-bit operands)"},
		// A byte register where the instruction takes wider ones.
		{"MOVQ AL, BX", "<input>:1:1: MOVQ: operand sizes differ: AL is an 8-bit register and MOVQ has 64-bit operands; write AX, or widen AL with MOVBQZX (zero-extend) or MOVBQSX (sign-extend)"},
		{"ADDL R8B, CX", "<input>:1:1: ADDL: operand sizes differ: R8B is an 8-bit register and ADDL has 32-bit operands; write R8"},
		{"PADDQ AL, X1", "<input>:1:1: PADDQ: invalid instruction: no form of PADDQ takes (AL, X1)"},
		{"MOVQ TLS, AX", "<input>:1:1: MOVQ: TLS needs a linker and the Go runtime; it has no meaning in jitrun code"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			_, err := Assemble(tt.src)
			if err == nil {
				t.Errorf("Assemble(%q): no error, want %s", tt.src, tt.want)
				return
			}
			if err.Error() != tt.want {
				t.Errorf("Assemble(%q):\n got %s\nwant %s", tt.src, err, tt.want)
			}
			var list ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Errorf("Assemble(%q): error is %T, want ErrorList", tt.src, err)
			}
		})
	}
}

func TestErrorListCollectsAll(t *testing.T) {
	_, err := Assemble("MOVQ $1, AX\nFOO\nMOVQ AX\nBAR BX\nRET")
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("error %v is not an ErrorList", err)
	}
	want := []string{
		"<input>:2:1: unknown instruction FOO",
		"<input>:3:1: MOVQ: invalid instruction: no form of MOVQ takes (AX)",
		"<input>:4:1: unknown instruction BAR",
	}
	var got []string
	for _, e := range list {
		got = append(got, e.Error())
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("errors:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// A flood of errors stops at MaxErrors, the last one saying so.
	_, err = Assemble(strings.Repeat("FOO\n", 100))
	errors.As(err, &list)
	if len(list) != MaxErrors || list[MaxErrors-1].Msg != "too many errors" || list[MaxErrors-2].Pos.Line != MaxErrors-1 {
		t.Errorf("flood: %d errors, last %v", len(list), list[len(list)-1])
	}
}

// TestErrorsAllStages checks that one pass reports the problems of every
// stage: what the front end cannot read, and what the encoder rejects in
// the statements it could read (an unknown mnemonic, an undefined label),
// sorted by position, in both syntaxes; and that a TEXT or GLOBL line with
// an error does not make the lines after it errors too.
func TestErrorsAllStages(t *testing.T) {
	tests := []struct {
		syntax Syntax
		src    string
		want   []string
	}{
		{SyntaxGo, "MOVQ $, AX\nFOOBAR AX\nJMP nowhere\nMOVQ $(1/0), AX; ADDQ $1, AX, BX", []string{
			"t:1:6: missing operand after $",
			"t:2:1: unknown instruction FOOBAR",
			"t:3:1: undefined: nowhere is not a label, TEXT or GLOBL symbol of this source, nor a routine of jitrun's I/O library (jitrun help lib)",
			"t:4:9: division by zero",
			"t:4:18: ADDQ: invalid instruction: no form of ADDQ takes ($imm, AX, BX)",
		}},
		{SyntaxGo, "GLOBL x(SB), FOO, $8\nDATA x+0(SB)/8, $1\nTEXT f(SB), BAR, $0\nloop: MOVQ x(SB), AX\nJMP loop\nTEXT g(SB), NOSPLIT, $0\nCALL f(SB)\nJMP nowhere", []string{
			"t:1:14: undefined: FOO (a constant needs a #define)",
			"t:3:13: undefined: BAR (a constant needs a #define)",
			"t:8:1: undefined: nowhere is not a label, TEXT or GLOBL symbol of this source, nor a routine of jitrun's I/O library (jitrun help lib)",
		}},
		{SyntaxIntel, "mov rax, [rax\nfoobar eax\njmp nowhere\nmov al, 256", []string{
			"t:1:10: missing ] in memory operand",
			"t:2:1: unknown instruction foobar",
			"t:3:1: undefined label nowhere",
			"t:4:1: mov al, 256: immediate 256 does not fit in 8 bits (-128..255)",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			_, err := AssembleSource("t", []byte(tt.src), tt.syntax)
			var list ErrorList
			if !errors.As(err, &list) {
				t.Errorf("%q: error %v is not an ErrorList", tt.src, err)
				return
			}
			var got []string
			for _, e := range list {
				got = append(got, e.Error())
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%q:\n%s\nwant\n%s", tt.src, strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestImplicitFunctionName checks the name of the function a source
// without TEXT becomes: the label at its first byte when that is a name
// both syntaxes read and no data symbol has, which then is not listed as a
// label too; otherwise main, or main1, main2, … when the source uses main.
func TestImplicitFunctionName(t *testing.T) {
	tests := []struct {
		syntax Syntax
		src    string
		name   string
		labels string // the labels listed, space-separated
	}{
		{SyntaxGo, "loop: DECQ AX; JNE loop; RET", "loop", ""},
		{SyntaxGo, "NOP; x: RET", "main", "x"},
		{SyntaxGo, "main: NOP; RET", "main", ""},
		{SyntaxGo, "NOP; main: RET", "main1", "main"},
		{SyntaxGo, "NOP; main: NOP; main1: RET", "main2", "main main1"},
		{SyntaxGo, "PCALIGN $16; f: RET", "f", ""},
		{SyntaxGo, "x: RET\nGLOBL x(SB), $8", "main", "x"},
		{SyntaxIntel, "ret42:\n\tmov eax, 42\n\tret", "ret42", ""},
		{SyntaxIntel, ".x: ret", "main", ".x"},
		{SyntaxIntel, "section .data\nmain: db 1\nsection .text\nret", "main1", ""},
		{SyntaxIntel, "a: b: ret", "a", "b"},
		{SyntaxATT, "f: ret", "f", ""},
		{SyntaxATT, "nop\nmain: ret", "main1", "main"},
		{SyntaxATT, ".data\nmain: .byte 1\n.text\nret", "main1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			p, err := AssembleSource("t", []byte(tt.src), tt.syntax)
			if err != nil {
				t.Errorf("%q: %v", tt.src, err)
				return
			}
			var labels []string
			for _, l := range p.Labels {
				labels = append(labels, l.Name)
				if l.Func != tt.name {
					t.Errorf("%q: label %s is in %s, want %s", tt.src, l.Name, l.Func, tt.name)
				}
			}
			if s := p.Symbols[0]; s.Name != tt.name || s.Kind != SymText || s.Offset != 0 {
				t.Errorf("%q: first symbol %+v, want text %s at 0", tt.src, s, tt.name)
			}
			if got := strings.Join(labels, " "); got != tt.labels {
				t.Errorf("%q: labels %q, want %q", tt.src, got, tt.labels)
			}
			if off, ok := p.Lookup(tt.name); !ok || off != 0 {
				t.Errorf("%q: Lookup(%s) = %d, %v", tt.src, tt.name, off, ok)
			}
		})
	}
}

// TestLineMapLinear checks that the work on one source line grows linearly
// with its statements: 65,536 statements on one line (in Go syntax, in
// Intel syntax with Options.Semicolons, as Intel's times, and from one line
// of Go code calling the Builder) allocate a few tens of MiB. Joining the
// line's text one statement at a time, or handling the whole line for each
// statement, allocated gigabytes (and took seconds to minutes).
func TestLineMapLinear(t *testing.T) {
	const n = 1 << 16
	builder := func() error {
		b := NewBuilder()
		for i := 0; i < n; i++ {
			b.Inst("ADDQ", Imm(int64(i%100)), AX)
		}
		_, err := b.Assemble()
		return err
	}
	tests := []struct {
		name string
		run  func() error
	}{
		{"go", func() error { _, err := Assemble(strings.Repeat("NOP; ", n-1) + "RET"); return err }},
		{"intel -e", func() error {
			_, err := Options{Syntax: SyntaxIntel, Semicolons: true}.Assemble("<expr>", []byte(strings.Repeat("nop; ", n-1)+"ret"))
			return err
		}},
		{"intel times", func() error {
			_, err := AssembleSource("t.asm", []byte("times 65536 nop"), SyntaxIntel)
			return err
		}},
		{"builder", builder},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			if err := tt.run(); err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			runtime.ReadMemStats(&after)
			if mib := (after.TotalAlloc - before.TotalAlloc) >> 20; mib > 400 {
				t.Errorf("%s: %d statements on one line allocated %d MiB, want a few tens", tt.name, n, mib)
			}
		})
	}
}

func TestDetectSyntax(t *testing.T) {
	tests := []struct {
		file, src string
		want      Syntax
	}{
		{"a.s", "MOVQ $1, AX", SyntaxGo},
		{"a.asm", "MOVQ $1, AX", SyntaxIntel},
		{"A.NASM", "", SyntaxIntel},
		{"a.s", "\n  // comment\n.intel_syntax noprefix\nmov rax, 1", SyntaxIntel},
		{"a.s", "; comment\nBITS 64\n", SyntaxIntel},
		{"a.s", "[bits 64]\n", SyntaxIntel},
		{"<expr>", "BITS 64; ret", SyntaxIntel},
		// A first instruction in lower case is Intel: Go's are upper case.
		{"<expr>", "mov eax, 7; ret", SyntaxIntel},
		{"<expr>", "top: dec ecx; jnz top", SyntaxIntel},
		{"<expr>", "jz x\nx: ret", SyntaxIntel},
		{"a.s", "; sum\nsection .text\nsum: ret", SyntaxIntel},
		{"<expr>", "lock inc dword [rax]", SyntaxIntel},
		{"<expr>", "loop: DECQ AX; JNE loop", SyntaxGo},
		{"<expr>", "x: RET", SyntaxGo},
		{"<expr>", "foo AX", SyntaxGo},
		{"a.s", "bits 64 ; a NASM comment", SyntaxIntel},
		{"a.s", "/* block\n comment */ [BITS 64]\n", SyntaxIntel},
		{"a.s", "# a comment\nbits 64", SyntaxIntel},
		{"a.s", "#include \"textflag.h\"\nBITS 64", SyntaxGo},
		{"a.s", "TEXT ·f(SB), $0", SyntaxGo},
		{"<expr>", "", SyntaxGo},
		// AT&T: a register written with %, or .att_syntax.
		{"a.s", "# sum\n\t.text\nsum:\n\tmovq %rdi, %rax\n\tret", SyntaxATT},
		{"<expr>", "movl $7, %eax; ret", SyntaxATT},
		{"a.s", "\t.att_syntax\nspin: jmp spin", SyntaxATT},
		{"a.s", "vaddps %zmm1, %zmm2, %zmm3{%k1}", SyntaxATT},
		{"a.s", "%define N 4\nMOVL $N, AX", SyntaxGo}, // NASM's %define is no register
	}
	for _, tt := range tests {
		t.Run(tt.file+" "+tt.src, func(t *testing.T) {
			if got := DetectSyntax(tt.file, []byte(tt.src)); got != tt.want {
				t.Errorf("DetectSyntax(%q, %q) = %v, want %v", tt.file, tt.src, got, tt.want)
			}
		})
	}
}

// TestByteOrderMark checks that a source may start with a UTF-8 byte order
// mark in every syntax: it is skipped, detection sees past it, and columns
// on the first line count from after it.
func TestByteOrderMark(t *testing.T) {
	const bom = "\uFEFF"
	tests := []struct {
		name, file, src string
		syntax          Syntax
		hex, err        string
	}{
		{"go", "a.s", "MOVL $7, AX\nRET", SyntaxGo, "b807000000c3", ""},
		{"go auto", "a.s", "MOVL $7, AX\nRET", SyntaxAuto, "b807000000c3", ""},
		{"intel", "a.asm", "mov eax, 7\nret", SyntaxIntel, "b807000000c3", ""},
		{"intel detected in a .s file", "a.s", "mov eax, 7\nret", SyntaxAuto, "b807000000c3", ""},
		{"go error column", "a.s", "MOVL $7, FOO", SyntaxGo, "", "a.s:1:10: "},
		{"intel error column", "a.asm", "mov eax, foo", SyntaxIntel, "", "a.asm:1:10: "},
		{"att", "a.s", "movl $7, %eax", SyntaxAuto, "b807000000", ""},
		{"att error column", "a.s", "addl $1, %foo\nmovl $7, %eax", SyntaxAuto, "", "a.s:1:10: unknown register %foo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := AssembleSource(tt.file, []byte(bom+tt.src), tt.syntax)
			switch {
			case tt.err != "":
				if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
					t.Errorf("error %v, want one starting %q", err, tt.err)
				}
			case err != nil:
				t.Error(err)
			case hex.EncodeToString(p.Code) != tt.hex:
				t.Errorf("code %x, want %s", p.Code, tt.hex)
			}
		})
	}
}

// TestBoundedInput checks the limits on what a source can ask for: its
// size (MaxSourceSize), and how deeply its expressions nest (5 million
// parentheses overflowed the parser's stack and killed the process); a
// long run of bad bytes is reported without recursion.
func TestBoundedInput(t *testing.T) {
	const n = 1 << 14
	deep := func(open, body, close string) string {
		return strings.Repeat(open, n) + body + strings.Repeat(close, n)
	}
	tests := []struct {
		name   string
		src    string
		syntax Syntax
		err    string
	}{
		{"go parentheses", "MOVQ $" + deep("(", "1", ")") + ", AX", SyntaxGo, "t:1:1007: expression nested too deeply (more than 1000 levels of parentheses and signs)"},
		{"go signs", "MOVQ $" + deep("-", "1", "") + ", AX", SyntaxGo, "t:1:1007: expression nested too deeply"},
		{"go float", "MOVSD $" + deep("(", "1.5", ")") + ", X0", SyntaxGo, "t:1:1008: expression nested too deeply"},
		{"intel parentheses", "mov eax, " + deep("(", "1", ")"), SyntaxIntel, "t:1:1010: expression nested too deeply"},
		{"intel signs", "mov eax, " + deep("-", "1", ""), SyntaxIntel, "t:1:1010: expression nested too deeply"},
		{"intel memory", "mov eax, [" + deep("(", "rax", ")") + "]", SyntaxIntel, "t:1:1011: expression nested too deeply"},
		{"att parentheses", "movl $" + deep("(", "1", ")") + ", %eax", SyntaxATT, "t:1:1007: expression nested too deeply"},
		{"att signs", ".long " + deep("-", "1", ""), SyntaxATT, "t:1:1007: expression nested too deeply"},
		{"bad bytes", strings.Repeat("\xff", 1<<22), SyntaxGo, "t:1:1: invalid UTF-8 byte 0xff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := AssembleSource("t", []byte(tt.src), tt.syntax)
			if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
				t.Errorf("error %.200v, want one starting %q", err, tt.err)
			}
		})
	}
	big := make([]byte, MaxSourceSize+1)
	want := "big.s:1:1: source is 67108865 bytes, more than the 67108864 (64 MiB) the assembler reads (MaxSourceSize)"
	if _, err := AssembleSource("big.s", big, SyntaxAuto); err == nil || err.Error() != want {
		t.Errorf("AssembleSource of %d bytes: %v, want %s", len(big), err, want)
	}
	if _, err := Parse("big.s", big, SyntaxIntel); err == nil || err.Error() != want {
		t.Errorf("Parse of %d bytes: %v, want %s", len(big), err, want)
	}
	// MaxSourceSize bytes are read: one instruction and blanks.
	for i := range big {
		big[i] = ' '
	}
	copy(big, "RET;")
	if p, err := AssembleSource("big.s", big[:MaxSourceSize], SyntaxGo); err != nil || hex.EncodeToString(p.Code) != "c3" {
		t.Errorf("AssembleSource of MaxSourceSize bytes: %v", err)
	}
}

func TestParseSyntax(t *testing.T) {
	for name, want := range map[string]Syntax{"go": SyntaxGo, "Plan9": SyntaxGo, "Intel": SyntaxIntel, " NASM ": SyntaxIntel,
		"att": SyntaxATT, "gnu": SyntaxATT, "AT&T": SyntaxATT, "auto": SyntaxAuto, "": SyntaxAuto} {
		t.Run(name, func(t *testing.T) {
			if got, err := ParseSyntax(name); err != nil || got != want {
				t.Errorf("ParseSyntax(%q) = %v, %v; want %v", name, got, err, want)
			}
		})
	}
	if _, err := ParseSyntax("masm"); err == nil || err.Error() != `unknown syntax "masm": want go, intel, att or auto` {
		t.Errorf("ParseSyntax(masm) error = %v", err)
	}
	for s, want := range map[Syntax]string{SyntaxAuto: "auto", SyntaxGo: "go", SyntaxIntel: "intel", SyntaxATT: "att", Syntax(9): "Syntax(9)"} {
		t.Run(s.String(), func(t *testing.T) {
			if got := s.String(); got != want {
				t.Errorf("Syntax(%d).String() = %q, want %q", uint8(s), got, want)
			}
		})
	}
}

// TestParseOperands checks the IR the Go front end produces.
func TestParseOperands(t *testing.T) {
	tests := []struct {
		src  string
		args []Operand
	}{
		{"MOVQ $-1, AX", []Operand{Imm(-1), ir.RegOp(AX)}},
		{"MOVSD $(1.5), X0", []Operand{Float(1.5), ir.RegOp(X0)}},
		{"MOVQ 8(SP)(CX*4), AX", []Operand{MemIndex(8, SP, CX, 4), ir.RegOp(AX)}},
		{"MOVQ 8(X4*1), AX", []Operand{MemIndex(8, 0, X4, 1), ir.RegOp(AX)}},
		{"MOVQ ·x+8(SB), AX", []Operand{Sym("x", 8), ir.RegOp(AX)}},
		{"MOVQ pkg·x<>-8(SB), AX", []Operand{{Kind: MemOperand, Sym: "pkg.x", Static: true, Disp: -8}, ir.RegOp(AX)}},
		{"MOVQ $x(SB), AX", []Operand{AddrOf("x", 0), ir.RegOp(AX)}},
		{"JMP x", []Operand{L("x")}},
		{"JMP x(SB)", []Operand{L("x")}},
		{"JMP x<ABIInternal>(SB)", []Operand{L("x")}},
		{"JMP *x(SB)", []Operand{Sym("x", 0)}},
		{"JMP 3(PC)", []Operand{{Kind: LabelOperand, Disp: 3}}},
		{"JMP (AX)", []Operand{Mem(0, AX)}},
		{"V4FMADDPS (AX), [Z0-Z3], K1, Z4", []Operand{Mem(0, AX), RegRange(Z0, Z3), ir.RegOp(K1), ir.RegOp(Z4)}},
		{"MOVL 0x1000, AX", []Operand{{Kind: MemOperand, Disp: 0x1000}, ir.RegOp(AX)}},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			stmts, err := Parse("t.s", []byte(tt.src), SyntaxGo)
			if err != nil {
				t.Errorf("Parse(%q): %v", tt.src, err)
				return
			}
			in, ok := stmts[0].(*Inst)
			if !ok || !reflect.DeepEqual(in.Args, tt.args) {
				t.Errorf("Parse(%q) = %+v, want args %+v", tt.src, stmts[0], tt.args)
			}
		})
	}
	stmts, err := Parse("t.s", []byte("loop: VADDPD.RN_SAE.Z Z1, Z2, K1, Z3 // c"), SyntaxGo)
	if err != nil {
		t.Fatal(err)
	}
	want := []Stmt{
		&LabelDef{Source: Source{Pos: Pos{File: "t.s", Line: 1, Col: 1}, Text: "loop:"}, Name: "loop"},
		&Inst{Source: Source{Pos: Pos{File: "t.s", Line: 1, Col: 7}, Text: "VADDPD.RN_SAE.Z Z1, Z2, K1, Z3"}, Op: "VADDPD", Suffix: "RN_SAE.Z", Args: []Operand{ir.RegOp(Z1), ir.RegOp(Z2), ir.RegOp(K1), ir.RegOp(Z3)}},
	}
	if !reflect.DeepEqual(stmts, want) {
		t.Errorf("Parse = %+v, want %+v", stmts, want)
	}
	stmts, err = Parse("t.s", []byte("TEXT ·f<ABIInternal>(SB), NOSPLIT|NOFRAME, $0-24\nGLOBL t<>(SB), RODATA, $16\nDATA t<>+8(SB)/8, $(2.5)\nPCALIGN $32\nPCDATA $0, $1"), SyntaxGo)
	if err != nil {
		t.Fatal(err)
	}
	if len(stmts) != 4 {
		t.Fatalf("got %d statements, want 4 (PCDATA is dropped)", len(stmts))
	}
	if d := stmts[0].(*TextDef); d.Name != "f" || d.Flags != 516 || d.Frame != 0 || d.Args != 24 {
		t.Errorf("TEXT = %+v", d)
	}
	if d := stmts[1].(*GloblDef); d.Name != "t" || !d.Static || d.Flags != 8 || d.Size != 16 {
		t.Errorf("GLOBL = %+v", d)
	}
	if d := stmts[2].(*DataDef); d.Name != "t" || !d.Static || d.Off != 8 || d.Width != 8 || d.Value != Float(2.5) {
		t.Errorf("DATA = %+v", d)
	}
	if d := stmts[3].(*AlignDef); d.Align != 32 {
		t.Errorf("PCALIGN = %+v", d)
	}
}

func TestBuilder(t *testing.T) {
	b := NewBuilder()
	b.Text("sum", NOSPLIT|NOFRAME)
	b.Inst("XORL", AX, AX)
	b.Label("loop")
	b.Inst("ADDQ", Mem(0, DI), AX)
	b.Inst("ADDQ", Imm(8), DI)
	b.Inst("DECQ", SI)
	b.Inst("JNE", L("loop"))
	b.Inst("MOVSD", Float(2.5), X0)
	b.Inst("MOVQ", Sym("k", 0), BX)
	b.Inst("RET")
	b.Globl("k", RODATA, 8).Data("k", 0, 8, Imm(42))
	b.Append(I("NOP"))
	p, err := b.Assemble()
	if err != nil {
		t.Fatal(err)
	}
	want := "31c0" + "480307" + "4883c708" + "48ffce" + "75f4" + // the loop
		"f20f1005f20f0000" + // MOVSD $(2.5), X0: the constant after k, at 4104
		"488b1de30f0000" + "c3" + "90" + // MOVQ k(SB), BX (k at 4096, the page after the code); RET; NOP
		strings.Repeat("cc", SectionAlign-31) + "2a00000000000000" + "0000000000000440"
	if got := hex.EncodeToString(p.Code); got != want {
		t.Errorf("code %s\nwant %s", got, want)
	}
	if s, ok := p.Symbol("k"); !ok || s.Kind != SymRodata || s.Offset != 4096 {
		t.Errorf("symbol k = %+v, %v", s, ok)
	}
	// A different symbol: k<> is not k.
	if _, err := NewBuilder().Append(I("MOVQ", StaticSym("k", 0), BX)).Globl("k", 0, 8).Assemble(); err == nil || !strings.HasSuffix(err.Error(), "undefined: k<>(SB) (the source defines k(SB))") {
		t.Errorf("k<> vs k: %v", err)
	}
	// RIP-relative displacements, segment overrides, aligned data, and
	// the implicit function's name.
	b = NewBuilder()
	b.Inst("LEAQ", RIPRel(-7), AX)
	b.Inst("MOVQ", Mem(0x28, 0).WithSeg(FS), BX)
	b.Inst("MOVQ", MemIndex(8, AX, CX, 8).WithSeg(GS), BX)
	b.Inst("RET", Imm(8))
	b.Append(&GloblDef{Name: "page", Size: 1, Align: 4096})
	p, err = b.Assemble()
	if err != nil {
		t.Fatal(err)
	}
	want = "488d05f9ffffff" + "64488b1c2528000000" + "65488b5cc808" + "c20800"
	if got := hex.EncodeToString(p.Code[:len(want)/2]); got != want {
		t.Errorf("code %s\nwant %s", got, want)
	}
	if s, ok := p.Symbol("page"); !ok || s.Offset != 4096 || len(p.Code) != 4097 {
		t.Errorf("symbol page = %+v, %v; code %d bytes", s, ok, len(p.Code))
	}
	if s := p.Symbols[0]; s.Name != "main" || s.Kind != SymText {
		t.Errorf("first symbol %+v, want the text symbol main", s)
	}
	if got := ir.FormatInst(I("MOVQ", MemIndex(8, AX, CX, 8).WithSeg(GS), RIPRel(16))); got != "MOVQ GS:8(AX)(CX*8), 16(IP)" {
		t.Errorf("formatInst: %s", got)
	}
	if got := ir.FormatInst(I("MOVQ", Mem(8, AX).WithSeg(FS), Mem(0x28, 0).WithSeg(FS))); got != "MOVQ 8(AX)(FS*1), 40(FS)" {
		t.Errorf("formatInst: %s", got)
	}
}

func TestBuilderErrorsPointAtGoCode(t *testing.T) {
	b := NewBuilder()
	b.Inst("MOVQ", Imm(1), AX)
	b.Inst("NOSUCH", AX) // the error points here
	_, err := b.Assemble()
	if err == nil || !strings.Contains(err.Error(), "asm_test.go:") || !strings.HasSuffix(err.Error(), "unknown instruction NOSUCH") {
		t.Fatalf("error %v, want one at this file", err)
	}
	// Registers out of range and empty operands are errors, not panics.
	for _, in := range []*Inst{
		I("MOVQ", Reg(9999), AX),
		I("MOVQ", Operand{}, AX),
		I("MOVQ", MemIndex(0, AX, BX, 3), CX),
		I("JMP", Imm(1)),
		I("JMP"),
		I("VGATHERDPD", X2, MemIndex(0, BP, X7, 2)),
	} {
		if _, err := NewBuilder().Append(in).Assemble(); err == nil {
			t.Errorf("%s: no error", ir.FormatInst(in))
		}
	}
}

func TestAppendCopy(t *testing.T) {
	kernel, err := Parse("kernel.s", []byte("top: DECQ CX\nJNE top\nLEAQ top(SB), AX"), SyntaxGo)
	if err != nil {
		t.Fatal(err)
	}
	b := NewBuilder()
	for i := 0; i < 3; i++ {
		if err := b.AppendCopy(kernel, fmt.Sprintf("·%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	b.Inst("RET")
	p, err := b.Assemble()
	if err != nil {
		t.Fatal(err)
	}
	// Each copy branches to its own label and takes its own address.
	want := strings.Repeat("48ffc975fb488d05f4ffffff", 3) + "c3"
	if got := hex.EncodeToString(p.Code); got != want {
		t.Errorf("code %s, want %s", got, want)
	}
	if len(p.Labels) != 3 || p.Labels[2].Name != "top·2" || p.Labels[2].Offset != 24 || p.Labels[2].Pos.File != "kernel.s" {
		t.Errorf("labels %+v", p.Labels)
	}
	// Without renaming, the copies collide.
	b = NewBuilder().Append(kernel...).Append(kernel...)
	if _, err := b.Assemble(); err == nil || !strings.Contains(err.Error(), "label top redefined") {
		t.Errorf("duplicate copies: %v", err)
	}
	data, _ := Parse("d.s", []byte("GLOBL x(SB), $8"), SyntaxGo)
	if err := NewBuilder().AppendCopy(data, "1"); err == nil {
		t.Error("AppendCopy of a GLOBL: no error")
	}
}

// TestConcurrentAssemble assembles different programs from many goroutines
// at once (run with -race) and checks each result against a serial run.
func TestConcurrentAssemble(t *testing.T) {
	srcs := []string{
		"loop: DECQ AX; JNE loop; RET",
		"VADDPD.BCST (AX), Z1, K1, Z2; MOVSD $(1.5), X0",
		"TEXT f(SB), NOSPLIT, $16\nMOVQ x<>(SB), AX\nRET\nGLOBL x<>(SB), $8",
		"FOO",
		"MOVB AH, R8B",
	}
	want := make([]string, len(srcs))
	for i, s := range srcs {
		p, err := Assemble(s)
		want[i] = fmt.Sprint(p, err)
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				k := (g + i) % len(srcs)
				p, err := Assemble(srcs[k])
				if got := fmt.Sprint(p, err); got != want[k] {
					t.Errorf("goroutine %d: %q gave %s, want %s", g, srcs[k], got, want[k])
					return
				}
			}
		}(g)
	}
	wg.Wait()
}

// TestWritableData checks the layout contract of Program: code, then the
// read-only data and the writable data, each from a multiple of
// SectionAlign, with the sections that say so, INT3 after the code, zeros
// in the data pages, and every PC-relative reference from the code into
// either part holding.
func TestWritableData(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		syntax   Syntax
		sections []Section
		// refs are the symbols the instructions at these offsets reach
		// RIP-relatively (a 4-byte displacement ending the instruction).
		refs []ref
		// data are bytes expected at offsets.
		data map[int]string
	}{
		{
			name: "go",
			src: "MOVQ counter(SB), AX\nINCQ AX\nMOVQ AX, counter(SB)\nMOVSD $(1.5), X0\nLEAQ table<>(SB), BX\nRET\n" +
				"GLOBL counter(SB), NOPTR, $8\nDATA counter+0(SB)/8, $41\n" +
				"GLOBL table<>(SB), RODATA, $4\nDATA table<>+0(SB)/4, $0x04030201",
			syntax: SyntaxGo,
			sections: []Section{
				{Name: ".text", Kind: SymText, Offset: 0, Size: 33},
				{Name: ".rodata", Kind: SymRodata, Offset: 4096, Size: 16},
				{Name: ".data", Kind: SymData, Offset: 8192, Size: 8},
			},
			refs: []ref{{0, 7, "counter", 0}, {10, 7, "counter", 0}, {17, 8, "$f64.3ff8000000000000", 0}, {25, 7, "table", 0}},
			data: map[int]string{33: "cccccc", 4095: "cc", 4096: "01020304", 4100: "00000000", 4104: "000000000000f83f", 4112: "00", 8191: "00", 8192: "2900000000000000"},
		},
		{
			name: "intel",
			src: "mov rax, [rel count]\nadd rax, [rel step]\nmov [rel buf+8], rax\nret\n" +
				"section .data\ncount: dq 41\nsection .bss\nbuf: resb 64\nsection .rodata\nstep: dq 1",
			syntax: SyntaxIntel,
			sections: []Section{
				{Name: ".text", Kind: SymText, Offset: 0, Size: 22},
				{Name: ".rodata", Kind: SymRodata, Offset: 4096, Size: 8},
				{Name: ".data", Kind: SymData, Offset: 8192, Size: 128},
			},
			refs: []ref{{0, 7, "count", 0}, {7, 7, "step", 0}, {14, 7, "buf", 8}},
			data: map[int]string{22: "cccc", 4095: "cc", 4096: "0100000000000000", 4104: "00", 8192: "2900000000000000", 8200: strings.Repeat("00", 56), 8256: strings.Repeat("00", 64)},
		},
		{
			name:     "read-only data only",
			src:      "MOVQ x(SB), AX; RET\nGLOBL x(SB), RODATA, $8\nDATA x+0(SB)/8, $7",
			syntax:   SyntaxGo,
			sections: []Section{{Name: ".text", Kind: SymText, Offset: 0, Size: 8}, {Name: ".rodata", Kind: SymRodata, Offset: 4096, Size: 8}},
			refs:     []ref{{0, 7, "x", 0}},
			data:     map[int]string{8: "cc", 4095: "cc", 4096: "0700000000000000"},
		},
		{
			name:     "code only: no data pages",
			src:      "MOVQ $7, AX; RET",
			syntax:   SyntaxGo,
			sections: []Section{{Name: ".text", Kind: SymText, Offset: 0, Size: 8}},
			data:     map[int]string{0: "48c7c007000000c3"},
		},
		{
			name:     "data only",
			src:      "GLOBL x(SB), $8\nDATA x+0(SB)/8, $7",
			syntax:   SyntaxGo,
			sections: []Section{{Name: ".data", Kind: SymData, Offset: 0, Size: 8}},
			data:     map[int]string{0: "0700000000000000"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := AssembleSource("t", []byte(tt.src), tt.syntax)
			if err != nil {
				t.Fatal(err)
			}
			checkLayout(t, p, tt.sections, tt.refs, tt.data)
		})
	}
	t.Run("builder", func(t *testing.T) {
		b := NewBuilder()
		b.Inst("MOVQ", Sym("n", 0), AX).Inst("RET")
		b.Globl("n", NOPTR, 8).Data("n", 0, 8, Imm(3))
		p, err := b.Assemble()
		if err != nil {
			t.Fatal(err)
		}
		checkLayout(t, p, []Section{{Name: ".text", Kind: SymText, Offset: 0, Size: 8}, {Name: ".data", Kind: SymData, Offset: 4096, Size: 8}},
			[]ref{{0, 7, "n", 0}}, map[int]string{8: "cc", 4096: "0300000000000000"})
	})
}

// ref is an instruction at off, len bytes long, ending in a 4-byte
// displacement to symbol sym plus add.
type ref struct {
	off, len int
	sym      string
	add      int
}

func checkLayout(t *testing.T, p *Program, sections []Section, refs []ref, data map[int]string) {
	t.Helper()
	if !reflect.DeepEqual(p.Sections, sections) {
		t.Errorf("sections %+v\nwant %+v", p.Sections, sections)
	}
	ws, ro := len(p.Code), -1
	for _, s := range sections {
		switch s.Kind {
		case SymData:
			ws = s.Offset
			if s.Offset%SectionAlign != 0 || s.Offset+s.Size != len(p.Code) {
				t.Errorf("writable section %+v: not page-aligned or not the end of %d bytes", s, len(p.Code))
			}
		case SymRodata:
			ro = s.Offset
			if s.Offset%SectionAlign != 0 {
				t.Errorf("read-only section %+v: not page-aligned", s)
			}
		}
	}
	if got := p.WritableStart(); got != ws {
		t.Errorf("WritableStart() = %d, want %d", got, ws)
	}
	wantRO, wantLayoutRO, wantLayoutW := ro, ro, ws
	if ro < 0 {
		wantRO, wantLayoutRO = ws, 0
	}
	if ws == len(p.Code) {
		wantLayoutW = 0
	}
	if got := p.RodataStart(); got != wantRO {
		t.Errorf("RodataStart() = %d, want %d", got, wantRO)
	}
	if gotRO, gotW := p.LoadLayout(); gotRO != wantLayoutRO || gotW != wantLayoutW {
		t.Errorf("LoadLayout() = %d, %d, want %d, %d", gotRO, gotW, wantLayoutRO, wantLayoutW)
	}
	for _, s := range p.Symbols {
		if s.Kind == SymRodata && (s.Offset < p.RodataStart() || s.Offset+s.Size > p.WritableStart()) {
			t.Errorf("symbol %+v outside the read-only data [%d, %d)", s, p.RodataStart(), p.WritableStart())
		}
	}
	for _, s := range p.Symbols {
		if s.Kind == SymData && s.Offset < p.WritableStart() || s.Kind != SymData && s.Offset+s.Size > p.WritableStart() {
			t.Errorf("symbol %+v on the wrong side of the writable start %d", s, p.WritableStart())
		}
	}
	for _, r := range refs {
		end := r.off + r.len
		disp := int32(binary.LittleEndian.Uint32(p.Code[end-4:]))
		s, ok := p.Symbol(r.sym)
		if !ok {
			t.Errorf("no symbol %s", r.sym)
			continue
		}
		if target := end + int(disp); target != s.Offset+r.add {
			t.Errorf("instruction at %#x reaches %#x, want %s%+d at %#x", r.off, target, r.sym, r.add, s.Offset+r.add)
		}
	}
	for off, want := range data {
		if got := hex.EncodeToString(p.Code[off : off+len(want)/2]); got != want {
			t.Errorf("bytes at %#x: %s, want %s", off, got, want)
		}
	}
}

// TestStreamedEqualsParsed checks the streamed path (AssembleSource hands
// each Go-syntax statement to the encoder as it is read, and the parser
// uses the memory of statements the encoder let go of again) against the
// encoder given all the statements at once (Parse, then a Builder): the
// same Program, for a source of several encoder chunks with branches both
// ways, labels, frames, calls, N(PC) targets, data and float constants;
// and the same errors for one whose bad instructions golang-asm refuses
// only when their chunk is encoded.
func TestStreamedEqualsParsed(t *testing.T) {
	for _, bad := range []bool{false, true} {
		t.Run(fmt.Sprintf("errors=%v", bad), func(t *testing.T) {
			src := streamSource(bad)
			streamed, err1 := AssembleSource("big.s", src, SyntaxGo)
			stmts, err := Parse("big.s", src, SyntaxGo)
			if err != nil {
				t.Fatal(err)
			}
			parsed, err2 := NewBuilder().SetFile("big.s").Append(stmts...).Assemble()
			if fmt.Sprint(err1) != fmt.Sprint(err2) {
				t.Fatalf("errors differ:\nstreamed: %v\nparsed:   %v", err1, err2)
			}
			if bad != (err1 != nil) {
				t.Fatalf("error %v", err1)
			}
			if bad {
				return
			}
			if len(streamed.Code) < 3*encodeChunk {
				t.Fatalf("only %d bytes: the source should span several chunks", len(streamed.Code))
			}
			if !reflect.DeepEqual(streamed, parsed) {
				t.Errorf("streamed and parsed programs differ: %d and %d bytes, code equal %v, %d and %d lines",
					len(streamed.Code), len(parsed.Code), bytes.Equal(streamed.Code, parsed.Code), len(streamed.Lines), len(parsed.Lines))
			}
		})
	}
}

// streamSource is TestStreamedEqualsParsed's source: three functions of
// 1500 lines each; with bad, a PSHUFD with an immediate out of range every
// 400 lines.
func streamSource(bad bool) []byte {
	var b strings.Builder
	b.WriteString("#include \"textflag.h\"\n")
	for f := 0; f < 3; f++ {
		fmt.Fprintf(&b, "TEXT ·f%d(SB), NOSPLIT, $16-0\n", f)
		for i := 0; i < 1500; i++ {
			fmt.Fprintf(&b, "l%d:\tADDQ $%d, AX\n", i, i)
			if bad && i%400 == 399 {
				fmt.Fprintf(&b, "\tPSHUFD $%d, X1, X0\n", 256+i)
			}
			switch i % 7 {
			case 0:
				fmt.Fprintf(&b, "\tJNE l%d\n", max(i-3, 0))
			case 1:
				fmt.Fprintf(&b, "\tJEQ l%d\n", min(i+200, 1499))
			case 2:
				b.WriteString("\tMOVQ tab<>+8(SB), BX; MOVSD $(2.5), X1\n")
			case 3:
				fmt.Fprintf(&b, "\tCALL ·f%d(SB)\n", (f+1)%3)
			case 4:
				b.WriteString("\tJMP 2(PC); NOP; NOP\n")
			case 5:
				b.WriteString("\tMOVQ counter(SB), CX; INCQ CX; MOVQ CX, counter(SB)\n")
			case 6:
				b.WriteString("\tRET\n")
			}
		}
		b.WriteString("\tRET\n")
	}
	b.WriteString("DATA tab<>+0(SB)/8, $1\nDATA tab<>+8(SB)/8, $2\nGLOBL tab<>(SB), RODATA, $16\nGLOBL counter(SB), NOPTR, $8\n")
	return []byte(b.String())
}

// TestStreamedLetsGoOnlyOfWhatItHolds checks the encoder's side of the
// memory reuse: whenever add reports that it has let go of the statements
// handed over, no instruction of them waits for the encoder, since the Go
// parser then overwrites their memory. That holds also once the encoder
// has too many errors and stops placing statements, with an instruction
// still queued (a PSHUFD that golang-asm refuses only when its chunk is
// encoded, whose message is made from the instruction).
func TestStreamedLetsGoOnlyOfWhatItHolds(t *testing.T) {
	var b strings.Builder
	b.WriteString("TEXT f(SB), NOSPLIT, $0\nPSHUFD $300, X1, X0\n")
	for i := 0; i < 4*MaxErrors; i++ {
		b.WriteString("ADDQ $0xffffffff, AX\n") // refused when placed
	}
	b.WriteString("PSHUFD $1, X1, X0\nRET\n")
	e := newEncoder("t.s", 8, false)
	freed := 0
	gosyntax.ParseFunc("t.s", []byte(b.String()), func(st ir.Stmt) bool {
		free := e.add(st)
		if free && (len(e.queued) > 0 || e.enc.Queued() > 0) {
			t.Errorf("%v: add let go of the statements with %d instructions waiting for the encoder", st.Src().Pos, len(e.queued))
		}
		if free && e.errs.Full() {
			freed++
		}
		return free
	}, nil)
	if freed == 0 {
		t.Fatal("the encoder never let go of statements once its errors were full: the case is not exercised")
	}
	if _, errs := e.finish(); errs.Len() == 0 {
		t.Error("no errors")
	}
}

// TestRefusingCostsNoMemoryPerLine checks that refusing a source does not
// cost memory for each of its lines: a source over MaxSourceSize is
// refused before anything is allocated for it, and the hint that a Go
// source with errors looks like NASM reads only the lines with errors (it
// split the whole source into lines: 24 bytes a line, 1.6 GB for a source
// of 64 MiB newlines).
func TestRefusingCostsNoMemoryPerLine(t *testing.T) {
	allocated := func(run func()) uint64 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		run()
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	big := bytes.Repeat([]byte("\n"), MaxSourceSize+1)
	for _, tt := range []struct {
		name string
		run  func() error
	}{
		{"Assemble", func() error { _, err := Options{}.Assemble("big.s", big); return err }},
		{"Parse", func() error { _, err := Options{}.Parse("big.s", big); return err }},
	} {
		t.Run("oversize "+tt.name, func(t *testing.T) {
			var err error
			if n := allocated(func() { err = tt.run() }); n > 1<<20 {
				t.Errorf("refusing %d bytes allocated %d MiB", len(big), n>>20)
			}
			if err == nil || !strings.Contains(err.Error(), "(MaxSourceSize)") {
				t.Errorf("error %v, want one about MaxSourceSize", err)
			}
		})
	}
	t.Run("NASM hint", func(t *testing.T) {
		src := bytes.Repeat([]byte("\n"), 8<<20)
		copy(src[len(src)/2:], "MOVL $1, AX\n")
		good := allocated(func() {
			if _, err := (Options{}).Assemble("t.s", src); err != nil {
				t.Fatal(err)
			}
		})
		copy(src[len(src)/2:], "MOVL $1, AX, BX\n")
		var err error
		bad := allocated(func() { _, err = Options{}.Assemble("t.s", src) })
		if err == nil {
			t.Fatal("no error")
		}
		if bad > good+8<<20 {
			t.Errorf("a source of %d lines with an error allocated %d MiB, %d MiB more than when it assembles", len(src), bad>>20, (bad-good)>>20)
		}
	})
}

// TestProgramSizeBounded checks that a short source cannot make the
// assembler allocate without bound: a program (code and data) is at most
// MaxProgramSize (the data symbols of the first case take exactly that
// until the third), refused before its bytes are allocated. Each GLOBL of
// a 30-byte source took up to a GiB (20 of them ended the process), twice
// (as the symbol and in Code), and alignments made a GiB of code of a few
// MiB of source.
func TestProgramSizeBounded(t *testing.T) {
	tests := []struct {
		name, src string
		syntax    Syntax
		err       string
	}{
		{"GLOBLs", "GLOBL a(SB), $0x20000000\nGLOBL b(SB), $0x20000000\nGLOBL c(SB), $0x20000000\nDATA c+0(SB)/1, $1", SyntaxGo,
			"t:3:1: GLOBL c(SB): the data symbols declared so far take 1610612736 bytes, more than the 1073741824 (1 GiB) a program may hold (MaxProgramSize)"},
		{"code and data", "RET\nGLOBL a(SB), RODATA, $0x3ffff001\nDATA a+8(SB)/8, $1", SyntaxGo,
			"t:2:1: GLOBL a(SB) ends at 1073741825 bytes, more than the 1073741824 (1 GiB) a program may hold (MaxProgramSize)"},
		{"code", strings.Repeat("PCALIGN $4096\nNOP\n", 1<<18+1), SyntaxGo,
			"t:524290:1: the code is 1073741825 bytes long, more than the 1073741824 (1 GiB) a program may hold (MaxProgramSize); it passes the limit here"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := AssembleSource("t", []byte(tt.src), tt.syntax)
			runtime.ReadMemStats(&after)
			if err == nil || err.Error() != tt.err {
				t.Errorf("error %v\nwant %s", err, tt.err)
			}
			// The program's bytes are not allocated (the statements of the
			// code case take a few hundred MiB).
			if n := after.TotalAlloc - before.TotalAlloc; n > MaxProgramSize*3/4 {
				t.Errorf("%d-byte source allocated %d MiB", len(tt.src), n>>20)
			}
		})
	}
}
