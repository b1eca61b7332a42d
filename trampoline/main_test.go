//go:build linux && amd64

package trampoline

import (
	"os"
	"testing"
	"time"

	"github.com/jitrun/jitrun/internal/testsupport"
)

// TestMain watches the W^X invariant for the whole suite
// (testsupport.WXWatch): /proc/self/maps is sampled every few milliseconds
// while the tests run (only at the start when benchmarks run:
// testsupport.SuitePeriod), and once more at the end, and the suite fails if
// any region was writable and executable at once (nothing in this package
// asks for the unsafe RWX strategy).
func TestMain(m *testing.M) {
	wxWatch = testsupport.StartWXWatch(testsupport.SuitePeriod(5 * time.Millisecond))
	os.Exit(testsupport.RunWatchingWX(m, wxWatch))
}

// wxWatch is the suite's W^X watcher; the tests that count allocations
// pause it (allocsPerRun).
var wxWatch *testsupport.WXWatch

// allocsPerRun is testing.AllocsPerRun with the W^X watcher paused, whose
// samples allocate and would be counted as f's.
func allocsPerRun(runs int, f func()) float64 {
	defer wxWatch.Pause()()
	return testing.AllocsPerRun(runs, f)
}
