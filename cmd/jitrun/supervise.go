package main

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/jitrun/jitrun/internal/gocrash"
	"github.com/jitrun/jitrun/internal/platform"
	"github.com/jitrun/jitrun/trace"
)

// The parent side of a supervised jitrun run or bench: it starts the child
// (supervised.go), shows what the code writes, reads the child's report
// frames, kills a child that outlives its call's limit, and turns a child
// that died any way into exit status 5 and one line.

// superviseMargin is how long past its limit a call may go on before the
// parent kills the child. The child stops the code itself at the limit
// (the trampoline's timer resumes it within a millisecond or so); the
// margin covers a machine under load. Past it, the code is running where
// jitrun's own timer could not stop it.
const superviseMargin = 2 * time.Second

// maxCapturedOutput is how much of each of the code's two output streams
// the parent keeps when it does not pass them on as they come (--json, and
// standard error, which may end with a Go fatal error's trace).
const maxCapturedOutput = 1 << 20

// maxCrashText is how much of a Go fatal error's text the parent keeps: it
// shows only the first lines.
const maxCrashText = 64 << 10

// supervision is how supervise runs the child: the margin past a call's
// limit and, for tests, the program to run and more environment.
type supervision struct {
	margin  time.Duration
	exe     string   // the program; "" for this one (os.Executable)
	environ []string // added to the child's environment
}

// defaultSupervision is jitrun's own.
var defaultSupervision = supervision{margin: superviseMargin}

// The pipes a supervisor reads, by index into supervisor.fds.
const (
	pipeOut   = iota // the code's standard output
	pipeErr          // the code's standard error (and Go's fatal errors)
	pipeCrash        // the copy of a Go fatal error
	pipeRep          // the report frames
	pipeExit         // closed when the child has been waited for
	numPipes
)

// supervisor is the parent of one supervised run.
type supervisor struct {
	e      *env
	mode   outputMode
	margin time.Duration
	proc   *os.Process
	fds    [numPipes]int // read ends (supervise_linux.go); -1 once at their end

	codeOut, codeErr, crash capture
	report                  frames
	doc                     bytes.Buffer // jitrun's standard output, for --json
	docLimit                int          // how long doc may grow (jsonDocLimit)
	stdoutOpen              bool         // text: the last byte shown on standard output was not a newline
	codeLineOpen            bool         // text: and the code wrote it

	inCall    bool
	callStart time.Time
	limit     time.Duration
	exitedAt  time.Time
	end       childEnd
}

// newSupervisor is the parent of one run, showing its output as mode
// says, with no pipe open yet.
func newSupervisor(e *env, mode outputMode, margin time.Duration) *supervisor {
	s := &supervisor{e: e, mode: mode, margin: margin, docLimit: maxCapturedOutput}
	s.codeOut.limit, s.codeErr.limit, s.crash.limit = maxCapturedOutput, maxCapturedOutput, maxCrashText
	for i := range s.fds {
		s.fds[i] = -1
	}
	return s
}

// onCode takes what the code wrote to pipe i: in text mode its standard
// output goes on at once; what it wrote to standard error waits for the
// end of the call (it may end with Go's report of a fatal error, which the
// crash copy tells apart).
func (s *supervisor) onCode(i int, data []byte) {
	switch {
	case len(data) == 0:
	case i == pipeOut && s.mode == modeText:
		s.e.stdout.Write(data)
		s.stdoutOpen = data[len(data)-1] != '\n'
		s.codeLineOpen = s.stdoutOpen
	case i == pipeOut && s.mode == modeMachine:
		s.e.stderr.Write(data)
	case i == pipeOut:
		s.codeOut.Write(data)
	case i == pipeErr:
		s.codeErr.Write(data)
	case i == pipeCrash:
		s.crash.Write(data)
	}
}

// onCodeDropped counts n bytes the code wrote to pipe i that were read
// and dropped before they reached the supervisor (run_local.go keeps at
// most maxLocalCapture of a call's output).
func (s *supervisor) onCodeDropped(i int, n int64) {
	switch i {
	case pipeOut:
		s.codeOut.cut += n
	case pipeErr:
		s.codeErr.cut += n
	}
}

