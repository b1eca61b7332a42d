package asm

import (
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// goTestdata returns the path of a file in the Go assembler's own test
// data, in the GOROOT of the toolchain running the tests.
func goTestdata(t testing.TB, name string) string {
	t.Helper()
	path := filepath.Join(runtime.GOROOT(), "src", "cmd", "asm", "internal", "asm", "testdata", name)
	if _, err := os.Stat(path); err != nil {
		t.Skipf("SKIP: Go's assembler test data is not installed (%v); the oracle needs $GOROOT/src/cmd/asm", err)
	}
	return path
}

// encLine is one instruction line of amd64enc.s with its expected bytes.
type encLine struct {
	line  int
	text  string   // the instruction, comments removed
	wants [][]byte // acceptable encodings ("a or b")
}

// readEncLines reads the instruction lines that carry an expected encoding.
func readEncLines(t testing.TB, path string) []encLine {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []encLine
	for i, line := range strings.Split(string(data), "\n") {
		parts := strings.Split(line, "//")
		text := strings.TrimSpace(parts[0])
		if text == "" || strings.HasSuffix(text, ":") || strings.HasPrefix(text, "#") || strings.HasPrefix(text, "TEXT") {
			continue
		}
		note := strings.TrimSpace(parts[len(parts)-1])
		if len(parts) < 2 || !isHexes(note) {
			continue
		}
		var wants [][]byte
		for _, h := range strings.Split(note, " or ") {
			b, err := hex.DecodeString(h)
			if err != nil {
				t.Fatalf("%s:%d: bad hex %q", path, i+1, h)
			}
			wants = append(wants, b)
		}
		out = append(out, encLine{line: i + 1, text: text, wants: wants})
	}
	return out
}

func isHexes(s string) bool {
	if s == "" {
		return false
	}
	for _, f := range strings.Split(s, " or ") {
		if f == "" || len(f)%2 != 0 || strings.Trim(f, "0123456789abcdef") != "" {
			return false
		}
	}
	return true
}

// TestGoEncoderOracle assembles every instruction line of Go's own encoder
// tests and compares the bytes with the expected ones: each line must either
// match or be rejected with an error, never assemble to other bytes.
func TestGoEncoderOracle(t *testing.T) {
	var matched, errored, total int
	for _, name := range []string{"amd64enc.s", "amd64enc_extra.s"} {
		path := goTestdata(t, name)
		var m, e, n int
		for _, l := range readEncLines(t, path) {
			n++
			p, err := Assemble(l.text)
			if err != nil {
				e++
				if testing.Verbose() {
					t.Logf("%s:%d: %s: error: %v", name, l.line, l.text, err)
				}
				continue
			}
			ok := false
			for _, w := range l.wants {
				if bytes.Equal(p.Code, w) {
					ok = true
				}
			}
			if !ok {
				t.Errorf("%s:%d: %s: assembled to %x, want %x", name, l.line, l.text, p.Code, l.wants)
				continue
			}
			m++
		}
		t.Logf("%s: matched %d, errored %d, total %d", name, m, e, n)
		matched, errored, total = matched+m, errored+e, total+n
	}
	pct := 100 * float64(matched) / float64(total)
	t.Logf("amd64enc.s + amd64enc_extra.s: matched %d / errored %d / total %d (%.2f%% matched)", matched, errored, total, pct)
	if pct < 97 {
		t.Errorf("matched %.2f%% of the instruction lines, want at least 97%%", pct)
	}
}
