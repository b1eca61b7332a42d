//go:build linux

package platform

import (
	"errors"
	"time"

	"golang.org/x/sys/unix"
)

// Pipe makes a pipe whose two descriptors close on exec: r reads, w writes.
func Pipe() (r, w int, err error) {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		return -1, -1, err
	}
	return p[0], p[1], nil
}

// IsPipe reports whether descriptor fd is open on a pipe.
func IsPipe(fd int) bool {
	var st unix.Stat_t
	return unix.Fstat(fd, &st) == nil && st.Mode&unix.S_IFMT == unix.S_IFIFO
}

// PollRead waits until one of fds has something to read (or its writers
// have gone), at most timeout (negative: for ever), and reports which: n
// is how many are ready, 0 when the time ran out or a signal interrupted
// the wait.
func PollRead(fds []int, timeout time.Duration) (ready []bool, n int, err error) {
	set := make([]unix.PollFd, len(fds))
	for i, fd := range fds {
		set[i] = unix.PollFd{Fd: int32(fd), Events: unix.POLLIN}
	}
	ms := -1
	if timeout >= 0 {
		ms = int((timeout + time.Millisecond - 1) / time.Millisecond)
	}
	n, err = unix.Poll(set, ms)
	ready = make([]bool, len(fds))
	if errors.Is(err, unix.EINTR) {
		return ready, 0, nil
	}
	for i, p := range set {
		ready[i] = p.Revents != 0
	}
	return ready, n, err
}

// ReadFD reads from descriptor fd into buf, again when a signal
// interrupts the read; 0 bytes is the end of the file.
func ReadFD(fd int, buf []byte) (int, error) {
	for {
		n, err := unix.Read(fd, buf)
		if !errors.Is(err, unix.EINTR) {
			return n, err
		}
	}
}

// IsTerminal reports whether fd is a terminal (one the TCGETS ioctl
// answers for).
func IsTerminal(fd int) bool {
	_, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	return err == nil
}

// PipeUnread returns how many bytes the pipe that descriptor fd is an end
// of holds, written and not yet read (the FIONREAD ioctl, TIOCINQ in
// x/sys, which answers on either end).
func PipeUnread(fd int) (int, error) {
	return unix.IoctlGetInt(fd, unix.TIOCINQ)
}
