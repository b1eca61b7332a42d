package repl

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParse(t *testing.T) {
	tests := []struct {
		text string
		want Line
		err  string
	}{
		{"mov rax, 1", Line{Code: "mov rax, 1"}, ""},
		{"  mov rax, 1  \r\n", Line{Code: "  mov rax, 1"}, ""},
		{"", Line{}, ""},
		{".regs", Line{Command: "regs", Args: []string{}}, ""},
		{"  .regs --lanes f64", Line{Command: "regs", Args: []string{"--lanes", "f64"}}, ""},
		{".set rax 0x10", Line{Command: "set", Args: []string{"rax", "0x10"}}, ""},
		{".loop:", Line{Code: ".loop:"}, ""},
		{".byte 0x90", Line{Code: ".byte 0x90"}, ""},
		{".L1: nop", Line{Code: ".L1: nop"}, ""},
		{".5", Line{Code: ".5"}, ""},
		{".sett", Line{}, "unknown command .sett: .help lists the commands"},
		{".quit now please", Line{Command: "quit", Args: []string{"now", "please"}}, ""},
		{".set a b c d e f g h i", Line{}, ".set takes at most 8 words"},
		{"mov\x00rax", Line{}, "control character U+0000"},
		{"\xff", Line{}, "not UTF-8"},
		{strings.Repeat("n", MaxLineLen+1), Line{}, "at most 4096"},
	}
	for _, tc := range tests {
		got, err := Parse(tc.text)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Parse(%.20q) error %v, want %q", tc.text, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", tc.text, got, err, tc.want)
		}
	}
}

func TestIsLabelLine(t *testing.T) {
	for text, want := range map[string]bool{
		"loop:": true, "  .L1:": true, "top: ; comment": true, "loop: dec rcx": false,
		"mov rax, 1": false, ":": false, "a b:": false,
	} {
		if got := isLabelLine(text); got != want {
			t.Errorf("isLabelLine(%q) = %v, want %v", text, got, want)
		}
	}
}

// FuzzParse checks that Parse never panics, that what it accepts is a
// command it knows with its words, or code that is the line trimmed, and
// that the value and register readers of .set never panic either.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"mov rax, 1", ".regs --lanes f64", ".set xmm0 0x1_0", ".loop:", ".quit", "", "\t.show rsp:16/gx", ".set rflags -1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		l, err := Parse(text)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("a two-line error: %q", err)
			}
			return
		}
		if !utf8.ValidString(l.Code) || len(l.Code) > MaxLineLen {
			t.Fatalf("code %q accepted", l.Code)
		}
		if l.Command == "" {
			if l.Code != strings.TrimRight(text, " \t\r\n") {
				t.Fatalf("code %q from %q", l.Code, text)
			}
			return
		}
		if len(l.Args) > maxArgs {
			t.Fatalf("%d words", len(l.Args))
		}
		if l.Command == "set" && len(l.Args) == 2 {
			ParseReg(l.Args[0])
			if v, err := parseValue(l.Args[1], 128); err == nil && v.BitLen() > 128 {
				t.Fatalf("%q read as %d bits", l.Args[1], v.BitLen())
			}
		}
	})
}
