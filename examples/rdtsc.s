// rdtsc.s teaches RDTSC: the time-stamp counter, read twice; the difference is the ticks between.
// Run: jitrun run examples/rdtsc.s
// Register contract: no arguments; returns the ticks between two RDTSCs in AX (a few dozen; a VM may take more).
TEXT ·rdtsc(SB), NOSPLIT|NOFRAME, $0
	LFENCE           // wait for earlier instructions, so RDTSC is not read early
	RDTSC            // EDX:EAX = the counter
	SHLQ $32, DX
	ORQ DX, AX
	MOVQ AX, CX      // CX = first reading
	LFENCE
	RDTSC
	SHLQ $32, DX
	ORQ DX, AX       // AX = second reading
	SUBQ CX, AX      // AX = ticks between
	XORL DX, DX      // leave DX as it started
	RET
