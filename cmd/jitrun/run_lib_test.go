//go:build linux && amd64

package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jitrun/jitrun/internal/testsupport"
)

// The I/O library through the CLI (asm links it, jitrun help lib lists
// it): jitrun run in a child, as a user runs it, under the default system
// call guard, with standard input from a file; the transcripts are
// golden files, and --json documents are read back with encoding/json.

// runLibChild runs jitrun ARGS in a child with stdin as its standard
// input (a file) and returns its transcript, standard output alone, and
// exit status.
func runLibChild(t *testing.T, stdin string, args ...string) (transcript, stdout string, status int) {
	t.Helper()
	return runLibChildEnv(t, nil, stdin, args...)
}

// runLibChildEnv is runLibChild with more environment variables.
func runLibChildEnv(t *testing.T, environ []string, stdin string, args ...string) (transcript, stdout string, status int) {
	t.Helper()
	exe, err := filepath.Abs(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	f := testsupport.StdinFile(t, stdin)
	cmd := childCommand(context.Background(), exe, environ, args)
	cmd.Stdin = f
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	cmd.Run()
	status = cmd.ProcessState.ExitCode()
	if status == 100 {
		t.Fatalf("child: %s", errOut.String())
	}
	return formatTranscript(args, out.String(), errOut.String(), status), out.String(), status
}

// libPrint prints through every print routine.
const libPrint = "mov rdi, -42; call print_int; call print_newline; mov rdi, -1; call print_uint; call print_newline; " +
	"mov rdi, 0xdeadbeef; call print_hex; call print_newline; mov edi, 'A'; call print_char; call print_newline; " +
	"lea rdi, [rel msg]; call print_str; xor eax, eax; ret; msg: db \"done\", 10, 0"

var libCases = []struct {
	name   string
	stdin  string
	args   []string
	status int
}{
	{"lib-print", "", []string{"run", "-e", libPrint}, exitOK},
	{"lib-print-go", "", []string{"run", "-e", "MOVQ $-9223372036854775808, DI; CALL print_int(SB); CALL print_newline(SB); RET"}, exitOK},
	{"lib-no-newline", "", []string{"run", "-e", "mov rdi, 42; call print_int; ret"}, exitOK},
	{"lib-missing-ret", "", []string{"run", "-e", "mov rdi, 5; call print_int"}, exitFault},
	{"lib-read-int", "  -17\n", []string{"run", "-e", "call read_int; ret"}, exitOK},
	{"lib-read-int-eof", "", []string{"run", "-e", "call read_int; ret"}, exitOK},
	{"lib-read-line", "hello\nworld\n", []string{"run", "-e", "sub rsp, 40; mov rdi, rsp; mov esi, 32; call read_line; mov rdi, rsp; call print_str; " +
		"call print_newline; add rsp, 40; ret"}, exitOK},
	{"lib-disasm", "", []string{"run", "--disasm", "-e", "mov rdi, 7; call print_uint; ret"}, exitOK},
	{"lib-trap", "", []string{"run", "--syscalls", "trap", "-e", "call print_newline; ret"}, exitFault},
	{"lib-json", "", []string{"run", "--json", "-e", libPrint}, exitOK},
	{"lib-json-no-newline", "", []string{"run", "--json", "-e", "mov rdi, 42; call print_int; ret"}, exitOK},
	// A trace names the library's lines iolib/print.s:N, never the code's
	// print.s; a bare LINE is the code's, iolib/print.s:N the library's.
	{"lib-trace", "7", []string{"run", "--trace", "-e", "call read_int; ret"}, exitOK},
	{"lib-break-line", "", []string{"run", "-e", "mov rdi, 5; call print_int; ret", "--break", "18"}, exitInput},
	{"lib-break-lib-line", "", []string{"run", "-e", "mov rdi, 5; call print_int; ret", "--break", "iolib/print.s:18"}, exitOK},
}

func TestRunLibGolden(t *testing.T) {
	for _, tc := range libCases {
		t.Run(tc.name, func(t *testing.T) {
			got, _, status := runLibChild(t, tc.stdin, tc.args...)
			if status != tc.status {
				t.Errorf("exit status %d, want %d:\n%s", status, tc.status, got)
			}
			checkGolden(t, td(tc.name+".golden"), mask(got))
		})
	}
}

// TestRunLibTraceLines traces code that prints as it is traced: what it
// prints comes between whole lines of the trace, never inside one (the
// trace went out in 4 KiB pieces, cut anywhere).
func TestRunLibTraceLines(t *testing.T) {
	traceLine := regexp.MustCompile(`^ +([0-9]+  [A-Za-z_.]+\+0x[0-9a-f]+ |[A-Za-z_.]+\+0x[0-9a-f.+]+ × [0-9]+ more iterations$)`)
	code := regexp.MustCompile(`^[0-9x ]*$`)
	// In one process too, where what the code printed went around the
	// supervisor, glued to the trace's lines without the note.
	for _, environ := range [][]string{nil, {noSupervisorEnv + "=1"}} {
		got, _, status := runLibChildEnv(t, environ, "", "run", "--trace", "../../examples/print.s", "3")
		if status != exitOK {
			t.Fatalf("%v: exit status %d:\n%s", environ, status, got)
		}
		for _, line := range strings.Split(got, "\n") {
			switch {
			case traceLine.MatchString(line), code.MatchString(line), line+"\n" == noNewlineNote("standard output"),
				strings.HasPrefix(line, "$ jitrun"), line == "577 steps, returned", line == "rax = 9 (0x9)", line == "[exit 0]":
			default:
				t.Errorf("%v: a line cut in two: %q", environ, line)
			}
		}
	}
}

// TestRunLibJSON reads run --json back with a JSON parser: what the code
// printed through the library is the stdout field, exactly; output that
// is not UTF-8 is stdout_base64.
func TestRunLibJSON(t *testing.T) {
	tests := []struct {
		src, stdout, base64 string
	}{
		{libPrint, "-42\n18446744073709551615\n0xdeadbeef\nA\ndone\n", ""},
		{"mov rdi, 42; call print_int; ret", "42", ""},
		{"mov edi, 0xff; call print_char; mov rdi, 5; call print_int; ret", "", "/zU="},
		{"ret", "", ""},
	}
	for _, tt := range tests {
		_, stdout, status := runLibChild(t, "", "run", "--json", "-e", tt.src)
		var doc map[string]any
		if err := json.Unmarshal([]byte(stdout), &doc); err != nil || status != exitOK {
			t.Errorf("%s: status %d, not JSON (%v):\n%s", tt.src, status, err, stdout)
			continue
		}
		text, hasText := doc["stdout"].(string)
		b64, hasB64 := doc["stdout_base64"].(string)
		switch {
		case tt.base64 != "" && (hasText || !hasB64 || b64 != tt.base64):
			t.Errorf("%s: stdout %q, stdout_base64 %q, want stdout_base64 %q", tt.src, text, b64, tt.base64)
		case tt.base64 == "" && (!hasText || hasB64 || text != tt.stdout):
			t.Errorf("%s: stdout %q (%v), stdout_base64 %q, want stdout %q", tt.src, text, hasText, b64, tt.stdout)
		}
		if raw, err := base64.StdEncoding.DecodeString(b64); hasB64 && (err != nil || string(raw) != "\xff5") {
			t.Errorf("%s: stdout_base64 decodes to %q, %v", tt.src, raw, err)
		}
		if _, ok := doc["stderr"].(string); !ok {
			t.Errorf("%s: no stderr field: %s", tt.src, stdout)
		}
	}
}

// TestRunLocalOutput checks the code's output when jitrun runs in one
// process (JITRUN_NO_SUPERVISOR=1, run_local.go): as the supervisor shows
// it, and never inside the --json document.
func TestRunLocalOutput(t *testing.T) {
	local := []string{noSupervisorEnv + "=1"}
	tests := []struct {
		name   string
		args   []string
		want   string // the transcript; "" for a --json case
		stdout string // --json: the stdout field
		stderr string
		status int
	}{
		{"no newline", []string{"run", "-e", "mov rdi, 42; call print_int; ret"},
			"$ jitrun run -e 'mov rdi, 42; call print_int; ret'\n42\n(no newline at the end of the code's standard output)\nrax = 2 (0x2)\n[exit 0]\n", "", "", exitOK},
		{"newline", []string{"run", "-e", "mov rdi, 7; call print_int; call print_newline; ret"},
			"$ jitrun run -e 'mov rdi, 7; call print_int; call print_newline; ret'\n7\nrax = 1 (0x1)\n[exit 0]\n", "", "", exitOK},
		{"json", []string{"run", "--json", "-e", "mov rdi, 42; call print_int; mov eax, 1; mov edi, 2; lea rsi, [rel m]; mov edx, 3; syscall; ret; m: db \"err\""},
			"", "42", "err", exitOK},
		{"json fault", []string{"run", "--json", "-e", "call print_newline; ud2"}, "", "\n", "", exitFault},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, stdout, status := runLibChildEnv(t, local, "", tt.args...)
			if status != tt.status {
				t.Errorf("exit status %d, want %d:\n%s", status, tt.status, got)
			}
			if tt.want != "" {
				if got != tt.want {
					t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
				}
				return
			}
			var doc runJSON
			if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
				t.Fatalf("not one JSON document (%v):\n%s", err, got)
			}
			if derefOr(doc.Stdout) != tt.stdout || derefOr(doc.Stderr) != tt.stderr || doc.Stdout == nil || doc.Stderr == nil {
				t.Errorf("stdout %q, stderr %q; want %q, %q", derefOr(doc.Stdout), derefOr(doc.Stderr), tt.stdout, tt.stderr)
			}
		})
	}
}
