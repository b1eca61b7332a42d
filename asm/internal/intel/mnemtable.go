package intel

// The mnemonics by their names packed in two words. Nearly every line
// of code starts with a mnemonic, and a Go map's string hashing was the
// most costly part of finding it: a mnemonic is a short ASCII word (17
// bytes at most in the form table), so a word of up to 16 bytes is
// packed into two uint64s and found in an open-addressed table with
// usually one probe, without hashing a string. A longer word goes to
// the map the table is made from (intelTable.mnems), which stays the
// definition (TestMnemTable).

import (
	"github.com/jitrun/jitrun/asm/internal/ir"
)

// mnemKey is a word of 1 to 16 ASCII bytes, other than 0, packed: its
// first byte lowest in lo.
type mnemKey struct{ lo, hi uint64 }

// mnemTable finds a mnemonic's mnemInfo by its packed name. It is made
// when go generate runs (newMnemTable, TestFormsGenerated) and only read.
type mnemTable struct {
	keys  []mnemKey // the zero key: an empty slot (no word packs to it)
	infos []*mnemInfo
	shift uint // 64 - log2(len(keys))
}

// packMnem packs a word of 1 to 16 ASCII bytes other than 0; ok is false
// for any other word.
func packMnem(w string) (k mnemKey, ok bool) {
	if len(w) == 0 || len(w) > 16 {
		return k, false
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c == 0 || c >= 0x80 {
			return k, false
		}
		if i < 8 {
			k.lo |= uint64(c) << (8 * i)
		} else {
			k.hi |= uint64(c) << (8 * (i - 8))
		}
	}
	return k, true
}

// slot is where a key's probe starts (Fibonacci hashing of both words).
func (t *mnemTable) slot(k mnemKey) uint64 {
	return ((k.lo ^ k.hi*0xC2B2AE3D27D4EB4F) * 0x9E3779B97F4A7C15) >> t.shift
}

// lookupMnem returns the mnemInfo of a word (lower case), nil for a
// word that starts no instruction: intelTable.mnems[word].
func lookupMnem(word string) *mnemInfo {
	k, ok := packMnem(word)
	if !ok {
		intelForms()
		return intelTable.mnems[word]
	}
	return lookupMnemKey(k)
}

// mnemAt reads the identifier at line[i:] as identAt does, packing it
// in lower case as it goes: where it ends (i when there is none: the
// identifier is line[i:end]), its packed lower case (packs false when it
// does not pack), and whether it has a capital. wide is line and what
// follows it (line itself will do): with 16 bytes of wide at i, it reads
// them 8 at a time (foldWord).
func mnemAt(line, wide string, i int) (k mnemKey, packs, upper bool, end int) {
	if uint(i) >= uint(len(line)) || !wordStartBytes[line[i]] {
		return k, false, false, i
	}
	if i+16 <= len(wide) {
		rest := len(line) - i
		// foldWord, inlined (twice).
		w := ir.LoadWord(wide, i)
		n, letter, exact := alnumCount(w)
		if !exact {
			n = identBytesCount(w)
		}
		f := w | letter&ir.WordHigh>>2
		n = min(n, rest) // the word goes on past the line (a statement's end)
		if n < 8 {
			lo := f & (1<<(8*n) - 1)
			return mnemKey{lo: lo}, true, lo != w&(1<<(8*n)-1), i + n
		}
		w2 := ir.LoadWord(wide, i+8)
		m, letter2, exact2 := alnumCount(w2)
		if !exact2 {
			m = identBytesCount(w2)
		}
		g := w2 | letter2&ir.WordHigh>>2
		m = min(m, rest-8)
		hi := g & (1<<(8*m) - 1) // m = 8: all ones
		upper := f != w || hi != w2&(1<<(8*m)-1)
		j := i + 8 + m
		if m == 8 {
			for j < len(line) && intelFold[line[j]] != 0 {
				upper = upper || intelFold[line[j]] != line[j]
				j++
			}
		}
		return mnemKey{lo: f, hi: hi}, j-i <= 16, upper, j
	}
	j := i
	for ; j < len(line); j++ {
		c := line[j]
		f := intelFold[c]
		if f == 0 {
			break
		}
		upper = upper || f != c
		switch n := j - i; {
		case n < 8:
			k.lo |= uint64(f) << (8 * n)
		case n < 16:
			k.hi |= uint64(f) << (8 * (n - 8))
		}
	}
	return k, j-i <= 16, upper, j
}

// lookupMnemKey is lookupMnem of the word that packs to k.
func lookupMnemKey(k mnemKey) *mnemInfo {
	t := intelTable.byPacked
	for i := t.slot(k); ; i = (i + 1) & uint64(len(t.keys)-1) {
		switch t.keys[i] {
		case k:
			return t.infos[i]
		case mnemKey{}:
			return nil
		}
	}
}
