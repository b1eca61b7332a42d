// fact.s teaches recursion on the JIT stack: n! = n * (n-1)!, one CALL per level.
// Run: jitrun run examples/fact.s 20
// Register contract: n in DI; returns n! in AX (1 for n <= 1; 20! is the largest that fits).
TEXT ·fact(SB), NOSPLIT|NOFRAME, $0
	CMPQ DI, $1
	JLE base
	PUSHQ DI            // save n across the call: the stack is ours
	DECQ DI
	CALL ·fact(SB)      // AX = (n-1)!
	POPQ DI
	IMULQ DI, AX        // AX = n * (n-1)!
	RET
base:
	MOVL $1, AX
	RET
