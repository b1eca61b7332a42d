package trampoline

import (
	"bytes"
	"errors"
	"testing"

	"github.com/jitrun/jitrun/execmem"
)

// A fault records the bytes at its PC when they can be read: all 15 on a
// readable page without execute permission (the NX fault a listing must
// show), fewer where the next page cannot be read, none where the PC's
// page is unmapped or inaccessible.
func TestFaultText(t *testing.T) {
	ps := execmem.PageSize()
	m, err := execmem.Map(3*ps, execmem.MapOptions{Prot: execmem.ProtRead | execmem.ProtWrite})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	mem := m.Bytes()
	for i := range mem[:2*ps] {
		mem[i] = byte(i)
	}
	if err := m.ProtectRange(ps, ps, execmem.ProtRead); err != nil {
		t.Fatal(err)
	}
	if err := m.ProtectRange(2*ps, ps, execmem.ProtNone); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		off  int // the call's target in the mapping, or -1: an unmapped address
		want []byte
	}{
		{"read+write page", 0x10, mem[0x10 : 0x10+MaxInstructionLen]},
		{"across into a read-only page", ps - 4, mem[ps-4 : ps-4+MaxInstructionLen]},
		{"up to an inaccessible page", 2*ps - 3, mem[2*ps-3 : 2*ps]},
		{"inaccessible page", 2 * ps, nil},
		{"unmapped", -1, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			target := uintptr(0x1000)
			if tc.off >= 0 {
				target = m.Addr() + uintptr(tc.off)
			}
			_, err := Call(target)
			var f *Fault
			if !errors.As(err, &f) {
				t.Fatalf("err = %v, want a *Fault", err)
			}
			if f.PC != target || f.Trap != 14 {
				t.Fatalf("fault at pc %#x trap %d, want the fetch of %#x (trap 14)", f.PC, f.Trap, target)
			}
			if !bytes.Equal(f.Text, tc.want) || (tc.want == nil) != (f.Text == nil) {
				t.Errorf("Text = % x, want % x", f.Text, tc.want)
			}
		})
	}
}
