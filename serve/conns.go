package serve

import (
	"net"
	"sync"
)

// maxConns caps the connections the server holds open at once. Past it
// the listener accepts no more until one closes: new ones wait in the
// kernel's backlog. A client that opens connections and sends nothing
// (each held up to ReadHeaderTimeout) then costs the server a bounded
// number of goroutines and descriptors, and leaves descriptors for the
// children's pipes.
const maxConns = 256

// connLimitListener is a net.Listener that holds at most cap(slots)
// accepted connections open at once.
type connLimitListener struct {
	net.Listener
	slots chan struct{} // a token per open connection
	done  chan struct{} // closed by Close: Accept stops waiting
	once  sync.Once
}

func limitConns(ln net.Listener, n int) *connLimitListener {
	return &connLimitListener{Listener: ln, slots: make(chan struct{}, n), done: make(chan struct{})}
}

// Accept waits for a free slot, then for a connection.
func (l *connLimitListener) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &limitedConn{Conn: c, release: func() { <-l.slots }}, nil
}

// Close closes the listener and wakes an Accept waiting for a slot.
func (l *connLimitListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// limitedConn gives its slot back when it is first closed.
type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
