package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jitrun/jitrun/repl"
)

// TestReplHistory checks the history file: where it is, that only its
// last maxHistory lines are kept (the file cut back to them once it has
// twice as many), and which lines Add keeps.
func TestReplHistory(t *testing.T) {
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	path := filepath.Join(state, "jitrun", "repl_history")
	if got, err := historyPath(); err != nil || got != path {
		t.Fatalf("historyPath() = %q, %v; want %q", got, err, path)
	}
	var b strings.Builder
	b.WriteString(strings.Repeat("x", repl.MaxLineLen+1) + "\n") // too long: not kept
	for i := range 2 * maxHistory {
		fmt.Fprintf(&b, "mov rax, %d\n", i)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	keys := &ctrlCReader{}
	h, err := openHistory(keys)
	if err != nil {
		t.Fatal(err)
	}
	defer h.close()
	if h.Len() != maxHistory || h.At(0) != fmt.Sprintf("mov rax, %d", 2*maxHistory-1) || h.At(maxHistory-1) != fmt.Sprintf("mov rax, %d", maxHistory) {
		t.Fatalf("%d lines, newest %q, oldest %q; want the last %d", h.Len(), h.At(0), h.At(h.Len()-1), maxHistory)
	}
	for _, line := range []string{"nop", "nop", "  ", strings.Repeat("y", repl.MaxLineLen+1), "inc rax"} {
		h.Add(line)
	}
	keys.cancelled = true
	h.Add("mov rbx, 1") // cancelled with Ctrl-C
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) != maxHistory+2 || lines[0] != fmt.Sprintf("mov rax, %d", maxHistory) || strings.Join(lines[maxHistory:], "|") != "nop|inc rax" {
		t.Errorf("the file has %d lines (first %q, last %q); want the %d kept, then nop and inc rax", len(lines), lines[0], lines[len(lines)-1], maxHistory)
	}
	if h.Len() != maxHistory || h.At(0) != "inc rax" || h.At(1) != "nop" {
		t.Errorf("%d lines, newest %q %q; want %d, inc rax and nop", h.Len(), h.At(0), h.At(1), maxHistory)
	}
}

// TestReplHistoryTail checks that a history file far larger than what is
// kept is read from its tail only, from the start of a line.
func TestReplHistoryTail(t *testing.T) {
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	path := filepath.Join(state, "jitrun", "repl_history")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	limit := maxHistory * (repl.MaxLineLen + 1)
	big := strings.Repeat("z", 2*limit) + "\nlast line\n"
	if err := os.WriteFile(path, []byte(big), 0o600); err != nil {
		t.Fatal(err)
	}
	h, err := openHistory(&ctrlCReader{})
	if err != nil {
		t.Fatal(err)
	}
	defer h.close()
	if h.Len() != 1 || h.At(0) != "last line" {
		t.Errorf("%d lines; want only \"last line\" (the cut one dropped)", h.Len())
	}
}
