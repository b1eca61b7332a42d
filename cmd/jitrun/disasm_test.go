package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jitrun/jitrun/asm"
	"github.com/jitrun/jitrun/disasm"
)

// runDisasm runs `jitrun disasm ARGS` in-process.
func runDisasm(t *testing.T, stdin string, args ...string) (status int, stdout, stderr string) {
	t.Helper()
	return runCmd(t, stdin, append([]string{"disasm"}, args...)...)
}

// sumLoopHex is xor eax, eax; mov ecx, 10; loop: add eax, ecx; dec ecx;
// jnz loop; ret.
const sumLoopHex = "31 c0 b9 0a 00 00 00 01 c8 ff c9 75 fa c3"

func TestDisasmGolden(t *testing.T) {
	file := filepath.Join(t.TempDir(), "sum.bin")
	if err := os.WriteFile(file, []byte{0x31, 0xc0, 0xb9, 0x0a, 0, 0, 0, 0x01, 0xc8, 0xff, 0xc9, 0x75, 0xfa, 0xc3}, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"go syntax, default base", "", []string{"--hex", sumLoopHex}, `
   0x0000  +0x0       31 c0           XORL AX, AX
   0x0002  +0x2       b9 0a 00 00 00  MOVL $0xa, CX
loc_7:
   0x0007  loc_7+0x0  01 c8           ADDL CX, AX
   0x0009  loc_7+0x2  ff c9           DECL CX
   0x000b  loc_7+0x4  75 fa           JNE loc_7
   0x000d  loc_7+0x6  c3              RET
`},
		{"intel, file, base and mark", "", []string{file, "--base", "0x401000", "--syntax", "intel", "--mark", "0x40100b"}, `
   0x401000  +0x0            31 c0           xor eax, eax
   0x401002  +0x2            b9 0a 00 00 00  mov ecx, 0xa
loc_401007:
   0x401007  loc_401007+0x0  01 c8           add eax, ecx
   0x401009  loc_401007+0x2  ff c9           dec ecx
=> 0x40100b  loc_401007+0x4  75 fa           jnz loc_401007
   0x40100d  loc_401007+0x6  c3              ret
`},
		{"gnu from standard input, flags after the file", "\x48\x8b\x07\x06\xc3", []string{"-", "--syntax=gnu", "--base", "4096"}, `
   0x1000  +0x0  48 8b 07  mov (%rdi),%rax
   0x1003  +0x3  06        .byte 0x06       # not an instruction: unrecognized instruction
   0x1004  +0x4  c3        retq
`},
		{"intel source for an assembler", "", []string{"--hex", `\x31\xc0\xff\xc0\x3d\x0a\x00\x00\x00\x7c\xf7\xc3`, "--syntax", "intel", "--asm"}, `
	xor eax, eax
loc_2:
	inc eax
	cmp eax, 0xa
	jl loc_2
	ret
`},
		{"AVX: RIP-relative operand, k register operand", "", []string{"--hex", "c5 fc 28 05 01 00 00 00 c3 90 62 f2 7e 08 38 e4", "--syntax", "intel"}, `
   0x0000  +0x0       c5 fc 28 05 01 00 00 00  vmovaps ymm0, ymmword ptr [rip+loc_9]
   0x0008  +0x8       c3                       ret
loc_9:
   0x0009  loc_9+0x0  90                       nop
   0x000a  loc_9+0x1  62 f2 7e 08 38 e4        vpmovm2d xmm4, k4
`},
		{"truncated hex", "", []string{"--hex", "0x48, 0xc7, 0xc0, 0x2a"}, `
   0x0000  +0x0  48  BYTE $0x48  // truncated: an instruction of 7 bytes starts here, and the code ends after 4
   0x0001  +0x1  c7  BYTE $0xc7  // truncated: an instruction of 6 bytes starts here, and the code ends after 3
   0x0002  +0x2  c0  BYTE $0xc0  // truncated: an instruction of 3 bytes starts here, and the code ends after 2
   0x0003  +0x3  2a  BYTE $0x2a  // truncated: an instruction of 2 bytes starts here, and the code ends after 1
`},
	}
	for _, tt := range tests {
		status, stdout, stderr := runDisasm(t, tt.stdin, tt.args...)
		if want := strings.TrimPrefix(tt.want, "\n"); status != exitOK || stderr != "" || stdout != want {
			t.Errorf("%s: status %d, stderr %q, output:\n%s\nwant:\n%s", tt.name, status, stderr, stdout, want)
		}
	}
}

