//go:build !linux

package platform

import "syscall"

// MakeSyscall returns -ENOSYS.
func MakeSyscall(nr uintptr, a [6]uint64, blocking bool) uint64 {
	e := uint64(syscall.ENOSYS)
	return -e
}

// FDPath fails with ErrUnsupported.
func FDPath(fd int) (string, error) { return "", ErrUnsupported }

// CloseFD fails with ErrUnsupported.
func CloseFD(fd int) error { return ErrUnsupported }
