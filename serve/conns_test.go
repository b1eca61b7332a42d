package serve

import (
	"errors"
	"net"
	"testing"
)

// TestConnLimit holds a listener of two slots at two open connections: a
// third is accepted only once one of them closes, and Close wakes an
// Accept that waits for a slot.
func TestConnLimit(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := limitConns(inner, 2)
	defer ln.Close()
	for range 3 {
		c, err := net.Dial("tcp", inner.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	var open []net.Conn
	for range 2 {
		c, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		open = append(open, c)
	}
	third := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			c.Close()
		}
		third <- err
	}()
	select {
	case err := <-third:
		t.Fatalf("a third connection was accepted (%v) while two were open", err)
	default:
	}
	open[0].Close()
	open[0].Close() // a second Close gives back no second slot
	if err := <-third; err != nil {
		t.Fatalf("after a close, Accept: %v", err)
	}
	if n := len(ln.slots); n != 1 {
		t.Fatalf("%d slots taken with one connection open, want 1", n)
	}
	// Both slots taken again; Close wakes the Accept waiting for one.
	c, err := net.Dial("tcp", inner.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := ln.Accept(); err != nil {
		t.Fatal(err)
	}
	waiting := make(chan error, 1)
	go func() { _, err := ln.Accept(); waiting <- err }()
	ln.Close()
	if err := <-waiting; !errors.Is(err, net.ErrClosed) {
		t.Errorf("Accept after Close: %v, want net.ErrClosed", err)
	}
	open[1].Close()
}
