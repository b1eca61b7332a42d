// One entry point per fault kind, for the fault report tests.
TEXT ·ud2(SB), NOSPLIT|NOFRAME, $0
	MOVL $5, AX
	UD2
TEXT ·int3(SB), NOSPLIT|NOFRAME, $0
	MOVL $6, AX
	INT $3
	RET
TEXT ·div0(SB), NOSPLIT|NOFRAME, $0
	XORL CX, CX
	XORL DX, DX
	DIVQ CX
	RET
TEXT ·null(SB), NOSPLIT|NOFRAME, $0
	MOVQ 0, AX
	RET
TEXT ·hlt(SB), NOSPLIT|NOFRAME, $0
	HLT
	RET
TEXT ·ac(SB), NOSPLIT|NOFRAME, $0
	PUSHFQ
	ORQ $0x40000, (SP)   // EFLAGS.AC: alignment checking on
	POPFQ
	MOVQ 1(SP), AX       // a misaligned load: SIGBUS
	RET
TEXT ·readmap(SB), NOSPLIT|NOFRAME, $0
	MOVQ $1, (DI)        // DI is the --map file: read-only
	RET
