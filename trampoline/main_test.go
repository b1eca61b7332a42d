//go:build linux && amd64

package trampoline

import (
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jitrun/jitrun/execmem"
)

// TestMain watches the W^X invariant for the whole suite: a goroutine
// reads /proc/self/maps every few milliseconds while the tests run, and
// once more at the end, and the suite fails if any region was writable and
// executable at once (nothing in this package asks for the unsafe RWX
// strategy).
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
		t := time.NewTicker(5 * time.Millisecond)
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
	regions, err := execmem.Maps()
	w.mu.Lock()
	defer w.mu.Unlock()
	w.samples++
	if err != nil && w.bad == "" {
		w.bad = err.Error()
	}
	for _, r := range regions {
		if r.Prot.WriteExec() && w.bad == "" {
			w.bad = r.String()
		}
	}
}

func (w *wxWatch) stop() (string, int) {
	close(w.done)
	w.wg.Wait()
	return w.bad, w.samples
}
