// Package hostcpu holds the facts about the CPU this process runs on that
// jitrun's packages act on: who made it and which core it is (vendor,
// family, model), the instruction sets it offers and the operating system
// enabled, how large the XSAVE area is, whether the kernel lets user code
// use FSGSBASE, and what /proc/cpuinfo says the kernel sees.
//
// The model: Read gathers the facts once per process into a Facts value
// (plain data, safe to copy and share). golang.org/x/sys/cpu answers where
// it can (AVX, AVX2, AVX-512F, OSXSAVE: features whose registers the OS
// must save, which it checks against XCR0); CPUID and XGETBV, in a small
// assembly file, answer the rest (vendor, family, model, brand, GFNI,
// FSGSBASE, RDPRU, the invariant TSC, XCR0 and the XSAVE size); the
// auxiliary vector (AT_HWCAP2, through internal/platform) says whether the
// kernel enabled FSGSBASE for user mode. KernelFlags reads the flags line
// of /proc/cpuinfo: the kernel's view, which also holds what it turned on
// itself (ospke, user_shstk).
//
// The trampoline's FPU handling maps onto Facts as follows: save a parked
// call's FPU state with XSAVE when UseXSAVE (else FXSAVE), in a buffer of
// FPUStateSize bytes; clear the upper YMM halves (VZEROUPPER) when AVX.
//
// CPUID and XGETBV exist on amd64 only; elsewhere Read returns an error
// wrapping errors.ErrUnsupported.
package hostcpu
