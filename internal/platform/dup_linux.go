//go:build linux

package platform

import "golang.org/x/sys/unix"

// DupFD returns a new descriptor, closed on exec, for what fd is open on.
func DupFD(fd int) (int, error) {
	return unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
}

// MoveFD makes descriptor to refer to what from is open on (dup3): what
// to was open on before is closed. to does not close on exec.
func MoveFD(from, to int) error {
	for {
		err := unix.Dup3(from, to, 0)
		if err != unix.EINTR {
			return err
		}
	}
}
