package asm

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/jitrun/jitrun/asm/internal/asmtest"
	"github.com/jitrun/jitrun/asm/internal/intel"
)

// TestIntelStream checks that an Intel source assembled as it is read
// (Options.Assemble: intel.ParseFunc hands statements over until a line
// names what is not defined above it, and reuses their memory; the
// encoder places them at once and names the implicit function at the end)
// gives exactly the Program, or exactly the errors, of the same source
// read whole by intel.Parse and then encoded. The sources are longer than
// the encoder's chunk, so that memory is reused before the branches, the
// lazy spellings of error messages, the labels and the passes are used.
func TestIntelStream(t *testing.T) {
	var body strings.Builder
	// long is 1,536 pairs of instructions, many times the encoder's chunk
	// (encodeChunk), and fixed: the positions in want below depend on it.
	for i := 0; i < 1536; i++ {
		fmt.Fprintf(&body, "add eax, %d\nmov rbx, [rsp+%d]\n", i, 8*i)
	}
	long := body.String()
	// want is the implicit function's name, or the first error.
	sources := map[string]struct{ src, want string }{
		"plain":          {long + "ret\n", "main"},
		"forward":        {"jmp later\n" + long + "later: ret\n", "main"},
		"forward late":   {long + "jmp later\n" + long + "later: ret\n", "main"},
		"forward near":   {long + "jmp soon\nnop\nsoon: nop\n" + long + "ret\n", "main"},
		"equ near":       {long + "mov eax, N\nN equ 5\n" + long + "ret\n", "main"},
		"backward":       {"top: nop\n" + long + "jne top\nret\n", "top"},
		"local":          {"f: nop\n.l: " + long + "jmp .l\nret\n", "f"},
		"undefined":      {"jmp nowhere\n" + long + "call elsewhere\nret\n", "t.s:1:1: undefined label nowhere"},
		"undefined late": {long + "jmp nowhere\n" + long + "ret\n", "t.s:3073:1: undefined label nowhere"},
		"spelling":       {long + "pshufd xmm0, xmm1, 300\n" + long + "pshufd xmm0, xmm1, 301\nret\n", "t.s:3073:1: pshufd xmm0, xmm1, 300: immediate 300 does not fit in 8 bits (-128..255)"},
		"spelling late":  {long + "jmp later\n" + long + "pshufd xmm0, xmm1, 301\nlater: ret\n", "t.s:6146:1: pshufd xmm0, xmm1, 301: immediate 301 does not fit in 8 bits (-128..255)"},
		"equ forward":    {long + "mov eax, N\n" + long + "N equ 5\nret\n", "main"},
		"equ above":      {"N equ 5\n" + long + "mov eax, N\nret\n", "main"},
		"equ bad":        {long + "mov eax, N\n" + long + "N equ 300\npshufd xmm0, xmm1, N\nret\n", "t.s:6147:1: pshufd xmm0, xmm1, N: immediate N does not fit in 8 bits (-128..255)"},
		"data above":     {"section .data\nx: dq 1\nsection .text\n" + long + "mov rax, [rel x]\nret\n", "main"},
		"data below":     {long + "mov rax, [rel x]\n" + long + "ret\nsection .data\nx: dq 1\n", "main"},
		"data size":      {long + "times N db 0\nsection .data\ny: times N db 1\nz: dq 2\nsection .text\nmov rax, [rel z]\nN equ 4\nret\n", "main"},
		"start":          {long + "lea rax, [rel $$]\njmp $\nret\n", "main"},
		"here":           {long + "jmp $+2\ntimes 3 nop\nlea rax, [rel $]\nret\n", "main"},
		"library":        {"lea rdi, [rel msg]\ncall print_str\n" + long + "ret\nsection .rodata\nmsg: db \"hi\", 0\n", "main"},
		"named":          {"entry: " + long + "ret\n", "entry"},
		"main used":      {long + "main: ret\nsection .data\nmain1: dq 1\n", "main2"},
		"parse error":    {long + "mov rax, zzz zzz\n" + long + "ret\n", "t.s:3073:14: unexpected zzz in operand"},
		"section":        {"section .data\nx: dq 1\nN equ $\nsection .text\n" + long + "lea rax, [rel N]\n" + long + "ret\n", "main"},
		"data only":      {"section .data\nx: dq 1\n", "x"},
		"empty":          {"", ""},
	}
	for _, name := range []string{"corpus.s", "corpus_nasm.asm"} {
		data, err := os.ReadFile(filepath.Join("testdata", "intel", name))
		if err != nil {
			t.Fatal(err)
		}
		sources[name] = struct{ src, want string }{string(data), "main"}
	}
	for name, tt := range sources {
		t.Run(name, func(t *testing.T) {
			streamed, streamErr := assembleIntelBothWays(t, tt.src, false)
			got := ""
			if list, ok := streamErr.(ErrorList); ok {
				got = list[0].Error()
			} else if len(streamed.Symbols) > 0 {
				got = streamed.Symbols[0].Name
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			assembleIntelBothWays(t, tt.src, true)
		})
	}
}

// FuzzIntelStream checks, for any source, that assembling it as it is
// read gives what assembling it read whole does (TestIntelStream).
func FuzzIntelStream(f *testing.F) {
	for _, src := range []string{
		"jmp later\nnop\nlater: ret",
		"top: nop\njne top\nret",
		"jmp nowhere\nnop\ncall elsewhere\nret",
		"nop\nmain: ret\nsection .data\nmain1: dq 1",
		"f: lea rax, [rel t]\nret\nsection .rodata\nt: dd 1",
		"mov eax, N\nN equ 300\npshufd xmm0, xmm1, N\nret",
		"times N db 0\nsection .data\ny: times N db 1\nz: dq 2\nsection .text\nmov rax, [rel z]\nN equ 4\nret",
		"nop\nlea rax, [rel $$]\njmp $\nret",
		"add eax, 1; sub eax, 2 # c\nret",
	} {
		f.Add(src)
	}
	defer asmtest.HookFatal()()
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 1<<16 {
			return
		}
		assembleIntelBothWays(t, src, false)
		assembleIntelBothWays(t, src, true)
	})
}

