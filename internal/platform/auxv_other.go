//go:build !linux

package platform

// Auxv reports no value: the auxiliary vector is read on Linux only.
func Auxv(tag uintptr) (uintptr, bool) { return 0, false }
