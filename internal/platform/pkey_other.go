//go:build !linux

package platform

// PkeyAlloc fails with ErrUnsupported.
func PkeyAlloc() (int, error) { return -1, ErrUnsupported }

// PkeyFree fails with ErrUnsupported.
func PkeyFree(key int) error { return ErrUnsupported }
