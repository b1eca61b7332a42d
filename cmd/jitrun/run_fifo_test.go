//go:build linux || darwin

package main

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestRunMapFIFO checks that --map refuses a FIFO before opening it: the
// open would wait for a writer for ever.
func TestRunMapFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("SKIPPED: no FIFO here: %v", err)
	}
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			// The fix is gone and the open hangs: a writer ends it.
			if f, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
				f.Close()
			}
		}
	}()
	status, stdout, stderr := runCmd(t, "", "run", "--map", fifo, "-e", "RET")
	want := "jitrun run: --map: " + fifo + " is not a regular file\n"
	if status != exitInput || stdout != "" || stderr != want {
		t.Errorf("status %d, stdout %q, stderr %q; want %d, %q", status, stdout, stderr, exitInput, want)
	}
}
