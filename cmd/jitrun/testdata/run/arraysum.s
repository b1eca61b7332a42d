// arraysum: the sum of an array of int64.
// Register contract: the array's address in DI (an i64: argument), its length in SI; returns the sum in AX.
TEXT ·arraysum(SB), NOSPLIT|NOFRAME, $0
	XORL AX, AX          // AX = the sum so far
	TESTQ SI, SI
	JEQ done             // an empty array sums to 0
loop:
	ADDQ (DI), AX
	ADDQ $8, DI          // the next element
	DECQ SI
	JNE loop
done:
	RET
