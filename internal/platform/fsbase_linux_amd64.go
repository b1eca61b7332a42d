package platform

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// FSBase returns the calling thread's FS base: arch_prctl(ARCH_GET_FS).
func FSBase() (uintptr, error) {
	var fs uintptr
	if _, _, e := unix.RawSyscall(unix.SYS_ARCH_PRCTL, archGetFS, uintptr(unsafe.Pointer(&fs)), 0); e != 0 {
		return 0, e
	}
	return fs, nil
}

const archGetFS = 0x1003 // ARCH_GET_FS
