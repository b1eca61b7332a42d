//go:build linux && amd64

package trampoline

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/jitrun/jitrun/execmem"
)

// The system-call filter's contact with the kernel: prctl and seccomp.

// installSyscallFilter installs the filter for p on every thread: the
// signal handler first (it turns the filter's SIGSYS into a *Fault), then
// no_new_privs and the filter with SECCOMP_FILTER_FLAG_TSYNC, which gives
// both to every thread of the process.
func installSyscallFilter(p SyscallPolicy) error {
	if err := setup(); err != nil {
		return err
	}
	regions, err := execmem.Maps()
	if err != nil {
		return fmt.Errorf("trampoline: finding the program's own code: %w", err)
	}
	infos := make([]regionInfo, len(regions))
	for i, r := range regions {
		infos[i] = regionInfo{start: uint64(r.Start), end: uint64(r.End), exec: r.Prot&execmem.ProtExec != 0, path: r.Path}
	}
	prog, err := buildSyscallFilter(p, ownCode(infos), uint32(os.Getpid()))
	if err != nil {
		return err
	}
	filter := make([]unix.SockFilter, len(prog))
	for i, in := range prog {
		filter[i] = unix.SockFilter{Code: in.Code, Jt: in.Jt, Jf: in.Jf, K: in.K}
	}
	fprog := unix.SockFprog{Len: uint16(len(filter)), Filter: &filter[0]}

	// no_new_privs is per thread until TSYNC copies it: set it on the
	// thread that installs the filter.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("trampoline: prctl(PR_SET_NO_NEW_PRIVS): %w", err)
	}
	r, _, e := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, unix.SECCOMP_FILTER_FLAG_TSYNC, uintptr(unsafe.Pointer(&fprog)))
	runtime.KeepAlive(filter)
	switch {
	case e != 0:
		return fmt.Errorf("trampoline: seccomp(SECCOMP_SET_MODE_FILTER) of the %s policy: %w", p, e)
	case r != 0:
		return fmt.Errorf("trampoline: seccomp(SECCOMP_SET_MODE_FILTER, TSYNC): thread %d has a filter of its own and could not be given the %s policy", r, p)
	}
	return nil
}

// The siginfo of a SIGSYS from seccomp (struct siginfo's _sigsys), for
// the handler.
const (
	sigSYSNo   = 31 // SIGSYS
	sysSECCOMP = 1  // si_code SYS_SECCOMP
	siErrno    = 4  // si_errno: SECCOMP_RET_DATA
	siSyscall  = 24 // si_syscall
	siArch     = 28 // si_arch
)

// sysMemCall makes a memory system call for the code, with its six
// argument registers, and returns the raw result (-errno on failure), as
// the code would have seen it. Memory calls do not block: a raw call.
func sysMemCall(nr uintptr, a *[6]uint64) uint64 {
	r, _, e := unix.RawSyscall6(nr, uintptr(a[0]), uintptr(a[1]), uintptr(a[2]), uintptr(a[3]), uintptr(a[4]), uintptr(a[5]))
	if e != 0 {
		return -uint64(e)
	}
	return uint64(r)
}

// decideOpen makes an open, openat or openat2 for the code (it may block,
// on a FIFO say: a blocking call, so the runtime can run other
// goroutines), then looks at what it opened: this process's memory file
// (/proc/PID/mem, /proc/PID/task/TID/mem, by whatever path) is closed
// again and the open refused.
func decideOpen(nr uintptr, a *[6]uint64) (uint64, string) {
	r, _, e := unix.Syscall6(nr, uintptr(a[0]), uintptr(a[1]), uintptr(a[2]), uintptr(a[3]), 0, 0)
	if e != 0 {
		return -uint64(e), ""
	}
	fd := int(r)
	target, err := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", fd))
	if err == nil && isOwnMemFile(target, os.Getpid()) {
		unix.Close(fd)
		return 0, fmt.Sprintf("it opened %s, this process's memory, through which the code could write jitrun's own memory", target)
	}
	return uint64(r), ""
}

// isOwnMemFile reports whether path (as /proc/self/fd shows an open file)
// is the memory file of process pid or one of its threads.
func isOwnMemFile(path string, pid int) bool {
	rest, ok := strings.CutPrefix(path, fmt.Sprintf("/proc/%d/", pid))
	if !ok {
		return false
	}
	if rest == "mem" {
		return true
	}
	task, ok := strings.CutPrefix(rest, "task/")
	if !ok {
		return false
	}
	_, file, ok := strings.Cut(task, "/")
	return ok && file == "mem"
}
