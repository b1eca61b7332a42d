//go:build linux

package platform

import "golang.org/x/sys/unix"

// Auxv returns the value of tag in the auxiliary vector the kernel gave
// this process (as the Go runtime kept it), and whether it is there.
func Auxv(tag uintptr) (uintptr, bool) {
	vec, err := unix.Auxv()
	if err != nil {
		return 0, false
	}
	for _, kv := range vec {
		if kv[0] == tag {
			return kv[1], true
		}
	}
	return 0, false
}
