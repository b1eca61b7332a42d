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
		checkMnemAt(t, w)
		checkMnemAt(t, w+" rax")
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
	for _, w := range []string{"mov", "vpbroadcastmw2d", "vcvttpd2udq", "v4fmaddps", "MOV", "", "\xff", "a\u212a", "Vaddps zmm1"} {
		f.Add(w)
	}
	f.Fuzz(func(t *testing.T, w string) {
		checkMnemAt(t, w)
		intelForms()
		if got, want := lookupMnem(w), intelTable.mnems[w]; got != want {
			t.Errorf("lookupMnem(%q) = %v, the map says %v", w, got, want)
		}
	})
}

// checkMnemAt compares mnemAt at the start of line with identAt, and the
// mnemInfo of what it packed with the map's for the word in lower case.
func checkMnemAt(t *testing.T, line string) {
	k, packs, upper, end := mnemAt(line, line, 0)
	text := line[:end]
	for _, tail := range wideTails {
		wide := line + tail
		k2, p2, u2, e2 := mnemAt(wide[:len(line)], wide, 0)
		t2 := wide[:e2]
		if t2 != text || k2 != k || p2 != packs || u2 != upper || e2 != end {
			t.Fatalf("mnemAt(%q) followed by %q = %q, %x, %v, %v, %d; alone %q, %x, %v, %v, %d", line, tail, t2, k2, p2, u2, e2, text, k, packs, upper, end)
		}
	}
	wantText, wantEnd := identAt(line, 0)
	capital := strings.ContainsFunc(text, func(r rune) bool { return r >= 'A' && r <= 'Z' })
	if text != wantText || end != wantEnd || upper != capital {
		t.Fatalf("mnemAt(%q) = %q, %d, capital %v; identAt says %q, %d", line, text, end, upper, wantText, wantEnd)
	}
	intelForms()
	want := intelTable.mnems[lowerWord(text)]
	ascii := !strings.ContainsFunc(text, func(r rune) bool { return r >= 0x80 })
	if wk, ok := packMnem(lowerWord(text)); packs && (!ok || wk != k) || !packs && ok && ascii {
		t.Errorf("mnemAt(%q) packed %x (%v), packMnem of %q %x (%v)", line, k, packs, lowerWord(text), wk, ok)
	}
	if packs {
		if got := lookupMnemKey(k); got != want {
			t.Errorf("mnemAt(%q): lookupMnemKey = %v, the map says %v", line, got, want)
		}
	}
}
