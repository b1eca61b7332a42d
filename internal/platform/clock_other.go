//go:build !linux

package platform

import "time"

// ThreadCPUTime fails with ErrUnsupported.
func ThreadCPUTime() (time.Duration, error) { return 0, ErrUnsupported }

// ProcessCPUTime fails with ErrUnsupported.
func ProcessCPUTime() (time.Duration, error) { return 0, ErrUnsupported }
