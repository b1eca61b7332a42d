package x86enc

import "github.com/twitchyliquid64/golang-asm/obj"

// opCache remembers the opcodes of the mnemonics a Batch looked up
// lately, in front of the process's opIndex: a direct-mapped table of
// opCacheSize slots, picked by the same hash. A program uses a few dozen
// mnemonics over and over; opIndex's 4096 slots are spread over 100 KiB
// that golang-asm's own tables push out of the processor's caches
// between two instructions, while these few stay in them. A slot holds
// its mnemonic packed as opIndex's keys; the zero slot matches no name.
type opCache struct {
	slots [opCacheSize]opCacheSlot
}

const (
	opCacheBits = 6
	opCacheSize = 1 << opCacheBits
)

type opCacheSlot struct {
	lo, hi uint64
	op     obj.As
	imm    byte
}

// find is x.find(name), remembered.
func (c *opCache) find(x *opIndex, name string) (obj.As, byte, bool) {
	lo, hi, ok := packWords(name)
	if !ok {
		return x.find(name)
	}
	h := hashWords(lo, hi)
	s := &c.slots[h>>(64-opCacheBits)]
	if s.lo == lo && s.hi == hi {
		return s.op, s.imm, true
	}
	op, imm, ok := x.findPacked(lo, hi, h)
	if ok {
		*s = opCacheSlot{lo: lo, hi: hi, op: op, imm: imm}
	}
	return op, imm, ok
}
