; VADDPS on 256 bits: ymm2 = x + x, eight float lanes.
section .data
x: dd 1.5, -2.25, 3.0, 0.1, 1e30, 6.5, 7.0, 8.5
section .text
vmovups ymm1, [rel x]
vaddps ymm2, ymm1, ymm1
ret
