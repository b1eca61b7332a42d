package ir

// Words of source text: the front ends' plain-line readers read 8 bytes
// at once, the first lowest, to pack names (as nameTable and the
// register tables key them) and to classify bytes a word at a time.

// LoadWord returns the 8 bytes of text at i (text has them), the first
// lowest.
func LoadWord(text string, i int) uint64 {
	b := text[i : i+8]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// LowBytes keeps the n low bytes of w: a name of n bytes packed from a
// word read past its end. From 8 on it keeps all of them.
func LowBytes(w uint64, n int) uint64 { return w & lowBytesMask[min(uint(n), 8)] }

// lowBytesMask[n] keeps the n low bytes of a word (read-only).
var lowBytesMask = [9]uint64{0, 0xff, 0xffff, 0xffffff, 0xffffffff, 0xffffffffff, 0xffffffffffff, 0xffffffffffffff, ^uint64(0)}
