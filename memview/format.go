package memview

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// formatUnit writes one unit (1, 2, 4 or 8 little-endian bytes) in a
// format: x as 0x and two digits a byte, d signed, u unsigned, f the
// shortest decimal that reads back (float32 for 4 bytes, float64 for 8),
// c the byte's value (3 wide) and the character ('h', '\n', '\x00').
func formatUnit(b []byte, format byte) string {
	var v uint64
	for i := len(b) - 1; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	bits := 8 * len(b)
	switch format {
	case 'd':
		return strconv.FormatInt(int64(v<<(64-bits))>>(64-bits), 10)
	case 'u':
		return strconv.FormatUint(v, 10)
	case 'f':
		if len(b) == 4 {
			return strconv.FormatFloat(float64(math.Float32frombits(binary.LittleEndian.Uint32(b))), 'g', -1, 32)
		}
		return strconv.FormatFloat(math.Float64frombits(v), 'g', -1, 64)
	case 'c':
		return fmt.Sprintf("%3d '%s'", b[0], charEscape(b[0]))
	}
	return fmt.Sprintf("0x%0*x", 2*len(b), v)
}

// charEscape writes a byte as it goes between quotes: itself when it is
// printable ASCII, else a Go escape.
func charEscape(c byte) string {
	switch c {
	case '\'', '"', '\\':
		return `\` + string(c)
	case '\n':
		return `\n`
	case '\t':
		return `\t`
	case '\r':
		return `\r`
	}
	if c >= 0x20 && c < 0x7f {
		return string(c)
	}
	return fmt.Sprintf(`\x%02x`, c)
}

// quoteBytes writes bytes as a double-quoted string, byte by byte (not
// UTF-8 aware: memory is bytes).
func quoteBytes(b []byte) string {
	var s strings.Builder
	s.WriteByte('"')
	for _, c := range b {
		if c == '\'' {
			s.WriteByte(c)
			continue
		}
		s.WriteString(charEscape(c))
	}
	s.WriteByte('"')
	return s.String()
}
