# cpuid.s teaches CPUID: leaf 0 names the CPU's vendor in 12 ASCII bytes, in %ebx, %edx, %ecx.
# Run: jitrun run examples/att/cpuid.s
# Register contract: no arguments; returns the vendor's first 8 bytes in %rax and the last 4 in %rdx.
# cpuid writes %rbx, which the System V ABI says a function must preserve: the
# trampoline restores everything Go needs, so here it does not matter.
cpuid:
	xorl %eax, %eax     # leaf 0
	cpuid               # %ebx, %edx, %ecx = "Genu" "ineI" "ntel" (or "Auth" "enti" "cAMD")
	shlq $32, %rdx
	orq %rbx, %rdx      # %rdx = bytes 0-7 of the vendor, in memory order
	movq %rdx, %rax
	movl %ecx, %edx     # %rdx = bytes 8-11 (writing %edx zeroes the upper half)
	ret
