package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestReplTerminal runs the built jitrun repl in a real terminal, tmux's,
// types lines with send-keys — the up arrow to recall one, Ctrl-C to drop
// a line and to interrupt a running one, Ctrl-D to end — and reads the
// screen with capture-pane.
func TestReplTerminal(t *testing.T) {
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Skip("SKIP: tmux is not installed, so jitrun repl is not tested in a terminal (.ci/run installs tmux; apt-get install tmux)")
	}
	if testing.Short() {
		t.Skip("builds jitrun: not with -short")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "jitrun")
	goCmd := filepath.Join(runtime.GOROOT(), "bin", "go")
	if out, err := exec.Command(goCmd, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	sock := filepath.Join(dir, "tmux.sock")
	tm := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(tmux, append([]string{"-S", sock}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	state := filepath.Join(dir, "state")
	tm("new-session", "-d", "-x", "150", "-y", "50", "env", "XDG_STATE_HOME="+state, bin, "repl", "--timeout", "30s")
	t.Cleanup(func() { exec.Command(tmux, "-S", sock, "kill-server").Run() })

	screen := func() string { return tm("capture-pane", "-p", "-S", "-100") }
	// waitFor waits (up to 20 s: the machine may be busy) until the
	// screen holds want, and fails with the screen otherwise.
	waitFor := func(want string) {
		t.Helper()
		for end := time.Now().Add(20 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
			if strings.Contains(screen(), want) {
				return
			}
		}
		t.Fatalf("the screen never showed %q:\n%s", want, screen())
	}
	keys := func(k ...string) { tm(append([]string{"send-keys", "-t", "0"}, k...)...) }

	waitFor("Ctrl-D quits.")
	keys("mov rax, 5", "Enter")
	waitFor("rax     0 -> 5")
	// Up recalls the line; edit its last character and run it.
	keys("Up")
	waitFor("rax     0 -> 5\n> mov rax, 5") // the prompt shows the recalled line (not yet run)
	keys("BSpace", "7", "Enter")
	waitFor("rax     5 -> 7")
	// Ctrl-C drops the line being typed.
	keys("mov rbx, 9", "C-c")
	waitFor("mov rbx, 9^C")
	keys(".regs", "Enter")
	waitFor("r15     0x0000000000000000")
	if s := screen(); !strings.Contains(s, "rbx     0x0000000000000000  0") || strings.Contains(s, "rbx     0 -> 9") {
		t.Fatalf("the cancelled line ran:\n%s", s)
	}
	// Ctrl-C interrupts a line that runs.
	// The Ctrl-C must come while the code runs (the terminal is then as
	// a shell leaves it, so that Ctrl-C raises SIGINT); on a busy machine
	// the line may take a while to start, so it is sent again until the
	// interruption shows. One typed before that is a key the REPL reads
	// afterwards, which drops the (empty) line after it.
	keys("spin: jmp spin", "Enter")
	const interrupted = "^C\ninterrupted (Ctrl-C) and was stopped at line 1 (+0x0): jmp spin"
	for try := 0; !strings.Contains(screen(), interrupted); try++ {
		if try == 20 {
			t.Fatalf("Ctrl-C never interrupted the line:\n%s", screen())
		}
		time.Sleep(300 * time.Millisecond)
		keys("C-c")
		for end := time.Now().Add(2 * time.Second); time.Now().Before(end) && !strings.Contains(screen(), interrupted); {
			time.Sleep(50 * time.Millisecond)
		}
	}
	// A block, with its own prompt.
	keys("top:", "Enter")
	waitFor("> top:\n...")
	keys("dec rax", "Enter", "jnz top", "Enter", "Enter")
	waitFor("rax     7 -> 0")
	keys("C-d")
	histFile := filepath.Join(state, "jitrun", "repl_history")
	var hist []byte
	for end := time.Now().Add(20 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if hist, err = os.ReadFile(histFile); err == nil && strings.Contains(string(hist), "jnz top") {
			break
		}
	}
	want := "mov rax, 5\nmov rax, 7\n.regs\nspin: jmp spin\ntop:\ndec rax\njnz top\n"
	if string(hist) != want {
		t.Errorf("history file %q, want %q", hist, want)
	}
}
