//go:build linux

package execmem_test

import (
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jitrun/jitrun/execmem"
)

// TestMain watches the W^X invariant for the whole suite: a goroutine reads
// /proc/self/maps every few milliseconds, and once more at the end, and
// the suite fails if a region was writable and executable at once, unless
// a test asked for exactly that range with the unsafe RWX strategy (it
// registers the range with allowWX first).
func TestMain(m *testing.M) {
	w := startWXWatch()
	code := m.Run()
	if bad, samples := w.stop(); bad != "" {
		fmt.Fprintf(os.Stderr, "W^X violated (%d samples of /proc/self/maps): %s\n", samples, bad)
		code = 1
	} else if testing.Verbose() {
		fmt.Fprintf(os.Stderr, "W^X held in %d samples of /proc/self/maps\n", samples)
	}
	os.Exit(code)
}

var (
	allowedMu sync.Mutex
	allowed   = map[uintptr]uintptr{} // start → end of ranges asked to be RWX
)

// mapWX runs mapFn, which makes writable+executable memory on purpose
// and returns its range, with the watcher held off until the range is
// registered. The returned function unregisters it (call it after the
// memory is unmapped).
func mapWX(mapFn func() (start, end uintptr)) func() {
	allowedMu.Lock()
	start, end := mapFn()
	if start != 0 {
		allowed[start] = end
	}
	allowedMu.Unlock()
	return func() {
		allowedMu.Lock()
		delete(allowed, start)
		allowedMu.Unlock()
	}
}

type wxWatch struct {
	done    chan struct{}
	wg      sync.WaitGroup
	mu      sync.Mutex
	bad     string
	samples int
}

func startWXWatch() *wxWatch {
	w := &wxWatch{done: make(chan struct{})}
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			w.sample()
			select {
			case <-w.done:
				w.sample()
				return
			case <-t.C:
			}
		}
	}()
	return w
}

func (w *wxWatch) sample() {
	// The allowed set is read under its lock around the read of the maps,
	// so that a range registered before it was mapped is seen as allowed.
	allowedMu.Lock()
	regions, err := execmem.Maps()
	snapshot := map[uintptr]uintptr{}
	for s, e := range allowed {
		snapshot[s] = e
	}
	allowedMu.Unlock()
	w.mu.Lock()
	defer w.mu.Unlock()
	w.samples++
	if err != nil && w.bad == "" {
		w.bad = err.Error()
	}
	for _, r := range regions {
		if !r.Prot.WriteExec() || w.bad != "" {
			continue
		}
		ok := false
		for s, e := range snapshot {
			if r.Start >= s && r.End <= e {
				ok = true
			}
		}
		if !ok {
			w.bad = r.String()
		}
	}
}

func (w *wxWatch) stop() (string, int) {
	close(w.done)
	w.wg.Wait()
	return w.bad, w.samples
}
