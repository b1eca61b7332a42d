package execmem

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/jitrun/jitrun/internal/platform"
)

// Region is one line of /proc/self/maps: a range of the address space with
// one protection and one backing.
type Region struct {
	Start, End uintptr // [Start, End)
	Prot       Prot
	Shared     bool   // 's' (MAP_SHARED) rather than 'p' (private)
	Offset     uint64 // offset into the file
	Dev        string // device "major:minor" of the file, "00:00" for none
	Inode      uint64
	// Path is the file, or a pseudo-name such as "[heap]", "[stack]",
	// "[vdso]", "[vsyscall]", "/memfd:name (deleted)"; empty for
	// anonymous memory.
	Path string
}

// Len returns the length of the region in bytes.
func (r Region) Len() uintptr { return r.End - r.Start }

// Contains reports whether addr lies in the region.
func (r Region) Contains(addr uintptr) bool { return addr >= r.Start && addr < r.End }

// String formats the region the way /proc/self/maps does (with a single
// space before the path).
func (r Region) String() string {
	share := "p"
	if r.Shared {
		share = "s"
	}
	s := fmt.Sprintf("%08x-%08x %s%s %08x %s %d", r.Start, r.End, r.Prot, share, r.Offset, r.Dev, r.Inode)
	if r.Path != "" {
		s += " " + r.Path
	}
	return s
}

// Maps reads /proc/self/maps.
func Maps() ([]Region, error) {
	if !supported {
		return nil, errUnsupported
	}
	data, err := platform.ReadSelfMaps()
	if err != nil {
		return nil, errorf("read %s: %w", platform.SelfMapsPath, err)
	}
	return ParseMaps(platform.SelfMapsPath, data)
}

// FindRegion returns the region of regions that contains addr.
func FindRegion(regions []Region, addr uintptr) (Region, bool) {
	for _, r := range regions {
		if r.Contains(addr) {
			return r, true
		}
	}
	return Region{}, false
}

// MapsError is a malformed line in a maps file, at NAME:LINE:COL.
type MapsError struct {
	Name      string
	Line, Col int // 1-based; Col counts bytes
	Msg       string
}

func (e *MapsError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.Name, e.Line, e.Col, e.Msg)
}

// ParseMaps parses the text of a /proc/PID/maps file; name is used in
// error positions. Each line is
//
//	START-END PERMS OFFSET MAJOR:MINOR INODE [PATH]
//
// with hexadecimal START, END and OFFSET, PERMS like "r-xp", and a path
// that may contain spaces. An empty input gives no regions. The first
// malformed line stops the parse with a *MapsError.
func ParseMaps(name string, data []byte) ([]Region, error) {
	var out []Region
	text := string(data)
	for lineNo := 1; len(text) > 0; lineNo++ {
		line := text
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			text = ""
		}
		if line == "" {
			continue
		}
		r, col, msg := parseMapsLine(line)
		if msg != "" {
			return nil, &MapsError{Name: name, Line: lineNo, Col: col, Msg: msg}
		}
		out = append(out, r)
	}
	return out, nil
}

// parseMapsLine parses one non-empty line; on failure it returns the
// 1-based column of the bad field and a message.
func parseMapsLine(line string) (r Region, col int, msg string) {
	pos := 0
	// field returns the next space-separated field and its column.
	field := func() (string, int) {
		for pos < len(line) && line[pos] == ' ' {
			pos++
		}
		start := pos
		for pos < len(line) && line[pos] != ' ' {
			pos++
		}
		return line[start:pos], start + 1
	}
	rng, c := field()
	dash := strings.IndexByte(rng, '-')
	if dash < 0 {
		return r, c, fmt.Sprintf("address range %q has no '-'", rng)
	}
	start, err := strconv.ParseUint(rng[:dash], 16, 64)
	if err != nil || dash == 0 {
		return r, c, fmt.Sprintf("start address %q is not hexadecimal", rng[:dash])
	}
	end, err := strconv.ParseUint(rng[dash+1:], 16, 64)
	if err != nil || dash+1 == len(rng) {
		return r, c + dash + 1, fmt.Sprintf("end address %q is not hexadecimal", rng[dash+1:])
	}
	if end < start {
		return r, c, fmt.Sprintf("address range %q ends before it starts", rng)
	}
	r.Start, r.End = uintptr(start), uintptr(end)

	perms, c := field()
	if len(perms) != 4 || (perms[3] != 'p' && perms[3] != 's') {
		return r, c, fmt.Sprintf("permissions %q: want four letters like r-xp", perms)
	}
	p, err := parsePositional(perms, perms[:3])
	if err != nil {
		return r, c, fmt.Sprintf("permissions %q: want r/w/x or '-' in the first three letters", perms)
	}
	r.Prot, r.Shared = p, perms[3] == 's'

	off, c := field()
	if r.Offset, err = strconv.ParseUint(off, 16, 64); err != nil {
		return r, c, fmt.Sprintf("offset %q is not hexadecimal", off)
	}
	dev, c := field()
	maj, min, ok := strings.Cut(dev, ":")
	if !ok || !isHex(maj) || !isHex(min) {
		return r, c, fmt.Sprintf("device %q: want MAJOR:MINOR in hexadecimal", dev)
	}
	r.Dev = dev
	ino, c := field()
	if r.Inode, err = strconv.ParseUint(ino, 10, 64); err != nil {
		return r, c, fmt.Sprintf("inode %q is not a decimal number", ino)
	}
	// The path is the rest of the line after the padding spaces; it may
	// itself contain spaces.
	for pos < len(line) && line[pos] == ' ' {
		pos++
	}
	r.Path = line[pos:]
	return r, 0, ""
}

func isHex(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
