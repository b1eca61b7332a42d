//go:build !linux

package platform

import "syscall"

// ThreadTimer is a kernel timer that signals one thread; Linux only.
type ThreadTimer struct{}

// NewThreadTimer fails with ENOSYS.
func NewThreadTimer(tid, sig int, value uint64) (ThreadTimer, syscall.Errno) {
	return ThreadTimer{}, syscall.ENOSYS
}

// ArmAt fails with ENOSYS.
func (ThreadTimer) ArmAt(spec *[4]int64) syscall.Errno { return syscall.ENOSYS }

// Delete does nothing.
func (ThreadTimer) Delete() {}
