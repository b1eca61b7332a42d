package intel

import (
	"strings"
	"testing"
)

// TestMnemTable checks the packed table of mnemonics against the map it
// is made from: every word of the map, the words of both corpora's
// lines, and words that are none (capitals, near misses, too long, not
// ASCII, empty).
func TestMnemTable(t *testing.T) {
	intelForms()
	words := []string{"", "MOV", "Mov", "movv", "mo", "vpbroadcastmw2dd", "vfmaddsub231pss", "\u212aadd", "add\x00", "x", "vcmpltps", "times", "db", "section", "lock"}
	for w := range intelTable.mnems {
		words = append(words, w, strings.ToUpper(w), w+"x", w[:len(w)-1])
	}
	for _, name := range corpora {
		for _, line := range strings.Split(corpusText(t, name), "\n") {
			words = append(words, strings.Fields(line)...)
		}
	}
	long := 0
	for _, w := range words {
		if got, want := lookupMnem(w), intelTable.mnems[w]; got != want {
			t.Errorf("lookupMnem(%q) = %v, the map says %v", w, got, want)
		}
		if _, ok := packMnem(w); !ok && intelTable.mnems[w] != nil {
			long++
		}
	}
	if long == 0 {
		t.Errorf("no mnemonic is too long to pack: the map is never read, and this test does not check that path")
	}
}

// FuzzMnemTable compares the packed table of mnemonics with the map for
// any word.
func FuzzMnemTable(f *testing.F) {
	for _, w := range []string{"mov", "vpbroadcastmw2d", "vcvttpd2udq", "v4fmaddps", "MOV", "", "\xff"} {
		f.Add(w)
	}
	f.Fuzz(func(t *testing.T, w string) {
		intelForms()
		if got, want := lookupMnem(w), intelTable.mnems[w]; got != want {
			t.Errorf("lookupMnem(%q) = %v, the map says %v", w, got, want)
		}
	})
}
