package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

func TestParseHex(t *testing.T) {
	tests := []struct {
		in   string
		want string // hex of the bytes, or the error
	}{
		{"48 c7 c0 2a 00 00 00 c3", "48c7c02a000000c3"},
		{"48c7c02a000000c3", "48c7c02a000000c3"},
		{"48C7C0 2A\t00\n00,00 c3", "48c7c02a000000c3"},
		{"0x48, 0xc7,0xc0 0X2A", "48c7c02a"},
		{"0x0 0xf", "000f"},
		{`\x48\xc7\xC0`, "48c7c0"},
		{`\x48c7 0x00\x01`, "48c7" + "0001"},
		{"  ,\n c3 ,", "c3"},
		{"", "no bytes: give hex digits, as in '48 c7 c0 2a 00 00 00 c3'"},
		{" , ", "no bytes: give hex digits, as in '48 c7 c0 2a 00 00 00 c3'"},
		{"48c7c", `column 1: "48c7c" has an odd number of hex digits: bytes take two each`},
		{"48 g1", `column 4: "g" is not a hex digit`},
		{"48h", `column 3: "h" is not a hex digit`},
		{"48 ü", `column 4: "ü" is not a hex digit`},
		{"0x", `column 1: "0x": 0x needs one or two hex digits after it`},
		{"0x48c7", `column 1: "0x48c7" is more than one byte: write one 0x.. per byte (0x48 0xc7), or the digits without 0x (48c7)`},
		{"0x4g", `column 4: "g" is not a hex digit`},
		{`\x4`, `column 1: "\\x4": \x takes exactly two hex digits`},
		{`48 \n`, `column 4: "\" starts an escape, which must be \x followed by two hex digits`},
		{"48 -1", `column 4: "-" is not a hex digit`},
		// Lists as C and Go write them (issue 11): a lone 0 is a byte,
		// braces, a declaration, comments and quotes are left out.
		{"0x48,0xc7,0xc0,0x2a,0,0,0,0xc3", "48c7c02a000000c3"},
		{"0x48, 7, 0xc3", "4807c3"},
		{"{0x48, 0xc3}", "48c3"},
		{"unsigned char code[] = {0x48, 0xc3};", "48c3"},
		{"[]byte{\n\t// main(SB)\n\t0x48, 0xc3, // 1: RET\n}\n", "48c3"},
		{"/* a */ 48 /* b */ c3", "48c3"},
		{`"\x48\xc3"`, "48c3"},
		{"48 c", `column 4: "c" has an odd number of hex digits: bytes take two each`},
		{"{0x48, 0xzz}", `column 8: "0xzz": 0x needs one or two hex digits after it`},
		{"48 /* c3", `column 4: /* starts a comment that does not end (no */)`},
	}
	for _, tt := range tests {
		b, err := parseHex(tt.in, maxCode)
		got := fmt.Sprintf("%x", b)
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("parseHex(%q) = %s; want %s", tt.in, got, tt.want)
		}
	}
}

// FuzzParseHex checks that parseHex never panics, never returns no bytes
// without an error, and reads back what the usual printers write.
func FuzzParseHex(f *testing.F) {
	for _, s := range []string{"48 c7 c0 2a 00 00 00 c3", "48c7", "0x48,0xc7", `\x48\xc7`, "0x", `\x`, "0x123", "zz", "c",
		"0x48, 0, 0xc3", "{0x48, 0xc3}", "char c[] = {0x48};", "[]byte{\n\t// f(SB)\n\t0xc3, // 1: RET\n}\n", "/* a */ c3", "c3 /*", "//", `"\xc3"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := parseHex(s, maxCode)
		if err == nil && len(b) == 0 {
			t.Fatalf("parseHex(%q): no bytes and no error", s)
		}
		if err != nil && (b != nil || strings.Contains(err.Error(), "\n")) {
			t.Fatalf("parseHex(%q): bytes %x with error %q", s, b, err)
		}
		if err != nil || len(b) == 0 {
			return
		}
		var c, list strings.Builder
		for i, x := range b {
			fmt.Fprintf(&c, `\x%02x`, x)
			if i > 0 {
				list.WriteString(", ")
			}
			fmt.Fprintf(&list, "%#x", x)
		}
		forms := []string{fmt.Sprintf("% x", b), fmt.Sprintf("%X", b), c.String(), list.String(),
			"{" + list.String() + "}", "[]byte{\n\t// a comment {}\n\t" + list.String() + ", // 1: RET\n}\n", `"` + c.String() + `"`}
		for _, form := range forms {
			again, err := parseHex(form, maxCode)
			if err != nil || !bytes.Equal(again, b) {
				t.Fatalf("parseHex(%q) = %x, %v; want %x", form, again, err, b)
			}
		}
	})
}

// TestHexReadsAsmGo checks that the Go literal jitrun asm --format go
// prints reads back as the same bytes through --hex.
func TestHexReadsAsmGo(t *testing.T) {
	status, goLit, _ := runCmd(t, "", "asm", "--format", "go", "testdata/asm/add.s")
	_, hexOut, _ := runCmd(t, "", "asm", "testdata/asm/add.s")
	code, err := parseHex(goLit, maxCode)
	if status != exitOK || err != nil || fmt.Sprintf("%x\n", code) != hexOut {
		t.Errorf("asm --format go read back as %x, %v; want %s from:\n%s", code, err, hexOut, goLit)
	}
	status, out, stderr := runCmd(t, "", "run", "--hex", goLit)
	if status != exitOK || stderr != "" || !strings.HasPrefix(out, "rax = ") {
		t.Errorf("run --hex of asm --format go: status %d, stdout %q, stderr %q", status, out, stderr)
	}
}

// TestHexCap checks the cap on --hex: the byte past it is refused.
func TestHexCap(t *testing.T) {
	if _, err := parseHex(strings.Repeat("c3", 16), 16); err != nil {
		t.Errorf("16 bytes, cap 16: %v", err)
	}
	if b, err := parseHex(strings.Repeat("c3", 17), 16); b != nil || err == nil || err.Error() != "input too large: jitrun reads at most 16 bytes of machine code" {
		t.Errorf("17 bytes, cap 16: %x, %v", b, err)
	}
}
