package execmem

import (
	"strings"
	"testing"

	"github.com/jitrun/jitrun/internal/platform"
)

func TestProtString(t *testing.T) {
	for _, tc := range []struct {
		p    Prot
		want string
	}{
		{ProtNone, "---"}, {ProtRead, "r--"}, {ProtRW, "rw-"}, {ProtRX, "r-x"}, {ProtRWX, "rwx"},
		{ProtExec, "--x"}, {ProtWrite, "-w-"}, {ProtWrite | ProtExec, "-wx"}, {Prot(0x1c), "--x+0x18"},
	} {
		if got := tc.p.String(); got != tc.want {
			t.Errorf("Prot(%#x).String() = %q, want %q", uint8(tc.p), got, tc.want)
		}
		if tc.p.valid() {
			if back, err := ParseProt(tc.want); err != nil || back != tc.p {
				t.Errorf("ParseProt(%q) = %v, %v", tc.want, back, err)
			}
		}
	}
}

// TestParseProt holds every spelling ParseProt reads, and its errors.
func TestParseProt(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Prot
		err  string
	}{
		// Positional, as String and /proc/self/maps show it.
		{"r-x", ProtRX, ""}, {"---", ProtNone, ""}, {"-w-", ProtWrite, ""}, {"rwx", ProtRWX, ""},
		// The four-letter maps form.
		{"r-xp", ProtRX, ""}, {"rw-s", ProtRW, ""}, {"rwxp", ProtRWX, ""},
		// Letters in any order.
		{"rx", ProtRX, ""}, {"xr", ProtRX, ""}, {"w", ProtWrite, ""}, {"xwr", ProtRWX, ""},
		// No access; space around.
		{"none", ProtNone, ""}, {" rx\t", ProtRX, ""}, {" r-x ", ProtRX, ""},
		{"", 0, "empty protection: want r-x, rw-, rx, none, …"},
		{"  ", 0, "empty protection: want r-x, rw-, rx, none, …"},
		{"x--", 0, `protection "x--": letter 1 is 'x', want 'r' or '-'`},
		{"r-", 0, `protection "r-": with '-', want three letters like r-x (or four like r-xp)`},
		{"r-xq", 0, `protection "r-xq": with '-', want three letters like r-x (or four like r-xp)`},
		{"rxwp", 0, `protection "rxwp": letter 2 is 'x', want 'w' or '-'`},
		{"rwz", 0, `protection "rwz": 'z' is not r, w or x (want r-x, rw-, rx, none, …)`},
		{"rr", 0, `protection "rr": 'r' appears twice`},
		{"None", 0, `protection "None": 'N' is not r, w or x (want r-x, rw-, rx, none, …)`},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseProt(tc.in)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Errorf("ParseProt(%q) = %v, %v; want error %q", tc.in, got, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("ParseProt(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
		})
	}
}

// TestProtBits: sysProt converts by value, so the bits must agree.
func TestProtBits(t *testing.T) {
	for _, tc := range []struct {
		p    Prot
		want platform.Prot
	}{{ProtRead, platform.ProtRead}, {ProtWrite, platform.ProtWrite}, {ProtExec, platform.ProtExec}, {ProtRWX, platform.ProtRead | platform.ProtWrite | platform.ProtExec}} {
		if got := sysProt(tc.p); got != tc.want {
			t.Errorf("sysProt(%s) = %#x, want %#x", tc.p, got, tc.want)
		}
	}
}

// FuzzParseProt: a parsed protection is valid, and its String parses
// back to it; so does each of its other spellings.
func FuzzParseProt(f *testing.F) {
	for _, s := range []string{"r-x", "rw-p", "---", "rwxs", "", "abc", "r-x\x00", "none", "rx", "xwr", "w", "rr", "r-", "rwxp", " rx "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseProt(s)
		if err != nil {
			return
		}
		if !p.valid() {
			t.Fatalf("ParseProt(%q) = %#x: not a protection", s, uint8(p))
		}
		for _, spelling := range []string{p.String(), p.String() + "p", strings.ReplaceAll(p.String(), "-", "")} {
			if spelling == "" {
				spelling = "none"
			}
			if back, err := ParseProt(spelling); err != nil || back != p {
				t.Errorf("ParseProt(%q) = %v; %q reads back as %v, %v", s, p, spelling, back, err)
			}
		}
	})
}
