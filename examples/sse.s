// sse.s teaches SSE alignment: MOVAPS needs a 16-byte aligned address; 8 bytes off one, it faults (#GP).
// Run: jitrun run examples/sse.s 2.5
// Run: jitrun run --entry misaligned examples/sse.s 2.5
// Register contract: a scale in X0; returns (1.5 + 2.5) * scale in X0.
TEXT ·aligned(SB), NOSPLIT|NOFRAME, $0
	MOVAPS pair<>(SB), X1   // pair is 16-byte aligned: loads 1.5 and 2.5
	JMP ·scale(SB)

TEXT ·misaligned(SB), NOSPLIT|NOFRAME, $0
	MOVAPS pair<>+8(SB), X1 // 8 bytes past an aligned address: general protection fault
	JMP ·scale(SB)

TEXT ·scale(SB), NOSPLIT|NOFRAME, $0
	MOVDDUP X0, X0          // X0 = scale, scale
	MULPD X1, X0            // X0 = 1.5*scale, 2.5*scale
	MOVHLPS X0, X1          // X1 low = 2.5*scale
	ADDSD X1, X0            // X0 low = 1.5*scale + 2.5*scale
	RET

// 32 bytes, so the layout aligns it to 32 (and the code is page aligned).
DATA pair<>+0(SB)/8, $1.5
DATA pair<>+8(SB)/8, $2.5
DATA pair<>+16(SB)/8, $0.0
DATA pair<>+24(SB)/8, $0.0
GLOBL pair<>(SB), RODATA, $32
