package platform

// Sigaction is the kernel's struct sigaction on linux/amd64, as
// rt_sigaction reads and writes it (not the C library's).
type Sigaction struct {
	Handler  uintptr // the handler's address, or SIG_DFL (0), SIG_IGN (1)
	Flags    uint64  // SA_*
	Restorer uintptr // sa_restorer: where the handler returns to (rt_sigreturn)
	Mask     uint64  // signals blocked while the handler runs
}

// The sa_flags bits a handler of jitrun's needs.
const (
	SASigInfo  = 0x4
	SAOnStack  = 0x08000000
	SARestart  = 0x10000000
	SARestorer = 0x04000000
)
