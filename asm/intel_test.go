package asm

import (
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func assembleIntel(src string) (*Program, error) {
	return AssembleSource("t.asm", []byte(src), SyntaxIntel)
}

// intelCode is an Intel-syntax source and the bytes it assembles to, in
// hex.
type intelCode struct {
	src  string
	want string
}

// checkIntelCode assembles each source and compares its bytes, in a
// subtest named by the source.
func checkIntelCode(t *testing.T, tests []intelCode) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			p, err := assembleIntel(tt.src)
			if err != nil {
				t.Errorf("%q: %v", tt.src, err)
				return
			}
			if got := hex.EncodeToString(p.Code); got != tt.want {
				t.Errorf("%q: got %s, want %s", tt.src, got, tt.want)
			}
		})
	}
}

// TestIntelInstructions checks single instructions against the bytes GNU
// as 2.40 gives for the same line (.intel_syntax noprefix), or, where
// noted, another encoding of the same instruction.
func TestIntelInstructions(t *testing.T) {
	tests := []intelCode{
		// Mnemonics and registers in any case; numbers in every notation.
		{"mov rax, 42", "48c7c02a000000"},
		{"MOV RAX, 42", "48c7c02a000000"},
		{"Mov Rax, 0x2a", "48c7c02a000000"},
		{"mov rax, 2ah", "48c7c02a000000"},
		{"mov rax, 0b101010", "48c7c02a000000"},
		{"mov rax, 101010b", "48c7c02a000000"},
		{"mov rax, 0o52", "48c7c02a000000"},
		{"mov rax, 52q", "48c7c02a000000"},
		{"mov rax, 4_2", "48c7c02a000000"},
		{"mov rax, (1 << 5) | (5 * 2)", "48c7c02a000000"},
		{"mov rax, 84 / 2 % 100", "48c7c02a000000"},
		{"mov rax, -(-42)", "48c7c02a000000"},
		{"mov rax, ~-43", "48c7c02a000000"},
		{"mov al, 'a'", "b061"},
		{"mov eax, 'ab'", "b861620000"},
		{"mov eax, 0b101", "b805000000"},
		// Operand sizes from registers and from keywords, with or without ptr.
		{"add qword ptr [rax+rbx*4+8], 0x2a", "48834498082a"},
		{"add qword [rax+rbx*4+8], 0x2a", "48834498082a"},
		{"add QWORD PTR [8+rbx*4+rax], 0x2a", "48834498082a"},
		{"add qword [rbx*4+rax+8], 0x2a", "48834498082a"},
		{"inc byte [rax]", "fe00"},
		{"inc word [rax]", "66ff00"},
		{"inc dword [rax]", "ff00"},
		{"inc qword [rax]", "48ff00"},
		{"mov [rax], rbx", "488918"},
		{"mov ebx, [rax]", "8b18"},
		{"movzx eax, byte ptr [rsi]", "0fb606"},
		{"movsx rax, word [rsi]", "480fbf06"},
		{"movsxd rax, dword [rsi]", "486306"},
		{"movaps xmm0, [rax]", "0f2800"},
		{"movaps xmm0, oword [rax]", "0f2800"},
		{"movaps xmm0, xmmword ptr [rax]", "0f2800"},
		{"vmovups ymm1, yword [rax]", "c5fc1008"},
		{"vmovups zmm1, zword [rax]", "62f17c481008"},
		// Registers of every kind.
		{"mov r8d, r9d", "4589c8"},
		{"add rax, byte 5", "4883c005"},
		{"push qword 5", "6a05"},
		{"mov qword rax, 5", "48c7c005000000"},
		{"mov r8w, r9w", "664589c8"},
		{"mov r8b, r9b", "4588c8"},
		{"mov r8l, r9l", "4588c8"},
		{"mov sil, dil", "4088fe"},
		{"mov ah, bl", "88dc"},
		{"movq xmm0, rax", "66480f6ec0"},
		{"movd xmm0, eax", "660f6ec0"},
		{"kmovq k1, rax", "c4e1fb92c8"},
		{"fadd st(0), st(3)", "d8c3"},
		{"fadd st0, st3", "d8c3"},
		// Memory: base, index, scale, displacement in any order; rsp never
		// an index; RIP-relative.
		{"lea rax, [rbx+rsp]", "488d041c"},
		{"lea rax, [rsp+rbx]", "488d041c"},
		{"lea rax, [rbx+rcx]", "488d040b"},
		{"lea rax, [rcx*8]", "488d04cd00000000"},
		{"lea rax, [rbx + rcx*2 - 8]", "488d444bf8"},
		{"lea rax, [2*rcx + rbx]", "488d044b"},
		{"mov rax, [r13]", "498b4500"},
		{"mov rax, [r12]", "498b0424"},
		{"mov rax, [rip+0x10]", "488b0510000000"},
		{"mov rax, [rel 0x10]", "488b0510000000"},
		{"mov dword ptr [rip+0x10], 7", "c7051000000007000000"},
		{"mov rax, [0x1000]", "488b042500100000"},
		{"times 2 lea rax, [rip]", "488d0500000000488d0500000000"},
		{"lea rax, [rip-7]", "488d05f9ffffff"},
		// Segment overrides: FS and GS (GNU as's bytes; for lock it puts
		// the prefixes the other way round).
		{"mov rax, fs:[0x28]", "64488b042528000000"},
		{"mov rax, qword ptr fs:0x28", "64488b042528000000"},
		{"mov rax, [fs:0x28]", "64488b042528000000"},
		{"mov rax, qword ptr fs:[rax]", "64488b00"},
		{"mov rax, gs:[rax+rbx*8+8]", "65488b44d808"},
		{"mov rax, fs:[rip+8]", "64488b0508000000"},
		{"vmovdqu ymm0, fs:[rdi]", "64c5fe6f07"},
		{"lock add dword fs:[rax], 1", "f064830001"},
		// spl, bpl, sil, dil: every byte instruction, with the REX prefix
		// the encoder adds for spl.
		{"xor spl, al", "4030c4"},
		{"neg spl", "40f6dc"},
		{"movsx rax, spl", "480fbec4"},
		{"xadd [rax], sil", "400fc030"},
		{"rcr dil, 1", "40d0df"},
		{"cmp sil, 3", "4080fe03"},
		{"sete dil", "400f94c7"},
		{"setne spl", "400f95c4"},
		{"xchg [rax], spl", "408620"},
		{"crc32 eax, dil", "f2400f38f0c7"},
		{"crc32 eax, sil", "f2400f38f0c6"},
		{"crc32 eax, spl", "f2400f38f0c4"},
		{"mov r8b, spl", "4188e0"},
		// An 8-bit immediate golang-asm takes only unsigned, or only
		// signed, is the same byte written either way (as in GNU as).
		{"pshufd xmm0, xmm1, -1", "660f70c1ff"},
		{"vpternlogd zmm0, zmm1, zmm2, -1", "62f3754825c2ff"},
		{"psrlw mm6, 200", "0f71d6c8"},
		{"psrlq xmm1, 255", "660f73d1ff"},
		{"vpsrlq ymm1, ymm2, 200", "c5f573d2c8"},
		// Prefixes.
		{"lock xadd qword ptr [rdi], rax", "f0480fc107"},
		{"lock add dword [rax], 1", "f0830001"},
		{"rep movsb", "f3a4"},
		{"rep stosq", "f348ab"},
		{"repne scasb", "f2ae"},
		// Forms Go spells differently.
		{"shl rax, cl", "48d3e0"},
		{"shl rax, 1", "48d1e0"},
		{"sal rax, 3", "48c1e003"},
		{"imul rax, rbx, 12", "486bc30c"},
		{"imul rax, 12", "486bc00c"},
		{"imul rax, rbx", "480fafc3"},
		{"cqo", "4899"},
		{"cdq", "99"},
		{"cmp rax, rbx", "4839d8"},
		{"test al, 1", "a801"},
		{"blendvps xmm1, xmm2", "660f3814ca"},
		{"blendvps xmm1, xmm2, xmm0", "660f3814ca"},
		{"pushfq", "9c"},
		{"pushf", "9c"},
		{"popf", "9d"},
		{"xchg rax, rbx", "4893"}, // GNU as: 48 93 (xchg rbx, rax)
		{"cvtsi2sd xmm0, rax", "f2480f2ac0"},
		{"cvttsd2si rax, xmm1", "f2480f2cc1"},
		{"sete al", "0f94c0"},
		{"setz al", "0f94c0"},
		{"cmovnae rax, rbx", "480f42c3"},
		{"cmovc rax, rbx", "480f42c3"},
		{"cmovb rax, rbx", "480f42c3"},
		{"nop", "90"},
		{"int3", "cc"},
		{"ret", "c3"},
		{"ret 8", "c20800"},
		{"ret 0", "c20000"},
		{"RET 0xffff", "c2ffff"},
		// in, out, and x87 loads and stores (hand-written forms, GNU as's
		// bytes; fst st0 is dd d0, which golang-asm would make fld st0).
		{"in al, dx", "ec"},
		{"in eax, 0x60", "e560"},
		{"out 0x80, al", "e680"},
		{"out dx, ax", "66ef"},
		{"fld qword [rdi]", "dd07"},
		{"fld st0", "d9c0"},
		{"fst st0", "ddd0"},
		{"fst st1", "ddd1"},
		{"fstp st0", "ddd8"},
		{"fild qword [rsp]", "df2c24"},
		{"fistp dword [rax]", "db18"},
		{"fmul st0, st2", "d8ca"},
		{"fmul st2, st0", "dcca"},
		{"fxch st1", "d9c9"},
		{"fucomi st0, st3", "dbeb"},
		{"fnstsw ax", "dfe0"},
		{"fldz", "d9ee"},
		{"fninit", "dbe3"},
		{"rdpru", "0f01fd"},
		{"endbr64", "f30f1efa"},
		{"jmp rax", "ffe0"},
		{"call qword ptr [rax]", "ff10"},
		// BMI, ADX.
		{"tzcnt rax, qword ptr [rdi]", "f3480fbc07"},
		{"pdep rax, rbx, rcx", "c4e2e3f5c1"},
		{"shlx r8, r9, r10", "c442a9f7c1"},
		{"rorx eax, ebx, 7", "c4e37bf0c307"},
		{"andn rax, rbx, qword ptr [rsi]", "c4e2e0f206"},
		{"bzhi rax, rbx, rcx", "c4e2f0f5c3"},
		{"mulx rdx, rax, rcx", "c4e2fbf6d1"},
		{"adcx rax, rbx", "66480f38f6c3"},
		// AVX-512: opmask, zeroing, broadcast, rounding, SAE.
		{"vaddps zmm1{k2}{z}, zmm2, dword ptr [rax]{1to16}", "62f16cda5808"},
		{"vaddps zmm1 {k2} {z}, zmm2, [rax]{1to16}", "62f16cda5808"},
		{"vaddpd zmm1, zmm2, zmm3, {rd-sae}", "62f1ed3858cb"},
		{"vaddpd zmm1, zmm2, zmm3{rd-sae}", "62f1ed3858cb"},
		{"vpternlogd zmm0, zmm1, zmm2, 0xca", "62f3754825c2ca"},
		{"vpgatherdd xmm1{k1}, [rax+xmm2*4]", "62f27d09900c90"},
		{"vpscatterdd [rax+zmm2*4]{k1}, zmm3", "62f27d49a01c90"},
		{"vmovdqu8 zmm1{k1}{z}, zmmword ptr [rsp+0x40]", "62f17fc96f4c2401"},
		{"vfmadd231ps zmm0{k1}, zmm1, dword ptr [rip+0x100]{1to16}", "62f27559b80500010000"},
		{"vcvtsi2sd xmm1, xmm2, rax, {rn-sae}", "62f1ef182ac8"},
		{"vgatherdpd zmm0{k7}, [r13+ymm21*8+0x10]", "62d2fd479244ed02"},
		{"kortestw k1, k2", "c5f898ca"},
		{"vpbroadcastq zmm0, rax", "62f2fd487cc0"},
		{"vextracti32x4 xmm1, zmm2, 3", "62f37d4839d103"},
		{"vpermt2d zmm1{k1}, zmm2, zmm3", "62f26d497ecb"},
		// Predicate pseudo-mnemonics.
		{"vcmpltps k1{k2}, zmm3, zmm4", "62f1644ac2cc01"},
		{"cmpeqsd xmm1, xmm2", "f20fc2ca00"},
		{"vpcmpltud k1, zmm2, zmm3", "62f36d481ecb01"},
		// A 64-bit move of a value that fits in 32 bits unsigned: the
		// encoder picks mov r32, imm32 (b8), which zero-extends to the same
		// rax; GNU as picks movabs (48 b8 ff ff ff ff 00 00 00 00).
		{"mov rax, 0xffffffff", "b8ffffffff"},
		{"mov rax, -1", "48c7c0ffffffff"},
		{"mov rax, 0x123456789", "48b88967452301000000"},
		{"movabs rax, 0x123456789", "48b88967452301000000"},
		// Immediates through equ.
		{"n equ 6*7\nmov rax, n", "48c7c02a000000"},
		{"n: equ 40\nmov rax, n+2", "48c7c02a000000"},
		{".equ n, 42\nmov rax, n", "48c7c02a000000"},
		{".set n, 42\nmov rax, n", "48c7c02a000000"},
		// times repeats an instruction.
		{"times 3 nop", "909090"},
		// Directives that only tell the syntax.
		{"BITS 64\nret", "c3"},
		{"[bits 64]\nret", "c3"},
		{".intel_syntax noprefix\nret", "c3"},
		{"default rel\nret", "c3"},
		{"global f\nf: ret", "c3"},
		{".globl f\n.type f, @function\nf: ret\n.size f, .-f", "c3"},
		// Comments.
		{"ret ; done", "c3"},
		{"ret # done", "c3"},
		{"; only a comment\nret", "c3"},
		{"mov al, ';' ; a quoted ; is not a comment", "b03b"},
		// Raw bytes in code.
		{"db 0x90, 0xc3", "90c3"},
		{"dw 0x1234", "3412"},
		{"dd 0x12345678", "78563412"},
		{"dq -1", "ffffffffffffffff"},
		{"db 'hi', 0", "686900"},
		{"times 2 db 0xcc", "cccc"},
	}
	checkIntelCode(t, tests)
}

