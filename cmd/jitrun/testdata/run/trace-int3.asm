; INT3 in the code: a breakpoint when tracing, not a fault.
mov eax, 1
int3
add eax, 1
ret
