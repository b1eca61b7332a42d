// hello.s teaches system calls: write(1, msg, 13) prints and returns; exit_group would end jitrun, so jitrun refuses it and reports it.
// Run: jitrun run examples/hello.s
// Run: jitrun run --entry bye examples/hello.s
// Register contract: no arguments; hello returns write's result in AX (13, the bytes written, or -errno); bye does not return.
TEXT ·hello(SB), NOSPLIT|NOFRAME, $0
	MOVL $1, AX          // write, system call 1 on x86-64
	MOVL $1, DI          // fd 1: standard output
	LEAQ msg<>(SB), SI   // the bytes
	MOVL $13, DX         // how many
	SYSCALL              // AX = bytes written (SYSCALL clobbers CX and R11)
	RET

TEXT ·bye(SB), NOSPLIT|NOFRAME, $0
	MOVL $231, AX        // exit_group, system call 231: it would end jitrun at once, without a report
	MOVL $7, DI          // exit status 7
	SYSCALL              // refused (--syscalls guard, the default): reported as a SIGSYS fault
	RET

DATA msg<>+0(SB)/8, $"hello, w"
DATA msg<>+8(SB)/5, $"orld\n"
GLOBL msg<>(SB), RODATA, $13