// TestIntelProgram checks a NASM-style program: labels and local labels,
// branches both ways, data in .rodata and .data read RIP-relative, equ
// with $, and the line map.
func TestIntelProgram(t *testing.T) {
	src := `; sum the bytes of msg
BITS 64
section .text
global sum
sum:
	xor eax, eax
	lea rsi, [rel msg]
	mov ecx, msg_len
.loop:
	movzx edx, byte [rsi]
	add eax, edx
	inc rsi
	dec ecx
	jnz .loop
	add eax, [rel bias]
	ret

section .rodata
msg:	db "abc"
msg_len equ $ - msg

section .data
bias:	dd 1000
`
	p, err := assembleIntel(src)
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(p.Code); got != wantProgram {
		t.Errorf("code %s\nwant %s", got, wantProgram)
	}
	checkSym := func(name string, kind SymbolKind, off, size int) {
		t.Helper()
		s, ok := p.Symbol(name)
		if !ok {
			t.Errorf("no symbol %s in %+v", name, p.Symbols)
			return
		}
		if s.Kind != kind || s.Offset != off || s.Size != size {
			t.Errorf("symbol %s = %+v, want kind %v offset %d size %d", name, s, kind, off, size)
		}
	}
	checkSym("msg", SymRodata, 0x1000, 3)
	checkSym("bias", SymData, 0x2000, 4)
	for _, l := range []struct {
		name string
		off  int
	}{{"sum", 0}, {"sum.loop", 0xe}} {
		t.Run(l.name, func(t *testing.T) {
			if off, ok := p.Lookup(l.name); !ok || off != l.off {
				t.Errorf("label %s at %d (%v), want %d", l.name, off, ok, l.off)
			}
		})
	}
	line, ok := p.LineAt(0xe)
	if !ok || line.Pos != (Pos{File: "t.asm", Line: 10, Col: 2}) || line.Text != "movzx edx, byte [rsi]" {
		t.Errorf("line at 0xe = %+v, want t.asm:10:2 \"movzx edx, byte [rsi]\"", line)
	}
	line, ok = p.LineAt(0x1000)
	if !ok || line.Pos != (Pos{File: "t.asm", Line: 19, Col: 1}) || line.Text != "msg:\tdb \"abc\"" {
		t.Errorf("line at 0x1000 = %+v, want t.asm:19:1 msg:\tdb \"abc\"", line)
	}
}

