package ir

import "slices"

// A register name is looked up for nearly every operand of a source, in
// both syntaxes. Register names are short ASCII words, so a name of up to
// 8 bytes is packed into a uint64 and found in an open-addressed table:
// no string hashing, usually one probe. Longer names, and names with
// bytes outside ASCII (which strings.ToLower might still fold into a
// register name: the Kelvin sign is a k), go to the map the table was
// made from, which stays the definition.

// nameTable finds values by packed name. It is made once and only read
// afterwards.
type nameTable[V any] struct {
	keys  []uint64 // 0: an empty slot (no name packs to 0)
	vals  []V
	shift uint // 64 - log2(len(keys))
	fold  bool // names are matched in any case: packName folds A-Z
}

// packName packs an ASCII name of 1 to 8 bytes, with fold in lower case;
// ok is false for any other name.
func packName(s string, fold bool) (k uint64, ok bool) {
	if len(s) == 0 || len(s) > 8 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == 0 || c >= 0x80 {
			return 0, false
		}
		if fold && c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		k |= uint64(c) << (8 * i)
	}
	return k, true
}

// newNameTable makes the table of the names of m that pack (the names of
// m are in lower case when fold is set).
func newNameTable[V any](m map[string]V, fold bool) *nameTable[V] {
	size, shift := 16, uint(60)
	for size < 2*len(m) {
		size *= 2
		shift--
	}
	t := &nameTable[V]{keys: make([]uint64, size), vals: make([]V, size), shift: shift, fold: fold}
	for name, v := range m {
		k, ok := packName(name, fold)
		if !ok {
			continue
		}
		i := t.slot(k)
		for t.keys[i] != 0 {
			i = (i + 1) & uint64(len(t.keys)-1)
		}
		t.keys[i], t.vals[i] = k, v
	}
	return t
}

// slot is where a key's probe starts (Fibonacci hashing).
func (t *nameTable[V]) slot(k uint64) uint64 { return (k * 0x9E3779B97F4A7C15) >> t.shift }

// lookup returns the value of a name; packed is false when the name does
// not pack, and then the caller must look in the map.
func (t *nameTable[V]) lookup(name string) (v V, found, packed bool) {
	k, ok := packName(name, t.fold)
	if !ok {
		return v, false, false
	}
	v, found = t.lookupKey(k)
	return v, found, true
}

// lookupKey returns the value of the name that packs to k (not 0).
func (t *nameTable[V]) lookupKey(k uint64) (v V, found bool) {
	for i := t.slot(k); ; i = (i + 1) & uint64(len(t.keys)-1) {
		switch t.keys[i] {
		case k:
			return t.vals[i], true
		case 0:
			return v, false
		}
	}
}

// The Intel registers are looked up for nearly every operand of an
// Intel source, and a probe loop over an open-addressed table cost a
// mispredicted branch whenever a name was not in its first slot, or a
// word that is no register (dword, ptr) did not find an empty one there.
// IntelRegTable places each name in a slot of its own that one look
// finds (hash and displace): a name's first hash picks a bucket, whose
// seed, chosen when the table is made so that the names of the bucket
// land in free slots, picks the slot with a second hash. A slot is one
// word, the name and its register together (Intel register names are 5
// bytes at most), so that the table takes 4 KB of the cache: a lookup is
// two loads of small arrays and one comparison, and a word that is no
// name finds another name, or an empty slot, in the same one place.

const (
	regBucketBits = 6 // 64 buckets
	regSlotBits   = 9 // 512 slots: room for twice the Intel names
	// A slot: the packed name in its low regKeyBits bits, then the
	// register's number (8 bits), its class code (4) and its Go register
	// (regGoBits).
	regKeyBits = 40
	regGoBits  = 12
)

