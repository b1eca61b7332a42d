//go:build linux

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jitrun/jitrun/internal/platform"
)

// openTerminal opens a pseudo-terminal and returns its terminal side.
func openTerminal(t *testing.T) *os.File {
	t.Helper()
	master, terminal, err := platform.OpenPTY()
	if err != nil {
		t.Skipf("SKIPPED: no pseudo-terminal here: %v", err)
	}
	ptmx, tty := os.NewFile(uintptr(master), "/dev/ptmx"), os.NewFile(uintptr(terminal), "tty")
	t.Cleanup(func() { ptmx.Close() })
	t.Cleanup(func() { tty.Close() })
	// Drain what jitrun writes, so that it never blocks on a full buffer.
	go func() {
		buf := make([]byte, 4096)
		for {
			if _, err := ptmx.Read(buf); err != nil {
				return
			}
		}
	}()
	return tty
}

// TestIsTerminal checks isTerminal both ways.
func TestIsTerminal(t *testing.T) {
	if !isTerminal(openTerminal(t)) {
		t.Error("a pseudo-terminal is not a terminal")
	}
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if isTerminal(f) {
		t.Error("a file is a terminal")
	}
}

// TestAsmBinTerminal checks that --format bin refuses a terminal (issue
// 11: raw bytes went to it), and writes with -o or --force.
func TestAsmBinTerminal(t *testing.T) {
	tty := openTerminal(t)
	var stderr bytes.Buffer
	status := run(&env{stdout: tty, stderr: &stderr}, []string{"asm", "--format", "bin", "-e", "RET"})
	want := "jitrun asm: --format bin writes raw bytes, and standard output is a terminal: give -o FILE, redirect it (> out.bin), or --force\n"
	if status != exitInput || stderr.String() != want {
		t.Errorf("bin to a terminal: status %d, stderr %q; want 2 and %q", status, stderr.String(), want)
	}
	if status := run(&env{stdout: tty, stderr: &stderr}, []string{"asm", "--format", "bin", "--force", "-e", "RET"}); status != exitOK {
		t.Errorf("--force: status %d", status)
	}
	stderr.Reset()
	if status := run(&env{stdout: tty, stderr: &stderr}, []string{"asm", "--format", "bin", "-o", "-", "-e", "RET"}); status != exitInput || stderr.String() != want {
		t.Errorf("bin to a terminal by -o -: status %d, stderr %q; want 2 and %q", status, stderr.String(), want)
	}
	if status := run(&env{stdout: tty, stderr: &stderr}, []string{"asm", "--format", "hex", "-e", "RET"}); status != exitOK {
		t.Errorf("hex to a terminal: status %d", status)
	}
	out := filepath.Join(t.TempDir(), "ret.bin")
	if status := run(&env{stdout: tty, stderr: &stderr}, []string{"asm", "--format", "bin", "-o", out, "-e", "MOVL $7, AX; RET"}); status != exitOK {
		t.Fatalf("-o: status %d, stderr %q", status, stderr.String())
	}
	if data, err := os.ReadFile(out); err != nil || string(data) != "\xb8\x07\x00\x00\x00\xc3" {
		t.Errorf("-o wrote %x, %v", data, err)
	}
	status, _, errOut := runCmd(t, "", "asm", "-o", filepath.Join(t.TempDir(), "no", "such", "dir"), "-e", "RET")
	if status != exitInput || !strings.HasSuffix(errOut, ": no such file or directory\n") {
		t.Errorf("-o into a missing directory: status %d, stderr %q", status, errOut)
	}
}
