BITS 64
; Pointer chasing, Intel syntax: load-to-use latency (init: --init 'mov [rdi], rdi
; mov rax, rdi').
mov rax, [rax]
