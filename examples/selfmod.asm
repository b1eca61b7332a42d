; selfmod.asm teaches W^X: the code's own page is read+exec, so writing to it faults.
; Run: jitrun run examples/selfmod.asm
; Register contract: no arguments; would return 1 in rax, but the write faults first.
selfmod:
	lea rax, [rel patch]     ; rax = the address of the instruction below
	mov byte [rax], 0x90     ; try to overwrite it with a nop: SIGSEGV, the page is r-x
patch:
	mov eax, 1
	ret
