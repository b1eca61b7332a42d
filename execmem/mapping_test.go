//go:build linux

package execmem_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/jitrun/jitrun/execmem"
	"golang.org/x/sys/unix"
)

// regionAt returns the /proc/self/maps region holding addr.
func regionAt(t *testing.T, addr uintptr) execmem.Region {
	t.Helper()
	rs, err := execmem.Maps()
	if err != nil {
		t.Fatal(err)
	}
	r, ok := execmem.FindRegion(rs, addr)
	if !ok {
		t.Fatalf("no region holds %#x", addr)
	}
	return r
}

func mustMap(t *testing.T, size int, opt execmem.MapOptions) *execmem.Mapping {
	t.Helper()
	m, err := execmem.Map(size, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func TestMapProtections(t *testing.T) {
	ps := execmem.PageSize()
	for _, p := range []execmem.Prot{execmem.ProtNone, execmem.ProtRead, execmem.ProtRW, execmem.ProtRX, execmem.ProtExec, execmem.ProtWrite} {
		m := mustMap(t, 100, execmem.MapOptions{Prot: p})
		if m.Len() != ps || m.Addr()%uintptr(ps) != 0 {
			t.Errorf("%s: Len %d Addr %#x, want one aligned page", p, m.Len(), m.Addr())
		}
		// /proc/self/maps shows the protection asked for ("-w-", "--x"),
		// even where the hardware grants more (W and X imply R here).
		r := regionAt(t, m.Addr())
		if r.Prot != p || r.Shared || r.Path != "" || r.Start != m.Addr() || r.End != m.Addr()+uintptr(ps) {
			t.Errorf("%s: maps shows %s", p, r)
		}
	}
}

func TestMapErrors(t *testing.T) {
	ps := execmem.PageSize()
	f, err := os.CreateTemp(t.TempDir(), "f")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, tc := range []struct {
		size int
		opt  execmem.MapOptions
		want string
	}{
		{0, execmem.MapOptions{}, "map 0 bytes: the size must be positive"},
		{-5, execmem.MapOptions{}, "map -5 bytes: the size must be positive"},
		{ps, execmem.MapOptions{Prot: execmem.ProtRWX}, "protection rwx is writable and executable at once; set UnsafeAllowWriteExec"},
		{ps, execmem.MapOptions{Prot: 0x10}, "protection ---+0x10 has bits other than read, write and exec"},
		{ps, execmem.MapOptions{Addr: 0x10000}, "map at 0x10000: an address needs a placement"},
		{ps, execmem.MapOptions{Addr: 0x10001, Placement: execmem.PlaceHint}, "map at 0x10001: the address is not a multiple of the page size"},
		{ps, execmem.MapOptions{Placement: execmem.PlaceFixed}, "map with placement fixed: the address is 0"},
		{ps, execmem.MapOptions{Placement: 9}, "map: unknown placement 9"},
		{ps, execmem.MapOptions{File: f, Offset: 100}, "at offset 0x64: the offset must be a non-negative multiple of the page size"},
		{ps, execmem.MapOptions{Offset: int64(ps)}, "offset 0x1000 given without a file"},
	} {
		_, err := execmem.Map(tc.size, tc.opt)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "execmem: ") {
			t.Errorf("Map(%d, %+v) error = %v\nwant %q", tc.size, tc.opt, err, tc.want)
		}
	}
}

func TestPlacement(t *testing.T) {
	ps := execmem.PageSize()
	a := mustMap(t, 2*ps, execmem.MapOptions{Prot: execmem.ProtRW})
	addr := a.Addr()

	// NOREPLACE over a taken range: EEXIST, as an *Error.
	_, err := execmem.Map(ps, execmem.MapOptions{Prot: execmem.ProtRW, Addr: addr, Placement: execmem.PlaceNoReplace})
	var me *execmem.Error
	if !errors.Is(err, unix.EEXIST) || !errors.As(err, &me) || me.Op != "mmap" || !strings.Contains(err.Error(), "(EEXIST)") {
		t.Errorf("NOREPLACE over a mapping: %v, want EEXIST", err)
	}
	// A hint over a taken range lands elsewhere.
	h := mustMap(t, ps, execmem.MapOptions{Prot: execmem.ProtRW, Addr: addr, Placement: execmem.PlaceHint})
	if h.Addr() == addr {
		t.Errorf("hint over a mapping landed on it")
	}
	// FIXED replaces: the page becomes the new mapping's (read-only, zero).
	a.Bytes()[0] = 7
	fx, err := execmem.Map(ps, execmem.MapOptions{Prot: execmem.ProtRead, Addr: addr, Placement: execmem.PlaceFixed})
	if err != nil {
		t.Fatal(err)
	}
	if fx.Addr() != addr || fx.Bytes()[0] != 0 || regionAt(t, addr).Prot != execmem.ProtRead {
		t.Errorf("FIXED: at %#x, byte %d, prot %s", fx.Addr(), fx.Bytes()[0], regionAt(t, addr).Prot)
	}
	// NOREPLACE on a free range maps exactly there.
	fx.Close() // the first page is free again (a still holds the second)
	nr, err := execmem.Map(ps, execmem.MapOptions{Prot: execmem.ProtRW, Addr: addr, Placement: execmem.PlaceNoReplace})
	if err != nil || nr.Addr() != addr {
		t.Fatalf("NOREPLACE on a free range: %v at %#x", err, nr.Addr())
	}
	nr.Close()
}

func TestFileMappings(t *testing.T) {
	ps := execmem.PageSize()
	path := filepath.Join(t.TempDir(), "data")
	if err := os.WriteFile(path, bytes.Repeat([]byte{'a'}, 2*ps), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	priv := mustMap(t, ps, execmem.MapOptions{Prot: execmem.ProtRW, File: f, Offset: int64(ps)})
	shared := mustMap(t, ps, execmem.MapOptions{Prot: execmem.ProtRW, File: f, Shared: true})
	priv.Bytes()[0] = 'p'
	shared.Bytes()[0] = 's'
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if data[0] != 's' || data[ps] != 'a' {
		t.Errorf("file starts %q and has %q at the second page; want the shared write only", data[0], data[ps])
	}
	r := regionAt(t, shared.Addr())
	if !r.Shared || r.Path != path || r.Offset != 0 || !shared.Shared() {
		t.Errorf("shared mapping: %s", r)
	}
	if r := regionAt(t, priv.Addr()); r.Shared || r.Offset != uint64(ps) {
		t.Errorf("private mapping: %s", r)
	}
}

func TestProtect(t *testing.T) {
	ps := execmem.PageSize()
	m := mustMap(t, 3*ps, execmem.MapOptions{Prot: execmem.ProtRW})
	if err := m.ProtectRange(ps, 1, execmem.ProtRX); err != nil {
		t.Fatal(err)
	}
	if r := regionAt(t, m.Addr()+uintptr(ps)); r.Prot != execmem.ProtRX || r.Len() != uintptr(ps) {
		t.Errorf("middle page: %s", r)
	}
	if m.Prot() != execmem.ProtRW {
		t.Errorf("Prot() = %s after a partial change, want the whole mapping's rw-", m.Prot())
	}
	if err := m.Protect(execmem.ProtRead); err != nil || m.Prot() != execmem.ProtRead {
		t.Errorf("Protect: %v, Prot %s", err, m.Prot())
	}
	for _, tc := range []struct {
		off, n int
		p      execmem.Prot
		want   string
	}{
		{1, ps, execmem.ProtRead, "offset must be a non-negative multiple of the page size"},
		{0, 0, execmem.ProtRead, "the length must be positive"},
		{2 * ps, 2 * ps, execmem.ProtRead, "runs past the end of the mapping"},
		{0, ps, execmem.ProtRWX, "the mapping was not made with UnsafeAllowWriteExec"},
	} {
		if err := m.ProtectRange(tc.off, tc.n, tc.p); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ProtectRange(%d, %d, %s) = %v, want %q", tc.off, tc.n, tc.p, err, tc.want)
		}
	}
	// The package-level Protect keeps the kernel's errno: ENOMEM for a
	// range that is not mapped.
	gone, _ := execmem.Map(ps, execmem.MapOptions{})
	addr := gone.Addr()
	gone.Close()
	err := execmem.Protect(addr, ps, execmem.ProtRead, false)
	if !errors.Is(err, syscall.ENOMEM) || !strings.Contains(err.Error(), "(ENOMEM); part of the range is not mapped") {
		t.Errorf("Protect(unmapped) = %v, want ENOMEM", err)
	}
	if err := execmem.Protect(addr+1, ps, execmem.ProtRead, false); err == nil || !strings.Contains(err.Error(), "not a multiple of the page size") {
		t.Errorf("Protect(unaligned) = %v", err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err == nil || !strings.Contains(err.Error(), "already closed") {
		t.Errorf("second Close = %v", err)
	}
	if err := m.Protect(execmem.ProtRead); err == nil || !strings.Contains(err.Error(), "is closed") {
		t.Errorf("Protect after Close = %v", err)
	}
}
