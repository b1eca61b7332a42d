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

// Bytes repeated in a word, for arithmetic on its 8 bytes at once.
const (
	WordOnes = 0x0101010101010101
	WordHigh = 0x8080808080808080 // bit 7 of each byte
	WordLow7 = 0x7f7f7f7f7f7f7f7f
)

// AlnumBytes classifies the 8 bytes of w with arithmetic in each byte of
// the word (no carry crosses a byte: every byte's result is exact): alnum
// has bit 7 set in the bytes that are ASCII letters or digits, letter in
// the letters (its other bits are garbage). w | letter&WordHigh>>2 is w
// with its letters in lower case. It is small enough to be inlined.
func AlnumBytes(w uint64) (alnum, letter uint64) {
	x := w & WordLow7          // the bytes' low 7 bits
	lower := x | 0x20*WordOnes // letters in lower case
	// Bit 7 is set in a byte of x+(0x80-a) when it is a or above, and in
	// x+(0x7f-b) when it is above b.
	letter = (lower + (0x80-'a')*WordOnes) &^ (lower + (0x7f-'z')*WordOnes)
	digit := (x + (0x80-'0')*WordOnes) &^ (x + (0x7f-'9')*WordOnes)
	// Bytes outside ASCII (bit 7 set in w) are neither.
	return (letter | digit) & WordHigh &^ w, letter
}
