// threads.s teaches threads: run on several OS threads at once, each call has its own stack (RSP) but the same code page.
// Run: jitrun run --threads 4 examples/threads.s
// Register contract: no arguments; returns the stack pointer it ran on in AX and its thread id in DX.
TEXT ·threads(SB), NOSPLIT|NOFRAME, $0
	MOVL $200000000, CX  // spin a while (tens of ms), so that the threads' calls overlap
spin:
	DECL CX
	JNE spin
	MOVL $186, AX        // gettid, system call 186 on x86-64
	SYSCALL              // AX = this thread's id (SYSCALL clobbers CX and R11)
	MOVQ AX, DX
	MOVQ SP, AX          // AX = this call's stack pointer
	RET
