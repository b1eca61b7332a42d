package intel

import "testing"

// TestPlainNumber checks the fast path of lexIntelNumber (plainNumber)
// against its general path (parseNumber) on the numbers it takes, and
// that it leaves the others to it.
func TestPlainNumber(t *testing.T) {
	taken := 0
	for _, s := range []string{"0", "7", "0123", "18446744073709551615", "0x0", "0x7fffffff", "0XABCdef", "0xffffffffffffffff",
		"18446744073709551616", "0x10000000000000000", "0x", "1e5", "10b", "0x10h", "1_000", "2ah", "0b101", "1.5", "0o17", "12d"} {
		fast, ok := plainNumber(s)
		slow, msg := parseNumber(s)
		if !ok {
			continue
		}
		taken++
		if msg != "" || slow.kind != itInt || uint64(slow.ival) != fast {
			t.Errorf("%s: plainNumber %d, lexIntelNumber %v %q", s, fast, slow.ival, msg)
		}
	}
	if taken != 8 {
		t.Errorf("plainNumber took %d of the numbers, want 8", taken)
	}
	for _, s := range []string{"18446744073709551616", "0x", "1e5", "10b", "0x10h", "1_000", "2ah", "1.5"} {
		if _, ok := plainNumber(s); ok {
			t.Errorf("plainNumber(%q) took it", s)
		}
	}
}
