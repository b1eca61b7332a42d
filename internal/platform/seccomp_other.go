//go:build !linux

package platform

// InstallSeccompFilter fails with ErrUnsupported.
func InstallSeccompFilter(prog []BPFInsn) error { return ErrUnsupported }
