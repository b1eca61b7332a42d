; print.asm teaches calling a library: print_int, print_char and print_hex (jitrun help lib) change only caller-saved registers, so the loop keeps its state in rbx and r12.
; Run: jitrun run examples/print.asm 5
; Register contract: rdi = n; prints i, i*i and i*i in hex for i = 1..n, a line each; returns n*n in rax.
squares:
	push rbx             ; rbx and r12 are callee-saved: ours once saved, and every
	push r12             ; routine of the library keeps them across each call
	sub rsp, 8           ; rsp = 0 mod 16 at each call, as System V asks (8 + 2*8 + 8 bytes)
	mov r12, rdi         ; r12 = n
	mov ebx, 1           ; rbx = i
.next:
	cmp rbx, r12
	jg .done             ; i > n: every line is printed
	mov rdi, rbx
	call print_int       ; i (it clobbers rax, rcx, rdx, rsi, rdi, r11)
	mov edi, ' '
	call print_char
	mov rdi, rbx
	imul rdi, rbx
	call print_int       ; i*i
	mov edi, ' '
	call print_char
	mov rdi, rbx
	imul rdi, rbx
	call print_hex       ; i*i in hex
	call print_newline
	inc rbx
	jmp .next
.done:
	mov rax, r12
	imul rax, r12        ; the result: n*n
	add rsp, 8
	pop r12              ; restored in the reverse order: the caller's values
	pop rbx
	ret
