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
