package main

import (
	"io"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/jitrun/jitrun/internal/platform"
)

// run and bench in one process (JITRUN_NO_SUPERVISOR=1): no child, but the
// code's output is kept apart from jitrun's as the supervisor keeps it.
// During each call, descriptor 1 (and 2, for --json) is a pipe that jitrun
// drains. In text mode what comes out of descriptor 1 goes to the
// supervisor at once, as in a supervised run, which shows it on the
// descriptor saved from 1, between whole lines of what jitrun prints
// during the call (a trace), with the note on a line left open (but what the code
// wrote just before it ended the process, under --syscalls allow, may be
// lost with the process that was reading it); otherwise it is kept until the call ends and the descriptors
// are put back, and goes to the same supervisor (supervise.go) as a
// child's output would: in its own block before the report, or into
// --json's stdout and stderr fields. In text mode descriptor 2 stays
// jitrun's, so that a Go crash during the call still shows.

// runLocal runs jitrun ARGS (args[0] is run or bench) in this process and
// shows its output through a supervisor.
func runLocal(e *env, args []string) error {
	c := &localCapture{fds: []int{1}}
	shown := *e
	shown.stdout = localStdout{c: c, outside: e.stdout}
	s := newSupervisor(&shown, outputModeOf(args), 0)
	s.docLimit = jsonDocLimit(args) // as a supervised run's: a --json trace may be long
	c.s = s
	link := &parentLink{w: reportSink{c}}
	link.local = c
	if s.mode == modeRunJSON {
		c.fds = []int{1, 2}
	}
	inner := &env{stdin: e.stdin, stdout: frameWriter{link, frameStdout}, stderr: frameWriter{link, frameStderr},
		guardSyscalls: e.guardSyscalls, link: link}
	status := run(inner, args)
	link.send(frameStatus, strconv.AppendInt(nil, int64(status), 10))
	return s.finish()
}

// reportSink hands the frames jitrun sends straight to the supervisor.
type reportSink struct{ c *localCapture }

func (r reportSink) Write(p []byte) (int, error) {
	r.c.mu.Lock()
	defer r.c.mu.Unlock()
	r.c.s.onReport(p)
	return len(p), nil
}

// localStdout is the supervisor's standard output: during a call
// descriptor 1 is the code's pipe, so what the supervisor shows then goes
// to the descriptor saved from it.
type localStdout struct {
	c       *localCapture
	outside io.Writer // jitrun's standard output, outside calls
}

// Write runs with c.mu held, as every call into the supervisor does.
func (w localStdout) Write(p []byte) (int, error) {
	if w.c.live != nil {
		return w.c.live.Write(p)
	}
	return w.outside.Write(p)
}

// localCapture catches what the code writes to descriptors fds during a
// call.
type localCapture struct {
	s       *supervisor
	fds     []int
	saved   []int // the descriptors fds were before the call; -1 where not caught
	readers []*pipeReader
	mu      sync.Mutex // held around every call into s: the pipe readers call it too
	live    *os.File   // descriptor 1 as it was before the call, in text mode during a call
}

// pipeReader reads one pipe until its end: into data, or on to show.
type pipeReader struct {
	f       *os.File
	show    func([]byte) // passes the bytes on to the supervisor; nil to keep them
	mu      sync.Mutex
	data    []byte
	dropped int64 // bytes read past maxLocalCapture
	done    chan struct{}
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
			c.mu.Lock()
			c.live = os.NewFile(uintptr(saved), "stdout")
			c.mu.Unlock()
			pr.show = c.showCode
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
		if p.show != nil && n > 0 {
			p.show(buf[:n])
		} else if p.show == nil {
			keep := min(n, max(0, maxLocalCapture-len(p.data)))
			p.data = append(p.data, buf[:keep]...)
			p.dropped += int64(n - keep)
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
		data, dropped, shown := pr.data, pr.dropped, pr.show != nil
		pr.show = nil
		pr.mu.Unlock()
		c.mu.Lock()
		if shown {
			c.live.Close() // the saved descriptor
			c.live = nil
		} else {
			platform.CloseFD(c.saved[i])
			c.s.onCode(pipeOut+i, data)
			c.s.onCodeDropped(pipeOut+i, dropped)
		}
		c.mu.Unlock()
	}
}

// showCode hands what the code wrote to descriptor 1 to the supervisor,
// which shows it at once.
func (c *localCapture) showCode(p []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.s.onCode(pipeOut, p)
}
