// Three mistakes, each reported at its line and column.
TEXT ·f(SB), NOSPLIT, $0
	MOVQ $1, AX
	MOV AX, BX
	ADDQ $0xffffffff, AX
	JMP nowhere
	RET
