//go:build linux

package platform

import "golang.org/x/sys/unix"

// MDWERefuseExecGain is PR_MDWE_REFUSE_EXEC_GAIN, the flag of SetMDWE that
// turns memory-deny-write-execute on: no new writable+executable mapping,
// and no mapping made without exec may gain it.
const MDWERefuseExecGain = unix.PR_MDWE_REFUSE_EXEC_GAIN

// GetMDWE returns prctl(PR_GET_MDWE) (Linux 6.3+): 0 when
// memory-deny-write-execute is off, else its flag bits.
func GetMDWE() (int, error) {
	return unix.PrctlRetInt(unix.PR_GET_MDWE, 0, 0, 0, 0)
}

// SetMDWE is prctl(PR_SET_MDWE, flags) for this process and its children.
// Once on, the kernel refuses (EPERM) to turn it off or change it.
func SetMDWE(flags int) error {
	return unix.Prctl(unix.PR_SET_MDWE, uintptr(flags), 0, 0, 0)
}
