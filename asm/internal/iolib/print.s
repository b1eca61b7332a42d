//go:build ignore

// print.s: the print routines of jitrun's I/O library. Go syntax, as `go
// tool asm` reads it; jitrun assembles a routine with the program that
// calls it (asm/lib.go), in either syntax: CALL print_int(SB), call
// print_int.
//
// Register contract (System V): the argument in DI; no result; each
// clobbers AX, CX, DX, SI, DI, R11 and the flags, all caller-saved, and
// keeps every other register (R8-R10, the callee-saved BX, BP, R12-R15,
// SP, and the vector registers). Each writes its text to standard output
// with one write system call (more only after a short write), and works
// whatever the stack's alignment: none uses SSE. Called as after a CALL
// (SP = 8 mod 16), each calls its helpers with SP = 0 mod 16.

// print_int writes DI as a signed decimal number: -42, 0, 9223372036854775807.
TEXT print_int(SB), NOSPLIT|NOFRAME, $0
	SUBQ $24, SP            // the digits and the sign, at most 20 bytes
	MOVQ DI, AX
	TESTQ AX, AX
	JGE digits
	NEGQ AX                 // the magnitude; -2^63 stays 2^63, right as unsigned
digits:
	LEAQ 24(SP), SI         // the digits go backwards from the end
	CALL __jitrun_utoa(SB)  // keeps DI
	TESTQ DI, DI
	JGE write
	DECQ SI
	MOVB $45, (SI)          // '-'
write:
	LEAQ 24(SP), DX
	SUBQ SI, DX             // DX = how many bytes
	CALL __jitrun_write(SB)
	ADDQ $24, SP
	RET

// print_uint writes DI as an unsigned decimal number: 0, 18446744073709551615.
TEXT print_uint(SB), NOSPLIT|NOFRAME, $0
	SUBQ $24, SP            // the digits, at most 20
	MOVQ DI, AX
	LEAQ 24(SP), SI
	CALL __jitrun_utoa(SB)
	LEAQ 24(SP), DX
	SUBQ SI, DX             // DX = how many bytes
	CALL __jitrun_write(SB)
	ADDQ $24, SP
	RET

// print_hex writes DI in hexadecimal, 0x and lower-case digits without
// leading zeros: 0x0, 0xdeadbeef, 0xffffffffffffffff.
TEXT print_hex(SB), NOSPLIT|NOFRAME, $0
	SUBQ $24, SP            // 0x and at most 16 digits
	LEAQ 24(SP), SI         // the digits go backwards from the end
	MOVQ DI, AX
digit:
	MOVL AX, CX
	ANDL $15, CX            // the lowest 4 bits
	CMPL CX, $10
	JLT decimal
	ADDL $39, CX            // 10-15 become 'a'-'f' ('a' - '0' - 10 = 39)
decimal:
	ADDL $48, CX            // '0' + the digit
	DECQ SI
	MOVB CL, (SI)
	SHRQ $4, AX
	JNE digit               // until no digit is left (0 still has one)
	SUBQ $2, SI
	MOVW $0x7830, (SI)      // "0x" ('0' = 0x30 first: little-endian)
	LEAQ 24(SP), DX
	SUBQ SI, DX             // DX = how many bytes
	CALL __jitrun_write(SB)
	ADDQ $24, SP
	RET

// print_char writes the byte in the low 8 bits of DI (DIL): 'A' is 65.
TEXT print_char(SB), NOSPLIT|NOFRAME, $0
	PUSHQ DI                // the byte at 0(SP) (little-endian)
	MOVQ SP, SI
	MOVL $1, DX
	CALL __jitrun_write(SB)
	ADDQ $8, SP
	RET

// print_str writes the bytes DI points at, up to the first zero byte (not
// written): a C string.
TEXT print_str(SB), NOSPLIT|NOFRAME, $0
	MOVQ DI, SI
	XORL DX, DX             // DX = the length so far
length:
	CMPB (SI)(DX*1), $0
	JEQ write
	INCQ DX
	JMP length
write:
	JMP __jitrun_write(SB)  // a tail call: its RET returns to our caller

// print_newline writes a newline (10); it takes no argument.
TEXT print_newline(SB), NOSPLIT|NOFRAME, $0
	PUSHQ $10               // the byte at 0(SP)
	MOVQ SP, SI
	MOVL $1, DX
	CALL __jitrun_write(SB)
	ADDQ $8, SP
	RET
