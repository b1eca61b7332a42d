// CALL and RET between two TEXT blocks: main calls double(5) and adds 1.
TEXT ·main(SB), NOSPLIT|NOFRAME, $0
	MOVQ $5, DI
	CALL ·double(SB)    // pushes the return address
	ADDQ $1, AX
	RET

TEXT ·double(SB), NOSPLIT|NOFRAME, $0
	LEAQ (DI)(DI*1), AX
	RET                 // pops it
