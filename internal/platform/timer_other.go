//go:build !linux

package platform

import (
	"syscall"
	"time"
)

// ThreadTimer is a kernel timer that signals one thread; Linux only.
type ThreadTimer struct{}

// StartThreadTimer fails with ENOSYS.
func StartThreadTimer(tid, sig int, value uint64, d time.Duration) (ThreadTimer, string, syscall.Errno) {
	return ThreadTimer{}, "timer_create", syscall.ENOSYS
}

// Stop does nothing.
func (ThreadTimer) Stop() {}
