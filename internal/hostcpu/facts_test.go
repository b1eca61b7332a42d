package hostcpu

import (
	"strings"
	"testing"
)

func TestRegString(t *testing.T) {
	// CPUID leaf 0 spells the vendor in EBX, EDX, ECX.
	if got := regString(0x68747541, 0x69746e65, 0x444d4163); got != "AuthenticAMD" {
		t.Errorf("regString = %q", got)
	}
	if got := regString(0x20202020, 0x41414141, 0); got != "AAAA" {
		t.Errorf("regString trims spaces and NULs: %q", got)
	}
}

func TestSignature(t *testing.T) {
	for _, tc := range []struct {
		name                    string
		eax                     uint32
		family, model, stepping int
	}{
		{"zen5 turin", 0x00b00f21, 0x1a, 0x02, 1},
		{"zen4 genoa", 0x00a10f11, 0x19, 0x11, 1},
		{"emerald rapids", 0x000c06f2, 6, 0xcf, 2},
		{"ice lake", 0x000706e5, 6, 0x7e, 5},
		{"family 5 keeps its model", 0x000f0543, 5, 4, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, m, s := signature(tc.eax)
			if f != tc.family || m != tc.model || s != tc.stepping {
				t.Errorf("signature(%#x) = family %#x model %#x stepping %d; want %#x %#x %d", tc.eax, f, m, s, tc.family, tc.model, tc.stepping)
			}
		})
	}
}

func TestFPUState(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    Facts
		use  bool
		size int
	}{
		{"no osxsave", Facts{XSAVESize: 2696}, false, 512},
		{"xsave avx-512", Facts{OSXSAVE: true, XSAVESize: 2696}, true, 2696},
		{"xsave legacy only", Facts{OSXSAVE: true, XSAVESize: 512}, false, 512},
		{"xsave with avx", Facts{OSXSAVE: true, XSAVESize: 832}, true, 832},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.f.UseXSAVE(); got != tc.use {
				t.Errorf("UseXSAVE() = %v", got)
			}
			if got := tc.f.FPUStateSize(); got != tc.size {
				t.Errorf("FPUStateSize() = %d", got)
			}
		})
	}
}

func TestParseCPUInfoFlags(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		flags      string // space-separated; "-" for no flags line
	}{
		{"first processor only", "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu nx smep\n\nprocessor\t: 1\nflags\t: pku\n", "fpu nx smep"},
		{"blank lines first", "\n\nprocessor : 0\nflags : nx\n", "nx"},
		{"empty flags", "flags\t: \n", ""},
		{"no flags in the first block", "processor\t: 0\n\nflags\t: nx\n", "-"},
		{"empty", "", "-"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			flags, ok := ParseCPUInfoFlags([]byte(tc.text))
			if !ok {
				if tc.flags != "-" {
					t.Errorf("no flags line found, want %q", tc.flags)
				}
				return
			}
			var got []string
			for _, f := range strings.Fields(tc.flags) {
				if !flags[f] {
					t.Errorf("flag %q missing", f)
				}
				got = append(got, f)
			}
			if len(flags) != len(got) {
				t.Errorf("flags %v, want %q", flags, tc.flags)
			}
		})
	}
}

// FuzzParseCPUInfoFlags never panics and reports only flags present in
// the text.
func FuzzParseCPUInfoFlags(f *testing.F) {
	f.Add("processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 167\nmodel name\t: Intel(R) Xeon(R)\nflags\t\t: fpu nx smep smap\n\nprocessor\t: 1\nflags\t: pku\n")
	f.Add("flags: \n")
	f.Add(":::\n\n\nmodel: x\n")
	f.Fuzz(func(t *testing.T, s string) {
		flags, _ := ParseCPUInfoFlags([]byte(s))
		for flag := range flags {
			if !strings.Contains(s, flag) {
				t.Errorf("flag %q is not in the input", flag)
			}
		}
	})
}
