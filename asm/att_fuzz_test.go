package asm

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jitrun/jitrun/asm/internal/asmtest"
)

// FuzzATT feeds arbitrary text to the AT&T front end and the encoder
// behind it. It must never panic, print or exit (golang-asm's log.Fatalf
// paths are hooked to fail the input), errors must be a non-empty
// ErrorList of one-line FILE:LINE:COL messages, and a program must hold
// together (checkIntelProgram's invariants). Seeds: every line of the
// oracle corpus, and whole programs as gcc writes them.
func FuzzATT(f *testing.F) {
	data, err := os.ReadFile(filepath.Join("testdata", "att", "corpus.s"))
	if err != nil {
		f.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if line != "" && line[0] != '#' {
			f.Add(line)
		}
	}
	for _, src := range []string{
		"\t.text\n\t.globl\tf\n\t.type\tf, @function\nf:\n\ttestq\t%rsi, %rsi\n\tje\t.L4\n\tleaq\t.L5(%rip), %rdx\n\tmovslq\t(%rdx,%rdi,4), %rax\n\taddq\t%rdx, %rax\n\tjmp\t*%rax\n.L4:\n\tret\n\t.section\t.rodata\n\t.align 4\n.L5:\n\t.long\t.L4-.L5\n\t.size\tf, .-f\n\t.section\t.note.GNU-stack,\"\",@progbits",
		".data\nx: .quad 1, -2\n.asciz \"a\\n\\001\"\n.bss\n.comm y,16,8\n.text\nmovq x(%rip), %rax\nmovsd .LC0(%rip), %xmm0\nret\n.section .rodata.cst8,\"aM\",@progbits,8\n.LC0: .long 0\n.long 1072693248",
		"1: decq %rcx\njnz 1b\njmp 1f\nnop\n1: ret",
		"rep; movsb\nlock xaddq %rax, (%rdi)\ncltq\ncqto\nmovzbl (%rdi), %eax\nmovsbq %al, %rcx\nmovslq %edi, %rax",
		"movq %fs:0x28, %rax\naddl %ecx, %gs:8(%rax,%rbx,8)\nret $8",
		"fldl (%rdi)\nfmul %st(1), %st\nfstp %st(0)\nfistpl (%rax)\ninb (%dx), %al\nshlq %rax\nsarl $3, -4(%rbp)",
		"vaddps {rn-sae}, %zmm1, %zmm2, %zmm3{%k1}{z}\nvcmpltps (%rax){1to16}, %zmm3, %k1{%k2}\nvmovaps %xmm1, %xmm2",
		".set N, 4*8\n.equ M, N+1\nK = M<<2\nmovl $K, %eax\n.p2align 4,,10\n.balign 8\n.byte 1,2,3\n/* a\ncomment */ nop # done",
		".section .text.unlikely,\"ax\",@progbits\ncold: ud2\n.text\ncall cold\nret",
		"jmp .\njmp .+2\ncall .+5\nleaq .-8(%rip), %rax\nlock incq .(%rip)\njmp *.(%rip)\n.quad .",
	} {
		f.Add(src)
	}
	defer asmtest.HookFatal()()
	f.Fuzz(func(t *testing.T, src string) {
		asmtest.FatalHit()
		opts := Options{Syntax: SyntaxATT}
		p, err := opts.Assemble("fuzz.s", []byte(src))
		if hit := asmtest.FatalHit(); hit != "" {
			t.Fatalf("%q reached golang-asm's log.Fatalf: %s", src, hit)
		}
		if err != nil {
			list, ok := err.(ErrorList)
			if !ok || len(list) == 0 {
				t.Fatalf("%q: error %T %q is not a non-empty ErrorList", src, err, err)
			}
			for _, e := range list {
				if e.Msg == "" || strings.Contains(e.Msg, "\n") || e.Pos.Line < 1 || e.Pos.Col < 1 || e.Pos.File != "fuzz.s" {
					t.Fatalf("%q: bad error %q at %+v", src, e.Msg, e.Pos)
				}
			}
			return
		}
		checkIntelProgram(t, src, opts, p)
	})
}
