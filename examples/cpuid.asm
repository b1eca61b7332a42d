; cpuid.asm teaches CPUID: leaf 0 names the CPU's vendor in 12 ASCII bytes, in ebx, edx, ecx.
; Run: jitrun run examples/cpuid.asm
; Register contract: no arguments; returns the vendor's first 8 bytes in rax and the last 4 in rdx.
; cpuid writes rbx, which the System V ABI says a function must preserve: the
; trampoline restores everything Go needs, so here it does not matter.
cpuid:
	xor eax, eax      ; leaf 0
	cpuid             ; ebx, edx, ecx = "Genu" "ineI" "ntel" (or "Auth" "enti" "cAMD")
	shl rdx, 32
	or rdx, rbx       ; rdx = bytes 0-7 of the vendor, in memory order
	mov rax, rdx
	mov edx, ecx      ; rdx = bytes 8-11 (writing edx zeroes the upper half)
	ret
