; REP MOVSB copies 16 bytes on the stack, one byte per step.
sub rsp, 32
mov rax, 0x1122334455667788
mov [rsp], rax
mov [rsp+8], rax
lea rsi, [rsp]              ; from
lea rdi, [rsp+16]           ; to
mov ecx, 16                 ; bytes
rep movsb
mov rax, [rsp+24]
add rsp, 32
ret
