//go:build linux && amd64

package probe

import (
	"os"
	"testing"
)

// TestMain hands control to a child probe when this test binary was
// re-executed as one (see MaybeRunChild).
func TestMain(m *testing.M) {
	MaybeRunChild()
	os.Exit(m.Run())
}
