//go:build linux

package execmem_test

import (
	"os"
	"testing"
	"time"

	"github.com/jitrun/jitrun/internal/testsupport"
)

// wx watches the W^X invariant for the whole suite (testsupport.WXWatch):
// /proc/self/maps is sampled every few milliseconds (only at the start
// when benchmarks run: testsupport.SuitePeriod), and once more at the
// end, and the suite fails if a region was writable and executable at
// once, unless a test asked for exactly that range with the unsafe RWX
// strategy (it registers the range with mapWX first).
var wx *testsupport.WXWatch

func TestMain(m *testing.M) {
	wx = testsupport.StartWXWatch(testsupport.SuitePeriod(2 * time.Millisecond))
	os.Exit(testsupport.RunWatchingWX(m, wx))
}

// mapWX runs mapFn, which makes writable+executable memory on purpose
// and returns its range, with the watcher held off until the range is
// registered. The returned function unregisters it (call it after the
// memory is unmapped).
func mapWX(mapFn func() (start, end uintptr)) func() { return wx.Allow(mapFn) }
