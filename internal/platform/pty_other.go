//go:build !linux

package platform

// OpenPTY fails with ErrUnsupported.
func OpenPTY() (master, terminal int, err error) { return -1, -1, ErrUnsupported }
