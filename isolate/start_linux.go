//go:build linux

package isolate

import "syscall"

// sysProcAttr starts the child in a process group of its own (the parent
// kills the group at the deadline), killed with SIGKILL if the parent's
// thread that started it dies first.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
