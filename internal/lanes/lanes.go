package lanes

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// View is how a register's bytes are shown: as one hex number, or as lanes
// of one type.
type View uint8

// The views, in the order Views lists them.
const (
	Hex View = iota // one hex number, highest bits first
	I8              // signed bytes
	U8              // unsigned bytes
	I16             // signed words
	U16             // unsigned words
	I32             // signed doublewords
	U32             // unsigned doublewords
	I64             // signed quadwords
	U64             // unsigned quadwords
	F32             // single-precision floats
	F64             // double-precision floats
	viewCount
)

var viewNames = [viewCount]string{"hex", "i8", "u8", "i16", "u16", "i32", "u32", "i64", "u64", "f32", "f64"}

// laneBytes is each view's lane size in bytes (hex: the whole register).
var laneBytes = [viewCount]int{0, 1, 1, 2, 2, 4, 4, 8, 8, 4, 8}

// Views returns every view, hex first.
func Views() []View {
	v := make([]View, viewCount)
	for i := range v {
		v[i] = View(i)
	}
	return v
}

// ViewNames is the list of the accepted view names, for messages: "hex,
// i8, u8, i16, u16, i32, u32, i64, u64, f32, f64".
func ViewNames() string { return strings.Join(viewNames[:], ", ") }

// String returns the view's name: "hex", "i32", "f64", ….
func (v View) String() string {
	if v < viewCount {
		return viewNames[v]
	}
	return fmt.Sprintf("View(%d)", uint8(v))
}

// LaneBytes returns the size of one lane of the view in bytes: 1, 2, 4 or
// 8; 0 for Hex, which has no lanes.
func (v View) LaneBytes() int {
	if v < viewCount {
		return laneBytes[v]
	}
	return 0
}

// maxViewName caps what ParseView reads: no view's name is longer.
const maxViewName = 8

// ParseView reads a view's name, as String writes it (upper case too):
// hex, i8, u8, i16, u16, i32, u32, i64, u64, f32 or f64. Anything else is
// an error naming the accepted ones.
func ParseView(s string) (View, error) {
	if len(s) <= maxViewName {
		low := strings.ToLower(s)
		for i, name := range viewNames {
			if low == name {
				return View(i), nil
			}
		}
	}
	if len(s) > maxViewName+32 {
		s = s[:maxViewName+32] + "…"
	}
	return Hex, fmt.Errorf("unknown lane view %q: want one of %s", s, ViewNames())
}

// Width returns how many bytes of reg its set bits need, as a register
// width: 0 when every byte is zero, 16 (xmm) when only the low 16 bytes
// are set, 32 (ymm) when bytes 16–31 are set and none past them, 64 (zmm)
// when a byte past 31 is. (A reg of another length: the smallest of those
// that covers its last set byte.)
func Width(reg []byte) int {
	last := -1
	for i, c := range reg {
		if c != 0 {
			last = i
		}
	}
	switch {
	case last < 0:
		return 0
	case last < 16:
		return 16
	case last < 32:
		return 32
	}
	return 64
}

// Name returns the name of vector register i at width bytes, as Width
// gives it: "xmm3" (16, or 0), "ymm3" (32), "zmm17" (64 and anything else).
func Name(i, width int) string {
	switch {
	case width <= 16:
		return "xmm" + strconv.Itoa(i)
	case width <= 32:
		return "ymm" + strconv.Itoa(i)
	}
	return "zmm" + strconv.Itoa(i)
}

// Format returns reg in view v: for Hex, "0x" and the bytes from the last
// to the first as hex digits, "_" between 128-bit groups; for a lane view,
// the lanes between braces, lane 0 first: "{1, 2, 3, 4}". Bytes past the
// last whole lane are left out; an empty reg is "0x0" or "{}".
func Format(reg []byte, v View) string {
	if v.LaneBytes() == 0 {
		return formatHex(reg)
	}
	return "{" + strings.Join(Lanes(reg, v), ", ") + "}"
}

// formatHex writes reg as one hex number, highest byte first.
func formatHex(reg []byte) string {
	if len(reg) == 0 {
		return "0x0"
	}
	var b strings.Builder
	b.Grow(2 + 2*len(reg) + len(reg)/16)
	b.WriteString("0x")
	for i := len(reg) - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "%02x", reg[i])
		if i%16 == 0 && i > 0 {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// Lanes returns the lanes of reg in view v as text, lane 0 first:
// integers in decimal, floats as the shortest decimal that reads back to
// the same value (strconv's 'g' format: 1.5, 1e+100, NaN, +Inf, -Inf). For
// Hex it returns the one number Format gives.
func Lanes(reg []byte, v View) []string {
	n := v.LaneBytes()
	if n == 0 {
		return []string{formatHex(reg)}
	}
	le := binary.LittleEndian
	out := make([]string, 0, len(reg)/n)
	for off := 0; off+n <= len(reg); off += n {
		b := reg[off : off+n]
		var s string
		switch v {
		case I8:
			s = strconv.Itoa(int(int8(b[0])))
		case U8:
			s = strconv.Itoa(int(b[0]))
		case I16:
			s = strconv.Itoa(int(int16(le.Uint16(b))))
		case U16:
			s = strconv.Itoa(int(le.Uint16(b)))
		case I32:
			s = strconv.Itoa(int(int32(le.Uint32(b))))
		case U32:
			s = strconv.FormatUint(uint64(le.Uint32(b)), 10)
		case I64:
			s = strconv.FormatInt(int64(le.Uint64(b)), 10)
		case U64:
			s = strconv.FormatUint(le.Uint64(b), 10)
		case F32:
			s = strconv.FormatFloat(float64(math.Float32frombits(le.Uint32(b))), 'g', -1, 32)
		case F64:
			s = strconv.FormatFloat(math.Float64frombits(le.Uint64(b)), 'g', -1, 64)
		}
		out = append(out, s)
	}
	return out
}
