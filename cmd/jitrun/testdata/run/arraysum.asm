; arraysum: the sum of an array of int64.
; Register contract: the array's address in rdi (an i64: argument), its length in rsi; returns the sum in rax.
arraysum:
	xor eax, eax          ; rax = the sum so far
	test rsi, rsi
	jz .done              ; an empty array sums to 0
.loop:
	add rax, [rdi]
	add rdi, 8            ; the next element
	dec rsi
	jnz .loop
.done:
	ret
