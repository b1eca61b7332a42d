//go:build linux

package platform

import "golang.org/x/sys/unix"

// PkeyAlloc allocates a protection key with no access restrictions. It
// fails (EINVAL, ENOSPC) where the CPU or the kernel has no protection keys.
func PkeyAlloc() (int, error) {
	r, _, e := unix.Syscall(unix.SYS_PKEY_ALLOC, 0, 0, 0)
	if e != 0 {
		return -1, e
	}
	return int(r), nil
}

// PkeyFree frees a key PkeyAlloc returned.
func PkeyFree(key int) error {
	_, _, e := unix.Syscall(unix.SYS_PKEY_FREE, uintptr(key), 0, 0)
	return errnoErr(e)
}
