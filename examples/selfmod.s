// selfmod.s teaches W^X: the code's own page is read+exec, so writing to it faults.
// Run: jitrun run examples/selfmod.s
// Register contract: no arguments; would return 1 in AX, but the write faults first.
TEXT ·selfmod(SB), NOSPLIT|NOFRAME, $0
	LEAQ patch(SB), AX       // AX = the address of the instruction below
	MOVB $0x90, (AX)         // try to overwrite it with a NOP: SIGSEGV, the page is r-x
patch:
	MOVL $1, AX
	RET
