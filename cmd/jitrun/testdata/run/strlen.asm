; strlen: the length of a NUL-terminated string.
; Register contract: the string's address in rdi (a str: argument); returns its length in rax.
strlen:
	xor eax, eax              ; rax = bytes before the NUL so far
.loop:
	cmp byte [rdi + rax], 0   ; the NUL?
	je .done
	inc rax
	jmp .loop
.done:
	ret
