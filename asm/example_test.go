package asm_test

import (
	"errors"
	"fmt"

	"github.com/jitrun/jitrun/asm"
)

// Assemble a Go-syntax function and look at what each line produced.
func Example() {
	prog, err := asm.Assemble(`
		#include "textflag.h"

		// func sum(p *int64, n int) int64: p in DI, n in SI, result in AX.
		TEXT sum(SB), NOSPLIT|NOFRAME, $0
			XORL AX, AX
		loop:
			ADDQ (DI), AX
			ADDQ $8, DI
			DECQ SI
			JNE loop
			RET
	`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("% x\n", prog.Code)
	for _, l := range prog.Lines {
		fmt.Printf("%02x  %-14x %s\n", l.Offset, prog.Code[l.Offset:l.Offset+l.Len], l.Text)
	}
	// Output:
	// 31 c0 48 03 07 48 83 c7 08 48 ff ce 75 f4 c3
	// 00  31c0           XORL AX, AX
	// 02  480307         ADDQ (DI), AX
	// 05  4883c708       ADDQ $8, DI
	// 09  48ffce         DECQ SI
	// 0c  75f4           JNE loop
	// 0e  c3             RET
}

// Every problem comes back at once, positioned.
func ExampleErrorList() {
	_, err := asm.Assemble("MOVQ $1, AX\nMOV AX, BX\nADDQ $0x100000000, AX")
	var list asm.ErrorList
	if errors.As(err, &list) {
		for _, e := range list {
			fmt.Println(e)
		}
	}
	// Output:
	// <input>:2:1: unknown instruction MOV: Go syntax puts the operand size in the mnemonic: MOVB, MOVW, MOVL, MOVQ
	// <input>:3:1: ADDQ: immediate 0x100000000 does not fit in a sign-extended 32-bit field (-0x80000000..0x7fffffff); load it into a register with MOVQ first
}

// Build the same kind of program from Go code.
func ExampleBuilder() {
	b := asm.NewBuilder()
	b.Text("scale", asm.NOSPLIT|asm.NOFRAME)
	b.Inst("MOVSD", asm.Float(2.5), asm.X1) // a constant laid out on a read-only page after the code
	b.Inst("MULSD", asm.X1, asm.X0)
	b.Inst("RET")
	prog, err := b.Assemble()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range prog.Symbols {
		fmt.Printf("%s %s at %d, %d bytes\n", s.Kind, s.Name, s.Offset, s.Size)
	}
	// Output:
	// text scale at 0, 13 bytes
	// rodata $f64.4004000000000000 at 4096, 8 bytes
}

// Repeat a kernel parsed from text, as a benchmark harness unrolls it: each
// copy gets its own labels.
func ExampleBuilder_AppendCopy() {
	kernel, err := asm.Parse("kernel.s", []byte("again: DECQ CX; JNE again"), asm.SyntaxGo)
	if err != nil {
		fmt.Println(err)
		return
	}
	b := asm.NewBuilder()
	for i := 0; i < 2; i++ {
		if err := b.AppendCopy(kernel, fmt.Sprintf(".%d", i)); err != nil {
			fmt.Println(err)
			return
		}
	}
	b.Inst("RET")
	prog, err := b.Assemble()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("% x\n", prog.Code)
	for _, l := range prog.Labels {
		fmt.Println(l.Name, l.Offset)
	}
	// Output:
	// 48 ff c9 75 fb 48 ff c9 75 fb c3
	// again.0 0
	// again.1 5
}

// A program with read-only and writable data is laid out as a loader lays
// out an executable: the code, then the read-only data and the writable
// data each from a page of their own. LoadLayout gives the offsets a
// loader (execmem.LoadOptions) maps read-only and read+write.
func ExampleProgram_LoadLayout() {
	prog, err := asm.AssembleSource("counter.asm", []byte(`
		section .text
		count:	mov rax, [rel step]
			add [rel counter], rax
			mov rax, [rel counter]
			ret
		section .rodata
		step:	dq 2
		section .data
		counter: dq 40
	`), asm.SyntaxIntel)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range prog.Sections {
		fmt.Printf("%-7s at %#x, %d bytes\n", s.Name, s.Offset, s.Size)
	}
	readonly, writable := prog.LoadLayout()
	fmt.Printf("read-only from %#x, writable from %#x, %d bytes in all\n", readonly, writable, len(prog.Code))
	// Output:
	// .text   at 0x0, 22 bytes
	// .rodata at 0x1000, 8 bytes
	// .data   at 0x2000, 8 bytes
	// read-only from 0x1000, writable from 0x2000, 8200 bytes in all
}
