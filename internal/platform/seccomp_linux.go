//go:build linux

package platform

import (
	"fmt"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// InstallSeccompFilter sets no_new_privs and installs prog as a seccomp
// filter on every thread of the process (SECCOMP_FILTER_FLAG_TSYNC). It
// locks the calling goroutine to its thread while it does (no_new_privs
// is per thread until TSYNC copies it). On a thread that could not be
// given the filter it names the thread.
func InstallSeccompFilter(prog []BPFInsn) error {
	if len(prog) == 0 {
		return fmt.Errorf("seccomp: an empty filter")
	}
	filter := make([]unix.SockFilter, len(prog))
	for i, in := range prog {
		filter[i] = unix.SockFilter{Code: in.Code, Jt: in.Jt, Jf: in.Jf, K: in.K}
	}
	fprog := unix.SockFprog{Len: uint16(len(filter)), Filter: &filter[0]}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("prctl(PR_SET_NO_NEW_PRIVS): %w", err)
	}
	r, _, e := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, unix.SECCOMP_FILTER_FLAG_TSYNC, uintptr(unsafe.Pointer(&fprog)))
	runtime.KeepAlive(filter)
	switch {
	case e != 0:
		return fmt.Errorf("seccomp(SECCOMP_SET_MODE_FILTER): %w", e)
	case r != 0:
		return fmt.Errorf("seccomp(SECCOMP_SET_MODE_FILTER, TSYNC): thread %d has a filter of its own", r)
	}
	return nil
}
