//go:build linux

package platform

import "golang.org/x/sys/unix"

// queryPersonality is personality(2)'s "only report" argument.
const queryPersonality = 0xffffffff

// Personality returns the process's personality.
func Personality() (uint32, error) {
	r, _, e := unix.Syscall(unix.SYS_PERSONALITY, queryPersonality, 0, 0)
	if e != 0 {
		return 0, e
	}
	return uint32(r), nil
}

// SetPersonality sets the process's personality to p.
func SetPersonality(p uint32) error {
	_, _, e := unix.Syscall(unix.SYS_PERSONALITY, uintptr(p), 0, 0)
	return errnoErr(e)
}