// wantProgram is TestIntelProgram's code, the same bytes GNU as gives for
// the program with [rel x] written [rip + x] and the data placed as
// jitrun places it (the read-only data from the page after the code, the
// writable data from the page after that: INT3 pads the code's page, zeros
// the data's).
var wantProgram = "31c0" + // xor eax, eax
	"488d35f70f0000" + // lea rsi, [rip+0xff7] → msg at 0x1000
	"b903000000" + // mov ecx, 3
	"0fb616" + // .loop at 0xe: movzx edx, byte [rsi]
	"01d0" + // add eax, edx
	"48ffc6" + // inc rsi
	"ffc9" + // dec ecx
	"75f4" + // jnz .loop
	"0305e01f0000" + // add eax, [rip+0x1fe0] → bias at 0x2000
	"c3" + // ret
	strings.Repeat("cc", 0x1000-0x21) + // up to the read-only page
	"616263" + // msg
	strings.Repeat("00", 0x1000-3) + // up to the writable page
	"e8030000" // bias

// TestIntelDataSections checks data layout: contiguity inside a section,
// floats, strings padded to the unit, alignment, times, res* in .bss,
// GNU as directives.
func TestIntelDataSections(t *testing.T) {
	tests := []struct {
		src  string
		sym  string
		want string
	}{
		{"section .data\nx: db 1, 2, 3\ny: dw 4", "x", "010203"},
		{"section .data\nx: db 1, 2, 3\ny: dw 4", "y", "0400"},
		{"section .data\nx: dd 1.5, -2.0", "x", "0000c03f000000c0"},
		{"section .data\nx: dq 0.1", "x", "9a9999999999b93f"},
		{"section .data\nx: dw 'abc'", "x", "61626300"},
		{"section .data\nx: dd 'ab'", "x", "61620000"},
		{"section .data\nx: db `a\\n\\0`", "x", "610a00"},
		{"section .data\nx: db 1\nalign 4\ndb 2", "x", "0100000002"},
		{"section .data\nx: times 3 db 7\n", "x", "070707"},
		{"section .data\nx: times 2 dw 0x102", "x", "02010201"},
		{"section .rodata\nx: .ascii \"a\\tb\"\n.asciz \"c\"", "x", "6109626300"},
		{"section .rodata\nx: .byte 1, 2\n.short 3\n.long 4\n.quad 5", "x", "01020300040000000500000000000000"},
		{"section .rodata\nx: .zero 3\n.string \"\"", "x", "00000000"},
		{".data\nx: db 9", "x", "09"},
		{".section .rodata\nx: db 9", "x", "09"},
		{"section .bss\nx: resq 2", "x", "00000000000000000000000000000000"},
		{"section .data\nx: db 1\nresb 2\ndb 3\n.zero 1\n.zero 2, 4", "x", "01000003000404"},
		{"section .data\ndb 5\nx: db 6", ".data", "05"},
		{"section .data\ndb 5\nx: db 6", "x", "06"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			p, err := assembleIntel("ret\n" + tt.src)
			if err != nil {
				t.Errorf("%q: %v", tt.src, err)
				return
			}
			s, ok := p.Symbol(tt.sym)
			if !ok {
				t.Errorf("%q: no symbol %s in %+v", tt.src, tt.sym, p.Symbols)
				return
			}
			if got := hex.EncodeToString(p.Code[s.Offset : s.Offset+s.Size]); got != tt.want {
				t.Errorf("%q: %s = %s, want %s", tt.src, tt.sym, got, tt.want)
			}
		})
	}
}

