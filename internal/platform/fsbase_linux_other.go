//go:build linux && !amd64

package platform

// FSBase fails with ErrUnsupported outside x86-64, which has no FS base.
func FSBase() (uintptr, error) { return 0, ErrUnsupported }
