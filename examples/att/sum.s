# sum.s teaches a counted loop: it adds 1 + 2 + ... + n.
# Run: jitrun run examples/att/sum.s 100
# Register contract: n in %rdi; returns the sum in %rax (0 when n <= 0).
sum:
	xorl %eax, %eax    # the sum
	testq %rdi, %rdi
	jle done           # n <= 0: nothing to add
loop:
	addq %rdi, %rax
	decq %rdi          # count down from n; dec sets ZF at zero
	jne loop
done:
	ret
