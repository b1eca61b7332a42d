; hello.asm teaches system calls: write(1, msg, 13) prints and returns; exit_group would end jitrun, so jitrun refuses it and reports it.
; Run: jitrun run examples/hello.asm
; Run: jitrun run --entry bye examples/hello.asm
; Register contract: no arguments; hello returns write's result in rax (13, the bytes written, or -errno); bye does not return.
hello:
	mov eax, 1           ; write, system call 1 on x86-64
	mov edi, 1           ; fd 1: standard output
	lea rsi, [rel msg]   ; the bytes
	mov edx, 13          ; how many
	syscall              ; rax = bytes written (syscall clobbers rcx and r11)
	ret
bye:
	mov eax, 231         ; exit_group, system call 231: it would end jitrun at once, without a report
	mov edi, 7           ; exit status 7
	syscall              ; refused (--syscalls guard, the default): reported as a SIGSYS fault
	ret

section .rodata
msg:	db "hello, world", 10
