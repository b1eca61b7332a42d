package main

import (
	"math"
	"strings"
	"testing"
)

func TestParseCallArgs(t *testing.T) {
	tests := []struct {
		args   []string
		ints   []uint64
		floats []float64
		err    string
	}{
		{args: []string{"2", "3"}, ints: []uint64{2, 3}},
		{args: []string{"0x2a", "-1", "0b101", "1_000", "0o17", "0xffffffffffffffff"}, ints: []uint64{42, math.MaxUint64, 5, 1000, 15, math.MaxUint64}},
		{args: []string{"1.5", "2e3", "-0.25", "0x1p-2", "inf"}, floats: []float64{1.5, 2000, -0.25, 0.25, math.Inf(1)}},
		{args: []string{"1", "1.0", "2", "2.0"}, ints: []uint64{1, 2}, floats: []float64{1, 2}},
		{args: []string{"x"}, err: `argument 1 ("x") is not a number`},
		{args: []string{"1", "0x"}, err: `argument 2 ("0x") is not a number`},
		{args: []string{"99999999999999999999"}, err: "argument 1 (99999999999999999999) is out of range"},
		{args: strings.Fields("1 2 3 4 5 6 7"), err: "argument 7 (7): too many integer arguments"},
		{args: strings.Fields("1. 2. 3. 4. 5. 6. 7. 8. 9."), err: "argument 9 (9.): too many float arguments"},
	}
	for _, tt := range tests {
		var c callArgs
		err := c.parse(tt.args, false)
		if tt.err != "" {
			if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
				t.Errorf("%q: error %v, want %q…", tt.args, err, tt.err)
			}
			continue
		}
		if err != nil || c.nInt != len(tt.ints) || c.nFloat != len(tt.floats) {
			t.Errorf("%q: %d ints, %d floats, %v", tt.args, c.nInt, c.nFloat, err)
			continue
		}
		for i, v := range tt.ints {
			if c.args.Int[i] != v {
				t.Errorf("%q: int %d = %#x, want %#x", tt.args, i, c.args.Int[i], v)
			}
		}
		for i, v := range tt.floats {
			if c.args.Float[i] != math.Float64bits(v) {
				t.Errorf("%q: float %d = %#x, want %v", tt.args, i, c.args.Float[i], v)
			}
		}
	}
}

// FuzzRunArgs checks that argument and size parsing never panics, that
// an accepted argument lands in exactly one register, and that an error
// is one line naming the argument.
func FuzzRunArgs(f *testing.F) {
	for _, s := range []string{"42", "-1", "0x2a", "1.5", "2e3", "nan", "0x1p-2", "1_000", "64k", "1M", "", "x", "1e999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var c callArgs
		err := c.parse([]string{s}, false)
		if err != nil {
			if strings.Contains(err.Error(), "\n") || !strings.HasPrefix(err.Error(), "argument 1 ") {
				t.Errorf("%q: error %q", s, err)
			}
			if c.nInt+c.nFloat != 0 {
				t.Errorf("%q: rejected, but filled a register", s)
			}
		} else if c.nInt+c.nFloat != 1 {
			t.Errorf("%q: accepted into %d registers", s, c.nInt+c.nFloat)
		}
		if n, err := parseSize(s, 1, math.MaxInt); err == nil && n <= 0 {
			t.Errorf("parseSize(%q) = %d", s, n)
		} else if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("parseSize(%q): error %q", s, err)
		}
	})
}
