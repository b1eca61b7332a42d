//go:build linux

package execmem_test

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/jitrun/jitrun/execmem"
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
		// The kernel merges a mapping with an adjacent anonymous one of
		// the same protection (the Go runtime reserves --- ranges), so
		// the region may be larger than the page.
		r := regionAt(t, m.Addr())
		if r.Prot != p || r.Shared || r.Path != "" || r.Start > m.Addr() || r.End < m.Addr()+uintptr(ps) {
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
	if !errors.Is(err, syscall.EEXIST) || !errors.As(err, &me) || me.Op != "mmap" || !strings.Contains(err.Error(), "(EEXIST)") {
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
		{ps, math.MaxInt, execmem.ProtRead, "runs past the end of the mapping"}, // rounding up overflows
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

// mapped reports whether addr lies in any region of /proc/self/maps.
func mapped(t *testing.T, addr uintptr) bool {
	t.Helper()
	rs, err := execmem.Maps()
	if err != nil {
		t.Fatal(err)
	}
	_, ok := execmem.FindRegion(rs, addr)
	return ok
}

func TestUnmapRange(t *testing.T) {
	ps := execmem.PageSize()
	m, err := execmem.Map(4*ps, execmem.MapOptions{Prot: execmem.ProtRW})
	if err != nil {
		t.Fatal(err)
	}
	page := func(i int) uintptr { return m.Addr() + uintptr(i*ps) }
	if err := m.UnmapRange(ps, 1); err != nil { // n rounds up to a page
		t.Fatal(err)
	}
	if mapped(t, page(1)) || regionAt(t, page(0)).Prot != execmem.ProtRW || regionAt(t, page(2)).Prot != execmem.ProtRW {
		t.Errorf("after UnmapRange(page 1): page 1 mapped %v, pages 0 and 2 %s %s", mapped(t, page(1)), regionAt(t, page(0)), regionAt(t, page(2)))
	}
	if m.Len() != 4*ps {
		t.Errorf("Len() = %#x after UnmapRange, want the whole range %#x", m.Len(), 4*ps)
	}
	for _, tc := range []struct {
		off, n int
		want   string
	}{
		{ps, ps, "munmap 0x1000+0x1000: 0x1000+0x1000 of the mapping is already unmapped (UnmapRange)"},
		{0, 2 * ps, "munmap 0x0+0x2000: 0x1000+0x1000 of the mapping is already unmapped (UnmapRange)"},
		{1, ps, "munmap at offset 0x1: the offset must be a non-negative multiple of the page size (0x1000)"},
		{-ps, ps, "munmap at offset -0x1000: the offset must be a non-negative multiple"},
		{0, 0, "munmap 0 bytes: the length must be positive"},
		{3 * ps, 2 * ps, "munmap 0x3000+0x2000: the range runs past the end of the mapping (0x4000 bytes)"},
		{4 * ps, ps, "runs past the end of the mapping"},
	} {
		if err := m.UnmapRange(tc.off, tc.n); err == nil || !strings.HasPrefix(err.Error(), "execmem: ") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("UnmapRange(%#x, %#x) = %v, want %q", tc.off, tc.n, err, tc.want)
		}
	}
	// The hole is not the mapping's any more: protecting, sealing or
	// resizing across it is refused before any system call.
	if err := m.ProtectRange(0, 2*ps, execmem.ProtRead); err == nil || !strings.Contains(err.Error(), "0x1000+0x1000 of the mapping is already unmapped (UnmapRange)") {
		t.Errorf("ProtectRange across the hole = %v", err)
	}
	if err := m.ProtectRange(2*ps, ps, execmem.ProtRead); err != nil || regionAt(t, page(2)).Prot != execmem.ProtRead {
		t.Errorf("ProtectRange beside the hole = %v", err)
	}
	if err := m.Seal(); err == nil || !strings.Contains(err.Error(), "mseal needs the whole range mapped") {
		t.Errorf("Seal with a hole = %v", err)
	}
	if _, err := m.Remap(8*ps, true); err == nil || !strings.Contains(err.Error(), "mremap needs the whole range mapped") {
		t.Errorf("Remap with a hole = %v", err)
	}
	// Someone maps the hole; Close unmaps the rest around it and leaves
	// theirs alone.
	theirs, err := execmem.Map(ps, execmem.MapOptions{Prot: execmem.ProtRead, Addr: page(1), Placement: execmem.PlaceNoReplace})
	if err != nil {
		t.Fatalf("mapping the hole: %v", err)
	}
	defer theirs.Close()
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, 2, 3} {
		if mapped(t, page(i)) {
			t.Errorf("page %d still mapped after Close", i)
		}
	}
	if r := regionAt(t, page(1)); r.Prot != execmem.ProtRead {
		t.Errorf("the page mapped into the hole: %s after Close, want it left alone (r--)", r)
	}
	if err := m.UnmapRange(0, ps); err == nil || !strings.Contains(err.Error(), "is closed") {
		t.Errorf("UnmapRange after Close = %v", err)
	}

	// Unmapping every page, piece by piece, closes the mapping.
	m2, err := execmem.Map(3*ps, execmem.MapOptions{Prot: execmem.ProtRead})
	if err != nil {
		t.Fatal(err)
	}
	for _, off := range []int{2 * ps, 0, ps} {
		if err := m2.UnmapRange(off, ps); err != nil {
			t.Fatal(err)
		}
	}
	if err := m2.Close(); err == nil || !strings.Contains(err.Error(), "already closed") {
		t.Errorf("Close after unmapping every page = %v, want already closed", err)
	}
}

