# print.s teaches calling a library: print_int, print_char and print_hex (jitrun help lib) change only caller-saved registers, so the loop keeps its state in %rbx and %r12.
# Run: jitrun run examples/att/print.s 5
# Register contract: %rdi = n; prints i, i*i and i*i in hex for i = 1..n, a line each; returns n*n in %rax.
squares:
	pushq %rbx             # %rbx and %r12 are callee-saved: ours once saved, and every
	pushq %r12             # routine of the library keeps them across each call
	subq $8, %rsp          # %rsp = 0 mod 16 at each call, as System V asks (8 + 2*8 + 8 bytes)
	movq %rdi, %r12        # %r12 = n
	movl $1, %ebx          # %rbx = i
.Lnext:
	cmpq %r12, %rbx
	jg .Ldone              # i > n: every line is printed
	movq %rbx, %rdi
	call print_int         # i (it clobbers %rax, %rcx, %rdx, %rsi, %rdi, %r11)
	movl $' ', %edi
	call print_char
	movq %rbx, %rdi
	imulq %rbx, %rdi
	call print_int         # i*i
	movl $' ', %edi
	call print_char
	movq %rbx, %rdi
	imulq %rbx, %rdi
	call print_hex         # i*i in hex
	call print_newline
	incq %rbx
	jmp .Lnext
.Ldone:
	movq %r12, %rax
	imulq %r12, %rax       # the result: n*n
	addq $8, %rsp
	popq %r12              # restored in the reverse order: the caller's values
	popq %rbx
	ret