// TestIntelDataSymbols checks that every data label is a symbol of its
// own, laid out as NASM lays out its section: contiguous, with gaps only
// where align asks for them; a label with nothing after it (or before the
// next label) is a symbol of size 0 that can still be addressed. [rip + n]
// makes no label.
func TestIntelDataSymbols(t *testing.T) {
	src := `lea rax, [rel end]
mov eax, [rel c]
lea rbx, [rip+2]
ret
section .rodata
a: db 1, 2, 3
b: dw 4
c:
d: dd 5
align 8
e: dq 6
end:
section .data
f: db 7
align 128
g: db 8
section .bss
h: resq 1
`
	p, err := assembleIntel(src)
	if err != nil {
		t.Fatal(err)
	}
	type sym struct {
		name      string
		kind      SymbolKind
		off, size int
	}
	var got []sym
	for _, s := range p.Symbols {
		got = append(got, sym{s.Name, s.Kind, s.Offset, s.Size})
	}
	want := []sym{
		{"main", SymText, 0, 0x15},
		// The section starts on the page after the code (SectionAlign);
		// its symbols follow each other.
		{"a", SymRodata, 0x1000, 3},
		{"b", SymRodata, 0x1003, 2},
		{"c", SymRodata, 0x1005, 0},
		{"d", SymRodata, 0x1005, 11},
		{"e", SymRodata, 0x1010, 8},
		{"end", SymRodata, 0x1018, 0},
		// .data: writable, from the page after the read-only data
		// (aligned to 128 for its align 128 too), then .bss.
		{"f", SymData, 0x2000, 128},
		{"g", SymData, 0x2080, 1},
		{"h", SymData, 0x2088, 8},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("symbols\n%+v\nwant\n%+v", got, want)
	}
	if len(p.Labels) != 0 {
		t.Errorf("labels %+v, want none", p.Labels)
	}
	const code = "488d0511100000" + // lea rax, [rel end]: 0x1018 - 7
		"8b05f80f0000" + // mov eax, [rel c]: 0x1005 - 0xd
		"488d1d02000000" + // lea rbx, [rip+2]
		"c3"
	if got := hex.EncodeToString(p.Code[:0x15]); got != code {
		t.Errorf("code %s, want %s", got, code)
	}
	if got, want := hex.EncodeToString(p.Code[0x1000:0x1018]), "010203040005000000000000000000000600000000000000"; got != want {
		t.Errorf(".rodata %s, want %s", got, want)
	}
	// INT3 fills the code's page up to the read-only data; zeros fill the
	// rest of the read-only data's page up to the writable data.
	for i, c := range p.Code[0x15:0x2000] {
		if want := byte(0xcc); i+0x15 >= 0x1000 {
			want = 0
			if i+0x15 < 0x1018 {
				continue
			}
			if c != want {
				t.Fatalf("byte %#x of the read-only data's page is %#x, want %#x", i+0x15, c, want)
			}
		} else if c != want {
			t.Fatalf("byte %#x of the code's page is %#x, want %#x", i+0x15, c, want)
		}
	}
}

// TestIntelLabels checks branches to labels and label scoping.
func TestIntelLabels(t *testing.T) {
	tests := []intelCode{
		{"loop: dec rcx\njnz loop\njmp fwd\ncall fwd\nfwd: ret", "48ffc975fbeb05e800000000c3"},
		{"a: jmp short a", "ebfe"},
		{"a: jmp near a", "ebfe"},
		{"f:\n.x: jmp .x\ng:\n.x: jmp .x\njmp f.x", "ebfeebfeebfa"},
		{"a: loop a", "e2fe"},
		{"a: jrcxz a", "e3fe"},
		{"a: je a\njz a\njnae a\njc a", "74fe74fc72fa72f8"},
		{"jmp b\ntimes 200 nop\nb: ret", "e9c8000000" + strings.Repeat("90", 200) + "c3"},
		{"lea rax, [rel f]\nf: ret", "488d0500000000c3"},
		{"lea rax, [f + 1]\nf: ret", "488d0501000000c3"},
		{"lea rax, [rip + f]\nf: ret", "488d0500000000c3"},
		{"align 8\nnop\nalign 4\nret", "900f1f00c3"},
	}
	checkIntelCode(t, tests)
}

