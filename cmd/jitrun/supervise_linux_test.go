//go:build linux

package main

import (
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jitrun/jitrun/internal/platform"
)

// TestSuperviseWatchdogBusyPipe checks that the watchdog stops a call
// that outlived its limit while one of the code's pipes is ready at every
// wait (code that writes faster than the parent can show it): the parent,
// which looked at the clock only when a wait timed out, read on for ever.
// /dev/zero stands for the pipe that is never empty, `sleep` for the child.
func TestSuperviseWatchdogBusyPipe(t *testing.T) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skipf("SKIPPED: no sleep program to stand for jitrun's child: %v", err)
	}
	zero, err := os.Open("/dev/zero")
	if err != nil {
		t.Fatal(err)
	}
	defer zero.Close()
	exitR, exitW, err := platform.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	child := exec.Command(sleep, "60")
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	exitWFile := os.NewFile(uintptr(exitW), "exit")
	go func() {
		child.Wait()
		exitWFile.Close()
	}()

	s := newSupervisor(&env{stdout: io.Discard, stderr: io.Discard}, modeRunJSON, 0)
	s.proc = child.Process
	s.fds[pipeOut], s.fds[pipeExit] = int(zero.Fd()), exitR
	s.inCall, s.limit, s.callStart = true, time.Millisecond, time.Now()
	done := make(chan struct{})
	go func() {
		s.loop()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(time.Minute):
		child.Process.Kill()
		t.Fatal("the supervisor still reads a minute after the call's limit (1ms): the watchdog never ran")
	}
	if s.end.killedAfter == 0 || !strings.HasPrefix(s.end.brokenError().Error(), "the code was still running ") {
		t.Errorf("the watchdog did not kill the child: killedAfter %v, %v", s.end.killedAfter, s.end.brokenError())
	}
	if s.fds[pipeExit] >= 0 {
		platform.CloseFD(s.fds[pipeExit])
	}
}
