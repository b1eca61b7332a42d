//go:build linux

package platform

import (
	"errors"
	"testing"

	"golang.org/x/sys/unix"
)

// QueryVMA reports the mapping holding an address exactly: its bounds and
// protection, the page that follows as a mapping of its own, nothing for
// an unmapped page.
func TestQueryVMA(t *testing.T) {
	maps, err := OpenSelfMaps()
	if err != nil {
		t.Fatal(err)
	}
	defer maps.Close()
	ps := PageSize()
	addr, err := Mmap(0, 3*ps, ProtRead|ProtWrite, 0, -1, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer Munmap(addr, 3*ps)
	if err := Mprotect(addr, ps, ProtRead|ProtExec); err != nil {
		t.Fatal(err)
	}
	if err := Munmap(addr+uintptr(2*ps), ps); err != nil {
		t.Fatal(err)
	}
	p := uintptr(ps)
	for _, c := range []struct {
		addr uintptr
		want VMA
		ok   bool
	}{
		{addr + 5, VMA{Start: addr, End: addr + p, Read: true, Exec: true}, true},
		{addr + p, VMA{Start: addr + p, End: addr + 2*p, Read: true, Write: true}, true},
		{addr + 2*p + 1, VMA{}, false},
		{0, VMA{}, false},
	} {
		got, ok, err := QueryVMA(maps, c.addr)
		if errors.Is(err, unix.ENOTTY) {
			t.Skipf("SKIPPED: this kernel has no PROCMAP_QUERY (before 6.11): %v", err)
		}
		// The rw- page may merge with an rw- neighbour: check its end
		// and protection, and that it holds the page.
		if c.addr == addr+p && ok && got.Start <= addr+p && got.End >= addr+2*p && got.Read && got.Write && !got.Exec {
			continue
		}
		if err != nil || ok != c.ok || got != c.want {
			t.Errorf("QueryVMA(%#x) = %+v, %v, %v; want %+v, %v", c.addr, got, ok, err, c.want, c.ok)
		}
	}
}
