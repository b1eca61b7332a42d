// Never returns: the step cap stops it.
	MOVQ $0, AX
loop:
	INCQ AX
	JMP loop
