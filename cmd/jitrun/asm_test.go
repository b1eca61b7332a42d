package main

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files of the asm command tests")

// runCmd runs jitrun in-process and returns its status and output.
func runCmd(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	_, stdout, stderr, status := transcriptParts(strings.NewReader(stdin), args...)
	return status, stdout, stderr
}

func TestAsmFormatsGolden(t *testing.T) {
	src := filepath.Join("testdata", "asm", "add.s")
	for _, format := range []string{"hex", "listing", "json", "go"} {
		t.Run(format, func(t *testing.T) {
			status, stdout, stderr := runCmd(t, "", "asm", src, "--format", format)
			if status != exitOK || stderr != "" {
				t.Fatalf("status %d, stderr %q", status, stderr)
			}
			checkGolden(t, filepath.Join("testdata", "asm", "add."+format+".golden"), stdout)
		})
	}
}

func TestAsmBin(t *testing.T) {
	status, hexOut, _ := runCmd(t, "", "asm", "-e", "MOVQ $1, AX; RET")
	if status != exitOK || hexOut != "48c7c001000000c3\n" {
		t.Fatalf("hex: status %d, output %q", status, hexOut)
	}
	status, bin, stderr := runCmd(t, "", "asm", "-e", "MOVQ $1, AX; RET", "--format", "bin")
	if status != exitOK || stderr != "" || bin != "\x48\xc7\xc0\x01\x00\x00\x00\xc3" {
		t.Fatalf("bin: status %d, output %q, stderr %q", status, bin, stderr)
	}
}

