# hello.s teaches system calls: write(1, msg, 13) prints and returns; exit_group would end jitrun, so jitrun refuses it and reports it.
# Run: jitrun run examples/att/hello.s
# Run: jitrun run --entry bye examples/att/hello.s
# Register contract: no arguments; hello returns write's result in %rax (13, the bytes written, or -errno); bye does not return.
	.text
hello:
	movl $1, %eax          # write, system call 1 on x86-64
	movl $1, %edi          # fd 1: standard output
	leaq msg(%rip), %rsi   # the bytes
	movl $13, %edx         # how many
	syscall                # %rax = bytes written (syscall clobbers %rcx and %r11)
	ret
bye:
	movl $231, %eax        # exit_group, system call 231: it would end jitrun at once, without a report
	movl $7, %edi          # exit status 7
	syscall                # refused (--syscalls guard, the default): reported as a SIGSYS fault
	ret

	.section .rodata
msg:	.ascii "hello, world\n"
