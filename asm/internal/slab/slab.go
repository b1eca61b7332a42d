// Package slab hands out values from blocks, so that the many small values
// of an assembly (instructions, operands, pieces of code) cost one
// allocation per block rather than one each. Blocks start small and double
// up to a maximum, so that a one-line source allocates little. Reuse hands
// the blocks out again, zeroed, once nothing refers to the values taken
// from them; or, for a Slab made by MakeUncleared, as they are, for a
// caller that writes every field of what it takes.
package slab

// Slab hands out values of type T from blocks. Make one with Make; it is
// not safe for concurrent use.
type Slab[T any] struct {
	block     []T   // the current block
	cur       []T   // the rest of it
	full      [][]T // the blocks before it since the last Reuse
	spare     [][]T // blocks to hand out again
	size, max int
	first     int // the size of the first new block, 8 unless MakeFrom says
	// uncleared: a block handed out again is not zeroed (MakeUncleared).
	uncleared bool
	// step: the blocks after the first hold max values (MakeStep).
	step bool
}

// Make returns a Slab whose blocks grow from 8 up to max values.
func Make[T any](max int) Slab[T] { return Slab[T]{max: max, first: 8} }

// MakeFrom returns a Slab whose blocks grow from first (at least 1) up to
// most values: a caller that knows it takes many values skips the small
// blocks.
func MakeFrom[T any](first, most int) Slab[T] {
	return Slab[T]{max: most, first: min(max(first, 1), most)}
}

// MakeUncleared is MakeFrom for a caller that writes every field of each
// value it takes: a block handed out again after Reuse is not zeroed, so
// that Take's values hold what an earlier use left there. Clearing a
// block of values that hold pointers, which the caller then overwrites,
// costs a pass over the block and, while the collector marks, a write
// barrier for every pointer cleared; a caller that writes a string only
// when it changes then writes none for most values.
func MakeUncleared[T any](first, most int) Slab[T] {
	s := MakeFrom[T](first, most)
	s.uncleared = true
	return s
}

// MakeStep is MakeUncleared (uncleared set) or MakeFrom whose blocks
// after the first hold most values at once instead of doubling up to it:
// for a caller whose first block is enough when it is used again soon,
// and that needs most values when it is not (not a series of blocks in
// between, each a new allocation).
func MakeStep[T any](first, most int, uncleared bool) Slab[T] {
	s := MakeFrom[T](first, most)
	s.uncleared, s.step = uncleared, true
	return s
}

// Take returns n values (length and capacity n): zeroed, unless the Slab
// was made by MakeUncleared and they come from a block used again.
func (s *Slab[T]) Take(n int) []T {
	if n > len(s.cur) {
		s.grow(n)
	}
	v := s.cur[:n:n]
	s.cur = s.cur[n:]
	return v
}

// New returns a pointer to v's copy in the slab.
func (s *Slab[T]) New(v T) *T {
	p := &s.Take(1)[0]
	*p = v
	return p
}

// grow starts a block of at least n values: a spare one, or a new one.
func (s *Slab[T]) grow(n int) {
	var b []T
	if k := len(s.spare); k > 0 && len(s.spare[k-1]) >= n {
		b, s.spare = s.spare[k-1], s.spare[:k-1]
		if !s.uncleared {
			clear(b)
		}
	} else {
		if s.step && s.size > 0 {
			s.size = s.max
		} else {
			s.size = min(max(2*s.size, s.first), s.max)
		}
		b = make([]T, max(n, s.size))
	}
	if s.block != nil {
		// Listed only once full: a slab of one block (a small source)
		// allocates no list.
		s.full = append(s.full, s.block)
	}
	s.block, s.cur = b, b
}

// Reuse makes every block handed out so far spare: nothing may refer to a
// value taken before it any more.
func (s *Slab[T]) Reuse() {
	if s.block == nil {
		return
	}
	s.spare = append(append(s.spare, s.full...), s.block)
	clear(s.full)
	s.full = s.full[:0]
	s.block, s.cur = nil, nil
}
