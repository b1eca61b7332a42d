//go:build linux

package isolate

import "syscall"

// sysProcAttr starts the child in a process group of its own (the parent
// kills the group at the deadline), killed with SIGKILL if the parent's
// thread that started it dies first.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// limitCause is the likely cause of a child's death by sig among the
// limits Run sets, "" for none.
func limitCause(sig syscall.Signal) string {
	switch sig {
	case syscall.SIGKILL:
		return "the CPU-time or address-space limit, or the kernel out of memory?"
	case syscall.SIGXCPU:
		return "the CPU-time limit"
	case syscall.SIGXFSZ:
		return "the file-size limit"
	case syscall.SIGSYS:
		return "a system call the policy refuses, outside the code's call"
	}
	return ""
}