// TestIntelErrors checks that bad input gives one positioned, actionable
// error, and never bytes.
func TestIntelErrors(t *testing.T) {
	tests := []struct {
		src  string
		want string // the first error, FILE:LINE:COL: message (a prefix)
	}{
		{"inc [rax]", "t.asm:1:5: ambiguous operand size for inc: write byte, word, dword or qword before [rax]"},
		{"mov [rax], 1", "t.asm:1:5: ambiguous operand size for mov: write byte, word, dword or qword before [rax]"},
		{"movx rax, rbx", "t.asm:1:1: unknown instruction movx (did you mean "},
		{"nop\nfrobnicate", "t.asm:2:1: unknown instruction frobnicate"},
		{"mov rax, [eax]", "t.asm:1:11: eax: only 64-bit registers can address memory (write rax)"},
		{"mov rax, [rax+rbx*3]", "t.asm:1:10: scale 3 is not 1, 2, 4 or 8"},
		{"mov rax, [rsp*2]", "t.asm:1:10: rsp cannot be an index register"},
		{"mov rax, [rax+rbx+rcx]", "t.asm:1:19: too many registers"},
		{"add rax, xmm0", "t.asm:1:1: add does not take (r64, xmm)"},
		{"movaps xmm0, qword [rax]", "t.asm:1:14: operand size mismatch for movaps: qword [rax] is qword; movaps takes xmmword here"},
		{"add rax, ebx", "t.asm:1:1: operand sizes differ: rax is 64-bit, ebx is 32-bit; write add eax, ebx or add rax, rbx"},
		{"vaddps zmm1{k0}, zmm2, zmm3", "t.asm:1:8: k0 cannot be an opmask"},
		{"vaddps zmm1{z}, zmm2, zmm3", "t.asm:1:1: {z} (zeroing) needs an opmask"},
		{"addps xmm1{k1}, xmm2", "t.asm:1:7: addps does not take an opmask"},
		{"vpgatherdd xmm1, [rax+xmm2*4]", "t.asm:1:1: vpgatherdd needs an opmask"},
		{"vaddps zmm1, zmm2, [rax]{1to8}", "t.asm:1:1: vaddps does not take (zmm, zmm, m{1to8})"},
		{"vaddps zmm1, zmm2, zmm3, {bad}", "t.asm:1:26: {bad} cannot stand alone"},
		{"vaddps zmm1, zmm2, [rax], {rn-sae}", "t.asm:1:27: vaddps does not take embedded rounding {rn-sae} here"},
		{"vaddps zmm1, zmm2{k1}, zmm3", "t.asm:1:14: an opmask {k1} goes on the first operand"},
		{"fadd st1, st2", "t.asm:1:6: fadd: one of the two x87 registers must be st0"},
		{"mov al, 'abc", "t.asm:1:9: unterminated string"},
		{"mov rax, 0x", "t.asm:1:10: bad number"},
		{"mov rax, 1 +", "t.asm:1:13: expected a value at the end of the line"},
		{"mov rax, 1/0", "t.asm:1:11: division by zero"},
		{"mov rax, rbx+1", "t.asm:1:10: register rbx cannot be part of an expression here"},
		{"jmp nowhere", "t.asm:1:1: undefined label nowhere"},
		{"call printf", "t.asm:1:1: undefined label printf: there is no linker, so code can call only labels of its own source and the routines of jitrun's I/O library (jitrun help lib)"},
		{"movq %rax, %rbx", "t.asm:1:6: %rax is AT&T syntax, which jitrun does not read: write rax (Intel syntax puts the destination first)"},
		{"mov rax, $5", "t.asm:1:10: $5 is AT&T syntax for an immediate, which jitrun does not read: write 5"},
		{"jmp 0x1000", "t.asm:1:5: jmp 0x1000: a numeric branch target needs a linker"},
		{"mov rax, msg\nsection .data\nmsg: db 1", "t.asm:1:10: msg is an address, not a constant"},
		// The fix-it names the label, not the section it is in.
		{"section .rodata\nval1: dq 1\nval2: dq 2\nsection .text\nmov rax, val2", "t.asm:5:10: val2 is an address, not a constant: read memory there with [rel val2], get the address with lea reg, [rel val2]"},
		{"section .rodata\nval1: dq 1\nval2: dq 2\nsection .text\nmov rax, val2+2*2", "t.asm:5:10: val2+2*2 is an address, not a constant: read memory there with [rel val2+4], get the address with lea reg, [rel val2+4]"},
		{"lea rax, [msg + rbx]\nmsg: ret", "t.asm:1:10: [msg + register]: a label's address is RIP-relative"},
		{"x: nop\nx: nop", "t.asm:2:1: label x redefined (first defined at t.asm:1:1)"},
		{"rax: nop", "t.asm:1:1: rax is a register name and cannot be a label"},
		{"n equ 1\nn equ 2", "t.asm:2:1: n redefined"},
		{"n equ rax", "t.asm:1:7: register rax cannot be part of an expression here"},
		{"extern printf", "t.asm:1:1: extern: jitrun has no linker"},
		{"bits 32", "t.asm:1:6: bits 32: only 64-bit code is supported"},
		{"global f", "t.asm:1:8: global f: no label f in this source"},
		{"section .foo", "t.asm:1:9: unknown section .foo"},
		{"section .data\nnop", "t.asm:2:1: an instruction in data section .data: put code in section .text"},
		{"section .bss\ndb 1", "t.asm:2:1: .bss holds zeros only"},
		{"section .data\nx: db 256", "t.asm:2:7: 256 does not fit in 8 bits"},
		{"section .data\nx: dq msg\nmsg: db 1", "t.asm:2:7: an address in data needs a linker"},
		{"section .data\nx: db 1.5", "t.asm:2:7: a floating-point number needs dd"},
		{"times -1 nop", "t.asm:1:1: times count -1 is negative"},
		{"times 100000 nop", "t.asm:1:1: times 100000: at most 65536 copies of an instruction"},
		{"section .bss\nx: resq 0x7fffffffffffffff", "t.asm:2:9: resq 9223372036854775807: count out of range (0 to 8388608)"},
		{"resb 0x1000001", "t.asm:1:6: resb 16777217: count out of range (0 to 16777216)"},
		{".zero 0x10000000, 1", "t.asm:1:7: .zero 268435456: size out of range (0 to 16777216)"},
		{"align 3", "t.asm:1:7: alignment 3 is not a power of two"},
		{"lock mov [rax], rbx", "t.asm:1:1: lock cannot precede mov"},
		{"lock add rax, rbx", "t.asm:1:1: lock needs add to have a memory destination"},
		{"mov rax, $", "t.asm:1:10: $ is an address, not a constant: read memory there with [rel $]"},
		{"default abs", "t.asm:1:9: default abs: absolute addresses need a linker"},
		{"%define N 4", "t.asm:1:1: %define: NASM's preprocessor (%define, %macro, %include …) is not supported; use equ for constants"},
		{".att_syntax", "t.asm:1:1: .att_syntax: AT&T syntax is not supported"},
		{"mov rax, offset x\nx:", "t.asm:1:10: offset: an absolute address needs a linker"},
		{"call far [rax]", "t.asm:1:6: far pointers and jumps are not supported"},
		{"mov rax, rbx,", "t.asm:1:14: missing operand"},
		{"mov rax,, rbx", "t.asm:1:9: missing operand"},
		{"mov rax, [rax", "t.asm:1:10: missing ] in memory operand"},
		{"vaddps zmm1{k1, zmm2, zmm3", "t.asm:1:12: unterminated {"},
		{"vaddps zmm1{k9}, zmm2, zmm3", "t.asm:1:12: unknown decoration {k9}"},
		{"mov rax, 1\x00", "t.asm:1:11: unexpected character"},
		{"mov rax, fs:rax", "t.asm:1:13: fs:rax: a register after fs: must be in brackets: fs:[rax]"},
		{"mov rax, fs:gs:[rax]", "t.asm:1:13: two segment overrides (fs: and gs:)"},
		{"mov rax, fs:", "t.asm:1:10: missing address after fs:"},
		{"mov rax, 0x1_0000_0000_0000_0000", "t.asm:1:10: number 0x1_0000_0000_0000_0000 does not fit in 64 bits"},
		{"mov eax, 0x100000000", "t.asm:1:1: mov eax, 0x100000000: immediate 0x100000000 does not fit in 32 bits (-0x80000000..0xffffffff)"},
		{"mov rax, [rip+rbx]", "t.asm:1:10: rip cannot be combined with other registers"},
		{"rip: nop", "t.asm:1:1: rip is a register name and cannot be a label"},
		{"mov al, 256", "t.asm:1:1: mov al, 256: immediate 256 does not fit in 8 bits (-128..255)"},
		{"and rax, 0xffffffff", "t.asm:1:1: and rax, 0xffffffff: immediate 0xffffffff does not fit in a sign-extended 32-bit field (-0x80000000..0x7fffffff); load it into a register with mov first"},
		{"pshufd xmm0, xmm1, 256", "t.asm:1:1: pshufd xmm0, xmm1, 256: immediate 256 does not fit in 8 bits (-128..255)"},
		{"pshufd xmm0, xmm1, 300", "t.asm:1:1: pshufd xmm0, xmm1, 300: immediate 300 does not fit in 8 bits (-128..255)"},
		{"pshufd xmm0, xmm1, -129", "t.asm:1:1: pshufd xmm0, xmm1, -129: immediate -129 does not fit in 8 bits (-128..255)"},
		{"psrlw mm0, 256", "t.asm:1:1: psrlw mm0, 256: immediate 256 does not fit in 8 bits (-128..255)"},
		{"sha1rnds4 xmm0, xmm1, 4", "t.asm:1:1: sha1rnds4 xmm0, xmm1, 4: immediate 4 does not fit in 2 bits (0..3)"},
		{"times 2 shufps xmm0, xmm1, 0x100", "t.asm:1:1: shufps xmm0, xmm1, 0x100: immediate 0x100 does not fit in 8 bits (-128..255)"},
		{"addps xmm16, xmm1", "t.asm:1:1: addps xmm16, xmm1: xmm16: registers 16-31 need an EVEX (AVX-512) form, which addps does not have"},
		{"int 256", "t.asm:1:1: int 256: immediate 256 does not fit in an unsigned 8-bit field (0..255)"},
		{"mov rax, cr9", "t.asm:1:1: mov rax, cr9: register cr9 is not supported by the encoder"},
		{"XCHG EAX, EAX", "t.asm:1:1: XCHG EAX, EAX: the encoder would emit nop (0x90), which does not clear the upper half of rax: write mov eax, eax to zero-extend, or nop"},
		{"lea rax, fs:[rax]", "t.asm:1:1: lea rax, fs:[rax]: an address computation ignores a segment override: the fs base would not be added"},
		{"mov rax, ds:[rax]", "t.asm:1:1: mov rax, ds:[rax]: a ds override has no effect in 64-bit mode (cs, ds, es and ss have base 0): only fs and gs override"},
		{"mov rax, [rax+0x100000000]", "t.asm:1:1: mov rax, [rax+0x100000000]: offset too large: displacement 0x100000000 does not fit in a signed 32-bit field"},
		{"a: loop b\ntimes 200 nop\nb:", "t.asm:1:4: loop b: target is 200 bytes away; this instruction reaches only -128..127"},
		{"mov Ah, sil", "t.asm:1:1: mov Ah, sil: ah cannot be used in an instruction that needs a REX prefix (r8-r15, spl/bpl/sil/dil or 64-bit operands)"},
		// General-purpose registers of different sizes: one line, with the fixes.
		{"mov eax, rbx", "t.asm:1:1: operand sizes differ: eax is 32-bit, rbx is 64-bit; write mov eax, ebx or mov rax, rbx"},
		{"add AL, r9", "t.asm:1:1: operand sizes differ: AL is 8-bit, r9 is 64-bit; write add al, r9b or add rax, r9"},
		{"imul eax, bx, 3", "t.asm:1:1: operand sizes differ: eax is 32-bit, bx is 16-bit; write imul ax, bx, 3 or imul eax, ebx, 3"},
		{"mov ah, rbx", "t.asm:1:1: operand sizes differ: ah is 8-bit, rbx is 64-bit; write mov ah, bl"},
		{"movzx eax, rbx", "t.asm:1:1: movzx does not take (r32, r64); its forms: r16, m16 | r16, m8 | r16, r16 | r16, r8 | r32, m16 | r32, m8 | r32, r16 | r32, r8; and 4 more"},
		{"ret 65536", "t.asm:1:1: ret 65536: immediate 65536 does not fit in an unsigned 16-bit field (0..65535)"},
		{"ret -1", "t.asm:1:1: ret -1: immediate -1 does not fit in an unsigned 16-bit field (0..65535)"},
		{"in al, 256", "t.asm:1:1: in al, 256: immediate 256 does not fit in an unsigned 8-bit field (0..255)"},
		{"vaddps zmm1, zmm2, zmm3, {sae}", "t.asm:1:26: vaddps takes a rounding mode here ({rn-sae}, {rd-sae}, {ru-sae} or {rz-sae}), not {sae}"},
		{"vmaxps zmm1, zmm2, zmm3, {rn-sae}", "t.asm:1:26: vmaxps does not take embedded rounding {rn-sae} here"},
		{"mov ah, r8b", "t.asm:1:1: mov ah, r8b: ah cannot be used in an instruction that needs a REX prefix"},
		{"push word 5", "t.asm:1:6: push word: only 64-bit pushes of an immediate are supported"},
		{"add rax, byte 300", "t.asm:1:10: 300 does not fit in byte"},
		{"mov dword rax, 1", "t.asm:1:5: rax is not dword"},
		{"mov rip, rax", "t.asm:1:5: rip can only be used in a memory operand"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			p, err := assembleIntel(tt.src)
			if err == nil {
				t.Errorf("%q: no error, assembled to %x", tt.src, p.Code)
				return
			}
			var list ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Errorf("%q: error %T %v is not an ErrorList", tt.src, err, err)
				return
			}
			if got := list[0].Error(); !strings.HasPrefix(got, tt.want) {
				t.Errorf("%q:\n got %s\nwant %s", tt.src, got, tt.want)
			}
			if strings.Contains(err.Error(), "\n\n") {
				t.Errorf("%q: empty line in %q", tt.src, err)
			}
		})
	}
}

