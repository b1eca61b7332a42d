package execmem

import (
	"os"
	"sort"
	"sync"
	"unsafe"

	"github.com/jitrun/jitrun/internal/platform"
)

// PageSize returns the system's page size in bytes.
func PageSize() int { return pageSize() }

// Placement says how Map treats MapOptions.Addr.
type Placement uint8

const (
	// PlaceAnywhere lets the kernel choose the address; Addr must be 0.
	PlaceAnywhere Placement = iota
	// PlaceHint asks for Addr; the kernel may place the mapping elsewhere
	// (it does when the range is taken). Mapping.Addr tells where it went.
	PlaceHint
	// PlaceNoReplace maps exactly at Addr, or fails with EEXIST when any
	// of the range is already mapped (MAP_FIXED_NOREPLACE).
	PlaceNoReplace
	// PlaceFixed maps exactly at Addr and silently replaces whatever was
	// mapped there (MAP_FIXED). Replacing memory the program uses —
	// the Go heap, a goroutine stack, a binary's text — corrupts or kills
	// the process: this is for studying the kernel, not for everyday use.
	PlaceFixed
)

var placementNames = [...]string{"anywhere", "hint", "noreplace", "fixed"}

func (p Placement) String() string {
	if int(p) < len(placementNames) {
		return placementNames[p]
	}
	return "Placement(" + hex(uint64(p)) + ")"
}

// MapOptions describes a mapping for Map. The zero value is an anonymous,
// private, inaccessible (---) mapping placed by the kernel.
type MapOptions struct {
	Prot Prot
	// Shared makes the mapping MAP_SHARED: with a file, writes reach the
	// file and every other mapping of it; without one, the memory is
	// shared with children after fork. Otherwise it is MAP_PRIVATE
	// (copy on write).
	Shared bool
	// File, when non-nil, is mapped from Offset (a multiple of the page
	// size). The file must stay open only for the Map call: the mapping
	// keeps the file alive. Touching a page past the end of the file
	// raises SIGBUS.
	File   *os.File
	Offset int64
	// Addr and Placement choose where the mapping goes.
	Addr      uintptr
	Placement Placement
	// UnsafeAllowWriteExec must be set to map writable and executable
	// memory (Prot with both ProtWrite and ProtExec). Without it such a
	// request is refused before any system call.
	UnsafeAllowWriteExec bool
}

// Mapping is a range of memory mapped by Map. Its methods are safe for
// concurrent use; after Close they return an error. Its address and length
// never change: UnmapRange leaves holes in it, and Remap returns a new
// Mapping.
type Mapping struct {
	mu     sync.Mutex
	addr   uintptr
	size   int
	prot   Prot
	shared bool
	file   bool
	closed bool
	allowW bool   // UnsafeAllowWriteExec was given
	holes  []span // ranges UnmapRange unmapped, sorted and disjoint
}

// span is a range of a mapping's offsets, [off, end).
type span struct{ off, end int }

// roundPage rounds n up to a whole number of pages; ok is false on overflow.
func roundPage(n int) (int, bool) {
	ps := pageSize()
	r := (n + ps - 1) &^ (ps - 1)
	return r, r >= n
}

func aligned(v uintptr) bool { return v&uintptr(pageSize()-1) == 0 }

