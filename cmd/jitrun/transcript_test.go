package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The tests of run, the examples and the README compare transcripts: the
// command, what it printed and its exit status, as a terminal shows them,
// with what changes from run to run (addresses, timings, thread ids)
// masked the same way on both sides.

// transcript runs jitrun in-process with args and returns
//
//	$ jitrun ARGS
//	standard output
//	[stderr]
//	standard error      (only when there is some)
//	[exit N]
//
// and the exit status.
func transcript(t *testing.T, stdin io.Reader, args ...string) (string, int) {
	t.Helper()
	out, _, _, status := transcriptParts(stdin, args...)
	return out, status
}

// transcriptParts is transcript, also returning standard output and
// standard error on their own.
func transcriptParts(stdin io.Reader, args ...string) (out, stdoutText, stderrText string, status int) {
	var stdout, stderr bytes.Buffer
	status = run(&env{stdin: stdin, stdout: &stdout, stderr: &stderr}, args)
	return formatTranscript(args, stdout.String(), stderr.String(), status), stdout.String(), stderr.String(), status
}

// formatTranscript writes a command's transcript: "$ jitrun ARGS", its
// standard output, its standard error after a line "[stderr]", and
// "[exit N]".
func formatTranscript(args []string, stdout, stderr string, status int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "$ jitrun %s\n", shellJoin(args))
	b.WriteString(withNewline(stdout))
	if stderr != "" {
		b.WriteString("[stderr]\n")
		b.WriteString(withNewline(stderr))
	}
	fmt.Fprintf(&b, "[exit %d]\n", status)
	return b.String()
}

// shellJoin quotes args the way a shell would read them back.
func shellJoin(args []string) string {
	var out []string
	for _, a := range args {
		if a != "" && !strings.ContainsAny(a, " \t\n'\"\\$;*?&|<>(){}[]#~`") {
			out = append(out, a)
			continue
		}
		out = append(out, "'"+strings.ReplaceAll(a, "'", `'\''`)+"'")
	}
	return strings.Join(out, " ")
}

// shellSplit splits a command line as a shell does for the quoting the
// README uses: words separated by blanks, '…' and "…" quotes.
func shellSplit(s string) ([]string, error) {
	var args []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			if inWord {
				args = append(args, cur.String())
				cur.Reset()
				inWord = false
			}
		case c == '\'' || c == '"':
			j := strings.IndexByte(s[i+1:], c)
			if j < 0 {
				return nil, fmt.Errorf("unterminated %c quote in %q", c, s)
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '\\' && i+1 < len(s):
			cur.WriteByte(s[i+1])
			i++
			inWord = true
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		args = append(args, cur.String())
	}
	return args, nil
}

var (
	hexNumber = regexp.MustCompile(`\b0x[0-9a-f]+\b`)
	decNumber = regexp.MustCompile(`\b[0-9]{10,16}\b`)
	maskRules = []struct {
		re   *regexp.Regexp
		with string
	}{
		// Timings.
		{regexp.MustCompile(`[0-9]+(\.[0-9]+)? ns`), "N ns"},
		{regexp.MustCompile(`\([0-9,]+ calls in [0-9]+ batches\)`), "(N calls in N batches)"},
		{regexp.MustCompile(`"duration_ns": [0-9]+`), `"duration_ns": N`},
		// Thread ids.
		{regexp.MustCompile(`tid [0-9]+`), "tid N"},
		// MXCSR's exception flags are sticky: Go's own float code may
		// have set them on the thread before the call.
		{regexp.MustCompile(`(mxcsr"?:? +"?)0x1f[89ab][0-9a-f]`), "${1}0x1f80+flags"},
	}
)

// userAddr reports whether v looks like a user-space mmap address, which
// changes from run to run (ASLR).
func userAddr(v uint64) bool { return v >= 1<<32 && v < 1<<47 }

