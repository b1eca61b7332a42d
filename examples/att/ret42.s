# ret42.s teaches the return value: whatever the code leaves in %rax is the result.
# Run: jitrun run examples/att/ret42.s
# Register contract: no arguments; returns 42 in %rax.
ret42:
	movl $42, %eax     # writing %eax also zeroes the upper half of %rax
	ret
