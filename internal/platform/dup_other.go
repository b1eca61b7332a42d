//go:build !linux

package platform

// DupFD fails with ErrUnsupported.
func DupFD(fd int) (int, error) { return -1, ErrUnsupported }

// MoveFD fails with ErrUnsupported.
func MoveFD(from, to int) error { return ErrUnsupported }