// onReport takes bytes of the report stream and acts on its whole frames.
// What comes after the status frame, or once the stream is not frames,
// is dropped.
func (s *supervisor) onReport(data []byte) {
	if s.end.gotStatus || s.report.bad != "" {
		return
	}
	s.report.buf = append(s.report.buf, data...)
	for !s.end.gotStatus {
		kind, payload, ok := s.report.next()
		if !ok {
			break
		}
		switch kind {
		case frameStdout:
			s.jitrunOutput(payload)
		case frameStderr:
			s.flushCodeErr()
			s.e.stderr.Write(payload)
		case frameCall:
			s.limit, ok = parseLimit(payload)
			s.inCall, s.callStart = ok, time.Now()
		case frameReturn:
			s.inCall = false
			s.endCodeLine()
			s.flushCodeErr()
		case frameStatus:
			if s.end.status, s.end.gotStatus = parseStatus(payload); !s.end.gotStatus {
				s.report.bad = "a bad status frame"
			}
		}
	}
	s.end.bad = s.report.bad
}

// jitrunOutput is jitrun's own standard output: the --json document is
// kept for the end (up to maxCapturedOutput: run's is a few KiB, more is
// not jitrun's); text starts on a line of its own.
func (s *supervisor) jitrunOutput(p []byte) {
	if s.mode == modeRunJSON {
		if s.doc.Len()+len(p) > s.docLimit {
			s.report.bad = "a --json document over " + formatSize(s.docLimit)
			return
		}
		s.doc.Write(p)
		return
	}
	s.endCodeLine()
	s.e.stdout.Write(p)
	s.stdoutOpen = len(p) > 0 && p[len(p)-1] != '\n'
	s.codeLineOpen = false
}

// endCodeLine ends the line the code's standard output left open, and
// says that the newline is jitrun's (run_output.go).
func (s *supervisor) endCodeLine() {
	if s.codeLineOpen {
		s.e.stdout.Write([]byte("\n" + noNewlineNote("standard output")))
		s.stdoutOpen, s.codeLineOpen = false, false
	}
}

// endLine ends the last line shown on standard output, if it was left
// open (by the code, or by a report cut short).
func (s *supervisor) endLine() {
	if s.stdoutOpen {
		s.e.stdout.Write([]byte{'\n'})
		s.stdoutOpen, s.codeLineOpen = false, false
	}
}

// flushCodeErr shows (text mode) what the code wrote to standard error so
// far, ending its line, and what was cut.
func (s *supervisor) flushCodeErr() {
	if s.mode == modeRunJSON || len(s.codeErr.buf) == 0 && s.codeErr.cut == 0 {
		return
	}
	text := endCodeText(s.codeErr.buf, "standard error")
	if s.codeErr.cut > 0 {
		text = withNewline(string(s.codeErr.buf)) // its end is not shown
	}
	s.e.stderr.Write([]byte(text + s.codeErr.cutNote("standard error")))
	s.codeErr.buf, s.codeErr.cut = s.codeErr.buf[:0], 0
}

// finish shows the end of the run and returns its error: the child's
// status, or how it died.
func (s *supervisor) finish() error {
	if !s.end.gotStatus && len(s.crash.buf) > 0 {
		// What the code wrote stays; Go's report goes into one line.
		s.end.crash = s.crash.buf
		if at := goFatalStart(s.codeErr.buf, s.crash.buf); at >= 0 {
			s.end.crash = bytes.Clone(s.codeErr.buf[at:])
			s.codeErr.buf = s.codeErr.buf[:at]
		}
	}
	if s.mode == modeRunJSON {
		doc := s.doc.Bytes()
		if !s.end.gotStatus {
			doc = brokenJSON(&s.end, &s.codeOut, &s.codeErr)
		} else if merged, err := mergeOutputJSON(doc, &s.codeOut, &s.codeErr); err == nil {
			doc = merged
		}
		s.e.stdout.Write(doc)
	} else {
		s.endCodeLine()
		s.endLine()
		s.flushCodeErr()
	}
	switch {
	case !s.end.gotStatus && s.mode == modeRunJSON:
		return silentExit(s.end.brokenError().status)
	case !s.end.gotStatus:
		return s.end.brokenError()
	}
	return silentExit(s.end.status)
}