func TestDisasmJSON(t *testing.T) {
	status, stdout, stderr := runDisasm(t, "", "--hex", "eb 00 06", "--base", "0x1000", "--syntax", "intel", "--json", "--mark", "0x1002")
	want := `{
  "syntax": "intel",
  "base": "0x1000",
  "size": 3,
  "rows": [
    {
      "addr": "0x1000",
      "offset": 0,
      "bytes": "eb00",
      "text": "jmp loc_1002",
      "symbol": "",
      "symbol_offset": 0,
      "labels": [],
      "data": false,
      "bad": false,
      "note": "",
      "marked": false,
      "target": "0x1002"
    },
    {
      "addr": "0x1002",
      "offset": 2,
      "bytes": "06",
      "text": ".byte 0x06",
      "symbol": "loc_1002",
      "symbol_offset": 0,
      "labels": [
        "loc_1002"
      ],
      "data": false,
      "bad": true,
      "note": "not an instruction: unrecognized instruction",
      "marked": true,
      "target": null
    }
  ]
}
`
	if status != exitOK || stderr != "" || stdout != want {
		t.Fatalf("status %d, stderr %q, output:\n%s\nwant:\n%s", status, stderr, stdout, want)
	}
	var doc jsonListing
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil || len(doc.Rows) != 2 {
		t.Fatalf("the output does not read back: %v", err)
	}
}

