# mapsum.s teaches file mappings: it sums the decimal numbers in a file that --map maps read-only.
# Run: jitrun run --map examples/numbers.txt examples/att/mapsum.s
# Register contract: the file's address in %rdi and its length in %rsi (from --map); returns the sum in %rax.
mapsum:
	xorl %eax, %eax        # %rax = the sum
	xorl %edx, %edx        # %rdx = the number being read
	addq %rdi, %rsi        # %rsi = the end of the file
next:
	cmpq %rsi, %rdi
	je done
	movzbl (%rdi), %ecx    # %rcx = the next byte of the file (zero-extended)
	incq %rdi
	subl $'0', %ecx
	cmpl $9, %ecx
	ja end                 # not a digit (unsigned: below '0' wraps around too)
	imulq $10, %rdx, %rdx
	addq %rcx, %rdx        # %rdx = %rdx*10 + digit
	jmp next
end:
	addq %rdx, %rax        # a number ended: add it
	xorl %edx, %edx
	jmp next
done:
	addq %rdx, %rax        # a last number without a newline after it
	xorl %edx, %edx
	ret