func TestRemap(t *testing.T) {
	ps := execmem.PageSize()
	m, err := execmem.Map(ps, execmem.MapOptions{Prot: execmem.ProtRW})
	if err != nil {
		t.Fatal(err)
	}
	m.Bytes()[0] = 7
	grown, err := m.Remap(2*ps+1, true)
	if err != nil {
		t.Fatal(err)
	}
	defer grown.Close()
	if grown.Len() != 3*ps || grown.Bytes()[0] != 7 || grown.Bytes()[2*ps] != 0 || grown.Prot() != execmem.ProtRW {
		t.Errorf("grown: Len %#x, bytes %d %d, prot %s", grown.Len(), grown.Bytes()[0], grown.Bytes()[2*ps], grown.Prot())
	}
	if r := regionAt(t, grown.Addr()); r.Start > grown.Addr() || r.End < grown.Addr()+uintptr(3*ps) || r.Prot != execmem.ProtRW {
		t.Errorf("grown mapping in maps: %s", r)
	}
	if err := m.Close(); err == nil || !strings.Contains(err.Error(), "already closed") {
		t.Errorf("Close of the remapped mapping = %v, want already closed (its pages are the new one's)", err)
	}
	// Shrinking keeps the address and unmaps the tail.
	addr := grown.Addr()
	small, err := grown.Remap(ps, false)
	if err != nil {
		t.Fatalf("shrink: %v", err)
	}
	if small.Addr() != addr || small.Len() != ps {
		t.Fatalf("shrink: at %#x len %#x, want %#x len %#x", small.Addr(), small.Len(), addr, ps)
	}
	defer small.Close()
	if mapped(t, addr+uintptr(ps)) {
		t.Errorf("the tail is still mapped after shrinking")
	}
	for _, tc := range []struct {
		size int
		want string
	}{
		{0, "mremap to 0 bytes: the size must be positive"},
		{-1, "mremap to -1 bytes: the size must be positive"},
	} {
		if _, err := small.Remap(tc.size, true); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Remap(%d) = %v, want %q", tc.size, err, tc.want)
		}
	}
	// Growing in place fails when the next page is taken.
	next, err := execmem.Map(ps, execmem.MapOptions{Prot: execmem.ProtRead, Addr: addr + uintptr(ps), Placement: execmem.PlaceNoReplace})
	if err != nil {
		t.Skipf("SKIP: could not take the page after the mapping to block growth in place: %v", err)
	}
	defer next.Close()
	_, err = small.Remap(2*ps, false)
	var me *execmem.Error
	if !errors.Is(err, syscall.ENOMEM) || !errors.As(err, &me) || me.Op != "mremap" || !strings.Contains(err.Error(), "(ENOMEM); the pages after the mapping are taken") {
		t.Errorf("growing in place into a taken page = %v, want ENOMEM", err)
	}
}

// A sealed mapping refuses to be remapped (and unmapped), with EPERM.
// Sealing cannot be undone: the page stays mapped for the life of the
// test process.
func TestRemapSealed(t *testing.T) {
	ps := execmem.PageSize()
	m, err := execmem.Map(ps, execmem.MapOptions{Prot: execmem.ProtRead})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Seal(); err != nil {
		if errors.Is(err, syscall.ENOSYS) {
			t.Skipf("SKIP: mseal needs Linux 6.10+: %v", err)
		}
		t.Fatal(err)
	}
	if _, err := m.Remap(2*ps, true); !errors.Is(err, syscall.EPERM) || !strings.Contains(err.Error(), "(EPERM); the range is sealed") {
		t.Errorf("Remap of a sealed mapping = %v, want EPERM", err)
	}
	if err := m.UnmapRange(0, ps); !errors.Is(err, syscall.EPERM) {
		t.Errorf("UnmapRange of a sealed mapping = %v, want EPERM", err)
	}
	if !mapped(t, m.Addr()) {
		t.Errorf("the sealed page is gone")
	}
}

func TestNewMemfd(t *testing.T) {
	ps := execmem.PageSize()
	f, err := execmem.NewMemfd("jitrun-test", 2*ps)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil {
		t.Fatal(err)
	} else if fi.Size() != int64(2*ps) {
		t.Fatalf("size %d, want %d", fi.Size(), 2*ps)
	}
	// Two views of the same memory: what the read+write one writes, the
	// read+exec one shows (and can run), and no page is both.
	w := mustMap(t, 2*ps, execmem.MapOptions{Prot: execmem.ProtRW, Shared: true, File: f})
	x := mustMap(t, 2*ps, execmem.MapOptions{Prot: execmem.ProtRX, Shared: true, File: f})
	w.Bytes()[ps+3] = 0xc3
	if got := unsafeBytes(x.Addr(), 2*ps)[ps+3]; got != 0xc3 {
		t.Errorf("the exec view shows %#x, want the byte written through the other", got)
	}
	r := regionAt(t, x.Addr())
	if r.Prot != execmem.ProtRX || !r.Shared || r.Path != "/memfd:jitrun-test (deleted)" {
		t.Errorf("exec view in maps: %s", r)
	}
	if f.Name() != "/memfd:jitrun-test" {
		t.Errorf("Name() = %q", f.Name())
	}
	for _, tc := range []struct {
		name string
		size int
		want string
	}{
		{"", ps, "memfd_create: the name is empty"},
		{"a\x00b", ps, "the name contains a NUL byte"},
		{strings.Repeat("n", 250), ps, "the name is 250 bytes; at most 249"},
		{"neg", -1, `memfd_create "neg": size -1 is negative`},
	} {
		if _, err := execmem.NewMemfd(tc.name, tc.size); err == nil || !strings.HasPrefix(err.Error(), "execmem: ") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewMemfd(%q, %d) = %v, want %q", tc.name, tc.size, err, tc.want)
		}
	}
}
