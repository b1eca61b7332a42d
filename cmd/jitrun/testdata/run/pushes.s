// pushes: pushes eight numbers, then loads through a null pointer.
// Register contract: none; faults (SIGSEGV) with 1 … 8 on the stack, 8 at the top.
TEXT ·pushes(SB), NOSPLIT|NOFRAME, $0
	PUSHQ $1
	PUSHQ $2
	PUSHQ $3
	PUSHQ $4
	PUSHQ $5
	PUSHQ $6
	PUSHQ $7
	PUSHQ $8
	XORL AX, AX
	MOVQ (AX), AX        // AX is 0: a null pointer
	RET
