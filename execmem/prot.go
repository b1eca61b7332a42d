package execmem

import (
	"fmt"
	"strings"
)

// Prot is a page protection: any combination of read, write and exec.
type Prot uint8

// The protection bits. ProtNone (no access) is the zero value.
const (
	ProtNone  Prot = 0
	ProtRead  Prot = 1 << 0
	ProtWrite Prot = 1 << 1
	ProtExec  Prot = 1 << 2

	// ProtRW and ProtRX are the two protections of the W^X discipline.
	ProtRW = ProtRead | ProtWrite
	ProtRX = ProtRead | ProtExec
	// ProtRWX is writable and executable at once: only with explicit
	// unsafe opt-in (MapOptions.UnsafeAllowWriteExec, StrategyUnsafeRWX).
	ProtRWX = ProtRead | ProtWrite | ProtExec
)

// String returns the protection as /proc/self/maps shows it: "r-x",
// "rw-", "---". Bits beyond read, write and exec are shown in hex after it.
func (p Prot) String() string {
	b := []byte("---")
	if p&ProtRead != 0 {
		b[0] = 'r'
	}
	if p&ProtWrite != 0 {
		b[1] = 'w'
	}
	if p&ProtExec != 0 {
		b[2] = 'x'
	}
	if extra := p &^ ProtRWX; extra != 0 {
		return string(b) + "+" + hex(uint64(extra))
	}
	return string(b)
}

// WriteExec reports whether p is both writable and executable.
func (p Prot) WriteExec() bool { return p&ProtWrite != 0 && p&ProtExec != 0 }

// valid reports whether p has only read, write and exec bits.
func (p Prot) valid() bool { return p&^ProtRWX == 0 }

// protForms lists the spellings ParseProt reads, for its errors.
const protForms = "r-x, rw-, rx, none, …"

// ParseProt reads a protection the way people and the kernel write it:
//
//   - three letters by position, as String and /proc/self/maps show it:
//     "r-x", "rw-", "---" (each letter its own or '-');
//   - the four-letter /proc/self/maps form, "r-xp", "rw-s" (the fourth
//     letter, private or shared, is ignored);
//   - the letters r, w and x alone, in any order, each at most once:
//     "rx", "wr", "x", "rwx";
//   - "none" for no access.
//
// Space around s is ignored. It is the inverse of String for valid
// protections. Errors are one line, without a package prefix (they name
// what the user typed): `protection "rwz": 'z' is not r, w or x (want
// r-x, rw-, rx, none, …)`.
func ParseProt(s string) (Prot, error) {
	t := strings.TrimSpace(s)
	switch {
	case t == "":
		return 0, fmt.Errorf("empty protection: want %s", protForms)
	case t == "none":
		return ProtNone, nil
	case len(t) == 4 && (t[3] == 'p' || t[3] == 's'):
		return parsePositional(t, t[:3])
	case strings.IndexByte(t, '-') >= 0:
		if len(t) != 3 {
			return 0, fmt.Errorf("protection %q: with '-', want three letters like r-x (or four like r-xp)", t)
		}
		return parsePositional(t, t)
	}
	var p Prot
	for _, c := range t {
		bit, ok := protLetters[c]
		switch {
		case !ok:
			return 0, fmt.Errorf("protection %q: %q is not r, w or x (want %s)", t, c, protForms)
		case p&bit != 0:
			return 0, fmt.Errorf("protection %q: %q appears twice", t, c)
		}
		p |= bit
	}
	return p, nil
}

// protLetters are the letters of ParseProt's unordered form.
var protLetters = map[rune]Prot{'r': ProtRead, 'w': ProtWrite, 'x': ProtExec}

// parsePositional reads three letters by position ("r-x"); in is the
// whole text, for errors.
func parsePositional(in, letters string) (Prot, error) {
	var p Prot
	for i, want := range [3]byte{'r', 'w', 'x'} {
		switch letters[i] {
		case want:
			p |= 1 << i
		case '-':
		default:
			return 0, fmt.Errorf("protection %q: letter %d is %q, want %q or '-'", in, i+1, letters[i], want)
		}
	}
	return p, nil
}

func hex(v uint64) string {
	const digits = "0123456789abcdef"
	if v == 0 {
		return "0x0"
	}
	var buf [18]byte
	i := len(buf)
	for v != 0 {
		i--
		buf[i] = digits[v&15]
		v >>= 4
	}
	i--
	buf[i] = 'x'
	i--
	buf[i] = '0'
	return string(buf[i:])
}
