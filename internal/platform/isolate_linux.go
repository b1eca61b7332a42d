//go:build linux

package platform

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// The calls of an isolated child process (package isolate): no new
// privileges, resource limits, and the kill of a whole process group.

// The resource limits SetRlimit sets (the kernel's RLIMIT_* numbers).
const (
	RlimitCPU    = unix.RLIMIT_CPU    // seconds of CPU time: SIGXCPU at the soft limit, SIGKILL at the hard one
	RlimitAS     = unix.RLIMIT_AS     // bytes of address space, reservations (PROT_NONE) included
	RlimitFSize  = unix.RLIMIT_FSIZE  // bytes a file may grow to: SIGXFSZ past it
	RlimitNoFile = unix.RLIMIT_NOFILE // one more than the highest descriptor number open may return
	RlimitCore   = unix.RLIMIT_CORE   // bytes of a core dump; 0: none
)

// SetRlimit sets the soft and the hard limit of resource to soft and
// hard. Lowering a hard limit cannot be undone by an unprivileged process.
func SetRlimit(resource int, soft, hard uint64) error {
	if err := unix.Setrlimit(resource, &unix.Rlimit{Cur: soft, Max: hard}); err != nil {
		return fmt.Errorf("setrlimit(%s, %d, %d): %w", rlimitName(resource), soft, hard, err)
	}
	return nil
}

// Rlimit returns the soft and the hard limit of resource.
func Rlimit(resource int) (soft, hard uint64, err error) {
	var r unix.Rlimit
	if err := unix.Getrlimit(resource, &r); err != nil {
		return 0, 0, fmt.Errorf("getrlimit(%s): %w", rlimitName(resource), err)
	}
	return r.Cur, r.Max, nil
}

func rlimitName(resource int) string {
	switch resource {
	case RlimitCPU:
		return "RLIMIT_CPU"
	case RlimitAS:
		return "RLIMIT_AS"
	case RlimitFSize:
		return "RLIMIT_FSIZE"
	case RlimitNoFile:
		return "RLIMIT_NOFILE"
	case RlimitCore:
		return "RLIMIT_CORE"
	}
	return fmt.Sprintf("resource %d", resource)
}

// SetNoNewPrivs sets no_new_privs on the calling thread (the threads it
// creates from then on, and its children, inherit it): execve can no
// longer raise privileges (set-user-ID programs, file capabilities).
func SetNoNewPrivs() error {
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("prctl(PR_SET_NO_NEW_PRIVS): %w", err)
	}
	return nil
}

// NoNewPrivs reports whether no_new_privs is set on the calling thread.
func NoNewPrivs() (bool, error) {
	v, err := unix.PrctlRetInt(unix.PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0)
	if err != nil {
		return false, fmt.Errorf("prctl(PR_GET_NO_NEW_PRIVS): %w", err)
	}
	return v == 1, nil
}

// KillProcessGroup sends SIGKILL to every process of process group pgid
// (kill(-pgid, SIGKILL)). A group with no process left is no error. pgid
// must be above 1: kill(-1) would reach every process the user may signal.
func KillProcessGroup(pgid int) error {
	if pgid <= 1 {
		return fmt.Errorf("kill process group %d: not a process group of its own", pgid)
	}
	if err := unix.Kill(-pgid, unix.SIGKILL); err != nil && err != unix.ESRCH {
		return fmt.Errorf("kill(-%d, SIGKILL): %w", pgid, err)
	}
	return nil
}

// WaitExited waits until child process pid has ended, without reaping
// it (waitid with WNOWAIT): until it is waited for, its process id, and
// the id of the process group it leads, cannot be given to another
// process.
func WaitExited(pid int) error {
	var info unix.Siginfo
	for {
		err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if err != unix.EINTR {
			if err != nil {
				return fmt.Errorf("waitid(%d): %w", pid, err)
			}
			return nil
		}
	}
}

// CloseInherited closes every descriptor from `from` up that lacks
// close-on-exec: the ones this process was given by whoever executed it
// (the Go runtime and os open theirs with close-on-exec).
func CloseInherited(from int) error {
	d, err := os.Open("/proc/self/fd")
	if err != nil {
		return err
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return err
	}
	for _, name := range names {
		fd, err := strconv.Atoi(name)
		if err != nil || fd < from || fd == int(d.Fd()) {
			continue
		}
		if flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err == nil && flags&unix.FD_CLOEXEC == 0 {
			if err := unix.Close(fd); err != nil {
				return fmt.Errorf("close(%d), a descriptor inherited: %w", fd, err)
			}
		}
	}
	return nil
}

// OpenFDs returns the number of descriptors this process has open (the
// entries of /proc/self/fd, less the one reading it).
func OpenFDs() (int, error) {
	d, err := os.Open("/proc/self/fd")
	if err != nil {
		return 0, err
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return 0, err
	}
	return len(names) - 1, nil
}

// ZombieChildren returns the process ids of this process's children that
// have exited and not been waited for (state Z in /proc/PID/stat of each
// child listed in /proc/self/task/*/children).
func ZombieChildren() ([]int, error) {
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return nil, err
	}
	var zombies []int
	for _, t := range tasks {
		b, err := os.ReadFile("/proc/self/task/" + t.Name() + "/children")
		if err != nil {
			continue // the thread has exited
		}
		for _, field := range strings.Fields(string(b)) {
			if stat, err := os.ReadFile("/proc/" + field + "/stat"); err == nil && procState(stat) == 'Z' {
				pid, _ := strconv.Atoi(field)
				zombies = append(zombies, pid)
			}
		}
	}
	return zombies, nil
}

// procState is the state letter of a /proc/PID/stat line: the first
// field after the command's closing parenthesis.
func procState(stat []byte) byte {
	for i := len(stat) - 1; i >= 0; i-- {
		if stat[i] == ')' && i+2 < len(stat) {
			return stat[i+2]
		}
	}
	return 0
}