// capture keeps the first limit bytes written to it and counts the rest.
type capture struct {
	buf   []byte
	cut   int64
	limit int
}

func (c *capture) Write(p []byte) (int, error) {
	keep := min(len(p), c.limit-len(c.buf))
	c.buf = append(c.buf, p[:keep]...)
	c.cut += int64(len(p) - keep)
	return len(p), nil
}

// outputJSON sets the stream's fields of a --json document: the text when
// it is UTF-8, else base64, and the bytes cut.
func (c *capture) outputJSON(text, b64 **string, cut *int64) {
	s := string(c.buf)
	if utf8.ValidString(s) {
		*text = &s
	} else {
		enc := base64.StdEncoding.EncodeToString(c.buf)
		*b64 = &enc
	}
	*cut = c.cut
}

// cutNote is the line that says how much of the stream was not shown.
func (c *capture) cutNote(what string) string {
	if c.cut == 0 {
		return ""
	}
	return fmt.Sprintf("jitrun run: %s more bytes the code wrote to %s are not shown (jitrun keeps %s)\n", trace.Count(int(c.cut)), what, formatSize(c.limit))
}

// frames splits the report stream into frames as its bytes arrive.
type frames struct {
	buf []byte
	bad string // why the stream is not frames, once it is not
}

// maxFrame bounds one frame's payload, so that the parent holds at most
// one frame of the report stream: the child splits longer writes
// (frameWriter), and a longer length is garbage.
const maxFrame = 64 << 10

// next returns the next whole frame, if one has arrived.
func (f *frames) next() (kind byte, payload []byte, ok bool) {
	if f.bad != "" || len(f.buf) == 0 {
		return 0, nil, false
	}
	switch kind = f.buf[0]; kind {
	case frameStdout, frameStderr, frameCall, frameReturn, frameStatus:
	default:
		f.bad = fmt.Sprintf("an unknown frame kind %q", kind)
		return 0, nil, false
	}
	n, w := binary.Uvarint(f.buf[1:])
	switch {
	case w < 0 || n > maxFrame:
		f.bad = "a frame of impossible length"
		return 0, nil, false
	case w == 0 || uint64(len(f.buf)-1-w) < n:
		return 0, nil, false // not all there yet
	}
	payload = f.buf[1+w : 1+w+int(n)]
	f.buf = f.buf[1+w+int(n):]
	return kind, payload, true
}

// outputMode is how the parent shows the child's output.
type outputMode int

const (
	// modeText: the code's standard output as it comes, jitrun's report
	// on a line of its own after it.
	modeText outputMode = iota
	// modeRunJSON: run --json; the code's output goes into the document.
	modeRunJSON
	// modeMachine: bench --json or --format go; the code's standard
	// output goes to standard error, so that standard output stays what
	// a program reads.
	modeMachine
)

// outputModeOf reads the mode from the arguments (args[0] is run or
// bench), as the command reads them (silently: the child reports bad
// flags).
func outputModeOf(args []string) outputMode {
	var f flagsOf
	var rf runFlags
	var bf benchFlags
	if f = &rf; args[0] == "bench" {
		f = &bf
	}
	fset := flag.NewFlagSet(args[0], flag.ContinueOnError)
	f.register(fset)
	switch _, err := parseFlags(fset, args[1:]); {
	case err != nil:
	case rf.json:
		return modeRunJSON
	case bf.json || bf.format == "json" || bf.format == "go":
		return modeMachine
	}
	return modeText
}

// childEnd is how the child ended, as the parent saw it.
type childEnd struct {
	state       *syscall.WaitStatus // nil if Wait failed
	status      int                 // from the status frame
	gotStatus   bool
	bad         string        // the report stream was not frames
	killedAfter time.Duration // the watchdog killed the child this long into a call
	limit       time.Duration // the call's limit then
	crash       []byte        // the Go fatal error's text
}

