//go:build linux

package execmem

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// This file is the only place in the package that calls the kernel.

const supported = true

func pageSize() int { return unix.Getpagesize() }

func errnoName(e syscall.Errno) string { return unix.ErrnoName(e) }

// sysMapFlags translates a placement and sharing into mmap flags.
func sysMapFlags(shared, anon bool, place Placement) int {
	flags := unix.MAP_PRIVATE
	if shared {
		flags = unix.MAP_SHARED
	}
	if anon {
		flags |= unix.MAP_ANONYMOUS
	}
	switch place {
	case PlaceNoReplace:
		flags |= unix.MAP_FIXED_NOREPLACE
	case PlaceFixed:
		flags |= unix.MAP_FIXED
	}
	return flags
}

func sysProt(p Prot) int {
	var v int
	if p&ProtRead != 0 {
		v |= unix.PROT_READ
	}
	if p&ProtWrite != 0 {
		v |= unix.PROT_WRITE
	}
	if p&ProtExec != 0 {
		v |= unix.PROT_EXEC
	}
	return v
}

func sysMmap(addr uintptr, size int, p Prot, shared bool, fd int, off int64, place Placement) (uintptr, error) {
	anon := fd < 0
	// The raw system call keeps every address a uintptr: the memory is not
	// Go's, and a hint may point anywhere (even into the Go heap's range).
	r, _, e := unix.Syscall6(unix.SYS_MMAP, addr, uintptr(size), uintptr(sysProt(p)),
		uintptr(sysMapFlags(shared, anon, place)), uintptr(fd), uintptr(off))
	if e != 0 {
		return 0, e
	}
	return r, nil
}

func sysMunmap(addr uintptr, size int) error {
	_, _, e := unix.Syscall(unix.SYS_MUNMAP, addr, uintptr(size), 0)
	if e != 0 {
		return e
	}
	return nil
}

func sysMprotect(addr uintptr, size int, p Prot) error {
	_, _, e := unix.Syscall(unix.SYS_MPROTECT, addr, uintptr(size), uintptr(sysProt(p)))
	if e != 0 {
		return e
	}
	return nil
}

func sysMseal(addr uintptr, size int) error {
	_, _, e := unix.Syscall(unix.SYS_MSEAL, addr, uintptr(size), 0)
	if e != 0 {
		return e
	}
	return nil
}

func sysMremap(addr uintptr, oldSize, newSize int, mayMove bool) (uintptr, error) {
	flags := uintptr(0)
	if mayMove {
		flags = unix.MREMAP_MAYMOVE
	}
	r, _, e := unix.Syscall6(unix.SYS_MREMAP, addr, uintptr(oldSize), uintptr(newSize), flags, 0, 0)
	if e != 0 {
		return 0, e
	}
	return r, nil
}

// sysMemfdCreate makes an executable memory file: MFD_EXEC (Linux 6.3+)
// so that the vm.memfd_noexec sysctl's default (1: seal new memory files
// non-executable) does not apply, and without it on older kernels, which
// reject the flag with EINVAL and make every memory file executable.
func sysMemfdCreate(name string) (int, error) {
	fd, err := unix.MemfdCreate(name, unix.MFD_CLOEXEC|unix.MFD_EXEC)
	if err == unix.EINVAL {
		fd, err = unix.MemfdCreate(name, unix.MFD_CLOEXEC)
	}
	return fd, err
}

func readMapsFile() ([]byte, error) {
	return os.ReadFile(mapsPath)
}