// mask replaces what changes from run to run: the digits of user-space
// addresses except the last three (the offset in the page, which does not
// change: code and stacks are page aligned), those addresses in decimal,
// timings, thread ids and MXCSR's sticky flags.
func mask(s string) string {
	s = hexNumber.ReplaceAllStringFunc(s, func(h string) string {
		v, err := strconv.ParseUint(h[2:], 16, 64)
		if err != nil || !userAddr(v) || len(h) < 6 {
			return h
		}
		return "0x" + strings.Repeat("X", len(h)-5) + h[len(h)-3:]
	})
	s = decNumber.ReplaceAllStringFunc(s, func(d string) string {
		v, err := strconv.ParseUint(d, 10, 64)
		if err != nil || !userAddr(v) {
			return d
		}
		return "ADDR"
	})
	for _, r := range maskRules {
		s = r.re.ReplaceAllString(s, r.with)
	}
	return s
}

// checkGolden compares got with the file at path, or rewrites the file
// with -update.
func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/jitrun -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test -update rewrites it):\n%s", path, lineDiff(string(want), got))
	}
}

// lineDiff shows the first lines where want and got differ, with a few
// lines of context.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	i := 0
	for i < len(w) && i < len(g) && w[i] == g[i] {
		i++
	}
	var b strings.Builder
	from := max(0, i-3)
	for k := from; k < i; k++ {
		fmt.Fprintf(&b, "  %s\n", w[k])
	}
	for k := i; k < min(len(w), i+6); k++ {
		fmt.Fprintf(&b, "- %s\n", w[k])
	}
	for k := i; k < min(len(g), i+6); k++ {
		fmt.Fprintf(&b, "+ %s\n", g[k])
	}
	return b.String()
}

func TestMask(t *testing.T) {
	tests := []struct{ in, want string }{
		{"rsp    0x00007f16db656fe8  on the call's stack", "rsp    0xXXXXXXXXXXXXXfe8  on the call's stack"},
		{"   0x7f16db658007  selfmod+0x7", "   0xXXXXXXXXX007  selfmod+0x7"},
		{"rax = 139736146870282 (0x7f16db65800a)", "rax = ADDR (0xXXXXXXXXX00a)"},
		{"rax = 42 (0x2a)", "rax = 42 (0x2a)"},
		{"rax = -1 (0xffffffffffffffff)", "rax = -1 (0xffffffffffffffff)"},
		{"rax = 2432902008176640000 (0x21c3677c82b40000)", "rax = 2432902008176640000 (0x21c3677c82b40000)"},
		{"time: 5.21 ns/call median, 4.9 ns min (1,234 calls in 17 batches)", "time: N ns/call median, N ns min (N calls in N batches)"},
		{"thread 1: tid 29127, stack", "thread 1: tid N, stack"},
		{"  mxcsr  0x1fa0\n", "  mxcsr  0x1f80+flags\n"},
		{`"mxcsr": "0x1f81",`, `"mxcsr": "0x1f80+flags",`},
		{`"duration_ns": 95441`, `"duration_ns": N`},
	}
	for _, tt := range tests {
		if got := mask(tt.in); got != tt.want {
			t.Errorf("mask(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestShellSplitJoin(t *testing.T) {
	tests := []struct {
		line string
		args []string
	}{
		{`run examples/add.s 2 3`, []string{"run", "examples/add.s", "2", "3"}},
		{`run -e 'MOVQ $42, AX; RET'`, []string{"run", "-e", "MOVQ $42, AX; RET"}},
		{`run --hex "48 c7 c0 2a 00 00 00 c3" --json`, []string{"run", "--hex", "48 c7 c0 2a 00 00 00 c3", "--json"}},
		{`run -e 'it'\''s'`, []string{"run", "-e", "it's"}},
	}
	for _, tt := range tests {
		got, err := shellSplit(tt.line)
		if err != nil || strings.Join(got, "|") != strings.Join(tt.args, "|") {
			t.Errorf("shellSplit(%q) = %q, %v; want %q", tt.line, got, err, tt.args)
		}
		back, err := shellSplit(shellJoin(tt.args))
		if err != nil || strings.Join(back, "|") != strings.Join(tt.args, "|") {
			t.Errorf("shellSplit(shellJoin(%q)) = %q, %v", tt.args, back, err)
		}
	}
	if _, err := shellSplit(`run -e 'open`); err == nil {
		t.Error("an unterminated quote is not an error")
	}
}