// TestIntelLineMap checks the line map's text and position for lines whose
// statements repeat (times) or begin with a prefix or labels: the line as
// written, once, from its first token.
func TestIntelLineMap(t *testing.T) {
	tests := []struct {
		src  string
		pos  Pos
		len  int
		text string
	}{
		{"times 3 nop", Pos{File: "t.asm", Line: 1, Col: 1}, 3, "times 3 nop"},
		{"  lock add [rax], eax ; comment", Pos{File: "t.asm", Line: 1, Col: 3}, 3, "lock add [rax], eax"},
		{"times 2 lock add [rax], eax", Pos{File: "t.asm", Line: 1, Col: 1}, 6, "times 2 lock add [rax], eax"},
		{"a: b: times 2 lea rax, [rip]", Pos{File: "t.asm", Line: 1, Col: 1}, 14, "a: b: times 2 lea rax, [rip]"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			p, err := assembleIntel(tt.src)
			if err != nil {
				t.Errorf("%q: %v", tt.src, err)
				return
			}
			want := []Line{{Pos: tt.pos, Offset: 0, Len: tt.len, Text: tt.text}}
			if !reflect.DeepEqual(p.Lines, want) {
				t.Errorf("%q: lines %+v, want %+v", tt.src, p.Lines, want)
			}
		})
	}
}

