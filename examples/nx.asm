; nx.asm teaches NX: bytes written to the stack are data; jumping to them faults (no-execute).
; Run: jitrun run examples/nx.asm
; Register contract: no arguments; would return 7 in rax, but the fetch from the stack faults first.
nx:
	sub rsp, 16
	mov rax, 0xc300000007b8   ; the bytes b8 07 00 00 00 c3: mov eax, 7; ret
	mov [rsp], rax            ; writing them to the stack is allowed: it is rw-
	mov rax, rsp
	call rax                  ; running them is not: SIGSEGV, instruction fetch from an NX page
	add rsp, 16
	ret
