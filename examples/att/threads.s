# threads.s teaches threads: run on several OS threads at once, each call has its own stack (%rsp) but the same code page.
# Run: jitrun run --threads 4 examples/att/threads.s
# Register contract: no arguments; returns the stack pointer it ran on in %rax and its thread id in %rdx.
threads:
	movl $200000000, %ecx  # spin a while (tens of ms), so that the threads' calls overlap
spin:
	decl %ecx
	jne spin
	movl $186, %eax        # gettid, system call 186 on x86-64
	syscall                # %rax = this thread's id (syscall clobbers %rcx and %r11)
	movq %rax, %rdx
	movq %rsp, %rax        # %rax = this call's stack pointer
	ret
