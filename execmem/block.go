package execmem

import (
	"sync"
	"unsafe"
)

// Block is machine code loaded by Load: read+exec memory holding a copy of
// the code, followed by INT3 bytes up to the end of its last page; or, when
// loaded with LoadOptions.Writable, read+exec pages up to Writable and
// read+write pages from there on, the rest of the last page zero. It is
// safe for concurrent use.
type Block struct {
	mu       sync.Mutex
	r        *region
	n        int
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
// pages of writable data after the code (LoadOptions.Writable). With
// StrategyDualMap the read+write view is unmapped once the code is in;
// with StrategyUnsafeRWX the pages stay writable and executable.
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
	if err := checkWritable(opt, len(code)); err != nil {
		return nil, err
	}
	r, err := newRegion(size, opt.Strategy)
	if err != nil {
		return nil, err
	}
	mem := r.write.Bytes()
	copy(mem, code)
	sealed := size
	if opt.Writable > 0 {
		clear(mem[len(code):]) // a program's bss, not INT3
		sealed = opt.Writable
	}
	if err := r.seal(0, sealed); err != nil {
		r.close()
		return nil, err
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
	return &Block{r: r, n: len(code), writable: opt.Writable}, nil
}

// checkWritable checks LoadOptions.Writable against n bytes of code.
func checkWritable(opt LoadOptions, n int) error {
	switch w := opt.Writable; {
	case w == 0:
		return nil
	case w < 0 || w > n:
		return errorf("load: writable data at %#x lies outside the %d bytes of code", w, n)
	case w%PageSize() != 0:
		return errorf("load: writable data at %#x does not start on a page (%#x bytes)", w, PageSize())
	case opt.Strategy != StrategyFlip:
		return errorf("load: writable data needs StrategyFlip (%v keeps no page writable apart)", opt.Strategy)
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
// start (LoadOptions.Writable), or 0 when every page is read+exec.
func (b *Block) Writable() int { return b.writable }

// Strategy returns the strategy the block was loaded with.
func (b *Block) Strategy() Strategy { return b.r.strategy }

// Contains reports whether addr lies within the code (not the padding).
func (b *Block) Contains(addr uintptr) bool {
	return addr >= b.Addr() && addr-b.Addr() < uintptr(b.n)
}

// Bytes returns the loaded code, Len bytes. It is a view of the executable
// memory, not a copy: it must not be written before Writable (the pages
// are read+exec, so a write faults and crashes the program), and it is
// valid until Close.
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
