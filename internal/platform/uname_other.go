//go:build !linux

package platform

// Uname fails with ErrUnsupported.
func Uname() (release, machine string, err error) { return "", "", ErrUnsupported }
