package main

import (
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/jitrun/jitrun/internal/platform"
)

// run and bench in one process (JITRUN_NO_SUPERVISOR=1): no child, but the
// code's output is kept apart from jitrun's as the supervisor keeps it.
// During each call, descriptor 1 (and 2, for --json) is a pipe that jitrun
// drains. In text mode what comes out of descriptor 1 goes on to jitrun's
// standard output at once, as in a supervised run (but what the code
// wrote just before it ended the process, under --syscalls allow, may be
// lost with the process that was reading it); otherwise it is kept until the call ends and the descriptors
// are put back, and goes to the same supervisor (supervise.go) as a
// child's output would: in its own block before the report, or into
// --json's stdout and stderr fields. In text mode descriptor 2 stays
// jitrun's, so that a Go crash during the call still shows.

// runLocal runs jitrun ARGS (args[0] is run or bench) in this process and
// shows its output through a supervisor.
func runLocal(e *env, args []string) error {
	s := newSupervisor(e, outputModeOf(args), 0)
	link := &parentLink{w: reportSink{s}}
	link.local = &localCapture{s: s, fds: []int{1}}
	if s.mode == modeRunJSON {
		link.local.fds = []int{1, 2}
	}
	inner := &env{stdin: e.stdin, stdout: frameWriter{link, frameStdout}, stderr: frameWriter{link, frameStderr},
		guardSyscalls: e.guardSyscalls, link: link}
	status := run(inner, args)
	link.send(frameStatus, strconv.AppendInt(nil, int64(status), 10))
	return s.finish()
}

// reportSink hands the frames jitrun sends straight to the supervisor.
type reportSink struct{ s *supervisor }

func (r reportSink) Write(p []byte) (int, error) {
	r.s.onReport(p)
	return len(p), nil
}

// localCapture catches what the code writes to descriptors fds during a
// call.
type localCapture struct {
	s       *supervisor
	fds     []int
	saved   []int // the descriptors fds were before the call; -1 where not caught
	readers []*pipeReader
}

// pipeReader reads one pipe until its end: into data, or on to live.
type pipeReader struct {
	f     *os.File
	live  *os.File // the descriptor's own file, to pass the bytes on to; nil to keep them
	mu    sync.Mutex
	data  []byte
	wrote bool // bytes were passed on to live
	last  byte // the last of them
	done  chan struct{}
}

// maxLocalCapture bounds what a pipeReader keeps: past the supervisor's
// limit, the rest is counted, not kept.
const maxLocalCapture = maxCapturedOutput + 1

// start makes each descriptor a pipe. A descriptor it cannot replace
// stays as it is: the code then writes where jitrun writes.
func (c *localCapture) start() {
	c.saved, c.readers = make([]int, len(c.fds)), make([]*pipeReader, len(c.fds))
	for i, fd := range c.fds {
		c.saved[i] = -1
		r, w, err := os.Pipe()
		if err != nil {
			continue
		}
		saved, err := platform.DupFD(fd)
		if err != nil {
			r.Close()
			w.Close()
			continue
		}
		if err := platform.MoveFD(int(w.Fd()), fd); err != nil {
			platform.CloseFD(saved)
			r.Close()
			w.Close()
			continue
		}
		w.Close() // fd is the pipe's write end now
		c.saved[i] = saved
		pr := &pipeReader{f: r, done: make(chan struct{})}
		if c.s.mode == modeText && fd == 1 {
			pr.live = os.NewFile(uintptr(saved), "stdout")
		}
		c.readers[i] = pr
		go pr.read()
	}
}

func (p *pipeReader) read() {
	defer close(p.done)
	buf := make([]byte, 64<<10)
	for {
		n, err := p.f.Read(buf)
		p.mu.Lock()
		if p.live != nil && n > 0 {
			p.live.Write(buf[:n])
			p.wrote, p.last = true, buf[n-1]
		} else if p.live == nil {
			p.data = append(p.data, buf[:min(n, max(0, maxLocalCapture-len(p.data)))]...)
		}
		p.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// stop puts the descriptors back and hands what the code wrote to the
// supervisor. It waits for the end of each pipe at most maxDrainWait: a
// copy of the descriptor the code made keeps the pipe open.
func (c *localCapture) stop() {
	for i, fd := range c.fds {
		if c.saved[i] < 0 {
			continue
		}
		platform.MoveFD(c.saved[i], fd) // closes the pipe's write end
		pr := c.readers[i]
		select {
		case <-pr.done:
		case <-time.After(maxDrainWait):
		}
		pr.f.Close()
		pr.mu.Lock()
		data, passed, last := pr.data, pr.wrote, pr.last
		if pr.live != nil {
			pr.live.Close() // the saved descriptor
			pr.live = nil
		} else {
			platform.CloseFD(c.saved[i])
		}
		pr.mu.Unlock()
		if passed {
			// Shown already: the supervisor learns only whether the
			// code's last line is open.
			c.s.stdoutOpen = last != '\n'
			c.s.codeLineOpen = c.s.stdoutOpen
			continue
		}
		c.s.onCode(pipeOut+i, data)
	}
}
