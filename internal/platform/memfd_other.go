//go:build !linux

package platform

// MemfdCreateExec fails with ErrUnsupported.
func MemfdCreateExec(name string) (int, error) { return -1, ErrUnsupported }
