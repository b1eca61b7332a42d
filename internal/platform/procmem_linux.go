//go:build linux

package platform

import (
	"os"

	"golang.org/x/sys/unix"
)

// ReadMemory copies up to len(buf) bytes of this process's memory at addr
// into buf and returns how many it could read: process_vm_readv, which
// stops at the first unreadable page instead of faulting (a Go read of an
// unmapped or PROT_NONE page would crash the program). A range that
// would run past the top of the address space is cut there, never
// wrapped around to address 0.
func ReadMemory(addr uintptr, buf []byte) int {
	n := len(buf)
	if n == 0 || addr == 0 {
		return 0
	}
	if end := addr + uintptr(n); end < addr {
		n = int(-addr) // up to the top of the address space
	}
	// One remote piece per page: the kernel transfers whole iovec
	// elements, so a read that runs into an unreadable page still
	// returns the bytes before it.
	local := []unix.Iovec{{Base: &buf[0]}}
	local[0].SetLen(n)
	ps := uintptr(os.Getpagesize())
	var remote []unix.RemoteIovec
	for a, left := addr, uintptr(n); left > 0; {
		chunk := min(ps-a%ps, left) // to the end of a's page, which may be the last one
		remote = append(remote, unix.RemoteIovec{Base: a, Len: int(chunk)})
		a, left = a+chunk, left-chunk
	}
	got, err := unix.ProcessVMReadv(os.Getpid(), local, remote, 0)
	if err != nil || got < 0 {
		return 0
	}
	return got
}
