package gosyntax

// The registers plainLines looks up, by their names packed in a word: a
// name of up to 8 ASCII bytes is a uint64 (its first byte lowest), found
// in an open-addressed table with usually one probe, without making a
// string of it. The table is made once from ir's register names and only
// read afterwards; a name it does not hold is no register (every
// register's name packs: TestRegTable).

import (
	"sync"

	"github.com/jitrun/jitrun/asm/internal/ir"
)

// regTable is the table of packed register names.
type regTable struct {
	keys [regSlots]uint64 // 0: an empty slot (no name packs to 0)
	regs [regSlots]ir.Reg
}

// regSlots is the size of the table, a power of two that is at least
// four times the number of registers (TestRegTable), so that most
// look-ups take one probe; regShift makes a slot of a hash.
const (
	regSlots = 1024
	regShift = 64 - 10
)

var (
	regTableOnce sync.Once
	packedRegs   *regTable
)

// registers returns the table, made on first use.
func registers() *regTable {
	regTableOnce.Do(func() {
		t := &regTable{}
		n := 0 // the names in the table
		ir.Regs(func(name string, r ir.Reg) {
			key, ok := packWord([]byte(name))
			if !ok || n == regSlots-1 {
				return // one slot stays empty, so that every look-up ends
			}
			i := t.slot(key)
			for t.keys[i] != 0 {
				i = (i + 1) % regSlots
			}
			t.keys[i], t.regs[i] = key, r
			n++
		})
		packedRegs = t
	})
	return packedRegs
}

// packWord packs a name of 1 to 8 ASCII bytes other than 0; ok is false
// for any other name.
func packWord(name []byte) (key uint64, ok bool) {
	if len(name) == 0 || len(name) > 8 {
		return 0, false
	}
	for i, c := range name {
		if c == 0 || c >= 0x80 {
			return 0, false
		}
		key |= uint64(c) << (8 * i)
	}
	return key, true
}

// slot is where a key's probe starts (Fibonacci hashing).
func (t *regTable) slot(key uint64) uint64 { return (key * 0x9E3779B97F4A7C15) >> regShift }

// lookup returns the register named name.
func (t *regTable) lookup(name []byte) (ir.Reg, bool) {
	key, ok := packWord(name)
	if !ok {
		return 0, false
	}
	return t.lookupKey(key)
}

// lookupKey returns the register whose name packs to key (not 0).
func (t *regTable) lookupKey(key uint64) (ir.Reg, bool) {
	for i := t.slot(key); ; i = (i + 1) % regSlots {
		switch t.keys[i] {
		case key:
			return t.regs[i], true
		case 0:
			return 0, false
		}
	}
}
