package memarg

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// A FIFO is refused before it is opened: opening it for reading would
// wait for a writer.
func TestMapFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		set, err := Map(mustParse(t, "file:"+fifo))
		if set != nil {
			set.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if want := "file:" + fifo + ": " + fifo + " is not a regular file"; err == nil || err.Error() != want {
			t.Errorf("Map of a FIFO: %v; want %s", err, want)
		}
	case <-time.After(10 * time.Second): // a hang, not a slow machine
		if w, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close() // lets the blocked open return
		}
		t.Fatal("Map blocked opening a FIFO")
	}
}
