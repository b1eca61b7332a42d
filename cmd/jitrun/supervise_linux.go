//go:build linux

package main

import (
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/jitrun/jitrun/internal/platform"
)

// exitGrace is how long the parent goes on reading the pipes after the
// child exited: a process the code started (under --syscalls allow) may
// hold them open.
const exitGrace = 100 * time.Millisecond

// supervise runs `jitrun run ARGS` or `jitrun bench ARGS` (args[0] is
// the command) in a child process, this program re-executed, shows the
// code's output and the child's report, and returns the exit status it
// ended with, or how it died.
func supervise(e *env, args []string, sup supervision) error {
	exe := sup.exe
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return systemError("finding jitrun's own program, to run the code in: %v", err)
		}
	}
	s := newSupervisor(e, outputModeOf(args), sup.margin)
	s.docLimit = jsonDocLimit(args) // run_trace.go
	writeEnds, err := s.pipes()
	defer s.closeAll()
	if err != nil {
		return systemError("making pipes for jitrun's child: %v", err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(append(os.Environ(), sup.environ...), supervisedEnv+"=1")
	cmd.Stdin = e.stdin
	cmd.Stdout, cmd.Stderr = writeEnds[pipeOut], writeEnds[pipeErr]
	cmd.ExtraFiles = []*os.File{writeEnds[pipeRep], writeEnds[pipeCrash]} // descriptors 3 and 4
	// A child whose supervisor died goes with it. (It stays in the
	// terminal's process group: the code may read the terminal.)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	err = cmd.Start()
	for _, f := range writeEnds[:pipeExit] {
		f.Close()
	}
	if err != nil {
		writeEnds[pipeExit].Close()
		return systemError("starting jitrun's child: %v", err)
	}
	s.proc = cmd.Process
	waited := make(chan struct{})
	go func() {
		cmd.Wait()
		writeEnds[pipeExit].Close() // wakes the poll below
		close(waited)
	}()
	s.loop()
	<-waited
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok {
		s.end.state = &ws
	}
	return s.finish()
}

// pipes makes the five pipes; it returns their write ends.
func (s *supervisor) pipes() ([numPipes]*os.File, error) {
	var w [numPipes]*os.File
	for i := range s.fds {
		r, wr, err := platform.Pipe()
		if err != nil {
			for _, f := range w[:i] {
				f.Close()
			}
			return w, err
		}
		s.fds[i], w[i] = r, os.NewFile(uintptr(wr), "jitrun child pipe")
	}
	return w, nil
}

func (s *supervisor) closeAll() {
	for i, fd := range s.fds {
		if fd >= 0 {
			platform.CloseFD(fd)
			s.fds[i] = -1
		}
	}
}

// loop reads the pipes until the child has exited and the pipes are
// drained (or exitGrace has passed), killing the child when a call
// outlives its limit by the margin. What the code wrote shows in its
// place among the report frames: the child sends the frame that ends a
// call only once the parent has read the code's pipes (callEnded), so the
// parent reads the report first whenever it is ready (what the code
// writes then comes after it), the code's pipes otherwise.
func (s *supervisor) loop() {
	for {
		// At every turn, not only when a wait times out: a pipe the
		// code keeps full is ready at every wait.
		s.watchdog()
		set := s.pollSet()
		if len(set) == 0 || !s.exitedAt.IsZero() && time.Since(s.exitedAt) > exitGrace {
			return
		}
		ready, n, err := platform.PollRead(set, s.pollTimeout())
		switch {
		case err != nil:
			return
		case n == 0:
			continue
		}
		// The exit first, whatever else is ready: a process the code
		// started may keep a pipe ready for ever, and the grace period
		// after the exit counts from here.
		if s.isReady(pipeExit, set, ready) {
			s.read(pipeExit)
			s.exitedAt = time.Now()
		}
		if s.isReady(pipeRep, set, ready) {
			s.onReport(s.read(pipeRep))
		} else {
			s.readCode(set, ready)
		}
	}
}

// isReady reports whether ready shows pipe i ready in set.
func (s *supervisor) isReady(i int, set []int, ready []bool) bool {
	for j, fd := range set {
		if fd == s.fds[i] && fd >= 0 {
			return ready[j]
		}
	}
	return false
}

// pollSet is the open read ends.
func (s *supervisor) pollSet() []int {
	var set []int
	for _, fd := range s.fds {
		if fd >= 0 {
			set = append(set, fd)
		}
	}
	return set
}

// pollTimeout is how long poll may wait: until the watchdog's deadline
// during a call with a limit, the rest of exitGrace after the exit,
// forever (-1) otherwise.
func (s *supervisor) pollTimeout() time.Duration {
	var left time.Duration
	switch {
	case !s.exitedAt.IsZero():
		left = exitGrace - time.Since(s.exitedAt)
	case s.inCall && s.limit > 0:
		left = time.Until(s.callStart.Add(s.limit + s.margin))
	default:
		return -1
	}
	return max(0, left)
}

// watchdog kills the child when its call outlived the limit and margin.
func (s *supervisor) watchdog() {
	if s.inCall && s.limit > 0 && s.exitedAt.IsZero() && time.Since(s.callStart) >= s.limit+s.margin {
		s.proc.Kill()
		s.end.killedAfter, s.end.limit = time.Since(s.callStart), s.limit
		s.inCall = false
	}
}

// readCode reads the code's pipes (and the crash copy) that ready shows
// ready in set.
func (s *supervisor) readCode(set []int, ready []bool) {
	for j, fd := range set {
		for i := pipeOut; i <= pipeCrash; i++ {
			if ready[j] && fd == s.fds[i] {
				s.onCode(i, s.read(i))
			}
		}
	}
}

// read reads what pipe i holds, closing it at its end.
func (s *supervisor) read(i int) []byte {
	buf := make([]byte, 64<<10)
	n, _ := platform.ReadFD(s.fds[i], buf)
	if n <= 0 {
		platform.CloseFD(s.fds[i])
		s.fds[i] = -1
		return nil
	}
	return buf[:n]
}
