package asm

import (
	"encoding/hex"
	"strings"
	"testing"
)

// sectionHex returns the bytes of each section of p in hex, by name.
func sectionHex(p *Program) map[string]string {
	out := map[string]string{}
	for _, s := range p.Sections {
		out[s.Name] = hex.EncodeToString(p.Code[s.Offset : s.Offset+s.Size])
	}
	return out
}

// TestATTDirectives checks what each directive of the AT&T front end
// places, byte for byte, in the code and in the data sections.
func TestATTDirectives(t *testing.T) {
	tests := []struct {
		name, src              string
		text, rodata, data     string
		wantLabels, wantAbsent []string
	}{
		{name: "integers", src: "ret\n.section .rodata\nt: .byte 1, -1, 'a\n.word 0x1234\n.short -2\n.value 3\n.long 0x12345678, -1\n.quad -2\n.int 5",
			text: "c3", rodata: "01ff61" + "3412" + "feff" + "0300" + "78563412" + "ffffffff" + "feffffffffffffff" + "05000000"},
		{name: "strings", src: "ret\n.section .rodata\ns: .ascii \"ab\\n\"\n.asciz \"c\", \"d\\0\"\n.string \"\\x41\\101\"",
			text: "c3", rodata: "61620a" + "6300" + "640000" + "414100"},
		{name: "zero, skip, space", src: "ret\n.data\nz: .zero 3\n.skip 2, 0xff\n.space 1",
			text: "c3", data: "000000ffff00"},
		{name: "floats", src: "ret\n.section .rodata.cst8,\"aM\",@progbits,8\n.LC0: .double 1.5, -2\n.float 0.5",
			text: "c3", rodata: "000000000000f83f" + "00000000000000c0" + "0000003f"},
		{name: "alignment in data", src: "ret\n.data\na: .byte 1\n.p2align 2\nb: .byte 2\n.balign 8\nc: .byte 3\n.align 2\nd: .byte 4",
			text: "c3", data: "01000000" + "02000000" + "0300" + "04"},
		{name: "alignment in code", src: "nop\n.p2align 3\nret\n.balign 4, 0x90, 3\nret",
			text: "90" + "0f1f8000000000" + "c3" + "0f1f00" + "c3"},
		{name: "constants", src: ".set N, 3\n.equ M, N*2\nK = M+1\nmovl $K, %eax\nmovl $N<<4, %ecx\nret",
			text: "b807000000" + "b930000000" + "c3"},
		{name: "comments", src: "/* a\n comment */ nop # done\nnop // also\n/* x */ ret ; /* y */",
			text: "9090c3"},
		{name: "statements on one line", src: "movl $1, %eax; addl %edi, %eax; ret",
			text: "b801000000" + "01f8" + "c3"},
		{name: "local labels", src: "1: decq %rcx\njnz 1b\njmp 1f\nnop\n1: jmp 1b\nret",
			text: "48ffc9" + "75fb" + "eb01" + "90" + "ebfe" + "c3"},
		{name: "bss and comm", src: "movq x(%rip), %rax\nret\n.bss\nx: .zero 8\n.comm y,16,16\n.lcomm z, 4",
			text: "488b05f90f0000" + "c3", data: strings.Repeat("00", 16+16+4)},
		{name: "label difference jump table", src: "f: leaq .L4(%rip), %rdx\n.L5: ret\n.section .rodata\n.L4: .long .L5-.L4, .L4-.L5+1\n.quad .L5-.L4",
			text: "488d15f90f0000" + "c3", rodata: "07f0ffff" + "fa0f0000" + "07f0ffffffffffff"},
		{name: "sections gcc writes", src: ".file \"a.c\"\n.text\n.globl f\n.type f, @function\nf:\n.cfi_startproc\nret\n.cfi_endproc\n.size f, .-f\n.section .text.unlikely,\"ax\",@progbits\ng: ud2\n.section .text.startup,\"ax\",@progbits\nret\n.ident \"GCC\"\n.section .note.GNU-stack,\"\",@progbits\n.addrsig",
			text: "c3" + "0f0b" + "c3", wantLabels: []string{"g"}},
		{name: "previous and pushsection", src: "ret\n.section .rodata\na: .byte 1\n.text\nnop\n.previous\n.byte 2\n.pushsection .data\nb: .byte 3\n.popsection\n.byte 4",
			text: "c390", rodata: "010204", data: "03"},
		{name: "sym@PLT and rep prefix alone", src: "call g@PLT\nret\ng: rep; movsb\nret",
			text: "e801000000" + "c3" + "f3a4" + "c3"},
		{name: "AT&T names (bytes as GNU as 2.40 makes them)", src: "movzbl (%rdi), %eax\nmovzwl %ax, %ecx\nmovsbq %al, %rdx\nmovslq %edi, %rax\nmovsbw %al, %ax\nmovswl (%rsi), %edx\ncltq\ncqto\ncltd\ncwtl\ncbtw\ncwtd\nmovsl\ncmpsb\nstosq\nmovabsq $1, %rax\nsall %cl, %eax\nret",
			text: "0fb6070fb7c8480fbed04863c7660fbec00fbf1648984899999866986699a5a648ab48b80100000000000000d3e0c3"},
		{name: "indirect branches", src: "jmp *%rax\ncall *8(%rax,%rcx,8)\njmpq *(%rdi)\nret",
			text: "ffe0" + "ff54c808" + "ff27" + "c3"},
		{name: "segment and rip", src: "movq %fs:0x28, %rax\nmovl %gs:8(%rax), %ecx\nmovl 16(%rip), %edx\nret",
			text: "64488b042528000000" + "658b4808" + "8b1510000000" + "c3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := AssembleSource("t.s", []byte(tt.src), SyntaxATT)
			if err != nil {
				t.Fatal(err)
			}
			got := sectionHex(p)
			for name, want := range map[string]string{".text": tt.text, ".rodata": tt.rodata, ".data": tt.data} {
				if got[name] != want {
					t.Errorf("%s = %s, want %s", name, got[name], want)
				}
			}
			for _, l := range tt.wantLabels {
				if _, ok := p.Lookup(l); !ok {
					t.Errorf("no label %s", l)
				}
			}
		})
	}
}

