package gosyntax

// The registers plainLine looks up, by their names packed in a word: a
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
	keys  []uint64 // 0: an empty slot (no name packs to 0)
	regs  []ir.Reg
	shift uint // 64 - log2(len(keys))
}

var (
	regTableOnce sync.Once
	packedRegs   *regTable
)

// registers returns the table, made on first use.
func registers() *regTable {
	regTableOnce.Do(func() {
		var names []string
		var regs []ir.Reg
		ir.Regs(func(name string, r ir.Reg) {
			names = append(names, name)
			regs = append(regs, r)
		})
		size, shift := 16, uint(60)
		for size < 4*len(names) {
			size *= 2
			shift--
		}
		t := &regTable{keys: make([]uint64, size), regs: make([]ir.Reg, size), shift: shift}
		for k, name := range names {
			key, ok := packWord([]byte(name))
			if !ok {
				continue
			}
			i := t.slot(key)
			for t.keys[i] != 0 {
				i = (i + 1) & uint64(len(t.keys)-1)
			}
			t.keys[i], t.regs[i] = key, regs[k]
		}
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
func (t *regTable) slot(key uint64) uint64 { return (key * 0x9E3779B97F4A7C15) >> t.shift }

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
	for i := t.slot(key); ; i = (i + 1) & uint64(len(t.keys)-1) {
		switch t.keys[i] {
		case key:
			return t.regs[i], true
		case 0:
			return 0, false
		}
	}
}