func TestAsmJSONShape(t *testing.T) {
	status, stdout, _ := runCmd(t, "", "asm", "--format=json", "-e", "TEXT f(SB),$0\nloop: DECQ CX; JNE loop\nRET\nTEXT g(SB),$0\nloop: RET")
	if status != exitOK {
		t.Fatalf("status %d", status)
	}
	var doc struct {
		Code  string `json:"code"`
		Lines []struct {
			Line   int    `json:"line"`
			Offset int    `json:"offset"`
			Bytes  string `json:"bytes"`
			Text   string `json:"text"`
		} `json:"lines"`
		Symbols map[string]struct {
			Offset int    `json:"offset"`
			Size   int    `json:"size"`
			Kind   string `json:"kind"`
		} `json:"symbols"`
		Labels map[string]int `json:"labels"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Code != "48ffc975fbc3c3" {
		t.Errorf("code %s", doc.Code)
	}
	if len(doc.Lines) != 3 || doc.Lines[0].Line != 2 || doc.Lines[0].Bytes != "48ffc975fb" || doc.Lines[0].Text != "loop: DECQ CX; JNE loop" {
		t.Errorf("lines %+v", doc.Lines)
	}
	if doc.Symbols["f"].Size != 6 || doc.Symbols["g"].Offset != 6 || doc.Symbols["g"].Kind != "text" {
		t.Errorf("symbols %+v", doc.Symbols)
	}
	// The same label in two functions is qualified by its function.
	if len(doc.Labels) != 2 || doc.Labels["f.loop"] != 0 || doc.Labels["g.loop"] != 6 {
		t.Errorf("labels %+v", doc.Labels)
	}
}

func TestAsmErrors(t *testing.T) {
	tests := []struct {
		name   string
		stdin  string
		args   []string
		status int
		stderr string
	}{
		{
			name:   "file with errors",
			args:   []string{"asm", filepath.Join("testdata", "asm", "bad.s")},
			status: exitInput,
			stderr: "testdata/asm/bad.s:4:2: unknown instruction MOV: Go syntax puts the operand size in the mnemonic: MOVB, MOVW, MOVL, MOVQ\n" +
				"testdata/asm/bad.s:5:2: ADDQ: immediate 0xffffffff does not fit in a sign-extended 32-bit field (-0x80000000..0x7fffffff); load it into a register with MOVQ first\n" +
				"testdata/asm/bad.s:6:2: undefined: nowhere is not a label, TEXT or GLOBL symbol of this source, nor a routine of jitrun's I/O library (jitrun help lib)\n",
		},
		{
			name:   "expression",
			args:   []string{"asm", "-e", "MOVQ $1, AX; MOVQ (AX)(SP*1), BX"},
			status: exitInput,
			stderr: "<expr>:1:14: MOVQ: SP cannot be an index register\n",
		},
		{
			name:   "stdin",
			stdin:  "NOP\nMOVL $1<<40, AX\n",
			args:   []string{"asm", "-"},
			status: exitInput,
			stderr: "<stdin>:2:1: MOVL: immediate 0x10000000000 does not fit in 32 bits (-0x80000000..0xffffffff)\n",
		},
		{
			name:   "intel expression: ';' separates, columns are the line's",
			args:   []string{"asm", "--syntax", "intel", "-e", "mov eax, 7; add eax, [edi]; ret"},
			status: exitInput,
			stderr: "<expr>:1:23: edi: only 64-bit registers can address memory (write rdi)\n",
		},
		{
			name:   "errors of every stage, in Intel terms",
			args:   []string{"asm", "--syntax", "intel", "-e", "mov rax, [rax; foobar eax; pshufd xmm0, xmm1, 300"},
			status: exitInput,
			stderr: "<expr>:1:10: missing ] in memory operand\n" +
				"<expr>:1:16: unknown instruction foobar; here ';' separates statements, as in GNU as (a comment starts with '#')\n" +
				"<expr>:1:28: pshufd xmm0, xmm1, 300: immediate 300 does not fit in 8 bits (-128..255)\n",
		},
		{
			name:   "no input",
			args:   []string{"asm"},
			status: exitInput,
			stderr: "jitrun asm: need a FILE or -e SRC (see 'jitrun asm -h')\n",
		},
		{
			name:   "missing file",
			args:   []string{"asm", "testdata/asm/nonexistent.s"},
			status: exitInput,
			stderr: "jitrun asm: open testdata/asm/nonexistent.s: no such file or directory\n",
		},
		{
			name:   "bad format",
			args:   []string{"asm", "-e", "RET", "--format", "elf"},
			status: exitInput,
			stderr: "jitrun asm: unknown --format \"elf\": want hex, bin, listing, json or go\n",
		},
		{
			name:   "bad syntax",
			args:   []string{"asm", "-e", "RET", "--syntax", "masm"},
			status: exitInput,
			stderr: "jitrun asm: --syntax: unknown syntax \"masm\": want go, intel, att or auto\n",
		},
		{
			name:   "AT&T source (detected from %rdi): errors in AT&T terms",
			args:   []string{"asm", "-e", "movq %rdi, %rax; addl %rax, %rbx; .weird 1"},
			status: exitInput,
			stderr: "<expr>:1:18: operand size mismatch: %rax is 64-bit, but the l suffix of addl says 32-bit\n<expr>:1:35: unsupported directive .weird\n",
		},
		{
			name:   "empty input (issue 11: a blank line and status 0)",
			stdin:  "",
			args:   []string{"asm", "-"},
			status: exitInput,
			stderr: "jitrun asm: <stdin>: empty input: no instructions\n",
		},
		{
			name:   "only comments",
			args:   []string{"asm", "-e", "// nothing here"},
			status: exitInput,
			stderr: "jitrun asm: <expr>: empty input: no instructions\n",
		},
		{
			name:   "extra arguments",
			args:   []string{"asm", "-e", "RET", "extra"},
			status: exitInput,
			stderr: "jitrun asm: unexpected arguments after the source: extra\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, stdout, stderr := runCmd(t, tt.stdin, tt.args...)
			if status != tt.status || stderr != tt.stderr || stdout != "" {
				t.Errorf("jitrun %q: status %d, stdout %q, stderr:\n%s\nwant status %d, stderr:\n%s", tt.args, status, stdout, stderr, tt.status, tt.stderr)
			}
		})
	}
}

// TestAsmIntelExpression checks that -e separates Intel statements at ';'
// (a file keeps ';' as a comment) and that '#' still starts a comment.
func TestAsmIntelExpression(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"asm", "--syntax", "intel", "-e", "mov eax, 7; add eax, edi; ret"}, "b80700000001f8c3\n"},
		{[]string{"asm", "--syntax", "intel", "-e", "mov al, ';'; ret # a comment; nop"}, "b03bc3\n"},
		{[]string{"asm", "-e", "BITS 64; top: dec ecx; jnz top; ret"}, "ffc975fcc3\n"},
		{[]string{"asm", "--syntax", "intel", "-"}, "b807000000c3\n"},
	}
	for _, tt := range tests {
		status, stdout, stderr := runCmd(t, "mov eax, 7 ; add eax, edi\nret\n", tt.args...)
		if status != exitOK || stdout != tt.want || stderr != "" {
			t.Errorf("jitrun %q: status %d, stdout %q, stderr %q; want %q", tt.args, status, stdout, stderr, tt.want)
		}
	}
}

func TestAsmStdin(t *testing.T) {
	status, stdout, stderr := runCmd(t, "XORL AX, AX\nRET\n", "asm", "-", "--format", "listing")
	want := "TEXT main(SB) size=3\n0000  31 c0                             1  XORL AX, AX\n0002  c3                                2  RET\n"
	if status != exitOK || stdout != want || stderr != "" {
		t.Errorf("status %d, stderr %q, stdout:\n%s\nwant:\n%s", status, stderr, stdout, want)
	}
}

// TestAsmOutputDash checks that -o - writes to standard output, as - reads
// standard input, and creates no file named "-".
func TestAsmOutputDash(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	status, stdout, stderr := runCmd(t, "", "asm", "-o", "-", "-e", "MOVQ $1, AX; RET")
	if status != exitOK || stdout != "48c7c001000000c3\n" || stderr != "" {
		t.Errorf("-o -: status %d, stdout %q, stderr %q", status, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "-")); err == nil {
		t.Error("-o - created a file named -")
	}
}
