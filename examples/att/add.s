# add.s teaches the calling convention: integer arguments arrive in %rdi, %rsi, %rdx, %rcx, %r8, %r9.
# Run: jitrun run examples/att/add.s 2 3
# Register contract: a in %rdi, b in %rsi; returns a+b in %rax.
add:
	movq %rdi, %rax
	addq %rsi, %rax
	ret
