//go:build !linux

package platform

import "time"

// Pipe fails with ErrUnsupported.
func Pipe() (r, w int, err error) { return -1, -1, ErrUnsupported }

// IsPipe reports false.
func IsPipe(fd int) bool { return false }

// PollRead fails with ErrUnsupported.
func PollRead(fds []int, timeout time.Duration) (ready []bool, n int, err error) {
	return make([]bool, len(fds)), 0, ErrUnsupported
}

// ReadFD fails with ErrUnsupported.
func ReadFD(fd int, buf []byte) (int, error) { return 0, ErrUnsupported }

// IsTerminal reports false.
func IsTerminal(fd int) bool { return false }

// PipeUnread fails with ErrUnsupported.
func PipeUnread(fd int) (int, error) { return 0, ErrUnsupported }
