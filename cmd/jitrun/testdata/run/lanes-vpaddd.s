; VPADDD on 256 and on 128 bits: ymm2 = a + b, eight dword lanes;
; xmm3 = the low four of them (a VEX op zeroes bits 128-255 of ymm3).
section .data
a: dd 1, 2, 3, 4, 5, 6, 7, 8
b: dd 10, 20, 30, 40, 50, 60, 70, -80
section .text
vmovdqu ymm1, [rel a]
vpaddd ymm2, ymm1, [rel b]
vpaddd xmm3, xmm1, [rel b]
ret