// TestIntelSemicolons checks Options.Semicolons: ';' separates statements
// (outside quotes and before a '#' comment), positions keep the line's
// columns, and without it ';' starts a comment.
func TestIntelSemicolons(t *testing.T) {
	opts := Options{Syntax: SyntaxIntel, Semicolons: true}
	tests := []struct {
		src, hex, text string
	}{
		{"mov eax, 7; add eax, edi; ret", "b80700000001f8c3", "mov eax, 7; add eax, edi; ret"},
		{"mov al, ';'; ret # c; d", "b03bc3", "mov al, ';'; ret"},
		{"top: dec ecx; jnz top; ret", "ffc975fcc3", "top: dec ecx; jnz top; ret"},
		{"db 'a;b'; ret;;", "613b62c3", "db 'a;b'; ret"},
		{"times 2 nop; ret", "9090c3", "times 2 nop; ret"},
		// Data on the line: its text is in the data's line only.
		{"section .data; m: db 1; section .text; lea rsi, [rel m]; ret", "488d35f90f0000c3" + strings.Repeat("cc", 0x1000-8) + "01", "lea rsi, [rel m]; ret"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			p, err := opts.Assemble("<expr>", []byte(tt.src))
			if err != nil {
				t.Errorf("%q: %v", tt.src, err)
				return
			}
			if got := hex.EncodeToString(p.Code); got != tt.hex {
				t.Errorf("%q: %s, want %s", tt.src, got, tt.hex)
			}
			if len(p.Lines) == 0 || p.Lines[0].Text != tt.text {
				t.Errorf("%q: lines %+v, want the first with text %q", tt.src, p.Lines, tt.text)
			}
		})
	}
	for _, tt := range []struct{ src, err string }{
		{"mov eax, 7; add eax, [edi]; ret", "<expr>:1:23: edi: only 64-bit registers can address memory (write rdi)"},
		// A NASM comment is read as statements: the first word says so.
		{"mov eax, 1 ; set eax to one", "<expr>:1:14: unknown instruction set (did you mean ret, seta, setb?); here ';' separates statements, as in GNU as (a comment starts with '#')"},
	} {
		t.Run(tt.src, func(t *testing.T) {
			if _, err := opts.Assemble("<expr>", []byte(tt.src)); err == nil || err.Error() != tt.err {
				t.Errorf("%q: error %v, want %s", tt.src, err, tt.err)
			}
		})
	}
	// Statements of every kind after a ';'.
	p, err := opts.Assemble("<expr>", []byte("mov eax, 1; vcmpltps xmm0, xmm1, xmm2; x: nop; n equ 3; times 2 nop; lock inc dword [rax]; jz x; resb 1; section .data; db 1; .byte 2; align 4"))
	if err != nil {
		t.Errorf("statements after ';': %v", err)
	} else if got := hex.EncodeToString(p.Code); got != "b801000000c5f0c2c201909090f0ff0074f800"+strings.Repeat("cc", 0x1000-0x13)+"01020000" {
		t.Errorf("statements after ';': %s", got)
	}
	// Without the option, ';' starts a comment.
	p, err = Options{Syntax: SyntaxIntel}.Assemble("t.asm", []byte("mov eax, 7; add eax, edi; ret"))
	if err != nil {
		t.Errorf("without Semicolons: %v", err)
	} else if got := hex.EncodeToString(p.Code); got != "b807000000" {
		t.Errorf("without Semicolons: %s, want b807000000", got)
	}
}

