// mapsum.s teaches file mappings: it sums the decimal numbers in a file that --map maps read-only.
// Run: jitrun run --map examples/numbers.txt examples/mapsum.s
// Register contract: the file's address in DI and its length in SI (from --map); returns the sum in AX.
TEXT ·mapsum(SB), NOSPLIT|NOFRAME, $0
	XORL AX, AX          // AX = the sum
	XORL DX, DX          // DX = the number being read
	ADDQ DI, SI          // SI = the end of the file
next:
	CMPQ DI, SI
	JEQ done
	MOVBLZX (DI), CX     // CX = the next byte of the file (zero-extended)
	INCQ DI
	SUBL $'0', CX
	CMPL CX, $9
	JHI end              // not a digit (unsigned: below '0' wraps around too)
	IMULQ $10, DX
	ADDQ CX, DX          // DX = DX*10 + digit
	JMP next
end:
	ADDQ DX, AX          // a number ended: add it
	XORL DX, DX
	JMP next
done:
	ADDQ DX, AX          // a last number without a newline after it
	XORL DX, DX
	RET
