// add.s teaches the calling convention: integer arguments arrive in DI, SI, DX, CX, R8, R9.
// Run: jitrun run examples/add.s 2 3
// Register contract: a in DI, b in SI; returns a+b in AX.
TEXT ·add(SB), NOSPLIT|NOFRAME, $0
	MOVQ DI, AX
	ADDQ SI, AX
	RET
