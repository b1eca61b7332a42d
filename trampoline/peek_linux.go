//go:build linux && amd64

package trampoline

import (
	"os"

	"golang.org/x/sys/unix"
)

// peek copies up to len(buf) bytes at addr into buf and returns how many
// it could read: process_vm_readv on this process, which stops at the
// first unreadable page with an error instead of a fault (a Go read of an
// unmapped or PROT_NONE page would crash the program).
func peek(addr uintptr, buf []byte) int {
	n := len(buf)
	if n == 0 || addr == 0 {
		return 0
	}
	if end := addr + uintptr(n); end < addr {
		n = int(-addr) // up to the top of the address space, not around it
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
