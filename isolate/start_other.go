//go:build !linux

package isolate

import "syscall"

// sysProcAttr: a process group of its own (Run fails before starting a
// child where platform calls are unsupported).
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
