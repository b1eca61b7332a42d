package asm_test

import (
	"fmt"

	"github.com/jitrun/jitrun/asm"
)

// Assemble NASM-style Intel syntax: the same function as Example, its data
// in .rodata read RIP-relative, and AVX-512 with an opmask.
func ExampleAssembleSource_intel() {
	prog, err := asm.AssembleSource("sum.asm", []byte(`
		; sum(p *int64, n int) int64: p in rdi, n in rsi, result in rax.
		section .text
		global sum
		sum:
			xor eax, eax
		.loop:
			add rax, [rdi]
			add rdi, 8
			dec rsi
			jne .loop
			add rax, [rel bias]
			vpaddd zmm0{k1}{z}, zmm1, dword [rdi]{1to16}
			ret

		section .rodata
		bias:	dq 1000
	`), asm.SyntaxIntel)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, l := range prog.Lines {
		fmt.Printf("%02x  %-16x %s\n", l.Offset, prog.Code[l.Offset:l.Offset+l.Len], l.Text)
	}
	off, _ := prog.Lookup("sum.loop")
	fmt.Printf("sum.loop at %#x\n", off)
	// Output:
	// 00  31c0             xor eax, eax
	// 02  480307           add rax, [rdi]
	// 05  4883c708         add rdi, 8
	// 09  48ffce           dec rsi
	// 0c  75f4             jne .loop
	// 0e  480305eb0f0000   add rax, [rel bias]
	// 15  62f175d9fe07     vpaddd zmm0{k1}{z}, zmm1, dword [rdi]{1to16}
	// 1b  c3               ret
	// 1000  e803000000000000 bias:	dq 1000
	// sum.loop at 0x2
}

// A one-line Intel source, as typed on a command line: with Semicolons,
// ';' separates statements (as in GNU as) and errors keep the columns of
// the line. The function is named after its first label.
func ExampleOptions_Assemble() {
	opts := asm.Options{Syntax: asm.SyntaxIntel, Semicolons: true}
	prog, err := opts.Assemble("<expr>", []byte("add2: lea eax, [rdi+rsi]; ret"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%x %s: %q\n", prog.Code, prog.Symbols[0].Name, prog.Lines[0].Text)
	_, err = opts.Assemble("<expr>", []byte("mov eax, 7; add eax, [edi]; pshufd xmm0, xmm1, 300"))
	fmt.Println(err)
	// Output:
	// 8d0437c3 add2: "add2: lea eax, [rdi+rsi]; ret"
	// <expr>:1:23: edi: only 64-bit registers can address memory (write rdi)
	// <expr>:1:29: pshufd xmm0, xmm1, 300: immediate 300 does not fit in 8 bits (-128..255)
}
