//go:build linux

package platform

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// Supported reports whether this operating system has the calls of this
// package (Linux).
const Supported = true

// PageSize returns the system's page size in bytes.
func PageSize() int { return unix.Getpagesize() }

// ErrnoName returns the symbolic name of an errno ("EACCES"), or "".
func ErrnoName(e syscall.Errno) string { return unix.ErrnoName(e) }

// SignalName returns the symbolic name of a signal ("SIGSEGV"), or "".
func SignalName(s syscall.Signal) string { return unix.SignalName(s) }
