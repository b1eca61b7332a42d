//go:build !linux

package platform

// PinThread fails with ErrUnsupported.
func PinThread() (cpu int, restore func() error, err error) { return -1, nil, ErrUnsupported }
