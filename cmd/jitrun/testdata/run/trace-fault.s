// A NULL write in the middle of the code.
	MOVL $1, AX
	XORL CX, CX
	MOVL AX, (CX)    // faults: nothing is mapped at 0
	ADDL $1, AX
	RET
