// print.s teaches calling a library: print_int, print_char and print_hex (jitrun help lib) change only caller-saved registers, so the loop keeps its state in rbx and r12.
// Run: jitrun run examples/print.s 5
// Register contract: DI = n; prints i, i*i and i*i in hex for i = 1..n, a line each; returns n*n in AX.
TEXT ·squares(SB), NOSPLIT|NOFRAME, $0
	PUSHQ BX                 // BX and R12 are callee-saved: ours once saved, and every
	PUSHQ R12                // routine of the library keeps them across each call
	SUBQ $8, SP              // SP = 0 mod 16 at each call, as System V asks (8 + 2*8 + 8 bytes)
	MOVQ DI, R12             // R12 = n
	MOVL $1, BX              // BX = i
next:
	CMPQ BX, R12
	JGT done                 // i > n: every line is printed
	MOVQ BX, DI
	CALL print_int(SB)       // i (it clobbers AX, CX, DX, SI, DI, R11)
	MOVL $' ', DI
	CALL print_char(SB)
	MOVQ BX, DI
	IMULQ BX, DI
	CALL print_int(SB)       // i*i
	MOVL $' ', DI
	CALL print_char(SB)
	MOVQ BX, DI
	IMULQ BX, DI
	CALL print_hex(SB)       // i*i in hex
	CALL print_newline(SB)
	INCQ BX
	JMP next
done:
	MOVQ R12, AX
	IMULQ R12, AX            // the result: n*n
	ADDQ $8, SP
	POPQ R12                 // restored in the reverse order: the caller's values
	POPQ BX
	RET
