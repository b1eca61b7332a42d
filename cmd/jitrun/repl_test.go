package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// replChild runs `jitrun repl ARGS` in a child process from dir, with
// input on its standard input through a pipe, and returns its standard
// output, standard error and exit status.
func replChild(t *testing.T, dir, input string, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	exe, err := filepath.Abs(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	cmd := childCommand(context.Background(), exe, []string{"XDG_STATE_HOME=" + dir}, append([]string{"repl"}, args...))
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(input) // a pipe: exec copies it in
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		if cmd.ProcessState == nil || !cmd.ProcessState.Exited() {
			t.Fatalf("jitrun repl: %v\n%s", err, errOut.String())
		}
	}
	return out.String(), errOut.String(), cmd.ProcessState.ExitCode()
}

// TestReplSession drives a whole session through a pipe, as a script
// would, and compares what it printed with the golden file; then runs
// the file .save wrote and checks that it ends with the same registers.
func TestReplSession(t *testing.T) {
	input, err := os.ReadFile(filepath.Join("testdata", "repl", "session.in"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	stdout, stderr, status := replChild(t, dir, string(input), "--echo")
	if status != 0 {
		t.Fatalf("exit status %d, want 0\n%s", status, stderr)
	}
	if want := "jitrun repl: standard input is the REPL's: code that reads it gets end-of-file\n"; stderr != want {
		t.Errorf("stderr %q, want %q", stderr, want)
	}
	golden := filepath.Join("testdata", "repl", "session.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(stdout), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if stdout != string(want) {
		t.Errorf("output differs from %s (go test ./cmd/jitrun -run TestReplSession -update rewrites it):\n%s", golden, lineDiff(string(want), stdout))
	}
	if n := strings.Count(string(input), "\n"); n < 20 {
		t.Errorf("the session is %d lines; the acceptance asks for 20", n)
	}

	// The last .regs, before .save: the session's registers.
	i := strings.LastIndex(stdout, "> .regs\n")
	j := strings.Index(stdout[i:], "> .save")
	if i < 0 || j < 0 {
		t.Fatal("no .regs before .save in the output")
	}
	session := parseReplRegs(stdout[i : i+j])
	var runOut, runErr strings.Builder
	if st := runChild(t, dir, nil, &runOut, &runErr, "run", "session.s", "--json"); st != 0 {
		saved, _ := os.ReadFile(filepath.Join(dir, "session.s"))
		t.Fatalf("jitrun run session.s: exit %d\n%s%s\n%s", st, runOut.String(), runErr.String(), saved)
	}
	var doc struct {
		Regs map[string]any `json:"regs"`
	}
	if err := json.Unmarshal([]byte(runOut.String()), &doc); err != nil {
		t.Fatalf("%v\n%s", err, runOut.String())
	}
	compared := 0
	for name, v := range session {
		if strings.HasPrefix(v, "stack") || strings.HasPrefix(v, "scratch") {
			continue // an address of the session's own memory
		}
		got, _ := doc.Regs[name].(string)
		if !sameHex(got, v) {
			t.Errorf("%s: the session has %s, jitrun run of the saved file %s", name, v, got)
		}
		compared++
	}
	xmm := regexp.MustCompile(`(?m)^xmm0\s+0x([0-9a-f]+)`).FindStringSubmatch(stdout[i : i+j])
	runXMM, _ := doc.Regs["xmm"].([]any)
	if xmm == nil || len(runXMM) == 0 || !sameHex(fmt.Sprint(runXMM[0]), xmm[1]) {
		t.Errorf("xmm0: the session has %v, jitrun run of the saved file %v", xmm, runXMM)
	}
	if compared < 15 {
		t.Errorf("compared %d registers, want the 14 general registers that hold no address and rflags at least", compared)
	}
}

// replRegLine is a line of .regs: a name and its value (hex, or a
// stack/scratch name).
var replRegLine = regexp.MustCompile(`(?m)^(r[a-z0-9]+|rflags)\s+(0x[0-9a-f]+|stack\S*|scratch\S*)`)

// parseReplRegs reads the general registers and RFLAGS of .regs.
func parseReplRegs(text string) map[string]string {
	regs := map[string]string{}
	for _, m := range replRegLine.FindAllStringSubmatch(text, -1) {
		regs[m[1]] = m[2]
	}
	return regs
}

// sameHex compares two hex numbers, leading zeros aside.
func sameHex(a, b string) bool {
	trim := func(s string) string {
		s = strings.TrimLeft(strings.TrimPrefix(s, "0x"), "0")
		return s
	}
	return a != "" && trim(a) == trim(b)
}

// TestReplErrors runs jitrun repl in-process on short inputs: every bad
// line is one line of error, and the session goes on.
func TestReplErrors(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		input string
		want  string // standard output
		err   string // standard error
		exit  int
	}{
		{"unknown command", nil, ".nope\nmov rax, 1\n", "error: unknown command .nope: .help lists the commands\nrax     0 -> 1\n", "", 0},
		{"bad line", nil, "mov rax\n", "error: repl:1:1: mov does not take (r64); its forms: cr, r64 | dr, r64 | m16, imm | m16, r16 | m32, imm | m32, r32 | m64, imm | m64, r64; and 16 more\n", "", 0},
		{"set usage", nil, ".set rax\n", "error: usage: .set REG VALUE (.set rax 42, .set xmm0 0x3ff0000000000000)\n", "", 0},
		{"syntax", nil, ".syntax att\n.syntax\n", "error: usage: .syntax intel|go\nsyntax: intel\n", "", 0},
		{"load stdin", nil, ".load -\nmov rax, 1\nret\n", "error: .load -: standard input is the REPL's own; name a file\nrax     0 -> 1\n" +
			"fault: SIGSEGV at line 1 (+0x0): ret\n  access above the top of the stack, into the guard region there\n" +
			"  signal     SIGSEGV, si_code SEGV_ACCERR: the address is mapped, but its protection forbids the access\n" +
			"  exception  #PF page fault (vector 14), error code 0x4 (not present, read, user)\n  address    stack+0x8000\n" +
			"  the state is as it was before the line (.regs shows it)\n", "", 0},
		{"save to the output", nil, "mov rax, 1\n.save -\n", "rax     0 -> 1\n" +
			"; A jitrun repl session (intel syntax), written by .save. `jitrun run FILE` runs it and\n" +
			"; ends with the registers the session had, but for those that held addresses of its\n" +
			"; stack or scratch area. rdi starts at scratch, as in the session.\n" +
			"\tmov [repl_rsp], rsp         ; the stack pointer to return with\n" +
			"\tlea rsp, [rsp-8]            ; the stack 16-byte aligned, as in the session\n" +
			"\tlea rdi, [scratch]\n\tmov rax, 1\n\tmov rsp, [repl_rsp]\n\tret\n\nsection .bss\nscratch: resb 4096\nrepl_rsp: resq 1\n", "", 0},
		{"load missing", nil, ".load /nonexistent.s\n", "error: .load: open /nonexistent.s: no such file or directory\n", "", 0},
		{"command in a block", nil, "top:\n.regs\n", "error: a block is open: end it with an empty line first\n(no register changed)\n", "", 0},
		{"long line", nil, strings.Repeat("n", 5000) + "\nnop\n", "error: the line is longer than 4096 bytes: dropped\n(no register changed)\n", "", 0},
		{"nothing to undo", nil, ".undo\n", "error: nothing to undo\n", "", 0},
		{"lanes", nil, ".set xmm0 0x3ff0000000000000\n.regs --lanes f32\n", "xmm0    0x00000000000000000000000000000000 -> 0x00000000000000003ff0000000000000\n" +
			"          i64 {4607182418800017408, 0}  f64 {1, 0}\n" +
			"rax     0x0000000000000000  0\nrbx     0x0000000000000000  0\nrcx     0x0000000000000000  0\nrdx     0x0000000000000000  0\nrsi     0x0000000000000000  0\nrdi     scratch\nrbp     0x0000000000000000  0\nrsp     stack+0x8000\nr8      0x0000000000000000  0\nr9      0x0000000000000000  0\nr10     0x0000000000000000  0\nr11     0x0000000000000000  0\nr12     0x0000000000000000  0\nr13     0x0000000000000000  0\nr14     0x0000000000000000  0\nr15     0x0000000000000000  0\n" +
			"rflags  0x246  CF=0 PF=1 AF=0 ZF=1 SF=0 DF=0 OF=0 (IF)\nxmm0    f32 {0, 1.875, 0, 0}\n(31 vector registers not listed are zero)\nmxcsr   0x1f80\nx87cw   0x37f\n", "", 0},
		{"bad lanes", nil, ".regs --lanes f16\n", "error: .regs --lanes: unknown lane view \"f16\": want one of hex, i8, u8, i16, u16, i32, u32, i64, u64, f32, f64\n", "", 0},
		{"label of an earlier line", nil, "d: push rax\njmp d\n\n", "rsp     stack+0x8000 -> stack+0x7ff8\nerror: repl:1:1: undefined label d (a label lives in its block only: open the block with the label alone on its line)\n", "", 0},
		{"many errors", []string{"--syntax", "go"}, "FOO; BAR; BAZ; QUX; QUUX\n", "error: repl:1:1: unknown instruction FOO; repl:1:6: unknown instruction BAR; repl:1:11: unknown instruction BAZ; and 2 more\n", "", 0},
		{"reset", nil, "mov rax, 1\n.reset\n.history\n", "rax     0 -> 1\nreset: every register, the stack and the scratch area are as they started; nothing to undo\nnothing typed yet (since the start, or the last .reset)\n", "", 0},
		{"show", nil, ".show\n.show nosuch\n", "error: usage: .show WHAT[:LEN][/FMT] (.show rsp:32/gx, .show scratch:16/b, .show rdi/s)\nerror: .show nosuch: unknown symbol nosuch; symbols: stack, scratch\n", "", 0},
		{"set rsp", nil, ".set rsp 0\n", "error: .set rsp: rsp is the REPL's stack pointer; move it with an instruction (sub rsp, 16)\n", "", 0},
		{"block at the end", nil, "top:\ninc rax\n", "rax     0 -> 1\nrflags  0x246 -> 0x202  PF 1->0, ZF 1->0\n", "", 0},
		{"quit", nil, ".quit\nmov rax, 1\n", "", "", 0},
		{"quit in a block", nil, "top:\ninc rax\n.quit\nmov rbx, 1\n", "rax     0 -> 1\nrflags  0x246 -> 0x202  PF 1->0, ZF 1->0\n", "", 0},
		{"go syntax", []string{"--syntax", "go"}, "MOVQ $5, AX\n", "rax     0 -> 5\n", "", 0},
		{"bad syntax flag", []string{"--syntax", "att"}, "", "", "jitrun repl: --syntax \"att\": want intel or go\n", 2},
		{"bad timeout", []string{"--timeout", "0s"}, "", "", "jitrun repl: --timeout 0s: want 50µs to 1h0m0s\n", 2},
		{"two files", []string{"a", "b"}, "", "", "jitrun repl: takes at most one FILE, got 2 arguments\n", 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, stdout, stderr, status := transcriptParts(strings.NewReader(tc.input), append([]string{"repl"}, tc.args...)...)
			if stdout != tc.want || stderr != tc.err || status != tc.exit {
				t.Errorf("got stdout %q, stderr %q, exit %d\nwant stdout %q, stderr %q, exit %d", stdout, stderr, status, tc.want, tc.err, tc.exit)
			}
		})
	}
}

