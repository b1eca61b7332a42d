package ir

import "testing"

// TestWord checks LoadWord against the bytes it reads and LowBytes at
// every count, past 8 included.
func TestWord(t *testing.T) {
	text := "abcdefghij"
	if got, want := LoadWord(text, 2), uint64(0x6a69686766656463); got != want {
		t.Errorf("LoadWord(%q, 2) = %#x, want %#x", text, got, want)
	}
	w := uint64(0x0807060504030201)
	for n, want := range []uint64{0, 0x01, 0x0201, 0x030201, 0x04030201, 0x0504030201, 0x060504030201, 0x07060504030201, w, w, w} {
		if got := LowBytes(w, n); got != want {
			t.Errorf("LowBytes(%#x, %d) = %#x, want %#x", w, n, got, want)
		}
	}
}

// TestAlnumBytes checks AlnumBytes against the byte tests it stands for:
// every byte value in every place of a word, among bytes of each kind.
func TestAlnumBytes(t *testing.T) {
	for _, fill := range []byte{'a', 'Z', '7', ' ', 0x80, 0} {
		for c := range 256 {
			for k := range 8 {
				b := []byte{fill, fill, fill, fill, fill, fill, fill, fill}
				b[k] = byte(c)
				w := LoadWord(string(b), 0)
				alnum, letter := AlnumBytes(w)
				for j, x := range b {
					isLetter := x >= 'a' && x <= 'z' || x >= 'A' && x <= 'Z'
					isAlnum := isLetter || x >= '0' && x <= '9'
					if got := alnum>>(8*j+7)&1 == 1; got != isAlnum {
						t.Fatalf("AlnumBytes(%q): byte %d (%#x) alnum %v, want %v", b, j, x, got, isAlnum)
					}
					if isLetter {
						lower := x | 0x20
						if got := byte((w | letter&WordHigh>>2) >> (8 * j)); got != lower {
							t.Fatalf("AlnumBytes(%q): byte %d (%#x) folds to %#x, want %#x", b, j, x, got, lower)
						}
					}
				}
			}
		}
	}
}
