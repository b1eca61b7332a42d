package testsupport

import (
	"testing"
	"unsafe"

	"github.com/jitrun/jitrun/internal/platform"
)

// FixedMemory returns n bytes of read+write memory mapped for the test
// and unmapped when it ends: memory whose address machine code may hold
// for as long as it runs. A Go variable is no such memory when its
// address travels as an integer (trampoline.Call's arguments): nothing
// then keeps the variable on the heap, and a goroutine's stack moves —
// for instance while a long call is parked for the garbage collector —
// under the code's feet.
func FixedMemory(t testing.TB, n int) []byte {
	t.Helper()
	addr, err := platform.Mmap(0, n, platform.ProtRead|platform.ProtWrite, 0, -1, 0) // private, anonymous (fd -1)
	if err != nil {
		t.Fatalf("mmap %d bytes: %v", n, err)
	}
	t.Cleanup(func() {
		if err := platform.Munmap(addr, n); err != nil {
			t.Errorf("munmap: %v", err)
		}
	})
	// addr is memory outside Go's heap: read as a pointer through its
	// own address, the conversion vet's unsafeptr check accepts.
	return unsafe.Slice((*byte)(*(*unsafe.Pointer)(unsafe.Pointer(&addr))), n)
}
