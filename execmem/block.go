package execmem

import (
	"sync"
	"unsafe"
)

// Block is machine code loaded by Load: read+exec memory holding a copy of
// the code, followed by INT3 bytes up to the end of its last page. It is
// safe for concurrent use.
type Block struct {
	mu     sync.Mutex
	r      *region
	n      int
	closed bool
}

// LoadOptions tune LoadWith. The zero value is what Load uses.
type LoadOptions struct {
	Strategy Strategy
}

// Load copies code into fresh memory and makes it executable under the W^X
// discipline: the pages are mapped read+write, the code is copied in, the
// rest of the last page is filled with INT3, and the pages are flipped to
// read+exec. At no moment is a page writable and executable. Close the
// Block to unmap it.
func Load(code []byte) (*Block, error) {
	return LoadWith(code, LoadOptions{})
}

// LoadWith is Load with a choice of strategy (see Strategy). With
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
	r, err := newRegion(size, opt.Strategy)
	if err != nil {
		return nil, err
	}
	copy(r.write.Bytes(), code)
	if err := r.seal(0, size); err != nil {
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
	return &Block{r: r, n: len(code)}, nil
}

// Addr returns the address of the first byte of code.
func (b *Block) Addr() uintptr { return b.r.exec.Addr() }

// Len returns the length of the code in bytes (not counting the INT3
// padding).
func (b *Block) Len() int { return b.n }

// Cap returns the length of the mapping: Len rounded up to whole pages.
func (b *Block) Cap() int { return b.r.exec.Len() }

// Strategy returns the strategy the block was loaded with.
func (b *Block) Strategy() Strategy { return b.r.strategy }

// Contains reports whether addr lies within the code (not the padding).
func (b *Block) Contains(addr uintptr) bool {
	return addr >= b.Addr() && addr-b.Addr() < uintptr(b.n)
}

// Bytes returns the loaded code, Len bytes. It is a view of the executable
// memory, not a copy: it must not be written (the pages are read+exec, so
// a write faults and crashes the program), and it is valid until Close.
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
