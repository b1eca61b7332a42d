# overflow.s teaches the guard page: recursion without end runs off the bottom of the stack and faults.
# Run: jitrun run --stack 64k examples/att/overflow.s
# Register contract: no arguments; never returns; %rax counts the calls made before the fault.
overflow:
	incq %rax              # one more level
	call overflow          # each call pushes 8 bytes; below the stack is a PROT_NONE page
	ret
