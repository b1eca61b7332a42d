; mapsum.asm teaches file mappings: it sums the decimal numbers in a file that --map maps read-only.
; Run: jitrun run --map examples/numbers.txt examples/mapsum.asm
; Register contract: the file's address in rdi and its length in rsi (from --map); returns the sum in rax.
mapsum:
	xor eax, eax         ; rax = the sum
	xor edx, edx         ; rdx = the number being read
	add rsi, rdi         ; rsi = the end of the file
next:
	cmp rdi, rsi
	je done
	movzx ecx, byte [rdi] ; rcx = the next byte of the file (zero-extended)
	inc rdi
	sub ecx, '0'
	cmp ecx, 9
	ja end               ; not a digit (unsigned: below '0' wraps around too)
	imul rdx, rdx, 10
	add rdx, rcx         ; rdx = rdx*10 + digit
	jmp next
end:
	add rax, rdx         ; a number ended: add it
	xor edx, edx
	jmp next
done:
	add rax, rdx         ; a last number without a newline after it
	xor edx, edx
	ret
