package platform

// Auxiliary-vector tags and bits (include/uapi/linux/auxvec.h,
// arch/x86/include/uapi/asm/hwcap2.h).
const (
	// AtHWCAP2 is AT_HWCAP2, the second word of hardware capabilities.
	AtHWCAP2 = 26
	// HWCAP2FSGSBASE is HWCAP2_FSGSBASE, bit 1 of AT_HWCAP2 on x86: the
	// kernel enabled RDFSBASE, WRFSBASE, RDGSBASE and WRGSBASE for user
	// mode (CR4.FSGSBASE, Linux 5.9+).
	HWCAP2FSGSBASE = 1 << 1
)
