//go:build linux

package platform

import "golang.org/x/sys/unix"

// The raw system calls keep every address a uintptr: the memory is not
// Go's, and a hint may point anywhere (even into the Go heap's range).

// Mmap maps size bytes with protection p: anonymous memory when fd is
// negative, else the file fd from offset off. It returns the address.
func Mmap(addr uintptr, size int, p Prot, flags MapFlags, fd int, off int64) (uintptr, error) {
	r, _, e := unix.Syscall6(unix.SYS_MMAP, addr, uintptr(size), uintptr(sysProt(p)),
		uintptr(sysMapFlags(flags, fd < 0)), uintptr(fd), uintptr(off))
	if e != 0 {
		return 0, e
	}
	return r, nil
}

// Munmap unmaps [addr, addr+size).
func Munmap(addr uintptr, size int) error {
	_, _, e := unix.Syscall(unix.SYS_MUNMAP, addr, uintptr(size), 0)
	return errnoErr(e)
}

// Mprotect sets the protection of [addr, addr+size) to p.
func Mprotect(addr uintptr, size int, p Prot) error {
	_, _, e := unix.Syscall(unix.SYS_MPROTECT, addr, uintptr(size), uintptr(sysProt(p)))
	return errnoErr(e)
}

// Mseal seals [addr, addr+size) (Linux 6.10+): from now on mprotect,
// munmap, mremap and MAP_FIXED over it fail with EPERM.
func Mseal(addr uintptr, size int) error {
	_, _, e := unix.Syscall(unix.SYS_MSEAL, addr, uintptr(size), 0)
	return errnoErr(e)
}

// Mremap grows or shrinks the mapping at addr from oldSize to newSize
// bytes, moving it when mayMove allows and it must, and returns where it
// is now.
func Mremap(addr uintptr, oldSize, newSize int, mayMove bool) (uintptr, error) {
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

// linuxProt and linuxMapFlags pair each bit of Prot and MapFlags with
// the kernel's.
var (
	linuxProt = [...]struct {
		bit  Prot
		prot int
	}{{ProtRead, unix.PROT_READ}, {ProtWrite, unix.PROT_WRITE}, {ProtExec, unix.PROT_EXEC}}
	linuxMapFlags = [...]struct {
		bit  MapFlags
		flag int
	}{{MapFixedNoReplace, unix.MAP_FIXED_NOREPLACE}, {MapFixed, unix.MAP_FIXED}}
)

func sysProt(p Prot) int {
	v := unix.PROT_NONE
	for _, b := range linuxProt {
		if p&b.bit != 0 {
			v |= b.prot
		}
	}
	return v
}

// sysMapFlags returns mmap's flags: private or shared, anonymous when
// there is no file, and the placement.
func sysMapFlags(f MapFlags, anon bool) int {
	flags := unix.MAP_PRIVATE
	if f&MapShared != 0 {
		flags = unix.MAP_SHARED
	}
	if anon {
		flags |= unix.MAP_ANONYMOUS
	}
	for _, b := range linuxMapFlags {
		if f&b.bit != 0 {
			flags |= b.flag
		}
	}
	return flags
}

// errnoErr returns nil for errno 0, else the errno itself.
func errnoErr(e unix.Errno) error {
	if e != 0 {
		return e
	}
	return nil
}
