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
// while the tests run, and once more at the end, and the suite fails if
// any region was writable and executable at once (nothing in this package
// asks for the unsafe RWX strategy).
func TestMain(m *testing.M) {
	os.Exit(testsupport.RunWatchingWX(m, testsupport.StartWXWatch(5*time.Millisecond)))
}
