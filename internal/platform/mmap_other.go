//go:build !linux

package platform

// Mmap fails with ErrUnsupported.
func Mmap(addr uintptr, size int, p Prot, flags MapFlags, fd int, off int64) (uintptr, error) {
	return 0, ErrUnsupported
}

// Munmap fails with ErrUnsupported.
func Munmap(addr uintptr, size int) error { return ErrUnsupported }

// Mprotect fails with ErrUnsupported.
func Mprotect(addr uintptr, size int, p Prot) error { return ErrUnsupported }

// Mseal fails with ErrUnsupported.
func Mseal(addr uintptr, size int) error { return ErrUnsupported }

// Mremap fails with ErrUnsupported.
func Mremap(addr uintptr, oldSize, newSize int, mayMove bool) (uintptr, error) {
	return 0, ErrUnsupported
}