// brokenError is the error of a child that did not end with a status
// frame: status 4 when the watchdog killed it during a call, 5 otherwise,
// with what happened in one line.
func (c *childEnd) brokenError() *exitError {
	if c.killedAfter > 0 {
		return &exitError{status: exitTimeout, err: fmt.Errorf(
			"the code was still running %v after the call started, %v past the %v it may take, and nothing in jitrun had stopped it: its process was killed",
			c.killedAfter.Round(time.Millisecond), (c.killedAfter - c.limit).Round(time.Millisecond), c.limit)}
	}
	return &exitError{status: exitBroken, err: fmt.Errorf("the code broke jitrun: %s", c.death())}
}

// death says in words how the child died.
func (c *childEnd) death() string {
	how := "its process ended"
	if ws := c.state; ws != nil {
		switch {
		case ws.Signaled():
			how = fmt.Sprintf("its process was killed by %s (%s)", platform.SignalName(ws.Signal()), ws.Signal())
		case ws.Exited():
			how = fmt.Sprintf("its process exited with status %d", ws.ExitStatus())
		}
	}
	switch {
	case len(c.crash) > 0:
		return fmt.Sprintf("%s: %s", how, gocrash.Summary(c.crash))
	case c.bad != "":
		return fmt.Sprintf("%s after %s on its report descriptor (did the code write to descriptor %d?)", how, c.bad, reportFD)
	case c.state != nil && c.state.Exited():
		return how + " before reporting (exit or exit_group? --syscalls allow lets the code end jitrun)"
	}
	return how + " before reporting"
}

// goFatalStart finds where Go's report of a fatal error starts in what the
// code's standard error pipe carried: where the runtime's copy of it
// (crash) starts, moved back over the lines it prints before it starts
// copying ("fatal error: …" of a throw, "runtime: …"). It returns -1 when
// stderr does not hold the copy (it was cut).
func goFatalStart(stderr, crash []byte) int {
	if len(crash) == 0 || !bytes.HasSuffix(stderr, crash) {
		return -1
	}
	start := len(stderr) - len(crash)
	for start > 0 && stderr[start-1] == '\n' {
		from := bytes.LastIndexByte(stderr[:start-1], '\n') + 1
		line := stderr[from : start-1]
		if !bytes.HasPrefix(line, []byte("fatal error: ")) && !bytes.HasPrefix(line, []byte("runtime: ")) {
			break
		}
		start = from
	}
	return start
}

// mergeOutputJSON adds the code's output to the child's --json document;
// a document that is not a run's (the assembly errors) stays as it is.
func mergeOutputJSON(doc []byte, stdout, stderr *capture) ([]byte, error) {
	var keys map[string]json.RawMessage
	if json.Unmarshal(doc, &keys) != nil {
		return doc, nil
	}
	if _, ok := keys["rax"]; !ok {
		return doc, nil
	}
	var rj runJSON
	if err := json.Unmarshal(doc, &rj); err != nil {
		return nil, err
	}
	stdout.outputJSON(&rj.Stdout, &rj.StdoutBase64, &rj.StdoutCutBytes)
	stderr.outputJSON(&rj.Stderr, &rj.StderrBase64, &rj.StderrCutBytes)
	var b bytes.Buffer
	err := writeJSON(&b, rj)
	return b.Bytes(), err
}

// brokenJSON is the --json document of a child that died.
func brokenJSON(end *childEnd, stdout, stderr *capture) []byte {
	rj := runJSON{Timeout: end.killedAfter > 0, DurationNS: end.killedAfter.Nanoseconds(), Broken: end.brokenError().Error()}
	stdout.outputJSON(&rj.Stdout, &rj.StdoutBase64, &rj.StdoutCutBytes)
	stderr.outputJSON(&rj.Stderr, &rj.StderrBase64, &rj.StderrCutBytes)
	var b bytes.Buffer
	writeJSON(&b, rj)
	return b.Bytes()
}

// parseStatus reads the status frame's payload.
func parseStatus(payload []byte) (int, bool) {
	n, err := strconv.Atoi(string(payload))
	return n, err == nil && n >= 0 && n <= exitBroken
}

// parseLimit reads a call frame's payload.
func parseLimit(payload []byte) (time.Duration, bool) {
	n, err := strconv.ParseInt(string(payload), 10, 64)
	return time.Duration(n), err == nil && n >= 0
}
