//go:build linux

package platform

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// MakeSyscall makes system call nr with six argument registers for
// machine code that asked for it (trampoline decides some of the code's
// calls and makes them for it) and returns the raw result: the value, or
// -errno, as the code would have found it in RAX. blocking says the call
// may block (an open of a FIFO): the runtime then lets other goroutines
// run meanwhile.
func MakeSyscall(nr uintptr, a [6]uint64, blocking bool) uint64 {
	var r uintptr
	var e unix.Errno
	if blocking {
		r, _, e = unix.Syscall6(nr, uintptr(a[0]), uintptr(a[1]), uintptr(a[2]), uintptr(a[3]), uintptr(a[4]), uintptr(a[5]))
	} else {
		r, _, e = unix.RawSyscall6(nr, uintptr(a[0]), uintptr(a[1]), uintptr(a[2]), uintptr(a[3]), uintptr(a[4]), uintptr(a[5]))
	}
	if e != 0 {
		return -uint64(e)
	}
	return uint64(r)
}

// FDPath returns what an open file descriptor of this process is, as
// /proc/self/fd shows it: "/proc/1234/mem", "/memfd:x (deleted)", ….
func FDPath(fd int) (string, error) { return os.Readlink(fmt.Sprintf("/proc/self/fd/%d", fd)) }

// CloseFD closes a file descriptor.
func CloseFD(fd int) error { return unix.Close(fd) }
