//go:build linux

package explain

import (
	"os"
	"testing"
	"time"

	"github.com/jitrun/jitrun/internal/testsupport"
)

// TestMain watches the W^X invariant while the suite loads and runs code
// (testsupport.WXWatch): the suite fails if /proc/self/maps ever shows a
// region writable and executable at once.
func TestMain(m *testing.M) {
	os.Exit(testsupport.RunWatchingWX(m, testsupport.StartWXWatch(testsupport.SuitePeriod(2*time.Millisecond))))
}
