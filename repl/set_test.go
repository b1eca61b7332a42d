package repl

import (
	"math/big"
	"testing"
)

func TestParseValue(t *testing.T) {
	tests := []struct {
		in   string
		bits int
		want string // in hex, or the error
	}{
		{"42", 64, "0x2a"},
		{"-1", 64, "0xffffffffffffffff"},
		{"0b101", 64, "0x5"},
		{"0o17", 64, "0xf"},
		{"0x_ff", 64, "0xff"},
		{"-0x8000000000000000", 64, "0x8000000000000000"},
		{"-0x8000000000000001", 64, "-0x8000000000000001 does not fit in 64 bits"},
		{"0x10000000000000000", 64, "0x10000000000000000 does not fit in 64 bits"},
		{"0x10000000000000000", 128, "0x10000000000000000"},
		{"-1", 128, "0xffffffffffffffffffffffffffffffff"},
		{"0x", 64, `"0x" is not an integer (42, -1, 0x2a, 0b101)`},
		{"1.5", 64, `"1.5" is not an integer (42, -1, 0x2a, 0b101)`},
		{string(make([]byte, 141)), 64, "the value is 141 characters long; at most 140"},
	}
	for _, tc := range tests {
		v, err := parseValue(tc.in, tc.bits)
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			got = "0x" + v.Text(16)
		}
		if got != tc.want {
			t.Errorf("parseValue(%q, %d) = %s, want %s", tc.in, tc.bits, got, tc.want)
		}
	}
}

// FuzzSetArgs checks that .set's parsers never panic and that a value
// read fits its register.
func FuzzSetArgs(f *testing.F) {
	for _, s := range []string{"rax", "R9", "xmm15", "X0", "rflags", "42", "-1", "0x1_0", "0b1", "-0x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if rs, err := ParseReg(s); err == nil && (rs.Kind == GPR && rs.Reg > 15 || rs.Kind == Vector && rs.Index > 15) {
			t.Fatalf("ParseReg(%q) = %+v", s, rs)
		}
		for _, bits := range []int{64, 128} {
			v, err := parseValue(s, bits)
			if err == nil && (v.Sign() < 0 || v.Cmp(new(big.Int).Lsh(big.NewInt(1), uint(bits))) >= 0) {
				t.Fatalf("parseValue(%q, %d) = %v: out of range", s, bits, v)
			}
		}
	})
}
