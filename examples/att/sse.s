# sse.s teaches SSE alignment: movaps needs a 16-byte aligned address; 8 bytes off one, it faults (#GP).
# Run: jitrun run examples/att/sse.s 2.5
# Run: jitrun run --entry misaligned examples/att/sse.s 2.5
# Register contract: a scale in %xmm0; returns (1.5 + 2.5) * scale in %xmm0.
	.text
aligned:
	movaps pair(%rip), %xmm1     # pair is 16-byte aligned: loads 1.5 and 2.5
	jmp scale
misaligned:
	movaps pair+8(%rip), %xmm1   # 8 bytes past an aligned address: general protection fault
	jmp scale
scale:
	movddup %xmm0, %xmm0         # %xmm0 = scale, scale
	mulpd %xmm1, %xmm0           # %xmm0 = 1.5*scale, 2.5*scale
	movhlps %xmm0, %xmm1         # %xmm1 low = 2.5*scale
	addsd %xmm1, %xmm0           # %xmm0 low = 1.5*scale + 2.5*scale
	ret

	.section .rodata
# 32 bytes, so the layout aligns it to 32 (and the code is page aligned).
pair:	.double 1.5, 2.5, 0.0, 0.0
