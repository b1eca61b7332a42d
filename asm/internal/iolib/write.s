//go:build ignore

// write.s: the helpers of jitrun's I/O library that talk to the kernel
// (linked only with a routine that calls them; their names start with
// __jitrun_ so that no program's name meets them). Go syntax, as `go tool
// asm` reads it; jitrun assembles it with the program (asm/lib.go).

// __jitrun_write writes DX bytes from SI to standard output, all of them:
// after a short write it writes the rest, and it stops at an error.
// In: SI = the bytes, DX = how many. Out: nothing.
// Clobbers: AX, CX, DX, SI, DI, R11, flags.
TEXT __jitrun_write(SB), NOSPLIT|NOFRAME, $0
again:
	TESTQ DX, DX
	JLE done            // nothing (left) to write
	MOVL $1, AX         // write, system call 1
	MOVL $1, DI         // fd 1: standard output
	SYSCALL             // AX = bytes written or -errno; clobbers CX and R11
	CMPQ AX, $-4
	JEQ again           // -EINTR: a signal came first; write again
	TESTQ AX, AX
	JLE done            // an error (or nothing written): give up
	ADDQ AX, SI         // a short write: the rest
	SUBQ AX, DX
	JMP again
done:
	RET

// __jitrun_getc reads one byte from standard input.
// In: nothing. Out: AX = the byte (0-255), or -1 at the end of the input
// or on an error.
// Clobbers: AX, CX, DX, SI, DI, R11, flags.
TEXT __jitrun_getc(SB), NOSPLIT|NOFRAME, $0
	SUBQ $8, SP         // room for the byte
again:
	XORL AX, AX         // read, system call 0
	XORL DI, DI         // fd 0: standard input
	MOVQ SP, SI         // into 0(SP)
	MOVL $1, DX         // one byte
	SYSCALL             // AX = 1, 0 at the end of the input, or -errno
	CMPQ AX, $-4
	JEQ again           // -EINTR: read again
	CMPQ AX, $1
	JNE end
	MOVBQZX (SP), AX    // the byte, zero-extended
	ADDQ $8, SP
	RET
end:
	MOVQ $-1, AX
	ADDQ $8, SP
	RET

// __jitrun_utoa writes the decimal digits of AX (unsigned) backwards into
// the bytes before SI.
// In: AX = the value, SI = the end of a buffer of at least 20 bytes.
// Out: SI = the first digit.
// Clobbers: AX, CX, DX, SI, flags.
TEXT __jitrun_utoa(SB), NOSPLIT|NOFRAME, $0
	MOVL $10, CX
digit:
	XORL DX, DX
	DIVQ CX             // AX = AX / 10, DX = AX % 10
	ADDB $48, DL        // '0' + the digit
	DECQ SI
	MOVB DL, (SI)
	TESTQ AX, AX
	JNE digit           // until no digit is left (0 still has one)
	RET