// TestReplFile runs the lines of a FILE given as the argument.
func TestReplFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "lines.txt")
	if err := os.WriteFile(file, []byte("mov rbx, 7\nimul rbx, rbx\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stdout, stderr, status := transcriptParts(strings.NewReader(""), "repl", "--echo", file)
	want := "> mov rbx, 7\nrbx     0 -> 7\n> imul rbx, rbx\nrbx     7 -> 0x31 (49)\n"
	if stdout != want || stderr != "" || status != 0 {
		t.Errorf("got %q, %q, %d; want %q", stdout, stderr, status, want)
	}
}

// TestReplBinaryFile checks that a FILE that is not text is refused at
// once (not as one error per line).
func TestReplBinaryFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "lines.bin")
	if err := os.WriteFile(file, []byte("nop\n\x7fELF\x02\x01\x00\x00\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stdout, stderr, status := transcriptParts(strings.NewReader(""), "repl", file)
	want := "jitrun repl: " + file + ": a NUL byte at offset 10: FILE is lines of text (a binary file?)\n"
	if stdout != "" || stderr != want || status != 2 {
		t.Errorf("got %q, %q, %d; want nothing, %q, 2", stdout, stderr, status, want)
	}
}

// TestReplStdin checks that code reading standard input gets end-of-file
// and cannot take the lines that follow, which are the REPL's.
func TestReplStdin(t *testing.T) {
	input := "mov rax, 7\nrd:\nlea rsi, [rdi+64]\nxor edi, edi\nmov edx, 8\nxor eax, eax\nsyscall\n\nmov rbx, 1\n"
	stdout, _, status := replChild(t, t.TempDir(), input)
	want := "rax     0 -> 7\nrax     7 -> 0\nrcx     0 -> RCX\nrdx     0 -> 8\nrsi     0 -> scratch+0x40\nrdi     scratch -> 0\nr11     0 -> 0x246 (582)\nrbx     0 -> 1\n"
	got := regexp.MustCompile(`(?m)^(rcx     0 -> ).*$`).ReplaceAllString(stdout, "${1}RCX")
	if got != want || status != 0 {
		t.Errorf("got %q (exit %d), want %q (read returns 0 in rax: end-of-file)", stdout, status, want)
	}
}
