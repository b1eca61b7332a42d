package asm_test

import (
	"fmt"

	"github.com/jitrun/jitrun/asm"
)

// Assemble AT&T syntax as gcc -S writes it: a jump table of label
// differences in .rodata, a local label, the directives gcc writes that
// mean nothing without a linker. The syntax is detected from the %
// registers.
func ExampleAssembleSource_att() {
	prog, err := asm.AssembleSource("pick.s", []byte(`
		# pick(i): 10, 20 or 30 for i = 0, 1, 2; 0 otherwise.
		.text
		.globl	pick
		.type	pick, @function
	pick:
		xorl	%eax, %eax
		cmpl	$2, %edi
		ja	1f
		leaq	.L4(%rip), %rdx
		movslq	(%rdx,%rdi,4), %rcx
		addq	%rdx, %rcx
		jmp	*%rcx
	.L5:	movl	$10, %eax
		ret
	.L6:	movl	$20, %eax
		ret
	.L7:	movl	$30, %eax
	1:	ret
		.size	pick, .-pick
		.section	.rodata
		.align 4
	.L4:
		.long	.L5-.L4
		.long	.L6-.L4
		.long	.L7-.L4
		.section	.note.GNU-stack,"",@progbits
	`), asm.SyntaxAuto)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, l := range prog.Lines {
		fmt.Printf("%04x  %-16x %s\n", l.Offset, prog.Code[l.Offset:l.Offset+l.Len], l.Text)
	}
	// Output:
	// 0000  31c0             xorl	%eax, %eax
	// 0002  83ff02           cmpl	$2, %edi
	// 0005  7721             ja	1f
	// 0007  488d15f20f0000   leaq	.L4(%rip), %rdx
	// 000e  48630cba         movslq	(%rdx,%rdi,4), %rcx
	// 0012  4801d1           addq	%rdx, %rcx
	// 0015  ffe1             jmp	*%rcx
	// 0017  b80a000000       .L5: movl	$10, %eax
	// 001c  c3               ret
	// 001d  b814000000       .L6: movl	$20, %eax
	// 0022  c3               ret
	// 0023  b81e000000       .L7: movl	$30, %eax
	// 0028  c3               1: ret
	// 1000  17f0ffff         .long	.L5-.L4
	// 1004  1df0ffff         .long	.L6-.L4
	// 1008  23f0ffff         .long	.L7-.L4
}
