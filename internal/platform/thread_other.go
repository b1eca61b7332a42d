//go:build !linux

package platform

// Gettid returns 0.
func Gettid() int { return 0 }

// FSBase fails with ErrUnsupported.
func FSBase() (uintptr, error) { return 0, ErrUnsupported }
