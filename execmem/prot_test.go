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
	for _, tc := range []struct{ in, err string }{
		{"r-xp", ""}, {"rw-s", ""},
		{"rx", `protection "rx": want three letters like r-x`},
		{"x--", `protection "x--": letter 1 is 'x', want 'r' or '-'`},
		{"r-xq", `protection "r-xq": want three letters like r-x`},
	} {
		_, err := ParseProt(tc.in)
		if (err == nil) != (tc.err == "") || err != nil && !strings.HasSuffix(err.Error(), tc.err) {
			t.Errorf("ParseProt(%q) error = %v, want %q", tc.in, err, tc.err)
		}
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

func FuzzParseProt(f *testing.F) {
	for _, s := range []string{"r-x", "rw-p", "---", "rwxs", "", "abc", "r-x\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseProt(s)
		if err != nil {
			return
		}
		if got := p.String(); got != s[:3] {
			t.Errorf("ParseProt(%q) = %v; String() = %q", s, p, got)
		}
	})
}
