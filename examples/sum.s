// sum.s teaches a counted loop: it adds 1 + 2 + ... + n.
// Run: jitrun run examples/sum.s 100
// Register contract: n in DI; returns the sum in AX (0 when n <= 0).
TEXT ·sum(SB), NOSPLIT|NOFRAME, $0
	XORL AX, AX   // the sum
	TESTQ DI, DI
	JLE done      // n <= 0: nothing to add
loop:
	ADDQ DI, AX
	DECQ DI       // count down from n; DECQ sets ZF at zero
	JNE loop
done:
	RET
