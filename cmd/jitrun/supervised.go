package main

import (
	"encoding/binary"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/jitrun/jitrun/internal/platform"
	"github.com/jitrun/jitrun/trampoline"
)

// The child side of a supervised jitrun run (supervise.go has the
// parent's). The child is this program re-executed with supervisedEnv=1
// and the same arguments; its standard output and error are the pipes that
// carry the code's own writes, descriptor 3 carries jitrun's report to the
// parent in frames, and descriptor 4 gets a copy of a Go fatal error
// (debug.SetCrashOutput). A frame is one kind byte, the payload's length
// as a uvarint, and the payload:
//
//	'o' bytes jitrun writes to its standard output
//	'e' bytes jitrun writes to its standard error
//	'c' a call of the code starts; payload: how long it may take, in ns, decimal (0: no limit)
//	'r' the call ended
//	's' jitrun's exit status, decimal: the last frame
const (
	supervisedEnv   = "JITRUN_SUPERVISED"    // marks the child
	noSupervisorEnv = "JITRUN_NO_SUPERVISOR" // =1: run in one process, unsupervised
	reportFD        = 3
	crashFD         = 4
)

// Frame kinds.
const (
	frameStdout = 'o'
	frameStderr = 'e'
	frameCall   = 'c'
	frameReturn = 'r'
	frameStatus = 's'
)

// maybeRunSupervised is called first thing in main (and in the tests'
// TestMain): in the child of a supervised run it does the child's work
// and exits the process; anywhere else it returns at once.
func maybeRunSupervised() {
	if e, ok := supervisedChild(); ok {
		os.Exit(finishSupervised(e, run(e, os.Args[1:])))
	}
}

// supervisedChild sets up the child's side when this process is one: the
// report descriptor as jitrun's standard output and error, the crash
// copy. ok is false in any other process, and when descriptor 3 is not a
// pipe (supervisedEnv set by hand): jitrun then runs as usual.
func supervisedChild() (*env, bool) {
	if os.Getenv(supervisedEnv) != "1" || !platform.IsPipe(reportFD) {
		return nil, false
	}
	os.Unsetenv(supervisedEnv)    // not for the processes this one starts,
	syscall.CloseOnExec(reportFD) // nor the report descriptor
	if platform.IsPipe(crashFD) {
		crash := os.NewFile(crashFD, "crash")
		debug.SetCrashOutput(crash, debug.CrashOptions{}) // keeps a copy of its own
		crash.Close()
	}
	link := &parentLink{w: os.NewFile(reportFD, "report")}
	return &env{
		stdin:  os.Stdin,
		stdout: frameWriter{link, frameStdout}, stderr: frameWriter{link, frameStderr},
		guardSyscalls: trampoline.GuardSyscalls,
		link:          link,
	}, true
}

// finishSupervised sends the exit status, the last frame, and returns it.
func finishSupervised(e *env, status int) int {
	e.link.send(frameStatus, strconv.AppendInt(nil, int64(status), 10))
	return status
}

// parentLink is the child's report descriptor. Its methods do nothing on
// a nil link (jitrun not supervised).
type parentLink struct {
	mu sync.Mutex
	w  io.Writer
	// local catches the code's output during each call when jitrun runs
	// in one process (run_local.go); nil in a supervised child.
	local *localCapture
}

// send writes one frame. An error is dropped: the parent then sees a
// report cut short, and says so.
func (l *parentLink) send(kind byte, payload []byte) {
	if l == nil {
		return
	}
	frame := binary.AppendUvarint([]byte{kind}, uint64(len(payload)))
	frame = append(frame, payload...)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.w.Write(frame)
}

// callStarts tells the parent that a call of the code starts and may take
// limit (0: no limit); the parent kills the child superviseMargin past it.
func (l *parentLink) callStarts(limit time.Duration) {
	l.send(frameCall, strconv.AppendInt(nil, int64(limit), 10))
	if l != nil && l.local != nil {
		l.local.start()
	}
	beforeCode() // run_isolate.go: an isolated child's policy, last
}

// callEnded tells the parent that the call ended, once the parent has
// read what the code wrote to standard output and error during the call:
// it shows all of it before the frames that follow (the report, then
// perhaps the output of the next call). It waits at most maxDrainWait: a
// process the code started may keep the pipes full.
func (l *parentLink) callEnded() {
	switch {
	case l == nil:
		return
	case l.local != nil:
		l.local.stop()
	default:
		waitPipesRead(maxDrainWait, 1, 2)
	}
	l.send(frameReturn, nil)
}

// maxDrainWait bounds how long callEnded waits for the parent to read the
// code's output: far less than the margin of the parent's watchdog.
const maxDrainWait = superviseMargin / 4

// waitPipesRead waits until the pipes that fds are the write ends of hold
// nothing unread, or until max has passed.
func waitPipesRead(max time.Duration, fds ...int) {
	deadline := time.Now().Add(max)
	for pause := 20 * time.Microsecond; ; pause = min(2*pause, 5*time.Millisecond) {
		unread := 0
		for _, fd := range fds {
			if n, err := platform.PipeUnread(fd); err == nil {
				unread += n
			}
		}
		if unread == 0 || time.Now().After(deadline) {
			return
		}
		time.Sleep(pause)
	}
}

// frameWriter is jitrun's standard output or error in the child: each
// Write is one frame, or several of at most maxFrame bytes.
type frameWriter struct {
	l    *parentLink
	kind byte
}

func (w frameWriter) Write(p []byte) (int, error) {
	for rest := p; len(rest) > 0; {
		n := min(len(rest), maxFrame)
		w.l.send(w.kind, rest[:n])
		rest = rest[n:]
	}
	return len(p), nil
}
