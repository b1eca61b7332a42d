// cpuid.s teaches CPUID: leaf 0 names the CPU's vendor in 12 ASCII bytes, in BX, DX, CX.
// Run: jitrun run examples/cpuid.s
// Register contract: no arguments; returns the vendor's first 8 bytes in AX and the last 4 in DX.
// CPUID writes BX, which the System V ABI says a function must preserve: the
// trampoline restores everything Go needs, so here it does not matter.
TEXT ·cpuid(SB), NOSPLIT|NOFRAME, $0
	XORL AX, AX       // leaf 0
	CPUID             // BX, DX, CX = "Genu" "ineI" "ntel" (or "Auth" "enti" "cAMD")
	SHLQ $32, DX
	ORQ BX, DX        // DX = bytes 0-7 of the vendor, in memory order
	MOVQ DX, AX
	MOVL CX, DX       // DX = bytes 8-11 (MOVL zeroes the upper half)
	RET
