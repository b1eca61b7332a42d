package asm_test

import (
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/jitrun/jitrun/asm"
)

// TestLibLinksReferenced checks which symbols a program gets: the library
// routines it calls and does not define, and the routines they call, in
// either syntax; none for a program that calls none (whose bytes are
// exactly its own).
func TestLibLinksReferenced(t *testing.T) {
	tests := []struct {
		name, file, src string
		symbols         string // every symbol, in order
		code            string // the exact bytes, when given
	}{
		{"none", "t.asm", "mov eax, 1\nret", "main", "b801000000c3"},
		{"none go", "t.s", "MOVL $1, AX\nRET", "main", "b801000000c3"},
		{"none with data", "t.asm", "lea rax, [rel x]\nret\nsection .rodata\nx: dq 1", "main x", "488d05f90f0000c3" + strings.Repeat("cc", 4096-8) + "0100000000000000"}, // .rodata on a page of its own,
		{"print_int", "t.asm", "call print_int\nret", "main print_int __jitrun_utoa __jitrun_write", ""},
		{"print_int go", "t.s", "TEXT f(SB), NOSPLIT|NOFRAME, $0\nCALL print_int(SB)\nRET", "f print_int __jitrun_utoa __jitrun_write", ""},
		{"print_uint", "t.asm", "call print_uint\nret", "main print_uint __jitrun_utoa __jitrun_write", ""},
		{"print_hex", "t.asm", "call print_hex\nret", "main print_hex __jitrun_write", ""},
		{"print_char", "t.asm", "call print_char\nret", "main print_char __jitrun_write", ""},
		{"print_str jmp", "t.asm", "jmp print_str", "main print_str __jitrun_write", ""},
		{"print_newline", "t.s", "CALL print_newline(SB); RET", "main print_newline __jitrun_write", ""},
		{"read_int", "t.asm", "call read_int\nret", "main read_int __jitrun_getc", ""},
		{"read_line", "t.asm", "call read_line\nret", "main read_line __jitrun_getc", ""},
		{"address", "t.asm", "lea rax, [rel print_str]\nret", "main print_str __jitrun_write", ""},
		{"extern", "t.asm", "extern print_int, print_hex\ncall print_hex\ncall print_int\nret", "main print_hex print_int __jitrun_write __jitrun_utoa", ""},
		{"shared helper once", "t.asm", "call print_int\ncall print_uint\ncall print_int\nret", "main print_int print_uint __jitrun_utoa __jitrun_write", ""},
		{"own label", "t.asm", "call print_int\nret\nprint_int: mov eax, 7\nret", "main", "e801000000c3b807000000c3"},
		{"own text", "t.s", "TEXT f(SB), NOSPLIT|NOFRAME, $0\nCALL print_int(SB)\nRET\nTEXT print_int(SB), NOSPLIT|NOFRAME, $0\nRET",
			"f print_int", "e801000000c3c3"},
		{"own helper name kept apart", "t.s", "TEXT f(SB), NOSPLIT|NOFRAME, $0\nCALL print_hex(SB)\nRET\nTEXT print_char(SB), NOSPLIT|NOFRAME, $0\nRET",
			"f print_char print_hex __jitrun_write", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := asm.Options{Semicolons: true}.Assemble(tt.file, []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, s := range p.Symbols {
				names = append(names, s.Name)
			}
			if got := strings.Join(names, " "); got != tt.symbols {
				t.Errorf("symbols %q, want %q", got, tt.symbols)
			}
			if tt.code != "" {
				if got := hex.EncodeToString(p.Code); got != tt.code {
					t.Errorf("code %s, want %s", got, tt.code)
				}
			}
			for _, s := range p.Symbols[1:] {
				if s.Kind != asm.SymText && s.Name != "x" {
					t.Errorf("symbol %s is %v, want text", s.Name, s.Kind)
				}
			}
			// An INT3 right before the first routine of the library
			// stops code that runs past its end; none without it (the
			// cases without exact bytes are those that link it).
			g, ok := p.LibraryGuard()
			switch {
			case ok != (tt.code == ""):
				t.Errorf("LibraryGuard %d, %v; want it only where the library is linked", g, ok)
			case ok && p.Code[g] != 0xcc:
				t.Errorf("LibraryGuard %d holds %#x, want INT3", g, p.Code[g])
			case ok && !slices.ContainsFunc(p.Symbols, func(s asm.Symbol) bool { return s.Offset == g+1 }):
				t.Errorf("no routine of the library starts after the LibraryGuard %d: %+v", g, p.Symbols)
			}
		})
	}
}

