package ir

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
