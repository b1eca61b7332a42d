package execmem

import (
	"sort"
	"sync"
	"unsafe"
)

// DefaultChunkSize and DefaultAlign are what an Arena uses when
// ArenaOptions leaves them zero.
const (
	DefaultChunkSize = 64 << 10
	DefaultAlign     = 16
)

// ArenaOptions tune NewArena. The zero value is 64 KiB chunks, 16-byte
// slots and StrategyFlip.
type ArenaOptions struct {
	// ChunkSize is the size of each chunk of memory, rounded up to whole
	// pages. Code larger than a chunk gets a chunk of its own.
	ChunkSize int
	// Align is the alignment of every slot: a power of two from 1 to the
	// page size.
	Align    int
	Strategy Strategy
}

// ArenaStats counts an arena's memory and system calls.
type ArenaStats struct {
	Chunks    int // chunks mapped now
	Slots     int // slots not freed
	Bytes     int // bytes of code in those slots
	Mmaps     int // mmap calls so far (two per chunk with StrategyDualMap)
	Mprotects int // mprotect calls so far
	Munmaps   int // munmap calls so far
}

// Arena packs many pieces of code into shared chunks of executable memory.
//
// Add copies code into a slot (aligned, with INT3 filling the space up to
// the next slot) and Seal makes everything added since the last Seal
// executable, with one mprotect per chunk: loading N small functions costs
// a few system calls, not N. With StrategyFlip, code is not executable
// until it is sealed, and the pages it was sealed on are never writable
// again: later code starts on a fresh page of the chunk, and freed space is
// reclaimed when every slot of its chunk is free (the chunk is then
// unmapped, unless it is the one new code goes to and has fresh pages
// left). A chunk's pages are filled with INT3 as code first reaches them. With StrategyDualMap code is executable as soon as it is
// added (Seal does nothing), and freed slots are refilled with INT3 and
// reused at once, since the read+exec view never changes protection.
//
// An Arena is safe for concurrent use. Code must not run in a slot after
// Free, nor in any slot after Close.
type Arena struct {
	mu     sync.Mutex
	chunk  int // chunk size
	align  int
	strat  Strategy
	chunks []*chunk
	cur    *chunk // where new code goes (flip: after its sealed pages)
	stats  ArenaStats
	closed bool
}

type chunk struct {
	r       *region
	size    int
	next    int     // bump offset for new slots
	sealed  int     // flip: [0, sealed) is read+exec, a multiple of the page size
	live    int     // slots not freed
	pending []*Slot // flip: added, not sealed
	holes   []hole  // dualmap/unsafe-rwx: freed space, sorted by offset
}

type hole struct{ off, n int }

// Slot is one piece of code in an Arena.
type Slot struct {
	a      *Arena
	c      *chunk
	off    int
	n, cap int
	sealed bool
	freed  bool
}

// NewArena makes an empty arena; memory is mapped as code is added.
func NewArena(opt ArenaOptions) (*Arena, error) {
	if !supported {
		return nil, errUnsupported
	}
	if !opt.Strategy.valid() {
		return nil, errorf("arena: unknown strategy %d", opt.Strategy)
	}
	cs := opt.ChunkSize
	if cs == 0 {
		cs = DefaultChunkSize
	}
	if cs < 0 {
		return nil, errorf("arena: chunk size %d is negative", cs)
	}
	cs, ok := roundPage(cs)
	if !ok {
		return nil, errorf("arena: chunk size %d is too large", opt.ChunkSize)
	}
	al := opt.Align
	if al == 0 {
		al = DefaultAlign
	}
	if al < 0 || al&(al-1) != 0 || al > pageSize() {
		return nil, errorf("arena: alignment %d must be a power of two from 1 to the page size (%d)", al, pageSize())
	}
	return &Arena{chunk: cs, align: al, strat: opt.Strategy}, nil
}

func alignUp(n, a int) int { return (n + a - 1) &^ (a - 1) }

// Add copies code into a free slot. With StrategyFlip the slot becomes
// executable at the next Seal; with the other strategies it is executable
// on return.
func (a *Arena) Add(code []byte) (*Slot, error) {
	if len(code) == 0 {
		return nil, errorf("arena add: the code is empty")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return nil, errorf("arena add: the arena is closed")
	}
	need := alignUp(len(code), a.align)
	if need < len(code) {
		return nil, errorf("arena add %d bytes: too large", len(code))
	}
	c, off := a.place(need)
	if c == nil {
		size := a.chunk
		if need > size {
			var ok bool
			if size, ok = roundPage(need); !ok {
				return nil, errorf("arena add %d bytes: too large", len(code))
			}
		}
		r, err := newRegion(size, a.strat, true)
		if err != nil {
			return nil, err
		}
		a.stats.Mmaps++
		if a.strat == StrategyDualMap {
			a.stats.Mmaps++
		}
		c = &chunk{r: r, size: size}
		a.chunks = append(a.chunks, c)
		a.cur = c
		off = 0
		c.next = need
	}
	c.r.fill(off + need)
	copy(c.r.write.Bytes()[off:], code)
	s := &Slot{a: a, c: c, off: off, n: len(code), cap: need}
	c.live++
	a.stats.Slots++
	a.stats.Bytes += len(code)
	if a.strat == StrategyFlip {
		c.pending = append(c.pending, s)
	} else {
		s.sealed = true
	}
	return s, nil
}

