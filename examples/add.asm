; add.asm teaches the calling convention: integer arguments arrive in rdi, rsi, rdx, rcx, r8, r9.
; Run: jitrun run examples/add.asm 2 3
; Register contract: a in rdi, b in rsi; returns a+b in rax.
add:
	mov rax, rdi
	add rax, rsi
	ret
