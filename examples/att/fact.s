# fact.s teaches recursion on the JIT stack: n! = n * (n-1)!, one call per level.
# Run: jitrun run examples/att/fact.s 20
# Register contract: n in %rdi; returns n! in %rax (1 for n <= 1; 20! is the largest that fits).
fact:
	cmpq $1, %rdi
	jle base
	pushq %rdi           # save n across the call: the stack is ours
	decq %rdi
	call fact            # %rax = (n-1)!
	popq %rdi
	imulq %rdi, %rax     # %rax = n * (n-1)!
	ret
base:
	movl $1, %eax
	ret
