package memview

import (
	"strings"
	"testing"

	"github.com/jitrun/jitrun/trampoline"
)

func TestParse(t *testing.T) {
	tests := []struct {
		spec string
		want View
	}{
		{"rsp:64/gx", View{Kind: KindRegister, Name: "rsp", Reg: trampoline.RSP, Len: 64, Unit: 8, Format: 'x'}},
		{"SP:64/xg", View{Kind: KindRegister, Name: "SP", Reg: trampoline.RSP, Len: 64, Unit: 8, Format: 'x'}},
		{"counter/d", View{Kind: KindSymbol, Name: "counter", Format: 'd'}},
		{"rdi:16/b", View{Kind: KindRegister, Name: "rdi", Reg: trampoline.RDI, Len: 16, Unit: 1, Format: 'x'}},
		{"DI", View{Kind: KindRegister, Name: "DI", Reg: trampoline.RDI, Format: 'x'}},
		{"r15:8/u", View{Kind: KindRegister, Name: "r15", Reg: trampoline.R15, Len: 8, Format: 'u'}},
		{"rip:4/xb", View{Kind: KindRegister, Name: "rip", RIP: true, Len: 4, Unit: 1, Format: 'x'}},
		{"PC", View{Kind: KindRegister, Name: "PC", RIP: true, Format: 'x'}},
		{"0x1000:16/wx", View{Kind: KindAddress, Addr: 0x1000, Len: 16, Unit: 4, Format: 'x'}},
		{"4096", View{Kind: KindAddress, Addr: 4096, Format: 'x'}},
		{"rsp+16:8/gd", View{Kind: KindRegister, Name: "rsp", Reg: trampoline.RSP, Offset: 16, Len: 8, Unit: 8, Format: 'd'}},
		{"table-0x8:0x10", View{Kind: KindSymbol, Name: "table", Offset: -8, Len: 16, Format: 'x'}},
		{"msg/s", View{Kind: KindSymbol, Name: "msg", Format: 's'}},
		{"msg:6/cb", View{Kind: KindSymbol, Name: "msg", Len: 6, Unit: 1, Format: 'c'}},
		{"x:8/fg", View{Kind: KindSymbol, Name: "x", Len: 8, Unit: 8, Format: 'f'}},
		{"x/wf", View{Kind: KindSymbol, Name: "x", Unit: 4, Format: 'f'}},
		{"a.b", View{Kind: KindSymbol, Name: "a.b", Format: 'x'}},
		{"$rsp:16/gx", View{Kind: KindRegister, Name: "rsp", Reg: trampoline.RSP, Len: 16, Unit: 8, Format: 'x'}},
	}
	for _, tt := range tests {
		got, err := Parse(tt.spec)
		tt.want.Spec = tt.spec
		if err != nil || got != tt.want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", tt.spec, got, err, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ spec, want string }{
		{"", `nothing to show: write WHAT[:LEN][/FMT]`},
		{":8", `nothing to show`},
		{"rsp:abc", `length "abc" is not a number of bytes`},
		{"rsp:0", `a length of 0 bytes shows nothing`},
		{"rsp:4097", `length 4097 is over the cap: a view shows at most 4096 bytes`},
		{"rsp:10/g", `length 10 is not a whole number of 8-byte units`},
		{"rsp/", `an empty format after /`},
		{"rsp/8gx", `a count in the format (8gx): write the length in bytes after ':' (WHAT:LEN/FMT)`},
		{"rsp/xd", `two formats, x and d: use one of x d u f s c`},
		{"rsp/bg", `two unit sizes in bg: use one of b h w g`},
		{"rsp/i", `unknown format letter 'i': formats x (hex), d (signed), u (unsigned), f (float), s (string), c (char); sizes b (1 byte), h (2), w (4), g (8)`},
		{"rsp/sg", `s reads bytes: drop the unit size (or write b)`},
		{"rsp:6/f", `length 6 is not a whole number of floats (4 or 8 bytes)`},
		{"rsp/hf", `f needs a unit of w (float32) or g (float64)`},
		{"rsp+x", `offset "+x" is not a number of bytes`},
		{"0xzz", `"0xzz" is not an address (0x7ffc0000, 4096)`},
		{"-8", `"-8" is not a symbol, a register or an address`},
		{"$", `$ names nothing: write $rsp, rsp or SP`},
		{"$foo", `$foo is not a register: rax … r15, rip, or AX … R15, PC`},
		{"a b", `"a b" is not a symbol, a register or an address`},
		{strings.Repeat("a", 300), `"aaaaaaaaaaaaaaaaaaaa"…: longer than 256 bytes`},
	}
	for _, tt := range tests {
		_, err := Parse(tt.spec)
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("Parse(%q) error = %v; want it to start with %q", tt.spec, err, tt.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"rsp:64/gx", "counter/d", "rdi:16/b", "0x1000:8/s", "x-4:4/wf", "PC", "a/b/c:d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		v, err := Parse(spec)
		if err != nil {
			return
		}
		switch {
		case v.Kind < KindSymbol || v.Kind > KindAddress:
			t.Fatalf("Parse(%q): kind %v", spec, v.Kind)
		case v.Len < 0 || v.Len > MaxLen:
			t.Fatalf("Parse(%q): length %d", spec, v.Len)
		case v.Unit != 0 && v.Len%v.Unit != 0:
			t.Fatalf("Parse(%q): length %d, unit %d", spec, v.Len, v.Unit)
		case strings.IndexByte("xdufsc", v.Format) < 0:
			t.Fatalf("Parse(%q): format %q", spec, v.Format)
		}
		// Rendering any parsed view — over memory that is all
		// unreadable, and over this process's own memory at whatever
		// address the spec names — must not fail but for the symbol,
		// and must never crash.
		for _, read := range []func(uint64, []byte) int{func(uint64, []byte) int { return 0 }, nil} {
			ctx := Context{Regs: &trampoline.Regs{RIP: 0x1000}, Read: read}
			s, err := v.Render(ctx)
			if err != nil && v.Kind != KindSymbol {
				t.Fatalf("Render(%q): %v", spec, err)
			}
			if err == nil && s.Len > MaxLen {
				t.Fatalf("Render(%q): %d bytes", spec, s.Len)
			}
		}
	})
}
