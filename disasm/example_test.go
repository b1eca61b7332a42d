package disasm_test

import (
	"fmt"
	"os"

	"github.com/jitrun/jitrun/asm"
	"github.com/jitrun/jitrun/disasm"
)

// The listing of a small function that faulted at its second instruction,
// described by the Program the assembler made of it.
func ExampleListing() {
	p := &asm.Program{
		File: "sum.s",
		Code: []byte{
			0x31, 0xc0, // xor eax, eax
			0x01, 0xf8, // loop: add eax, edi
			0xff, 0xcf, // dec edi
			0x75, 0xfa, // jnz loop
			0xc3, // ret
		},
		Symbols: []asm.Symbol{{Name: "sum", Kind: asm.SymText, Offset: 0, Size: 9}},
		Labels:  []asm.Label{{Name: "loop", Func: "sum", Offset: 2}},
	}
	fmt.Print(disasm.Listing(p.Code, disasm.Options{
		Syntax:  asm.SyntaxIntel,
		Base:    0x7f0000000000,
		Program: p,
		Mark:    0x7f0000000002,
		HasMark: true,
	}))
	// Output:
	// sum:
	//    0x7f0000000000  sum+0x0   31 c0  xor eax, eax
	// loop:
	// => 0x7f0000000002  loop+0x0  01 f8  add eax, edi
	//    0x7f0000000004  loop+0x2  ff cf  dec edi
	//    0x7f0000000006  loop+0x4  75 fa  jnz loop
	//    0x7f0000000008  loop+0x6  c3     ret
}

// The instruction at a faulting PC, as a fault report names it.
func ExampleAt() {
	code := []byte{0x48, 0x8b, 0x07, 0xc3} // mov rax, qword ptr [rdi]; ret
	row, err := disasm.At(code, 0x1000, disasm.Options{Syntax: asm.SyntaxIntel, Base: 0x1000})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%#x: %s (% x)\n", row.Addr, row.Text, row.Bytes)
	// Output:
	// 0x1000: mov rax, qword ptr [rdi] (48 8b 07)
}

// Raw bytes as GNU assembler source: branch targets get labels.
func ExampleWriteAsm() {
	code := []byte{0x31, 0xc0, 0xff, 0xc0, 0x3d, 0x0a, 0x00, 0x00, 0x00, 0x7c, 0xf7, 0xc3}
	disasm.WriteAsm(os.Stdout, disasm.Decode(code, disasm.Options{Syntax: asm.SyntaxATT, Base: 0x1000}))
	// Output:
	// 	xor %eax,%eax
	// loc_1002:
	// 	inc %eax
	// 	cmp $0xa,%eax
	// 	jl loc_1002
	// 	retq
}

// Rows are plain values: each has its address, its bytes, its text and,
// for a branch or a RIP-relative operand, the address it refers to.
func ExampleDecode() {
	code := []byte{
		0x48, 0x8d, 0x05, 0x07, 0x00, 0x00, 0x00, // lea rax, [rip+0x7]
		0x62, 0xf1, 0x7c, 0x58, 0x58, 0x00, // vaddps zmm0, zmm0, dword ptr [rax]{1to16}
		0xc3,       // ret
		0x00, 0x00, // not reached
	}
	for _, r := range disasm.Decode(code, disasm.Options{Syntax: asm.SyntaxIntel, Base: 0x1000}) {
		for _, l := range r.Labels {
			fmt.Printf("%s:\n", l)
		}
		fmt.Printf("%#x  %-20s  %s", r.Addr, fmt.Sprintf("% x", r.Bytes), r.Text)
		if r.HasTarget {
			fmt.Printf("  (refers to %#x)", r.Target)
		}
		fmt.Println()
	}
	// Output:
	// 0x1000  48 8d 05 07 00 00 00  lea rax, [rip+loc_100e]  (refers to 0x100e)
	// 0x1007  62 f1 7c 58 58 00     vaddps zmm0, zmm0, dword ptr [rax]{1to16}
	// 0x100d  c3                    ret
	// loc_100e:
	// 0x100e  00 00                 add byte ptr [rax], al
}

// Write prints rows as a listing; here the rows of a function that
// faulted, and the row for the pc of the fault, which is outside the
// code: the function called into a buffer on its stack, and the CPU
// refused to fetch an instruction from a page without execute permission.
func ExampleWrite() {
	code := []byte{
		0x48, 0x89, 0xe0, // mov rax, rsp
		0xff, 0xd0, // call rax
		0xc3, // ret
	}
	opts := disasm.Options{Syntax: asm.SyntaxGo, Base: 0x7f0000001000}
	rows := disasm.Decode(code, opts)
	// What the fault handler read at the pc: mov eax, 7; ret.
	pc, mem := uint64(0x7ffc0000efd8), []byte{0xb8, 0x07, 0x00, 0x00, 0x00, 0xc3}
	rows = append(rows, disasm.Outside(code, pc, mem, opts))
	disasm.Write(os.Stdout, rows, opts.Syntax)
	// Output:
	//    0x7f0000001000  +0x0     48 89 e0        MOVQ SP, AX
	//    0x7f0000001003  +0x3     ff d0           CALL AX
	//    0x7f0000001005  +0x5     c3              RET
	// => 0x7ffc0000efd8  outside  b8 07 00 00 00  MOVL $0x7, AX  // the pc is outside the code
}

// The row for a pc outside the code: decoded from the bytes the caller
// read there, or with no text when it could not read them.
func ExampleOutside() {
	code := []byte{0xff, 0xe7} // jmp rdi
	opts := disasm.Options{Syntax: asm.SyntaxIntel, Base: 0x1000}
	for _, mem := range [][]byte{{0xcc}, nil} {
		r := disasm.Outside(code, 0x5000, mem, opts)
		fmt.Printf("%#x outside=%v %q: %s\n", r.Addr, r.Outside, r.Text, r.Note)
	}
	// Output:
	// 0x5000 outside=true "int3": the pc is outside the code
	// 0x5000 outside=true "": the pc is outside the code, in memory the caller could not read
}
