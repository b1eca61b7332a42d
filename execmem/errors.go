package execmem

import (
	"errors"
	"fmt"
	"runtime"
	"syscall"
)

// Error is a failed system call on a range of memory. It wraps the
// kernel's errno, so errors.Is(err, unix.EACCES) (or syscall.EACCES,
// fs.ErrPermission, …) works on it.
type Error struct {
	Op   string  // "mmap", "mprotect", "munmap", "mremap", "mseal", "memfd_create", …
	Addr uintptr // start of the range (0 when the kernel was to choose)
	Len  int     // length of the range in bytes
	Prot Prot    // the protection asked for, where Op sets one
	Err  error   // the errno (a syscall.Errno), or another cause
}

func (e *Error) Error() string {
	msg := "execmem: " + e.Op
	if e.Addr != 0 || e.Len != 0 {
		msg += fmt.Sprintf(" %#x+%#x", e.Addr, e.Len)
	}
	switch e.Op {
	case "mmap", "mprotect":
		msg += " " + e.Prot.String()
	}
	msg += ": " + e.Err.Error()
	var errno syscall.Errno
	if errors.As(e.Err, &errno) {
		if name := errnoName(errno); name != "" {
			msg += " (" + name + ")"
		}
		if hint := errnoHint(e.Op, errno); hint != "" {
			msg += "; " + hint
		}
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// errUnsupported is returned by every function on systems other than Linux.
var errUnsupported = fmt.Errorf("execmem: needs linux, running on %s/%s: %w",
	runtime.GOOS, runtime.GOARCH, errors.ErrUnsupported)

// errorf makes a one-line validation error with the package prefix.
func errorf(format string, args ...any) error {
	return fmt.Errorf("execmem: "+format, args...)
}

// errnoHint adds a likely cause for the errnos this package's users meet.
func errnoHint(op string, errno syscall.Errno) string {
	switch {
	case errno == syscall.EACCES && (op == "mprotect" || op == "mmap"):
		return "writable+executable or newly executable memory refused (memory-deny-write-execute, SELinux execmem, or a noexec file?)"
	case errno == syscall.EPERM && (op == "mprotect" || op == "munmap" || op == "mmap" || op == "mremap"):
		return "the range is sealed (mseal) or the operation is not permitted"
	case errno == syscall.ENOMEM && op == "mremap":
		return "the pages after the mapping are taken (allow it to move) or part of the range is not mapped"
	case errno == syscall.EACCES && op == "memfd_create":
		return "executable memory files are refused (the vm.memfd_noexec sysctl is 2?)"
	case errno == syscall.EEXIST && op == "mmap":
		return "the range is already mapped (MAP_FIXED_NOREPLACE)"
	case errno == syscall.ENOMEM && op == "mprotect":
		return "part of the range is not mapped"
	}
	return ""
}
