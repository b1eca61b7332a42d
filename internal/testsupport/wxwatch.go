package testsupport

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jitrun/jitrun/internal/platform"
)

// WXWatch samples /proc/self/maps every period until Stop, and once more
// then, and keeps the first line that was writable and executable outside
// the ranges a test allowed (Allow). It is safe for concurrent use.
type WXWatch struct {
	done chan struct{}
	wg   sync.WaitGroup

	// allowMu is held around each read of the maps and around each
	// allowed mapping's creation, so that a range is registered before
	// any sample can see it mapped.
	allowMu sync.Mutex
	allowed map[uintptr]uintptr // start → end of ranges asked to be W+X

	mu      sync.Mutex
	bad     string
	samples int
}

// StartWXWatch starts a watcher that samples now, every period, and at
// Stop; a period of 0 or less samples only now and at Stop.
func StartWXWatch(period time.Duration) *WXWatch {
	w := &WXWatch{done: make(chan struct{}), allowed: map[uintptr]uintptr{}}
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		w.sample()
		var tick <-chan time.Time // nil, never ready, without a period
		if period > 0 {
			t := time.NewTicker(period)
			defer t.Stop()
			tick = t.C
		}
		for {
			select {
			case <-w.done:
				w.sample()
				return
			case <-tick:
				w.sample()
			}
		}
	}()
	return w
}

// SuitePeriod is the period a package's TestMain gives StartWXWatch:
// period, or 0 (a sample at the start and one at the end) when the
// command line asks for benchmarks (-test.bench). A sample reads
// /proc/self/maps, which holds the address space's lock while it
// formats every mapping and keeps a CPU busy, and a benchmark running
// beside it is charged for both: execmem's BenchmarkLoad/ArenaLoadFree
// took a median 12.9 µs with a sample every 2 ms and 10.8 µs without
// (6 alternating runs). Tests run in the same command are then checked
// at the start and the end only; `go test` without -bench (as .ci/run
// runs the suite) samples every period. It parses the command line if
// TestMain has not yet.
func SuitePeriod(period time.Duration) time.Duration {
	if !flag.Parsed() {
		flag.Parse()
	}
	if f := flag.Lookup("test.bench"); f != nil && f.Value.String() != "" {
		return 0
	}
	return period
}

// Allow runs mapFn, which makes writable+executable memory on purpose
// and returns its range [start, end), with sampling held off until the
// range is registered as allowed. The returned function unregisters it
// (call it after the memory is unmapped). A start of 0 registers nothing.
func (w *WXWatch) Allow(mapFn func() (start, end uintptr)) (release func()) {
	w.allowMu.Lock()
	start, end := mapFn()
	if start != 0 {
		w.allowed[start] = end
	}
	w.allowMu.Unlock()
	return func() {
		w.allowMu.Lock()
		delete(w.allowed, start)
		w.allowMu.Unlock()
	}
}

// Pause holds sampling off until resume is called, for a test that
// counts allocations: testing.AllocsPerRun counts every goroutine's, and
// a sample allocates (the maps text, its lines), so a sample falling in
// the counted runs of a slow machine read as the code's allocations
// (TestMachineRunAllocs, 1 to 7 a run under load). A sample in progress
// ends first.
func (w *WXWatch) Pause() (resume func()) {
	w.allowMu.Lock()
	return w.allowMu.Unlock
}

// Stop stops sampling after one last sample, and returns the first
// violation ("" when W^X held) and how many samples were taken.
func (w *WXWatch) Stop() (bad string, samples int) {
	close(w.done)
	w.wg.Wait()
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.bad, w.samples
}

func (w *WXWatch) sample() {
	w.allowMu.Lock()
	data, err := platform.ReadSelfMaps()
	var bad string
	if err == nil {
		bad, err = w.firstViolation(data)
	}
	w.allowMu.Unlock()
	w.mu.Lock()
	defer w.mu.Unlock()
	w.samples++
	switch {
	case w.bad != "":
	case err != nil:
		w.bad = err.Error()
	default:
		w.bad = bad
	}
}

// firstViolation returns the first line of the maps text that is
// writable and executable outside the allowed ranges (allowMu held).
func (w *WXWatch) firstViolation(maps []byte) (string, error) {
	for n, line := range bytes.Split(maps, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		start, end, perms, ok := mapsFields(line)
		if !ok {
			return "", fmt.Errorf("%s:%d: malformed line %q", platform.SelfMapsPath, n+1, line)
		}
		if perms[1] != 'w' || perms[2] != 'x' || w.allows(start, end) {
			continue
		}
		return string(line), nil
	}
	return "", nil
}

func (w *WXWatch) allows(start, end uintptr) bool {
	for s, e := range w.allowed {
		if start >= s && end <= e {
			return true
		}
	}
	return false
}

// mapsFields returns the range and the permissions of a maps line
// ("7f00-7f01 rwxp 00000000 00:00 0").
func mapsFields(line []byte) (start, end uintptr, perms []byte, ok bool) {
	fields := bytes.Fields(line)
	if len(fields) < 2 || len(fields[1]) != 4 {
		return 0, 0, nil, false
	}
	lo, hi, found := bytes.Cut(fields[0], []byte("-"))
	s, err1 := strconv.ParseUint(string(lo), 16, 64)
	e, err2 := strconv.ParseUint(string(hi), 16, 64)
	if !found || err1 != nil || err2 != nil {
		return 0, 0, nil, false
	}
	return uintptr(s), uintptr(e), fields[1], true
}

// RunWatchingWX is a TestMain body: it runs the suite with w watching
// (started by the caller, so that tests can reach it to Allow ranges),
// stops w, and returns the exit status, 1 when W^X was violated at any
// sample (said on standard error). With -v it says how many samples held.
func RunWatchingWX(m *testing.M, w *WXWatch) int {
	code := m.Run()
	if bad, samples := w.Stop(); bad != "" {
		fmt.Fprintf(os.Stderr, "W^X violated (%d samples of %s): %s\n", samples, platform.SelfMapsPath, bad)
		code = 1
	} else if testing.Verbose() {
		fmt.Fprintf(os.Stderr, "W^X held in %d samples of %s\n", samples, platform.SelfMapsPath)
	}
	return code
}