// TestLibErrors checks that what is not a library routine stays an error.
func TestLibErrors(t *testing.T) {
	tests := []struct{ file, src, want string }{
		{"t.asm", "call printf", "t.asm:1:1: undefined label printf: there is no linker, so code can call only labels of its own source and the routines of jitrun's I/O library (jitrun help lib)"},
		{"t.asm", "extern printf", "t.asm:1:1: extern: jitrun has no linker, so code can only use labels of its own source and the routines of its I/O library (jitrun help lib)"},
		{"t.asm", "extern print_int, printf", "t.asm:1:1: extern: jitrun has no linker, so code can only use labels of its own source and the routines of its I/O library (jitrun help lib)"},
		{"t.s", "CALL print_int<>(SB); RET", "t.s:1:1: undefined: print_int is not a label, TEXT or GLOBL symbol of this source, nor a routine of jitrun's I/O library (jitrun help lib)"},
		{"t.s", "CALL __jitrun_write(SB); RET", "t.s:1:1: undefined: __jitrun_write is not a label, TEXT or GLOBL symbol of this source, nor a routine of jitrun's I/O library (jitrun help lib)"},
		{"t.s", "CALL print_int(SB); JMP 2(PC); RET", "t.s:1:21: branch target 2(PC) is outside the program"},
		{"t.s", "TEXT f(SB), $0\nCALL print_int(SB)\nRET", "t.s:1:1: TEXT f(SB): a function that is not NOSPLIT gets a stack-growth check calling the Go runtime, which jitrun code cannot have: add NOSPLIT"},
	}
	for _, tt := range tests {
		_, err := asm.Options{Semicolons: true}.Assemble(tt.file, []byte(tt.src))
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: error %v\nwant %s", tt.src, err, tt.want)
		}
	}
}

// TestLibrary checks the documented routines: each links, and the table
// says what help prints.
func TestLibrary(t *testing.T) {
	var names []string
	for _, r := range asm.Library() {
		names = append(names, r.Name)
		if r.Summary == "" || r.Clobbers == "" {
			t.Errorf("%s: no summary or clobbers: %+v", r.Name, r)
		}
		p, err := asm.AssembleSource("t.asm", []byte("call "+r.Name+"\nret"), asm.SyntaxIntel)
		if err != nil {
			t.Errorf("%s: %v", r.Name, err)
			continue
		}
		if s, ok := p.Symbol(r.Name); !ok || s.Size == 0 {
			t.Errorf("%s: not linked: %+v", r.Name, p.Symbols)
		}
	}
	want := "print_int print_uint print_hex print_char print_str print_newline read_int read_line"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("Library() = %s, want %s", got, want)
	}
}

// ExampleLibrary links print_int into a program that calls it.
func ExampleLibrary() {
	p, err := asm.AssembleSource("hello.asm", []byte("mov rdi, -42\ncall print_int\nret"), asm.SyntaxIntel)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range p.Symbols {
		fmt.Println(s.Name, s.Kind)
	}
	for _, r := range asm.Library()[:1] {
		fmt.Printf("%s(%s): %s; clobbers %s\n", r.Name, r.Args, r.Summary, r.Clobbers)
	}
	// Output:
	// main text
	// print_int text
	// __jitrun_utoa text
	// __jitrun_write text
	// print_int(rdi): write rdi as a signed decimal number (-42); clobbers rax rcx rdx rsi rdi r11
}

// BenchmarkLibLink measures what linking the library costs: a program
// that calls every routine against one that calls none.
func BenchmarkLibLink(b *testing.B) {
	var all strings.Builder
	for _, r := range asm.Library() {
		all.WriteString("call " + r.Name + "\n")
	}
	all.WriteString("ret\n")
	for _, bm := range []struct{ name, src string }{{"none", "mov eax, 1\nret\n"}, {"all", all.String()}} {
		b.Run(bm.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := asm.AssembleSource("t.asm", []byte(bm.src), asm.SyntaxIntel); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
