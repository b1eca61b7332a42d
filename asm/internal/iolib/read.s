//go:build ignore

// read.s: the read routines of jitrun's I/O library. Go syntax, as `go
// tool asm` reads it; jitrun assembles a routine with the program that
// calls it (asm/lib.go), in either syntax: CALL read_int(SB), call
// read_int.
//
// Register contract (System V): arguments in DI, SI; the result in AX (and
// DX); each clobbers AX, CX, DX, SI, DI, R8, R9, R10, R11 and the flags,
// all caller-saved, and keeps every other register (BX, BP, R12-R15, SP,
// the vector registers). They read standard input one byte at a time (a
// read system call each), so that they never take more of it than they
// use: what follows stays for the next routine, or the next program.
// Called as after a CALL (SP = 8 mod 16), each calls its helper with SP =
// 0 mod 16.

// read_line reads a line from standard input into the buffer at DI of SI
// bytes: at most SI-1 bytes, then a zero byte (a C string). The newline
// that ends the line is read but not stored; the bytes of a longer line
// past SI-1 are read and dropped. A size of 0 or less stores nothing.
// Out: AX = the number of bytes stored (the line's length without its
// newline, when it fits), or -1 when the input ended before any byte.
// A last line without a newline counts as a line.
TEXT read_line(SB), NOSPLIT|NOFRAME, $0
	SUBQ $8, SP             // 0(SP): whether a byte came; SP = 0 mod 16
	MOVQ $0, (SP)
	MOVQ DI, R8             // R8 = the buffer
	MOVQ SI, R9             // R9 = its size
	XORL R10, R10           // R10 = the bytes stored
next:
	CALL __jitrun_getc(SB)  // AX = the byte, or -1
	TESTQ AX, AX
	JMI end                 // the end of the input
	MOVQ $1, (SP)
	CMPQ AX, $10
	JEQ line                // the newline: not stored
	LEAQ 1(R10), CX
	CMPQ CX, R9
	JGE next                // no room left (one byte is kept for the zero): dropped
	MOVB AL, (R8)(R10*1)
	INCQ R10
	JMP next
end:
	CMPQ (SP), $0
	JEQ none                // not one byte: the input had ended
line:
	TESTQ R9, R9
	JLE done                // no buffer to end with a zero
	MOVB $0, (R8)(R10*1)
done:
	MOVQ R10, AX
	ADDQ $8, SP
	RET
none:
	MOVQ $-1, AX
	ADDQ $8, SP
	RET

// read_int reads a signed decimal integer from standard input: blanks
// (space, tab, newline, CR, VT, FF) first are skipped, then an optional
// sign (- or +) and one or more digits, which must end with a blank or
// the end of the input; the blank after the number is read too.
// Out: AX = the value and DX = 0; or AX = 0 and DX = 1 when the input
// ended before the number (only blanks were left); or AX = 0 and DX = 2
// for bad input: no digit where one must be, a byte other than a blank
// right after the digits (12x, 1.5: the bytes up to the bad one are read),
// or a value outside -9223372036854775808..9223372036854775807.
TEXT read_int(SB), NOSPLIT|NOFRAME, $0
	SUBQ $8, SP             // SP = 0 mod 16 at each CALL
	XORL R8, R8             // R8 = the magnitude
	XORL R9, R9             // R9 = 1 when negative
	XORL R10, R10           // R10 = 1 when the magnitude overflowed 64 bits
blank:
	CALL __jitrun_getc(SB)  // AX = the byte, or -1
	CMPQ AX, $-1
	JEQ eof
	CMPQ AX, $32
	JEQ blank               // a space
	LEAQ -9(AX), CX
	CMPQ CX, $4
	JLS blank               // 9-13: tab, newline, VT, FF, CR
	CMPQ AX, $45
	JNE plus
	MOVL $1, R9             // '-'
	JMP signed
plus:
	CMPQ AX, $43
	JNE first               // not '+': the first digit, or bad input
signed:
	CALL __jitrun_getc(SB)
first:
	LEAQ -48(AX), CX        // CX = the digit ('0' is 48)
	CMPQ CX, $9
	JHI bad                 // not a digit (-1, the end, is above 9 unsigned too)
digit:
	MOVQ R8, AX
	MOVL $10, SI
	MULQ SI                 // DX:AX = R8 * 10
	JCS overflow            // CF: the product does not fit 64 bits
	ADDQ CX, AX
	JCS overflow
	MOVQ AX, R8
	JMP more
overflow:
	MOVL $1, R10            // keep reading the digits: the whole number is read
more:
	CALL __jitrun_getc(SB)
	LEAQ -48(AX), CX
	CMPQ CX, $9
	JLS digit
	CMPQ AX, $-1
	JEQ number              // the end of the input ends the number
	CMPQ AX, $32
	JEQ number
	LEAQ -9(AX), CX
	CMPQ CX, $4
	JHI bad                 // not a blank right after the digits
number:
	TESTQ R10, R10
	JNE bad
	MOVQ R8, AX
	TESTQ R9, R9
	JNE negative
	TESTQ AX, AX
	JMI bad                 // above 2^63-1
	JMP ok
negative:
	NEGQ AX
	TESTQ AX, AX
	JGT bad                 // the magnitude was above 2^63 (2^63 itself gives -2^63)
ok:
	XORL DX, DX
	ADDQ $8, SP
	RET
eof:
	XORL AX, AX
	MOVL $1, DX
	ADDQ $8, SP
	RET
bad:
	XORL AX, AX
	MOVL $2, DX
	ADDQ $8, SP
	RET
