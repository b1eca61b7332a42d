// strlen: the length of a NUL-terminated string.
// Register contract: the string's address in DI (a str: argument); returns its length in AX.
TEXT ·strlen(SB), NOSPLIT|NOFRAME, $0
	XORL AX, AX          // AX = bytes before the NUL so far
loop:
	CMPB (DI)(AX*1), $0  // the NUL?
	JEQ done
	INCQ AX
	JMP loop
done:
	RET
