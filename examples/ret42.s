// ret42.s teaches the return value: whatever the code leaves in AX is the result.
// Run: jitrun run examples/ret42.s
// Register contract: no arguments; returns 42 in AX.
TEXT ·ret42(SB), NOSPLIT|NOFRAME, $0
	MOVL $42, AX // writing EAX also zeroes the upper half of RAX
	RET