// Map maps size bytes (rounded up to whole pages) as opt describes.
//
// Errors say what was wrong before any system call (a size that is not
// positive, an address or offset that is not page aligned, an Addr with
// PlaceAnywhere, writable+executable without UnsafeAllowWriteExec); a
// refused mmap comes back as *Error wrapping the errno (EEXIST for a taken
// range with PlaceNoReplace, EACCES under memory-deny-write-execute, …).
func Map(size int, opt MapOptions) (*Mapping, error) {
	if !supported {
		return nil, errUnsupported
	}
	if size <= 0 {
		return nil, errorf("map %d bytes: the size must be positive", size)
	}
	rsize, ok := roundPage(size)
	if !ok {
		return nil, errorf("map %d bytes: the size overflows when rounded up to the page size (%#x)", size, pageSize())
	}
	if !opt.Prot.valid() {
		return nil, errorf("map: protection %s has bits other than read, write and exec", opt.Prot)
	}
	if opt.Prot.WriteExec() && !opt.UnsafeAllowWriteExec {
		return nil, errorf("map: protection %s is writable and executable at once; set UnsafeAllowWriteExec to ask for it", opt.Prot)
	}
	switch opt.Placement {
	case PlaceAnywhere:
		if opt.Addr != 0 {
			return nil, errorf("map at %#x: an address needs a placement (PlaceHint, PlaceNoReplace or PlaceFixed)", opt.Addr)
		}
	case PlaceHint, PlaceNoReplace, PlaceFixed:
		if opt.Placement != PlaceHint && opt.Addr == 0 {
			return nil, errorf("map with placement %s: the address is 0", opt.Placement)
		}
		if !aligned(opt.Addr) {
			return nil, errorf("map at %#x: the address is not a multiple of the page size (%#x)", opt.Addr, pageSize())
		}
	default:
		return nil, errorf("map: unknown placement %d", opt.Placement)
	}
	fd := -1
	if opt.File != nil {
		if opt.Offset < 0 || opt.Offset%int64(pageSize()) != 0 {
			return nil, errorf("map %s at offset %#x: the offset must be a non-negative multiple of the page size (%#x)", opt.File.Name(), opt.Offset, pageSize())
		}
		fd = int(opt.File.Fd())
	} else if opt.Offset != 0 {
		return nil, errorf("map: offset %#x given without a file", opt.Offset)
	}
	addr, err := sysMmap(opt.Addr, rsize, opt.Prot, opt.Shared, fd, opt.Offset, opt.Placement)
	if opt.File != nil {
		// Keep the *os.File (and its finalizer) alive across the call.
		keepFile(opt.File)
	}
	if err != nil {
		return nil, &Error{Op: "mmap", Addr: opt.Addr, Len: rsize, Prot: opt.Prot, Err: err}
	}
	return &Mapping{addr: addr, size: rsize, prot: opt.Prot, shared: opt.Shared, file: opt.File != nil, allowW: opt.UnsafeAllowWriteExec}, nil
}

//go:noinline
func keepFile(*os.File) {}

// Addr returns the start of the mapping.
func (m *Mapping) Addr() uintptr { return m.addr }

// Len returns the length of the mapping in bytes (a whole number of pages),
// holes that UnmapRange made included.
func (m *Mapping) Len() int { return m.size }

// Prot returns the protection last set on the whole mapping (by Map or
// Protect). After ProtectRange, pages may differ: Maps shows each.
func (m *Mapping) Prot() Prot {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.prot
}

// Shared reports whether the mapping is MAP_SHARED.
func (m *Mapping) Shared() bool { return m.shared }

// Bytes returns the mapping's memory as a slice. Reading it needs read
// permission and writing it write permission at the time of the access:
// an access the protection forbids, or one to a range UnmapRange
// unmapped, faults and, from Go code, crashes the program. The slice is
// valid until Close.
func (m *Mapping) Bytes() []byte {
	return unsafe.Slice((*byte)(addrPtr(m.addr)), m.size)
}

// Protect sets the protection of the whole mapping (mprotect).
func (m *Mapping) Protect(p Prot) error {
	return m.ProtectRange(0, m.size, p)
}

// ProtectRange sets the protection of n bytes at offset off (a multiple of
// the page size; n is rounded up to whole pages). The kernel's errno comes
// back wrapped in *Error: EACCES when memory-deny-write-execute refuses to
// make the pages executable, EPERM when the range is sealed.
func (m *Mapping) ProtectRange(off, n int, p Prot) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return errorf("mprotect: the mapping at %#x is closed", m.addr)
	}
	if !p.valid() {
		return errorf("mprotect: protection %s has bits other than read, write and exec", p)
	}
	if p.WriteExec() && !m.allowW {
		return errorf("mprotect %#x: protection %s is writable and executable at once; the mapping was not made with UnsafeAllowWriteExec", m.addr, p)
	}
	rn, err := m.subrange("mprotect", off, n)
	if err != nil {
		return err
	}
	if err := sysMprotect(m.addr+uintptr(off), rn, p); err != nil {
		return &Error{Op: "mprotect", Addr: m.addr + uintptr(off), Len: rn, Prot: p, Err: err}
	}
	if off == 0 && rn == m.size {
		m.prot = p
	}
	return nil
}

