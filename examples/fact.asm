; fact.asm teaches recursion on the JIT stack: n! = n * (n-1)!, one call per level.
; Run: jitrun run examples/fact.asm 20
; Register contract: n in rdi; returns n! in rax (1 for n <= 1; 20! is the largest that fits).
fact:
	cmp rdi, 1
	jle base
	push rdi            ; save n across the call: the stack is ours
	dec rdi
	call fact           ; rax = (n-1)!
	pop rdi
	imul rax, rdi       ; rax = n * (n-1)!
	ret
base:
	mov eax, 1
	ret
