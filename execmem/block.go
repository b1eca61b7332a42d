package execmem

import (
	"sync"
	"unsafe"
)

// Block is machine code loaded by Load: read+exec memory holding a copy of
// the code, followed by INT3 bytes up to the end of its last page; or, when
// loaded with LoadOptions.Readonly or Writable, laid out as a loader lays
// out an executable: read+exec pages for the code, then read-only pages
// from Readonly, then read+write pages from Writable, the rest of the last
// page zero. It is safe for concurrent use.
type Block struct {
	mu       sync.Mutex
	r        *region
	n        int
	readonly int // offset of the read-only data pages, 0 for none
	writable int // offset of the read+write data pages, 0 for none
	closed   bool
}

// LoadOptions tune LoadWith. The zero value is what Load uses.
type LoadOptions struct {
	Strategy Strategy
	// Writable, when not zero, is where the code's writable data starts
	// (a program's .data and .bss, asm.Program.WritableStart): a
	// multiple of the page size within the code. The pages from there on
	// stay read+write and never become executable — W^X holds per page —
	// and the bytes past the end of the code are zero there, not INT3.
	// The pages before it are sealed read+exec as usual. Only
	// StrategyFlip has pages that stay writable: the other strategies
	// refuse it.
	Writable int
	// Readonly, when not zero, is where the code's read-only data starts
	// (a program's .rodata and float constants, asm.Program.LoadLayout):
	// a multiple of the page size within the code, before Writable when
	// both are given. The pages from there up to Writable (or the end)
	// become read-only, never executable; the bytes past the end of the
	// code are zero there, not INT3. StrategyFlip and StrategyDualMap
	// support it; StrategyUnsafeRWX, whose pages all stay writable and
	// executable, refuses it.
	Readonly int
}

// Load copies code into fresh memory and makes it executable under the W^X
// discipline: the pages are mapped read+write, the code is copied in, the
// rest of the last page is filled with INT3, and the pages are flipped to
// read+exec. At no moment is a page writable and executable. Close the
// Block to unmap it.
func Load(code []byte) (*Block, error) {
	return LoadWith(code, LoadOptions{})
}

// LoadWith is Load with options: a choice of strategy (see Strategy), and
// pages of read-only and of writable data after the code
// (LoadOptions.Readonly, Writable). With StrategyDualMap the read+write
// view is unmapped once the code is in; with StrategyUnsafeRWX the pages
// stay writable and executable.
func LoadWith(code []byte, opt LoadOptions) (*Block, error) {
	if !supported {
		return nil, errUnsupported
	}
	if len(code) == 0 {
		return nil, errorf("load: the code is empty")
	}
	if !opt.Strategy.valid() {
		return nil, errorf("load: unknown strategy %d", opt.Strategy)
	}
	size, ok := roundPage(len(code))
	if !ok {
		return nil, errorf("load %d bytes: too large", len(code))
	}
	if err := checkSections(opt, len(code)); err != nil {
		return nil, err
	}
	r, err := newRegion(size, opt.Strategy, false)
	if err != nil {
		return nil, err
	}
	mem := r.write.Bytes()
	copy(mem, code)
	// The code's pages end where the first data section starts; the data
	// pages past the end of the code are zero (a program's bss), not INT3.
	codeEnd, roEnd := size, size
	if opt.Writable > 0 {
		codeEnd, roEnd = opt.Writable, opt.Writable
	}
	if opt.Readonly > 0 {
		codeEnd = opt.Readonly
	}
	if codeEnd < size {
		clear(mem[len(code):])
	}
	if err := r.seal(0, codeEnd); err != nil {
		r.close()
		return nil, err
	}
	if opt.Readonly > 0 && roEnd > opt.Readonly {
		// Read-only data: no write, no exec. For a dual mapping this is
		// the exec view; the write view goes below.
		if err := r.exec.ProtectRange(opt.Readonly, roEnd-opt.Readonly, ProtRead); err != nil {
			r.close()
			return nil, err
		}
	}
	if r.write != r.exec {
		// Dual mapping: the code is written once; drop the writable view
		// so that nothing can change it.
		if err := r.write.Close(); err != nil {
			r.exec.Close()
			return nil, err
		}
		r.write = r.exec
	}
	return &Block{r: r, n: len(code), readonly: opt.Readonly, writable: opt.Writable}, nil
}

// checkSections checks LoadOptions.Readonly and Writable against n bytes
// of code: each 0 (none) or a multiple of the page size within the code,
// the read-only data before the writable data, and a strategy that can
// keep them apart.
func checkSections(opt LoadOptions, n int) error {
	switch w := opt.Writable; {
	case w == 0:
	case w < 0 || w > n:
		return errorf("load: writable data at %#x lies outside the %d bytes of code", w, n)
	case w%PageSize() != 0:
		return errorf("load: writable data at %#x does not start on a page (%#x bytes)", w, PageSize())
	case opt.Strategy != StrategyFlip:
		return errorf("load: writable data needs StrategyFlip (%v keeps no page writable apart)", opt.Strategy)
	}
	switch ro := opt.Readonly; {
	case ro == 0:
	case ro < 0 || ro > n:
		return errorf("load: read-only data at %#x lies outside the %d bytes of code", ro, n)
	case ro%PageSize() != 0:
		return errorf("load: read-only data at %#x does not start on a page (%#x bytes)", ro, PageSize())
	case opt.Writable > 0 && ro > opt.Writable:
		return errorf("load: read-only data at %#x starts after the writable data at %#x (want code, read-only data, writable data)", ro, opt.Writable)
	case opt.Strategy == StrategyUnsafeRWX:
		return errorf("load: read-only data needs StrategyFlip or StrategyDualMap (%v keeps every page writable and executable)", opt.Strategy)
	}
	return nil
}

// Addr returns the address of the first byte of code.
func (b *Block) Addr() uintptr { return b.r.exec.Addr() }

// Len returns the length of the code in bytes (not counting the INT3
// padding).
func (b *Block) Len() int { return b.n }

// Cap returns the length of the mapping: Len rounded up to whole pages.
func (b *Block) Cap() int { return b.r.exec.Len() }

// Writable returns the offset where the block's read+write data pages
// start (LoadOptions.Writable), or 0 when it has none.
func (b *Block) Writable() int { return b.writable }

// Readonly returns the offset where the block's read-only data pages
// start (LoadOptions.Readonly), or 0 when it has none.
func (b *Block) Readonly() int { return b.readonly }

// Strategy returns the strategy the block was loaded with.
func (b *Block) Strategy() Strategy { return b.r.strategy }

// Contains reports whether addr lies within the code (not the padding).
func (b *Block) Contains(addr uintptr) bool {
	return addr >= b.Addr() && addr-b.Addr() < uintptr(b.n)
}

// Bytes returns the loaded code, Len bytes. It is a view of the executable
// memory, not a copy: it must not be written before Writable (the pages
// are read+exec or read-only, so a write faults and crashes the program),
// and it is valid until Close.
func (b *Block) Bytes() []byte {
	return unsafe.Slice((*byte)(addrPtr(b.Addr())), b.n)
}

// Close unmaps the block. The code must not be running and must not run
// again. Closing twice returns an error.
func (b *Block) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return errorf("close: the block at %#x is already closed", b.Addr())
	}
	b.closed = true
	return b.r.close()
}
