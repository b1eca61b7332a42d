; sum.asm teaches a counted loop: it adds 1 + 2 + ... + n.
; Run: jitrun run examples/sum.asm 100
; Register contract: n in rdi; returns the sum in rax (0 when n <= 0).
sum:
	xor eax, eax    ; the sum
	test rdi, rdi
	jle done        ; n <= 0: nothing to add
loop:
	add rax, rdi
	dec rdi         ; count down from n; dec sets ZF at zero
	jne loop
done:
	ret
