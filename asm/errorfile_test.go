package asm

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestGoErrorFile checks that every line amd64error.s marks with
// // ERROR is rejected, each assembled on its own.
func TestGoErrorFile(t *testing.T) {
	path := goTestdata(t, "amd64error.s")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	errRE := regexp.MustCompile(`// ERROR "([^"]*)"`)
	var marked, rejected int
	for i, line := range strings.Split(string(data), "\n") {
		m := errRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		marked++
		text := strings.TrimSpace(strings.Split(line, "//")[0])
		_, err := Assemble(text)
		if err == nil {
			t.Errorf("amd64error.s:%d: %s: assembled, want an error like %q", i+1, text, m[1])
			continue
		}
		rejected++
		if testing.Verbose() {
			t.Logf("amd64error.s:%d: %s: %v (go tool asm: %s)", i+1, text, err, m[1])
		}
	}
	t.Logf("amd64error.s: %d of %d ERROR lines rejected", rejected, marked)
}