// TestListingJSONOutside checks the JSON of a row for a pc outside the
// code (disasm.Outside): offset -1 and "outside": true, which other rows
// leave out.
func TestListingJSONOutside(t *testing.T) {
	code := []byte{0xff, 0xd0} // call rax
	opts := disasm.Options{Syntax: asm.SyntaxGo, Base: 0x1000}
	rows := append(disasm.Decode(code, opts), disasm.Outside(code, 0x7ffc0000efd8, []byte{0xc3}, opts))
	got, err := json.Marshal(listingJSON(opts.Syntax, opts.Base, len(code), rows).Rows)
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"addr":"0x1000","offset":0,"bytes":"ffd0","text":"CALL AX","symbol":"","symbol_offset":0,"labels":[],"data":false,"bad":false,"note":"","marked":false,"target":null},` +
		`{"addr":"0x7ffc0000efd8","offset":-1,"bytes":"c3","text":"RET","symbol":"","symbol_offset":0,"labels":[],"data":false,"bad":false,"note":"the pc is outside the code","marked":true,"outside":true,"target":null}]`
	if string(got) != want {
		t.Errorf("JSON:\n%s\nwant:\n%s", got, want)
	}
}

// TestDisasmBadInput checks that every bad input exits with status 2 and
// one line on standard error, with nothing on standard output.
func TestDisasmBadInput(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.bin")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.bin")
	tests := []struct {
		args  []string
		stdin string
		want  string
	}{
		{nil, "", "jitrun disasm: need a FILE of machine code or --hex 'BYTES' (see 'jitrun disasm -h')"},
		{[]string{"a.bin", "b.bin"}, "", "jitrun disasm: want one FILE, got 2 arguments: a.bin b.bin"},
		{[]string{"a.bin", "--hex", "c3"}, "", `jitrun disasm: give a FILE or --hex, not both (got FILE "a.bin")`},
		{[]string{missing}, "", "jitrun disasm: open " + missing + ": no such file or directory"},
		{[]string{dir}, "", "jitrun disasm: " + dir + " is a directory"},
		{[]string{empty}, "", "jitrun disasm: " + empty + ": empty input: no machine code"},
		{[]string{"-"}, "", "jitrun disasm: <stdin>: empty input: no machine code"},
		{[]string{"--hex", ""}, "", "jitrun disasm: --hex: no bytes: give hex digits, as in '48 c7 c0 2a 00 00 00 c3'"},
		{[]string{"--hex", "c3 zz"}, "", `jitrun disasm: --hex: column 4: "z" is not a hex digit`},
		{[]string{"--hex", "c3", "--syntax", "masm"}, "", `jitrun disasm: --syntax: unknown syntax "masm": want go, intel or att`},
		{[]string{"--hex", "c3", "--base", "-1"}, "", `jitrun disasm: --base: "-1" is not an address: write 0x401000 or 4198400`},
		{[]string{"--hex", "c3", "--base", "0x1ffffffffffffffff"}, "", `jitrun disasm: --base: "0x1ffffffffffffffff" is above 0xffffffffffffffff`},
		{[]string{"--hex", "c3 c3", "--base", "0xffffffffffffffff"}, "", "jitrun disasm: --base 0xffffffffffffffff: 2 bytes from there pass the top of the address space"},
		{[]string{"--hex", "c3", "--mark", "x"}, "", `jitrun disasm: --mark: "x" is not an address: write 0x401000 or 4198400`},
		{[]string{"--hex", "c3 c3", "--base", "0x10", "--mark", "0x12"}, "", "jitrun disasm: --mark 0x12 is outside the code (0x10-0x11)"},
		{[]string{"--hex", "c3", "--json", "--asm"}, "", "jitrun disasm: --json and --asm are two outputs: give one"},
		{[]string{"--hex", "c3", "--bogus"}, "", "jitrun disasm: flag provided but not defined: -bogus (see 'jitrun disasm -h')"},
		{[]string{"--hex"}, "", "jitrun disasm: flag needs an argument: -hex (see 'jitrun disasm -h')"},
	}
	for _, tt := range tests {
		status, stdout, stderr := runDisasm(t, tt.stdin, tt.args...)
		if status != exitInput || stdout != "" || stderr != tt.want+"\n" {
			t.Errorf("disasm %q: status %d, stdout %q, stderr %q; want status 2 and %q", tt.args, status, stdout, stderr, tt.want)
		}
	}
}

func TestDisasmHelp(t *testing.T) {
	for _, args := range [][]string{{"disasm", "-h"}, {"help", "disasm"}} {
		status, out, stderr := runCmd(t, "", args...)
		if status != exitOK || stderr != "" || !strings.HasPrefix(out, "Usage: jitrun disasm FILE | --hex 'BYTES'") ||
			strings.Count(out, "Usage:") != 1 {
			t.Fatalf("%q: status %d, stderr %q, output %q", args, status, stderr, out)
		}
		for _, flag := range []string{"-hex", "-base", "-syntax", "-mark", "-json", "-asm"} {
			if !strings.Contains(out, "  "+flag) {
				t.Errorf("%q does not explain %s", args, flag)
			}
		}
	}
}

// TestDisasmNotRawCode checks the hints for an ELF file and for text
// (issue 11: both were decoded as code without a word), and --force.
func TestDisasmNotRawCode(t *testing.T) {
	exe, err := os.Executable() // this test binary: an ELF file
	if err != nil {
		t.Fatal(err)
	}
	elf := filepath.Join(t.TempDir(), "prog")
	data, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(elf, data[:4096], 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{elf}, "jitrun disasm: " + elf + " is an ELF file, not raw machine code: list it with objdump -d, or extract its code with objcopy -O binary --only-section=.text " + elf + " code.bin (--force decodes its bytes anyway)\n"},
		{[]string{"../../examples/add.s"}, "jitrun disasm: ../../examples/add.s is text, not machine code: assemble source with 'jitrun asm ../../examples/add.s', read hex with 'jitrun disasm --hex \"$(cat ../../examples/add.s)\"' (--force decodes its bytes anyway)\n"},
	}
	for _, tt := range tests {
		status, stdout, stderr := runDisasm(t, "", tt.args...)
		if status != exitInput || stdout != "" || stderr != tt.want {
			t.Errorf("disasm %q: status %d, stdout %q, stderr %q; want 2 and %q", tt.args, status, stdout, stderr, tt.want)
		}
		status, stdout, stderr = runDisasm(t, "", append(tt.args, "--force")...)
		if status != exitOK || stderr != "" || !strings.HasPrefix(stdout, "   0x0000  ") {
			t.Errorf("disasm %q --force: status %d, stderr %q, stdout %.200q", tt.args, status, stderr, stdout)
		}
	}
	// Machine code that happens to be printable on one line is code.
	if status, _, stderr := runDisasm(t, "hello", "-"); status != exitOK || stderr != "" {
		t.Errorf("disasm of the bytes of hello: status %d, stderr %q", status, stderr)
	}
	if status, _, stderr := runDisasm(t, "hello\n", "-"); status != exitInput || !strings.Contains(stderr, "<stdin> is text, not machine code") {
		t.Errorf("disasm of a line of text: status %d, stderr %q", status, stderr)
	}
}
