; memcpy: copies rdx bytes from rsi to rdi, as C's memcpy(dst, src, n).
; Register contract: dst in rdi, src in rsi, n in rdx; returns dst in rax.
memcpy:
	mov rax, rdi   ; the result: dst
	mov rcx, rdx   ; rep counts in rcx
	rep movsb      ; copy rcx bytes from [rsi] to [rdi], one at a time
	ret
