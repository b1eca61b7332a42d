// memcpy: copies DX bytes from SI to DI, as C's memcpy(dst, src, n).
// Register contract: dst in DI, src in SI, n in DX; returns dst in AX.
TEXT ·memcpy(SB), NOSPLIT|NOFRAME, $0
	MOVQ DI, AX          // the result: dst
	MOVQ DX, CX          // REP counts in CX
	REP; MOVSB           // copy CX bytes from (SI) to (DI), one at a time
	RET
