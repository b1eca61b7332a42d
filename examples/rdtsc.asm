; rdtsc.asm teaches rdtsc: the time-stamp counter, read twice; the difference is the ticks between.
; Run: jitrun run examples/rdtsc.asm
; Register contract: no arguments; returns the ticks between two rdtscs in rax (a few dozen; a VM may take more).
rdtsc:
	lfence           ; wait for earlier instructions, so rdtsc is not read early
	rdtsc            ; edx:eax = the counter
	shl rdx, 32
	or rax, rdx
	mov rcx, rax     ; rcx = first reading
	lfence
	rdtsc
	shl rdx, 32
	or rax, rdx      ; rax = second reading
	sub rax, rcx     ; rax = ticks between
	xor edx, edx     ; leave rdx as it started
	ret
