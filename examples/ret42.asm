; ret42.asm teaches the return value: whatever the code leaves in rax is the result.
; Run: jitrun run examples/ret42.asm
; Register contract: no arguments; returns 42 in rax.
ret42:
	mov eax, 42     ; writing eax also zeroes the upper half of rax
	ret
