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
		Syntax:  disasm.SyntaxIntel,
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
	row, err := disasm.At(code, 0x1000, disasm.Options{Syntax: disasm.SyntaxIntel, Base: 0x1000})
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
	disasm.WriteAsm(os.Stdout, disasm.Decode(code, disasm.Options{Syntax: disasm.SyntaxGNU, Base: 0x1000}))
	// Output:
	// 	xor %eax,%eax
	// loc_1002:
	// 	inc %eax
	// 	cmp $0xa,%eax
	// 	jl loc_1002
	// 	retq
}
