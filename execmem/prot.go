package execmem

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

// ParseProt parses the forms String returns ("r-x", "rw-", "---") and the
// four-letter /proc/self/maps form ("r-xp", "rw-s"; the fourth letter is
// ignored). It is the inverse of String for valid protections.
func ParseProt(s string) (Prot, error) {
	if len(s) == 4 && (s[3] == 'p' || s[3] == 's') {
		s = s[:3]
	}
	if len(s) != 3 {
		return 0, errorf("protection %q: want three letters like r-x", s)
	}
	var p Prot
	for i, want := range [3]byte{'r', 'w', 'x'} {
		switch s[i] {
		case want:
			p |= 1 << i
		case '-':
		default:
			return 0, errorf("protection %q: letter %d is %q, want %q or '-'", s, i+1, s[i], want)
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
