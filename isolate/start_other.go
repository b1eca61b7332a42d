//go:build !linux

package isolate

import "syscall"

// sysProcAttr: nothing of its own (Run fails before starting a child
// where platform calls are unsupported).
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{}
}

// limitCause names no cause: Run starts no child here.
func limitCause(syscall.Signal) string { return "" }
