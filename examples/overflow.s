// overflow.s teaches the guard page: recursion without end runs off the bottom of the stack and faults.
// Run: jitrun run --stack 64k examples/overflow.s
// Register contract: no arguments; never returns; AX counts the calls made before the fault.
TEXT ·overflow(SB), NOSPLIT|NOFRAME, $0
	INCQ AX               // one more level
	CALL ·overflow(SB)    // each CALL pushes 8 bytes; below the stack is a PROT_NONE page
	RET
