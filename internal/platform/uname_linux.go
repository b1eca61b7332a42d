//go:build linux

package platform

import "golang.org/x/sys/unix"

// Uname returns the kernel release ("6.18.44") and the machine ("x86_64").
func Uname() (release, machine string, err error) {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return "", "", err
	}
	return unix.ByteSliceToString(u.Release[:]), unix.ByteSliceToString(u.Machine[:]), nil
}
