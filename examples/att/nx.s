# nx.s teaches NX: bytes written to the stack are data; jumping to them faults (no-execute).
# Run: jitrun run examples/att/nx.s
# Register contract: no arguments; would return 7 in %rax, but the fetch from the stack faults first.
nx:
	subq $16, %rsp
	movq $0xc300000007b8, %rax   # the bytes b8 07 00 00 00 c3: movl $7, %eax; ret
	movq %rax, (%rsp)            # writing them to the stack is allowed: it is rw-
	movq %rsp, %rax
	call *%rax                   # running them is not: SIGSEGV, instruction fetch from an NX page
	addq $16, %rsp
	ret
