// nx.s teaches NX: bytes written to the stack are data; jumping to them faults (no-execute).
// Run: jitrun run examples/nx.s
// Register contract: no arguments; would return 7 in AX, but the fetch from the stack faults first.
TEXT ·nx(SB), NOSPLIT|NOFRAME, $0
	SUBQ $16, SP
	MOVQ $0xc300000007b8, AX  // the bytes b8 07 00 00 00 c3: MOVL $7, AX; RET
	MOVQ AX, (SP)             // writing them to the stack is allowed: it is rw-
	MOVQ SP, AX
	CALL AX                   // running them is not: SIGSEGV, instruction fetch from an NX page
	ADDQ $16, SP
	RET
