# selfmod.s teaches W^X: the code's own page is read+exec, so writing to it faults.
# Run: jitrun run examples/att/selfmod.s
# Register contract: no arguments; would return 1 in %rax, but the write faults first.
selfmod:
	leaq patch(%rip), %rax   # %rax = the address of the instruction below
	movb $0x90, (%rax)       # try to overwrite it with a nop: SIGSEGV, the page is r-x
patch:
	movl $1, %eax
	ret
