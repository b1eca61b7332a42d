//go:build linux && amd64

package trampoline

import (
	"fmt"
	"os"

	"github.com/jitrun/jitrun/execmem"
	"github.com/jitrun/jitrun/internal/platform"
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
	own, err := programCode()
	if err != nil {
		return err
	}
	prog, err := buildSyscallFilter(p, own, uint32(os.Getpid()), uint32(os.Getppid()))
	if err != nil {
		return err
	}
	if err := platform.InstallSeccompFilter(prog); err != nil {
		return fmt.Errorf("trampoline: the %s policy: %w", p, err)
	}
	return nil
}

// installWebFilter installs the web filter (syscall_web.go) on every
// thread, with the program's own code as /proc/self/maps shows it now.
func installWebFilter() error {
	if err := setup(); err != nil {
		return err
	}
	own, err := programCode()
	if err != nil {
		return err
	}
	prog, err := buildWebFilter(own, uint32(os.Getpid()))
	if err != nil {
		return err
	}
	if err := platform.InstallSeccompFilter(prog); err != nil {
		return fmt.Errorf("trampoline: the web policy: %w", err)
	}
	return nil
}

// programCode returns the program's own code, as /proc/self/maps shows
// it now: where both filters let system calls through.
func programCode() ([]codeRange, error) {
	regions, err := execmem.Maps()
	if err != nil {
		return nil, fmt.Errorf("trampoline: finding the program's own code: %w", err)
	}
	infos := make([]regionInfo, len(regions))
	for i, r := range regions {
		infos[i] = regionInfo{start: uint64(r.Start), end: uint64(r.End), exec: r.Prot&execmem.ProtExec != 0, path: r.Path}
	}
	return ownCode(infos), nil
}

// The siginfo of a SIGSYS from seccomp (struct siginfo's _sigsys), for
// the handler, which also reads sigSYS (fault.go) and sysSeccomp
// (decide.go).
const (
	siErrno   = 4  // si_errno: SECCOMP_RET_DATA
	siSyscall = 24 // si_syscall
	siArch    = 28 // si_arch
)
