//go:build linux

package execmem_test

import (
	"errors"
	"unsafe"
)

func errorsAs(err error, target any) bool { return errors.As(err, target) }

// unsafeBytes views n bytes of mapped memory at addr.
func unsafeBytes(addr uintptr, n int) []byte {
	return unsafe.Slice((*byte)(*(*unsafe.Pointer)(unsafe.Pointer(&addr))), n)
}
