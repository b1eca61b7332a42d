//go:build linux

package platform

import (
	"os"
	"testing"
)

// TestDupMoveFD moves a pipe's write end over another descriptor, writes
// through it, and moves the original back.
func TestDupMoveFD(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	other, err := os.CreateTemp(t.TempDir(), "other")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	target := int(other.Fd())
	saved, err := DupFD(target)
	if err != nil || saved == target {
		t.Fatalf("DupFD = %d, %v", saved, err)
	}
	if err := MoveFD(int(w.Fd()), target); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if _, err := other.Write([]byte("abc")); err != nil { // now the pipe
		t.Fatal(err)
	}
	if err := MoveFD(saved, target); err != nil { // the pipe's last write end goes
		t.Fatal(err)
	}
	CloseFD(saved)
	buf := make([]byte, 8)
	n, _ := r.Read(buf)
	if string(buf[:n]) != "abc" {
		t.Errorf("read %q through the pipe, want abc", buf[:n])
	}
	if n, err := r.Read(buf); n != 0 || err == nil {
		t.Errorf("after the move back: read %d, %v; want the end of the pipe", n, err)
	}
	if _, err := other.Write([]byte("x")); err != nil {
		t.Errorf("the file again: %v", err)
	}
	if st, _ := other.Stat(); st.Size() != 1 {
		t.Errorf("the file holds %d bytes, want 1", st.Size())
	}
}
