; AVX-512: zmm2 = sixteen dword lanes 0..15 plus 100, zmm17 all ones,
; k1 = the lanes of zmm2 above 107, k2 = 0x5.
section .data
a: dd 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
h: dd 100
section .text
vmovdqu32 zmm1, [rel a]
vpbroadcastd zmm3, [rel h]
vpaddd zmm2, zmm1, zmm3
vpternlogd zmm17, zmm17, zmm17, 0xff
mov eax, 107
vpbroadcastd zmm4, eax
vpcmpgtd k1, zmm2, zmm4
mov eax, 5
kmovw k2, eax
xor eax, eax
ret
