//go:build !linux

package platform

// MDWERefuseExecGain is Linux's PR_MDWE_REFUSE_EXEC_GAIN.
const MDWERefuseExecGain = 1

// GetMDWE fails with ErrUnsupported.
func GetMDWE() (int, error) { return 0, ErrUnsupported }

// SetMDWE fails with ErrUnsupported.
func SetMDWE(flags int) error { return ErrUnsupported }
