package testsupport

import (
	"testing"

	"github.com/jitrun/jitrun/execmem"
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
	m, err := execmem.Map(n, execmem.MapOptions{Prot: execmem.ProtRW})
	if err != nil {
		t.Fatalf("map %d bytes: %v", n, err)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("unmap: %v", err)
		}
	})
	return m.Bytes()[:n]
}
