//go:build linux

package platform

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// PinThread pins the calling thread (which the caller has locked with
// runtime.LockOSThread) to the CPU it is running on, and returns that CPU
// and a function that restores the thread's former CPU set.
func PinThread() (cpu int, restore func() error, err error) {
	var old unix.CPUSet
	if err := unix.SchedGetaffinity(0, &old); err != nil {
		return -1, nil, fmt.Errorf("sched_getaffinity: %w", err)
	}
	var c uint32
	if _, _, errno := unix.RawSyscall(unix.SYS_GETCPU, uintptr(unsafe.Pointer(&c)), 0, 0); errno != 0 {
		return -1, nil, fmt.Errorf("getcpu: %w", errno)
	}
	var one unix.CPUSet
	one.Set(int(c))
	if err := unix.SchedSetaffinity(0, &one); err != nil {
		return -1, nil, fmt.Errorf("sched_setaffinity to CPU %d: %w", c, err)
	}
	return int(c), func() error {
		if err := unix.SchedSetaffinity(0, &old); err != nil {
			return fmt.Errorf("sched_setaffinity (restore): %w", err)
		}
		return nil
	}, nil
}
