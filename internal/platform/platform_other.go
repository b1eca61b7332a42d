//go:build !linux

package platform

import "syscall"

// Supported reports whether this operating system has the calls of this
// package (Linux).
const Supported = false

// PageSize returns 4096, the page size jitrun assumes where it cannot ask.
func PageSize() int { return 4096 }

// ErrnoName returns "": errno names are known on Linux only.
func ErrnoName(e syscall.Errno) string { return "" }

// SignalName returns "": signal names are known on Linux only.
func SignalName(s syscall.Signal) string { return "" }