// TestIntelDetect checks that AssembleSource picks the Intel front end from
// the file name or the first line.
func TestIntelDetect(t *testing.T) {
	for _, tt := range []struct {
		file, src string
	}{
		{"a.asm", "mov rax, 1"},
		{"a.nasm", "mov rax, 1"},
		{"a.s", ".intel_syntax noprefix\nmov rax, 1"},
		{"a.s", "; NASM\nBITS 64\nmov rax, 1"},
		{"a.s", "[bits 64]\nmov rax, 1"},
	} {
		t.Run(tt.file+" "+tt.src, func(t *testing.T) {
			p, err := AssembleSource(tt.file, []byte(tt.src), SyntaxAuto)
			if err != nil {
				t.Errorf("%s %q: %v", tt.file, tt.src, err)
				return
			}
			if got := hex.EncodeToString(p.Code); got != "48c7c001000000" {
				t.Errorf("%s %q: got %s", tt.file, tt.src, got)
			}
		})
	}
}

// TestIntelSourceReadAsGo checks the hint an Intel-syntax source gets when
// detection reads it as Go syntax (NASM in a .s file whose first line does
// not give it away): the first error says to use --syntax intel.
func TestIntelSourceReadAsGo(t *testing.T) {
	const hint = "; this looks like Intel/NASM syntax: use --syntax intel"
	tests := []struct {
		name, src string
		syntax    Syntax
		first     string // the first error
	}{
		{"nasm preprocessor", "%define N 10\nmov eax, N\nret", SyntaxAuto, `t.s:1:1: expected an instruction or a label, found "%"` + hint},
		{"upper-case nasm", "SECTION .text\nGLOBAL _start\n_start:\n MOV EAX, 1\n RET", SyntaxAuto, "t.s:1:9: bad suffix after SECTION" + hint},
		{"gnu directive first", ".globl main\nmain:\n mov eax, 1\n ret", SyntaxAuto, `t.s:1:1: expected an instruction or a label, found "."` + hint},
		{"intel register in go", "RET\nloop: MOVQ (AX), eax", SyntaxAuto, "t.s:2:18: eax is an Intel register name: Go syntax writes AX, with the operand size in the mnemonic (this source is read as Go syntax)" + hint},
		{"go error", "MOVQ $1, AX\nFOO AX", SyntaxAuto, "t.s:2:1: unknown instruction FOO"},
		{"go chosen", "%define N 10\nmov eax, N\nret", SyntaxGo, `t.s:1:1: expected an instruction or a label, found "%"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := AssembleSource("t.s", []byte(tt.src), tt.syntax)
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("error %v is not an ErrorList", err)
			}
			if got := list[0].Error(); got != tt.first {
				t.Errorf("first error\n got %s\nwant %s", got, tt.first)
			}
			for _, e := range list[1:] {
				if strings.Contains(e.Msg, hint) {
					t.Errorf("the hint is repeated: %s", e)
				}
			}
		})
	}
}

// TestIntelConcurrent assembles Intel sources from several goroutines (run
// with -race).
func TestIntelConcurrent(t *testing.T) {
	srcs := []string{"vaddps zmm1{k2}{z}, zmm2, [rax]{1to16}\nret", "section .data\nx: dq 1\nsection .text\nmov rax, [rel x]", "a: dec rcx\njnz a"}
	done := make(chan error)
	for i := 0; i < 8; i++ {
		go func(i int) {
			var err error
			for j := 0; j < 20 && err == nil; j++ {
				_, err = assembleIntel(srcs[(i+j)%len(srcs)])
			}
			done <- err
		}(i)
	}
	for i := 0; i < 8; i++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

func TestIsIntelReserved(t *testing.T) {
	for name, want := range map[string]bool{
		"rax": true, "RAX": true, "r15d": true, "xmm31": true, "k7": true, "st0": true, "fs": true,
		"dword": true, "PTR": true, "short": true,
		"loop": false, "main": false, "rax1": false, "xmm32": false, "": false,
	} {
		t.Run(name, func(t *testing.T) {
			if got := IsIntelReserved(name); got != want {
				t.Errorf("IsIntelReserved(%q) = %v, want %v", name, got, want)
			}
		})
	}
}