// assembleIntelBothWays assembles an Intel source as it is read and read
// whole (intel.Parse, then encode, as Assemble did before it streamed),
// fails t unless both give the same Program or the same errors, and
// returns the first.
func assembleIntelBothWays(t *testing.T, src string, semicolons bool) (*Program, error) {
	t.Helper()
	opts := Options{Syntax: SyntaxIntel, Semicolons: semicolons}
	streamed, streamErr := opts.Assemble("t.s", []byte(src))
	stmts, errs := intel.Parse("t.s", bytes.TrimPrefix([]byte(src), byteOrderMark), intel.Options{Semicolons: semicolons, Library: isLibRoutine})
	var whole *Program
	var wholeErr error
	if !errs.Full() {
		p, encErrs := encode("t.s", stmts)
		errs.AddAll(encErrs)
		whole = p
	}
	if errs.Len() > 0 {
		whole, wholeErr = nil, opts.errorList("t.s", []byte(src), errs)
	}
	if fmt.Sprint(streamErr) != fmt.Sprint(wholeErr) {
		t.Fatalf("%q (semicolons %v): streamed: %v\nread whole: %v", shortText(src), semicolons, streamErr, wholeErr)
	}
	if !reflect.DeepEqual(streamed, whole) {
		t.Fatalf("%q (semicolons %v): streamed and read whole differ", shortText(src), semicolons)
	}
	return streamed, streamErr
}

// shortText is a source as a failure shows it: its start and end.
func shortText(src string) string {
	if len(src) <= 400 {
		return src
	}
	return src[:200] + " … " + src[len(src)-200:]
}
