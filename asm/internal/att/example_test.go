package att_test

import (
	"fmt"

	"github.com/jitrun/jitrun/asm/internal/att"
	"github.com/jitrun/jitrun/asm/internal/ir"
)

// Parse turns AT&T source into the statement IR: Go mnemonics, operands
// in Go order (the same as AT&T's), data sections as GLOBL and DATA.
func ExampleParse() {
	stmts, errs := att.Parse("f.s", []byte("f:\tmovzbl (%rdi), %eax\n\tcltq\n\tret\n\t.data\nx:\t.quad 7\n"), att.Options{})
	if errs.Len() > 0 {
		fmt.Println(errs.List())
		return
	}
	for _, st := range stmts {
		switch s := st.(type) {
		case *ir.Inst:
			fmt.Println(ir.FormatInst(s))
		case *ir.LabelDef:
			fmt.Println(s.Name + ":")
		case *ir.GloblDef:
			fmt.Printf("GLOBL %s, $%d\n", s.Name, s.Size)
		case *ir.DataDef:
			fmt.Printf("DATA %s+%d/%d, %q\n", s.Name, s.Off, s.Width, s.Value.String)
		}
	}
	// Output:
	// f:
	// MOVBLZX (DI), AX
	// CDQE
	// RET
	// GLOBL x, $8
	// DATA x+0/8, "\a\x00\x00\x00\x00\x00\x00\x00"
}
