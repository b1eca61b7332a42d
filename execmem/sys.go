package execmem

import (
	"syscall"

	"github.com/jitrun/jitrun/internal/platform"
)

// This file is the package's only way to the kernel: internal/platform,
// with execmem's types translated to its plain values.

const supported = platform.Supported

func pageSize() int { return platform.PageSize() }

func errnoName(e syscall.Errno) string { return platform.ErrnoName(e) }

// sysProt converts a protection: Prot and platform.Prot have the same
// bits (prot_test.go checks), and only read, write and exec bits reach
// here (callers check Prot.valid).
func sysProt(p Prot) platform.Prot { return platform.Prot(p) }

// sysMapFlags translates a placement and sharing.
func sysMapFlags(shared bool, place Placement) platform.MapFlags {
	var f platform.MapFlags
	if shared {
		f |= platform.MapShared
	}
	switch place {
	case PlaceNoReplace:
		f |= platform.MapFixedNoReplace
	case PlaceFixed:
		f |= platform.MapFixed
	}
	return f
}

func sysMmap(addr uintptr, size int, p Prot, shared bool, fd int, off int64, place Placement) (uintptr, error) {
	return platform.Mmap(addr, size, sysProt(p), sysMapFlags(shared, place), fd, off)
}

func sysMprotect(addr uintptr, size int, p Prot) error {
	return platform.Mprotect(addr, size, sysProt(p))
}
