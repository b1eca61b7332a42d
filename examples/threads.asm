; threads.asm teaches threads: run on several OS threads at once, each call has its own stack (rsp) but the same code page.
; Run: jitrun run --threads 4 examples/threads.asm
; Register contract: no arguments; returns the stack pointer it ran on in rax and its thread id in rdx.
threads:
	mov ecx, 200000000   ; spin a while (tens of ms), so that the threads' calls overlap
spin:
	dec ecx
	jne spin
	mov eax, 186         ; gettid, system call 186 on x86-64
	syscall              ; rax = this thread's id (syscall clobbers rcx and r11)
	mov rdx, rax
	mov rax, rsp         ; rax = this call's stack pointer
	ret
