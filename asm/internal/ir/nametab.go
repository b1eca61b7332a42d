package ir

import (
	"cmp"
	"slices"
)

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
// perfectTable places each name in a slot of its own that one look
// finds (hash and displace): a name's first hash picks a bucket, whose
// seed, chosen when the table is made so that the names of the bucket
// land in free slots, picks the slot with a second hash. A lookup is two
// loads of small arrays and one comparison; a word that is no name
// finds another key, or an empty slot, in the same one place.

const (
	perfectBucketBits = 6  // 64 buckets
	perfectSlotBits   = 10 // 1024 slots: room for 4 times the Intel names
)

// perfectTable finds values by packed name (packName) in one probe. It
// is made once (newPerfectTable) and only read afterwards; its arrays
// are held in it, so that a table in a variable is read without
// following a pointer.
type perfectTable[V any] struct {
	seeds [1 << perfectBucketBits]uint64
	keys  [1 << perfectSlotBits]uint64 // 0: an empty slot (no name packs to 0)
	vals  [1 << perfectSlotBits]V      // the zero V in an empty slot
}

// bucket is the bucket of a key (its seed's index).
func perfectBucket(k uint64) uint64 { return (k * 0x9E3779B97F4A7C15) >> (64 - perfectBucketBits) }

// perfectSlot is a key's slot under a seed.
func perfectSlot(k, seed uint64) uint64 {
	return ((k ^ seed) * 0xC2B2AE3D27D4EB4F) >> (64 - perfectSlotBits)
}

// fill places every key of m that packs (in lower case when fold is
// set; the names of m are in lower case then): the buckets with the most
// keys first, each with the first seed (of a fixed sequence, so that the
// table is the same in every run) that puts its keys in distinct free
// slots. A bucket with no such seed among the first 65,536 (more names
// than the table has room for) is left out: its names are found in no
// slot.
func (t *perfectTable[V]) fill(m map[string]V, fold bool) {
	type entry struct {
		key uint64
		val V
	}
	var buckets [1 << perfectBucketBits][]entry
	for name, v := range m {
		if k, ok := packName(name, fold); ok {
			b := perfectBucket(k)
			buckets[b] = append(buckets[b], entry{k, v})
		}
	}
	order := make([]int, len(buckets))
	for i := range order {
		order[i] = i
	}
	// Most keys first; equal counts in bucket order (a stable table).
	slices.SortStableFunc(order, func(a, b int) int { return len(buckets[b]) - len(buckets[a]) })
	seed := uint64(0)
	for _, b := range order {
		es := buckets[b]
		if len(es) == 0 {
			continue
		}
		// Keys in a fixed order, so that the table does not depend on
		// the map's.
		slices.SortFunc(es, func(x, y entry) int { return cmp.Compare(x.key, y.key) })
		placed := false
		for try := 0; try < 1<<16 && !placed; try++ {
			seed += 0x9E3779B97F4A7C15 // the next seed of the sequence
			placed = true
			for i, e := range es {
				s := perfectSlot(e.key, seed)
				if t.keys[s] != 0 {
					placed = false
				}
				for _, f := range es[:i] {
					if perfectSlot(f.key, seed) == s {
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
			s := perfectSlot(e.key, seed)
			t.keys[s], t.vals[s] = e.key, e.val
		}
	}
}

// lookupKey returns the value of the name that packs to k, and the zero
// V (found false) for a word of none; k 0 finds nothing.
func (t *perfectTable[V]) lookupKey(k uint64) (v V, found bool) {
	s := perfectSlot(k, t.seeds[perfectBucket(k)])
	if t.keys[s] != k || k == 0 {
		return v, false
	}
	return t.vals[s], true
}
