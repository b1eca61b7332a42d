; PUSH and POP: each writes or reads the stack word at rsp.
push 7
push 0x2a
mov qword ptr [rsp+8], 9    ; overwrites the 7
pop rax                     ; 0x2a
pop rcx                     ; 9
add rax, rcx
ret
