//go:build !linux

package platform

import "time"

// ThreadCPUTime fails with ErrUnsupported.
func ThreadCPUTime() (time.Duration, error) { return 0, ErrUnsupported }