// place finds room for need bytes in an existing chunk: a hole (when the
// strategy can reuse space) or the free end of the current chunk.
func (a *Arena) place(need int) (*chunk, int) {
	if a.strat != StrategyFlip {
		for _, c := range a.chunks {
			for i, h := range c.holes {
				if h.n >= need {
					if h.n == need {
						c.holes = append(c.holes[:i], c.holes[i+1:]...)
					} else {
						c.holes[i] = hole{h.off + need, h.n - need}
					}
					return c, h.off
				}
			}
		}
	}
	if c := a.cur; c != nil {
		off := alignUp(c.next, a.align)
		if off <= c.size && need <= c.size-off {
			c.next = off + need
			return c, off
		}
	}
	return nil, 0
}

// Seal makes every slot added since the last Seal executable: one
// mprotect per chunk that has such slots (StrategyFlip; the other
// strategies need none). New code then starts on the next page.
func (a *Arena) Seal() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return errorf("arena seal: the arena is closed")
	}
	for _, c := range a.chunks {
		if len(c.pending) == 0 {
			continue
		}
		end, _ := roundPage(c.next)
		if end > c.size {
			end = c.size
		}
		if err := c.r.seal(c.sealed, end-c.sealed); err != nil {
			return err
		}
		a.stats.Mprotects++
		c.sealed, c.next = end, end
		for _, s := range c.pending {
			s.sealed = true
		}
		c.pending = nil
	}
	return nil
}

// Load is Add followed by Seal.
func (a *Arena) Load(code []byte) (*Slot, error) {
	s, err := a.Add(code)
	if err != nil {
		return nil, err
	}
	if err := a.Seal(); err != nil {
		s.Free()
		return nil, err
	}
	return s, nil
}

// Stats returns the arena's counters.
func (a *Arena) Stats() ArenaStats {
	a.mu.Lock()
	defer a.mu.Unlock()
	st := a.stats
	st.Chunks = len(a.chunks)
	return st
}

// Close unmaps every chunk. No slot may be running or run again.
func (a *Arena) Close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return errorf("arena close: already closed")
	}
	a.closed = true
	var first error
	for _, c := range a.chunks {
		if err := c.r.close(); err != nil && first == nil {
			first = err
		}
		a.stats.Munmaps++
	}
	a.chunks, a.cur = nil, nil
	return first
}

// Addr returns the address of the slot's first byte of code.
func (s *Slot) Addr() uintptr { return s.c.r.exec.Addr() + uintptr(s.off) }

// Len returns the length of the code in bytes.
func (s *Slot) Len() int { return s.n }

// Sealed reports whether the slot's code is executable.
func (s *Slot) Sealed() bool {
	s.a.mu.Lock()
	defer s.a.mu.Unlock()
	return s.sealed
}

// Contains reports whether addr lies within the slot's code.
func (s *Slot) Contains(addr uintptr) bool {
	return addr >= s.Addr() && addr-s.Addr() < uintptr(s.n)
}

// Bytes returns the slot's code: a view of the executable memory that must
// not be written, valid until the slot is freed.
func (s *Slot) Bytes() []byte {
	return unsafe.Slice((*byte)(addrPtr(s.Addr())), s.n)
}

// Free gives the slot's space back. With StrategyFlip, code already sealed
// stays in place (its page cannot be written) until every slot of the
// chunk is free, when the chunk is unmapped; unsealed space and, with the
// other strategies, any space is refilled with INT3 and reused.
func (s *Slot) Free() error {
	a := s.a
	a.mu.Lock()
	defer a.mu.Unlock()
	if s.freed {
		return errorf("arena free: the slot at %#x is already free", s.Addr())
	}
	if a.closed {
		return errorf("arena free: the arena is closed")
	}
	s.freed = true
	c := s.c
	c.live--
	a.stats.Slots--
	a.stats.Bytes -= s.n
	if !s.sealed || a.strat != StrategyFlip {
		fillINT3(c.r.write.Bytes()[s.off : s.off+s.cap])
	}
	if a.strat == StrategyFlip {
		for i, p := range c.pending {
			if p == s {
				c.pending = append(c.pending[:i], c.pending[i+1:]...)
				break
			}
		}
		if !s.sealed && s.off+s.cap == c.next {
			c.next = s.off // the last slot: take the space back
		}
	} else {
		c.addHole(hole{s.off, s.cap})
	}
	if c.live == 0 {
		if c != a.cur || c.sealed == c.size {
			return a.release(c) // empty, and no new code goes there
		}
		if a.strat == StrategyFlip {
			// The chunk new code goes to, with fresh pages left: kept
			// (loading and freeing one function at a time then costs no
			// mmap and munmap per function), new code going on at its
			// first fresh page.
			c.next = c.sealed
		}
	}
	return nil
}

// addHole records free space, merging it with its neighbours.
func (c *chunk) addHole(h hole) {
	i := sort.Search(len(c.holes), func(i int) bool { return c.holes[i].off > h.off })
	c.holes = append(c.holes, hole{})
	copy(c.holes[i+1:], c.holes[i:])
	c.holes[i] = h
	// Merge with the next, then with the previous.
	if i+1 < len(c.holes) && c.holes[i].off+c.holes[i].n == c.holes[i+1].off {
		c.holes[i].n += c.holes[i+1].n
		c.holes = append(c.holes[:i+1], c.holes[i+2:]...)
	}
	if i > 0 && c.holes[i-1].off+c.holes[i-1].n == c.holes[i].off {
		c.holes[i-1].n += c.holes[i].n
		c.holes = append(c.holes[:i], c.holes[i+1:]...)
	}
}

// release unmaps an empty chunk.
func (a *Arena) release(c *chunk) error {
	for i, x := range a.chunks {
		if x == c {
			a.chunks = append(a.chunks[:i], a.chunks[i+1:]...)
			break
		}
	}
	if a.cur == c {
		a.cur = nil
	}
	a.stats.Munmaps++
	return c.r.close()
}