// IntelRegTable finds Intel registers by packed name (packName) in one
// probe. It is made once (fill) and only read afterwards; its arrays are
// held in it, so that a table in a variable is read without following a
// pointer. IntelRegs returns it, for a reader that looks up many words
// (LookupPacked is inlined where it is called).
type IntelRegTable struct {
	seeds [1 << regBucketBits]uint64
	slots [1 << regSlotBits]uint64 // 0: an empty slot (no name packs to 0)
}

// regBucket is the bucket of a key (its seed's index).
func regBucket(k uint64) uint64 { return (k * 0x9E3779B97F4A7C15) >> (64 - regBucketBits) }

// regSlot is a key's slot under a seed.
func regSlot(k, seed uint64) uint64 {
	return ((k ^ seed) * 0xC2B2AE3D27D4EB4F) >> (64 - regSlotBits)
}

// regSlotOf packs a name's key and its register into a slot, false when
// they do not fit (a name of more than 5 bytes, a Go register of more
// than regGoBits bits, a class code of more than 4).
func regSlotOf(k uint64, r IntelRegRef) (uint64, bool) {
	if k>>regKeyBits != 0 || r.Reg < 0 || r.Reg >= 1<<regGoBits || r.Code >= 16 {
		return 0, false
	}
	return k | uint64(r.ID)<<regKeyBits | uint64(r.Code)<<(regKeyBits+8) | uint64(r.Reg)<<(regKeyBits+12), true
}

// fill places every name of m (in lower case) that packs and fits a
// slot: the buckets with the most names first, each with the first seed
// (of a fixed sequence, so that the table is the same in every run) that
// puts its names in distinct free slots. A name that does not fit, or
// whose bucket has no such seed among the first 65,536 (more names than
// the table has room for), is left out: it is found in no slot
// (TestIntelRegTable checks that every Intel name is there).
func (t *IntelRegTable) fill(m map[string]IntelRegRef) {
	var buckets [1 << regBucketBits][]uint64
	for name, r := range m {
		k, ok := packName(name, true)
		if !ok {
			continue
		}
		if slot, ok := regSlotOf(k, r); ok {
			b := regBucket(k)
			buckets[b] = append(buckets[b], slot)
		}
	}
	order := make([]int, len(buckets))
	for i := range order {
		order[i] = i
	}
	// Most names first; equal counts in bucket order (a stable table).
	slices.SortStableFunc(order, func(a, b int) int { return len(buckets[b]) - len(buckets[a]) })
	const keyMask = 1<<regKeyBits - 1
	seed := uint64(0)
	for _, b := range order {
		es := buckets[b]
		if len(es) == 0 {
			continue
		}
		// Names in a fixed order, so that the table does not depend on
		// the map's.
		slices.Sort(es)
		placed := false
		for try := 0; try < 1<<16 && !placed; try++ {
			seed += 0x9E3779B97F4A7C15 // the next seed of the sequence
			placed = true
			for i, e := range es {
				s := regSlot(e&keyMask, seed)
				if t.slots[s] != 0 {
					placed = false
				}
				for _, f := range es[:i] {
					if regSlot(f&keyMask, seed) == s {
						placed = false
					}
				}
			}
		}
		if !placed {
			continue
		}
		t.seeds[b] = seed
		for _, e := range es {
			t.slots[regSlot(e&keyMask, seed)] = e
		}
	}
}

// LookupPacked returns the register of the name that packs to k (as
// IntelRegs describes), the zero IntelRegRef for a word of
// none (k 0 included: it finds an empty slot, or a name's).
func (t *IntelRegTable) LookupPacked(k uint64) IntelRegRef {
	e := t.slots[regSlot(k, t.seeds[regBucket(k)])]
	if e&(1<<regKeyBits-1) != k {
		return IntelRegRef{}
	}
	return IntelRegRef{Reg: Reg(e >> (regKeyBits + 12)), ID: IntelRegID(e >> regKeyBits), Code: uint8(e>>(regKeyBits+8)) & 15}
}
