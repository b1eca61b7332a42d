// Two functions with a label of the same name, and data.
TEXT ·first(SB), NOSPLIT|NOFRAME, $0
	MOVL $1, AX
loop:
	RET

TEXT ·second(SB), NOSPLIT|NOFRAME, $0
	MOVL $2, AX
loop:
	MOVL $3, DX
	RET

DATA table<>+0(SB)/8, $7
GLOBL table<>(SB), RODATA, $8
