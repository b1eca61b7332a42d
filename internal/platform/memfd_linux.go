//go:build linux

package platform

import "golang.org/x/sys/unix"

// MemfdCreateExec makes an executable, close-on-exec memory file and
// returns its descriptor: MFD_EXEC (Linux 6.3+) so that the
// vm.memfd_noexec sysctl's default (1: seal new memory files
// non-executable) does not apply, and without it on older kernels, which
// reject the flag with EINVAL and make every memory file executable.
func MemfdCreateExec(name string) (int, error) {
	fd, err := unix.MemfdCreate(name, unix.MFD_CLOEXEC|unix.MFD_EXEC)
	if err == unix.EINVAL {
		fd, err = unix.MemfdCreate(name, unix.MFD_CLOEXEC)
	}
	return fd, err
}