// Seal makes the mapping's layout and protection immutable (mseal, Linux
// 6.10+): from now on mprotect, munmap and MAP_FIXED over it fail with
// EPERM, for the life of the process. Close will fail too; the memory is
// never returned. This is for studying the kernel.
func (m *Mapping) Seal() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return errorf("mseal: the mapping at %#x is closed", m.addr)
	}
	if len(m.holes) > 0 {
		return errorf("mseal: part of the mapping at %#x was unmapped (UnmapRange); mseal needs the whole range mapped", m.addr)
	}
	if err := platform.Mseal(m.addr, m.size); err != nil {
		return &Error{Op: "mseal", Addr: m.addr, Len: m.size, Err: err}
	}
	return nil
}

// Close unmaps the mapping (what UnmapRange left of it). Closing twice
// returns an error.
func (m *Mapping) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return errorf("munmap: the mapping at %#x is already closed", m.addr)
	}
	// The pieces still mapped, one munmap each: the holes may have been
	// mapped again by someone else.
	off := 0
	for _, piece := range append(m.holes[:len(m.holes):len(m.holes)], span{m.size, m.size}) {
		if piece.off > off {
			if err := platform.Munmap(m.addr+uintptr(off), piece.off-off); err != nil {
				return &Error{Op: "munmap", Addr: m.addr + uintptr(off), Len: piece.off - off, Err: err}
			}
			m.addHole(span{off, piece.off})
		}
		off = piece.end
	}
	m.closed = true
	return nil
}

// UnmapRange unmaps n bytes at offset off of the mapping (off a multiple
// of the page size, n rounded up to whole pages); the rest stays mapped,
// and Close unmaps what is left. Once a range is unmapped the kernel may
// hand its addresses to anyone, so the mapping never touches it again:
// unmapping it a second time, or protecting or sealing across it, is an
// error. Unmapping the last mapped page closes the mapping.
func (m *Mapping) UnmapRange(off, n int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return errorf("munmap: the mapping at %#x is closed", m.addr)
	}
	rn, err := m.subrange("munmap", off, n)
	if err != nil {
		return err
	}
	if err := platform.Munmap(m.addr+uintptr(off), rn); err != nil {
		return &Error{Op: "munmap", Addr: m.addr + uintptr(off), Len: rn, Err: err}
	}
	m.addHole(span{off, off + rn})
	if len(m.holes) == 1 && m.holes[0] == (span{0, m.size}) {
		m.closed = true
	}
	return nil
}

// subrange checks the range [off, off+n) of the mapping for op: off a
// non-negative multiple of the page size, n positive, the range (n
// rounded up to whole pages, rn) inside the mapping and clear of the holes
// UnmapRange made.
func (m *Mapping) subrange(op string, off, n int) (rn int, err error) {
	if off < 0 || off%pageSize() != 0 {
		return 0, errorf("%s at offset %#x: the offset must be a non-negative multiple of the page size (%#x)", op, off, pageSize())
	}
	if n <= 0 {
		return 0, errorf("%s %d bytes: the length must be positive", op, n)
	}
	rn, ok := roundPage(n)
	if !ok || off >= m.size || rn > m.size-off {
		return 0, errorf("%s %#x+%#x: the range runs past the end of the mapping (%#x bytes)", op, off, n, m.size)
	}
	if h, ok := m.hole(off, off+rn); ok {
		return 0, errorf("%s %#x+%#x: %#x+%#x of the mapping is already unmapped (UnmapRange)", op, off, rn, h.off, h.end-h.off)
	}
	return rn, nil
}

