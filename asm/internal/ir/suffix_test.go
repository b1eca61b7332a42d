package ir

import "testing"

// TestGoSuffix checks the suffixes of decorations: every known rounding
// with and without a broadcast and {z}, from the table and made afresh,
// and an unknown rounding (made afresh); the table's without an
// allocation.
func TestGoSuffix(t *testing.T) {
	for _, c := range []struct {
		rounding      string
		bcst, zeroing bool
		want          string
	}{
		{"", false, false, ""},
		{"", true, false, "BCST"},
		{"", false, true, "Z"},
		{"", true, true, "BCST.Z"},
		{"sae", false, false, "SAE"},
		{"sae", false, true, "SAE.Z"},
		{"rn-sae", false, false, "RN_SAE"},
		{"rd-sae", false, true, "RD_SAE.Z"},
		{"ru-sae", true, false, "RU_SAE.BCST"},
		{"rz-sae", true, true, "RZ_SAE.BCST.Z"},
		{"xx-yy", false, true, "XX_YY.Z"},
	} {
		if got := GoSuffix(c.rounding, c.bcst, c.zeroing); got != c.want {
			t.Errorf("GoSuffix(%q, %v, %v) = %q, want %q", c.rounding, c.bcst, c.zeroing, got, c.want)
		}
	}
	for _, r := range roundings {
		for _, b := range []bool{false, true} {
			for _, z := range []bool{false, true} {
				if got, want := GoSuffix(r, b, z), makeGoSuffix(r, b, z); got != want {
					t.Errorf("GoSuffix(%q, %v, %v) = %q, made afresh %q", r, b, z, got, want)
				}
				if n := testing.AllocsPerRun(10, func() { GoSuffix(r, b, z) }); n != 0 {
					t.Errorf("GoSuffix(%q, %v, %v) allocates %v times", r, b, z, n)
				}
			}
		}
	}
}