// TestATTErrors checks the errors of the AT&T front end: positioned,
// one line each, in AT&T terms.
func TestATTErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"addl %rax, %rbx", "t.s:1:1: operand size mismatch: %rax is 64-bit, but the l suffix of addl says 32-bit"},
		{"movl $1, %foo", "t.s:1:10: unknown register %foo"},
		{"incl %eax; .weird 1", "t.s:1:12: unsupported directive .weird"},
		{".macro m", "t.s:1:1: unsupported directive .macro: the AT&T front end has no macros, conditionals or includes"},
		{"inc (%rax)", "t.s:1:1: ambiguous operand size for inc (%rax): write incb, incw, incl or incq"},
		{"movq foo, %rax\nfoo: ret", "t.s:1:6: foo is an address, not an operand: read memory there with foo(%rip), get the address with leaq foo(%rip), %reg"},
		{"movq $foo, %rax\nfoo: ret", "t.s:1:6: $foo is an absolute address, which needs a linker (jitrun code is position independent): get it with leaq foo(%rip), %reg"},
		{"movq foo(%rax), %rbx\nfoo: ret", "t.s:1:6: foo(%rax): an absolute address of a label needs a linker; address it PC-relative: foo(%rip)"},
		{"call memcpy@PLT", "t.s:1:6: undefined label memcpy: there is no linker, so code can call only labels of its own source and the routines of jitrun's I/O library (jitrun help lib)"},
		{"movq x@GOTPCREL(%rip), %rax", "t.s:1:7: x@GOTPCREL needs a linker (the GOT, TLS); jitrun code reaches only its own labels, PC-relative: x(%rip)"},
		{"jmp 1f", "t.s:1:5: undefined local label 1f: no label 1: after it"},
		{"jmp 1b", "t.s:1:5: 1b: no local label 1: before it"},
		{"ret\n.data\n.quad f\nf: ret", "t.s:3:7: f: an address in data needs a linker (jitrun code is position independent): write a label difference (.long f-.Lbase, as gcc -fPIE does) or compute the address at run time with leaq f(%rip), %reg"},
		{"x: ret\nx: ret", "t.s:2:1: label x redefined (first defined at t.s:1:1)"},
		{"movl (%eax), %ecx", "t.s:1:7: %eax: a 32-bit address (addr32) is not supported: use %rax"},
		{"movl (%rax,%rsp), %ecx", "t.s:1:12: %rsp cannot be an index register"},
		{"movl (%rax,%rcx,3), %ecx", "t.s:1:17: scale must be 1, 2, 4 or 8, not 3"},
		{"movl $1, %eax,", "t.s:1:15: missing operand"},
		{"movl \"a\", %eax", "t.s:1:6: unexpected \"a\" in an expression"},
		{"foo %eax", "t.s:1:1: unknown instruction foo"},
		{"movzbl %al, %eax; movzbx %al, %ebx", "t.s:1:19: unknown instruction movzbx (did you mean movzb, movzbl, movzbq?)"},
		{".section .data\nmovl $1, %eax", "t.s:2:1: an instruction in data section .data: put code in .text"},
		{".bss\n.byte 1", "t.s:2:1: .bss holds zeros only: put initialised data in .data"},
		{".intel_syntax noprefix", "t.s:1:1: .intel_syntax: this source is Intel syntax from here on; read it with --syntax intel"},
		{"/* open", "t.s:1:1: unterminated /* comment"},
		{"pshufd $300, %xmm1, %xmm0", "t.s:1:1: pshufd $300, %xmm1, %xmm0: immediate $300 does not fit in 8 bits (-128..255)"},
		{"vaddps %zmm1, %zmm2, %zmm3{%k0}", "t.s:1:22: %k0 cannot be an opmask (it means no mask): use %k1…%k7"},
		{"lock movl %eax, (%rdi)", "t.s:1:1: lock cannot precede movl (only read-modify-write instructions with a memory destination)"},
		{".byte 256", "t.s:1:7: 256 does not fit in 1 bytes"},
		{".long .L1-.L2", "t.s:1:7: .L1-.L2 in code: a label difference is supported in data sections only (.section .rodata)"},
		{".p2align 13", "t.s:1:10: .p2align 13: want 0 to 12"},
		{".zero 20000000", "t.s:1:1: too much data in code (more than 16777216 bytes)"},
		{".data\n.zero 100000000", "t.s:2:1: .zero 100000000: size out of range (0 to 67108864)"},
		{".data\n.zero 60000000\n.skip 60000000", "t.s:3:1: section .data is larger than 67108864 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			_, err := AssembleSource("t.s", []byte(tt.src), SyntaxATT)
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			list := err.(ErrorList)
			if got := list[0].Error(); !strings.HasPrefix(got, tt.want) {
				t.Errorf("error %q, want %q", got, tt.want)
			}
			for _, e := range list {
				if strings.Contains(e.Msg, "\n") {
					t.Errorf("multi-line message %q", e.Msg)
				}
			}
		})
	}
}