// hole returns the first hole that overlaps [off, end).
func (m *Mapping) hole(off, end int) (span, bool) {
	for _, h := range m.holes {
		if h.off < end && off < h.end {
			return h, true
		}
	}
	return span{}, false
}

// addHole records [h.off, h.end) as unmapped, merging it with its
// neighbours.
func (m *Mapping) addHole(h span) {
	out := m.holes[:0:0]
	for _, o := range m.holes {
		switch {
		case o.end < h.off || h.end < o.off:
			out = append(out, o)
		default: // touching or overlapping: merge
			h = span{min(h.off, o.off), max(h.end, o.end)}
		}
	}
	out = append(out, h)
	sort.Slice(out, func(i, j int) bool { return out[i].off < out[j].off })
	m.holes = out
}

// Remap changes the mapping's length to size bytes (rounded up to whole
// pages) with mremap and returns the mapping in its new length; m is then
// closed, its pages belong to the result. Without mayMove the mapping
// must keep its address (growing fails with ENOMEM when the pages after it
// are taken); with mayMove the kernel may move it, and the result's Addr
// says where. Pages added to an anonymous mapping read as zero; to a file
// mapping they show the file (SIGBUS past its end). A sealed mapping
// (Seal) refuses with EPERM. The errno comes back wrapped in *Error.
func (m *Mapping) Remap(size int, mayMove bool) (*Mapping, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, errorf("mremap: the mapping at %#x is closed", m.addr)
	}
	if size <= 0 {
		return nil, errorf("mremap to %d bytes: the size must be positive", size)
	}
	rsize, ok := roundPage(size)
	if !ok {
		return nil, errorf("mremap to %d bytes: the size overflows when rounded up to the page size (%#x)", size, pageSize())
	}
	if len(m.holes) > 0 {
		return nil, errorf("mremap: part of the mapping at %#x was unmapped (UnmapRange); mremap needs the whole range mapped", m.addr)
	}
	addr, err := platform.Mremap(m.addr, m.size, rsize, mayMove)
	if err != nil {
		return nil, &Error{Op: "mremap", Addr: m.addr, Len: m.size, Err: err}
	}
	m.closed = true
	return &Mapping{addr: addr, size: rsize, prot: m.prot, shared: m.shared, file: m.file, allowW: m.allowW}, nil
}

// Protect sets the protection of any n bytes at addr, whether this package
// mapped them or not (mprotect). addr must be page aligned; n is rounded up
// to whole pages. Writable+executable needs allowWriteExec. The errno is
// wrapped in *Error as for Mapping.ProtectRange.
func Protect(addr uintptr, n int, p Prot, allowWriteExec bool) error {
	if !supported {
		return errUnsupported
	}
	if !p.valid() {
		return errorf("mprotect: protection %s has bits other than read, write and exec", p)
	}
	if p.WriteExec() && !allowWriteExec {
		return errorf("mprotect %#x: protection %s is writable and executable at once; pass allowWriteExec to ask for it", addr, p)
	}
	if !aligned(addr) {
		return errorf("mprotect at %#x: the address is not a multiple of the page size (%#x)", addr, pageSize())
	}
	if n <= 0 {
		return errorf("mprotect %d bytes: the length must be positive", n)
	}
	rn, ok := roundPage(n)
	if !ok {
		return errorf("mprotect %d bytes: the length overflows when rounded up to the page size", n)
	}
	if err := sysMprotect(addr, rn, p); err != nil {
		return &Error{Op: "mprotect", Addr: addr, Len: rn, Prot: p, Err: err}
	}
	return nil
}

// addrPtr turns the address of memory this package mapped (never Go heap
// memory) into a pointer. Reading the uintptr's bits as a pointer, rather
// than converting, keeps vet's unsafeptr check meaningful elsewhere.
func addrPtr(addr uintptr) unsafe.Pointer {
	return *(*unsafe.Pointer)(unsafe.Pointer(&addr))
}
