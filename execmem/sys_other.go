//go:build !linux

package execmem

import (
	"syscall"
)

// On systems other than Linux every operation fails with errUnsupported.

const supported = false

func pageSize() int { return 4096 }

func errnoName(e syscall.Errno) string { return "" }

func sysMmap(addr uintptr, size int, p Prot, shared bool, fd int, off int64, place Placement) (uintptr, error) {
	return 0, errUnsupported
}

func sysMunmap(addr uintptr, size int) error           { return errUnsupported }
func sysMprotect(addr uintptr, size int, p Prot) error { return errUnsupported }
func sysMseal(addr uintptr, size int) error            { return errUnsupported }
func sysMemfdCreate(name string) (int, error)          { return -1, errUnsupported }
func sysMremap(addr uintptr, oldSize, newSize int, mayMove bool) (uintptr, error) {
	return 0, errUnsupported
}
func readMapsFile() ([]byte, error) { return nil, errUnsupported }
