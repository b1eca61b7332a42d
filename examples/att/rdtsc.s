# rdtsc.s teaches rdtsc: the time-stamp counter, read twice; the difference is the ticks between.
# Run: jitrun run examples/att/rdtsc.s
# Register contract: no arguments; returns the ticks between two rdtscs in %rax (a few dozen; a VM may take more).
rdtsc:
	lfence             # wait for earlier instructions, so rdtsc is not read early
	rdtsc              # %edx:%eax = the counter
	shlq $32, %rdx
	orq %rdx, %rax
	movq %rax, %rcx    # %rcx = first reading
	lfence
	rdtsc
	shlq $32, %rdx
	orq %rdx, %rax     # %rax = second reading
	subq %rcx, %rax    # %rax = ticks between
	xorl %edx, %edx    # leave %rdx as it started
	ret
