package lanes

import (
	"bytes"
	"encoding/binary"
	"math"
	"strings"
	"testing"
)

// dwords lays out 32-bit values from lane 0 up, little-endian.
func dwords(v ...uint32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], x)
	}
	return b
}

// qwords lays out 64-bit values from lane 0 up.
func qwords(v ...uint64) []byte {
	b := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(b[8*i:], x)
	}
	return b
}

func f32s(v ...float32) []byte {
	u := make([]uint32, len(v))
	for i, f := range v {
		u[i] = math.Float32bits(f)
	}
	return dwords(u...)
}

func f64s(v ...float64) []byte {
	u := make([]uint64, len(v))
	for i, f := range v {
		u[i] = math.Float64bits(f)
	}
	return qwords(u...)
}

func TestFormat(t *testing.T) {
	seq := make([]byte, 16) // bytes 0x00..0x0f
	for i := range seq {
		seq[i] = byte(i)
	}
	for _, tc := range []struct {
		name string
		reg  []byte
		view View
		want string
	}{
		{"hex xmm", seq, Hex, "0x0f0e0d0c0b0a09080706050403020100"},
		{"hex ymm", append(bytes.Repeat([]byte{0x11}, 16), bytes.Repeat([]byte{0x22}, 16)...), Hex,
			"0x22222222222222222222222222222222_11111111111111111111111111111111"},
		{"hex zmm", append(make([]byte, 63), 0x80), Hex,
			"0x80000000000000000000000000000000_00000000000000000000000000000000_00000000000000000000000000000000_00000000000000000000000000000000"},
		{"hex empty", nil, Hex, "0x0"},
		{"i8", seq, I8, "{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}"},
		{"i8 negative", []byte{0xff, 0x80, 0x7f, 0}, I8, "{-1, -128, 127, 0}"},
		{"u8", []byte{0xff, 0x80, 0x7f, 0}, U8, "{255, 128, 127, 0}"},
		{"i16", []byte{0xff, 0xff, 0x00, 0x80, 0x01, 0x00}, I16, "{-1, -32768, 1}"},
		{"u16", []byte{0xff, 0xff, 0x00, 0x80, 0x01, 0x00}, U16, "{65535, 32768, 1}"},
		{"i32 lane 0 first", dwords(1, 2, 3, 4), I32, "{1, 2, 3, 4}"},
		{"i32 negative", dwords(0xffffffff, 0x80000000, 0x7fffffff, 0), I32, "{-1, -2147483648, 2147483647, 0}"},
		{"u32", dwords(0xffffffff, 0x80000000, 0x7fffffff, 0), U32, "{4294967295, 2147483648, 2147483647, 0}"},
		{"i32 ymm", dwords(2, 4, 6, 8, 10, 12, 14, 16), I32, "{2, 4, 6, 8, 10, 12, 14, 16}"},
		{"i64", qwords(1<<63, 1), I64, "{-9223372036854775808, 1}"},
		{"u64", qwords(1<<63, 1), U64, "{9223372036854775808, 1}"},
		{"f32", f32s(1.5, -0.25, 3e38, float32(math.Inf(1)), float32(math.NaN()), 0.1, 0, float32(math.Copysign(0, -1))), F32,
			"{1.5, -0.25, 3e+38, +Inf, NaN, 0.1, 0, -0}"},
		{"f64", f64s(1.5, math.Inf(-1), 1e100, 0.1), F64, "{1.5, -Inf, 1e+100, 0.1}"},
		{"f64 of an i32 pair", dwords(1, 2, 3, 4), F64, "{4.2439915824e-314, 8.4879831653e-314}"},
		{"partial lane dropped", []byte{1, 0, 0, 0, 2, 0}, I32, "{1}"},
		{"empty lanes", nil, I32, "{}"},
	} {
		if got := Format(tc.reg, tc.view); got != tc.want {
			t.Errorf("%s: Format(% x, %v) = %s, want %s", tc.name, tc.reg, tc.view, got, tc.want)
		}
	}
}

func TestWidthName(t *testing.T) {
	for _, tc := range []struct {
		reg   []byte
		width int
		name  string
	}{
		{make([]byte, 64), 0, "xmm7"},
		{append([]byte{1}, make([]byte, 63)...), 16, "xmm7"},
		{append(make([]byte, 15), append([]byte{1}, make([]byte, 48)...)...), 16, "xmm7"},
		{append(make([]byte, 16), append([]byte{1}, make([]byte, 47)...)...), 32, "ymm7"},
		{append(make([]byte, 31), append([]byte{1}, make([]byte, 32)...)...), 32, "ymm7"},
		{append(make([]byte, 32), append([]byte{1}, make([]byte, 31)...)...), 64, "zmm7"},
		{append(make([]byte, 63), 1), 64, "zmm7"},
		{[]byte{0, 0, 1}, 16, "xmm7"},
	} {
		w := Width(tc.reg)
		if w != tc.width || Name(7, w) != tc.name {
			t.Errorf("Width(% x) = %d (%s), want %d (%s)", tc.reg, w, Name(7, w), tc.width, tc.name)
		}
	}
}

func TestParseView(t *testing.T) {
	for _, v := range Views() {
		for _, s := range []string{v.String(), strings.ToUpper(v.String())} {
			if got, err := ParseView(s); err != nil || got != v {
				t.Errorf("ParseView(%q) = %v, %v; want %v", s, got, err, v)
			}
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"i33", `unknown lane view "i33": want one of hex, i8, u8, i16, u16, i32, u32, i64, u64, f32, f64`},
		{"", `unknown lane view "": want one of hex, i8, u8, i16, u16, i32, u32, i64, u64, f32, f64`},
		{" i32", `unknown lane view " i32": want one of hex, i8, u8, i16, u16, i32, u32, i64, u64, f32, f64`},
		{strings.Repeat("x", 100), `unknown lane view "` + strings.Repeat("x", 40) + `…": want one of hex, i8, u8, i16, u16, i32, u32, i64, u64, f32, f64`},
	} {
		if _, err := ParseView(tc.in); err == nil || err.Error() != tc.want {
			t.Errorf("ParseView(%q) error %v, want %s", tc.in, err, tc.want)
		}
	}
	if got := View(200).String(); got != "View(200)" {
		t.Errorf("View(200) = %s", got)
	}
	if ViewNames() != "hex, i8, u8, i16, u16, i32, u32, i64, u64, f32, f64" {
		t.Errorf("ViewNames() = %s", ViewNames())
	}
}

// FuzzParseView: ParseView accepts exactly the view names (any case),
// and whatever it accepts formats any register to as many lanes as fit.
func FuzzParseView(f *testing.F) {
	for _, s := range []string{"hex", "I32", "f64", "", "i3", "u8\x00", "ｉ32", strings.Repeat("f", 50)} {
		f.Add(s, []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
	}
	f.Fuzz(func(t *testing.T, s string, reg []byte) {
		v, err := ParseView(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "unknown lane view ") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("ParseView(%q) error %q", s, err)
			}
			return
		}
		if !strings.EqualFold(s, v.String()) {
			t.Fatalf("ParseView(%q) = %v", s, v)
		}
		got := Lanes(reg, v)
		want := 1
		if n := v.LaneBytes(); n > 0 {
			want = len(reg) / n
		}
		if len(got) != want {
			t.Fatalf("Lanes(% x, %v) has %d lanes, want %d", reg, v, len(got), want)
		}
	})
}
