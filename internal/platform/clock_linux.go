//go:build linux

package platform

import (
	"time"

	"golang.org/x/sys/unix"
)

// ThreadCPUTime returns how long the calling thread has run on a CPU
// (CLOCK_THREAD_CPUTIME_ID): unlike the wall clock, it stands still while
// the thread waits for a CPU. It is a system call (about 1 µs), not the
// vDSO.
func ThreadCPUTime() (time.Duration, error) {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0, err
	}
	return time.Duration(ts.Nano()), nil
}

// ProcessCPUTime returns how long all the threads of the process have run
// on a CPU (CLOCK_PROCESS_CPUTIME_ID): the garbage collector's workers
// included, the time waiting for a CPU excluded.
func ProcessCPUTime() (time.Duration, error) {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_PROCESS_CPUTIME_ID, &ts); err != nil {
		return 0, err
	}
	return time.Duration(ts.Nano()), nil
}
