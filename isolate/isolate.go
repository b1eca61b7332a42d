package isolate

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jitrun/jitrun/internal/gocrash"
	"github.com/jitrun/jitrun/internal/platform"
)

// Policy says what the child's code may call.
type Policy int

const (
	// Local is for `jitrun run --isolate`: the limits, a process group of
	// its own and the deadline; the system calls the code may make are
	// the --syscalls policy in the arguments, as the user gave it.
	Local Policy = iota
	// Web is for code from a web page: on top of Local, right before the
	// code runs, a filter for the whole process allows only what
	// trampoline.GuardWeb lists. The code itself may write to descriptors
	// 1 and 2, read descriptor 0 and read the clock; exit and exit_group
	// end its call as a refused system call (a fault). Whatever address
	// it makes a call from, no open, no socket, no exec, no new process,
	// no signal to another process (threads with the Go runtime's flags
	// pass: see the package doc).
	Web
)

// String returns "local" or "web".
func (p Policy) String() string {
	switch p {
	case Local:
		return "local"
	case Web:
		return "web"
	}
	return fmt.Sprintf("Policy(%d)", int(p))
}

// Limits bound the child. A zero field takes its default (DefaultLimits());
// a negative one is an error.
type Limits struct {
	// CPU is the CPU time the child may use (RLIMIT_CPU, whole seconds,
	// rounded up): the kernel kills it (SIGKILL) at the limit.
	CPU time.Duration
	// Wall is how long the child may run: at the deadline the parent
	// kills its whole process group.
	Wall time.Duration
	// AddressSpace is RLIMIT_AS, in bytes. It counts reservations too: a
	// jitrun run child maps about 1.24 GB, 1.1 GB of it the Go runtime's
	// PROT_NONE reservations for its heap's index, so the default leaves
	// room above that.
	AddressSpace int64
	// FileSize is RLIMIT_FSIZE: the largest file the child may write.
	FileSize int64
	// OpenFiles is RLIMIT_NOFILE: one more than the highest descriptor
	// the child may open.
	OpenFiles int
	// Output caps what the parent keeps of each of the child's standard
	// output and error; the rest is read and dropped (Result.Truncated).
	Output int64
}

// DefaultLimits returns the limits a zero field takes: 10s of CPU time,
// a 10s wall-clock deadline, 2 GiB of address space, files of 1 MiB, 64
// open files, 16 MiB of each output stream kept.
func DefaultLimits() Limits {
	return Limits{
		CPU:          10 * time.Second,
		Wall:         10 * time.Second,
		AddressSpace: 2 << 30,
		FileSize:     1 << 20,
		OpenFiles:    64,
		Output:       16 << 20,
	}
}

// The largest limits a Job may ask for.
const (
	maxWall  = time.Hour
	maxFiles = 64       // files in Job.Files
	maxFile  = 64 << 20 // bytes of one file, and of Stdin
	maxArgs  = 1024     // arguments
	maxArg   = 1 << 20  // bytes of one argument
)

// withDefaults fills zero fields from DefaultLimits and checks the rest.
func (l Limits) withDefaults() (Limits, error) {
	if l.CPU < 0 || l.Wall < 0 || l.AddressSpace < 0 || l.FileSize < 0 || l.OpenFiles < 0 || l.Output < 0 {
		return l, fmt.Errorf("isolate: negative limit in %+v", l)
	}
	d := DefaultLimits() // each zero limit takes the default
	l.CPU, l.Wall = cmp.Or(l.CPU, d.CPU), cmp.Or(l.Wall, d.Wall)
	l.AddressSpace, l.FileSize = cmp.Or(l.AddressSpace, d.AddressSpace), cmp.Or(l.FileSize, d.FileSize)
	l.OpenFiles, l.Output = cmp.Or(l.OpenFiles, d.OpenFiles), cmp.Or(l.Output, d.Output)
	if l.Wall > maxWall || l.CPU > maxWall {
		return l, fmt.Errorf("isolate: limits over %v: CPU %v, wall %v", maxWall, l.CPU, l.Wall)
	}
	return l, nil
}

// Job is one command to run isolated.
type Job struct {
	// Args are jitrun's arguments, {"run", "--json", "prog.s"}.
	Args []string
	// Files are written into the child's fresh private working directory
	// before it starts (the source, say); names without slashes.
	Files map[string][]byte
	// Stdin is the code's standard input (StdinFile, when set, instead;
	// /dev/null when both are empty).
	Stdin []byte
	// StdinFile, when not nil, is the child's standard input (run
	// --isolate passes its own).
	StdinFile *os.File
	// Dir, when not "", is the child's working directory instead of a
	// fresh one (run --isolate passes its own, so that paths mean what
	// they mean to the user); Files must then be empty.
	Dir    string
	Policy Policy
	Limits Limits
	// Exe is the program to run; "" runs this one (os.Executable).
	Exe string
	// Env is added to the child's minimal environment (tests); it may
	// not set the isolation's own variables.
	Env []string
}

// Result is what the child did.
type Result struct {
	// Status is jitrun's exit status, 0 to 5; for a child that died, the
	// parent's verdict: 4 when it was killed at the wall-clock deadline,
	// 5 (the code broke jitrun) for any other death, 1 when the context
	// ended the run.
	Status int
	// Stdout is what the child printed (with run --json: the document),
	// up to Limits.Output; Stderr likewise.
	Stdout, Stderr []byte
	// Died is "" when the child exited by itself with a status of
	// jitrun's and, with --json, one JSON document on standard output
	// (or none, with status 1 or 2: the error is on standard error).
	// Otherwise it is one line saying what happened: "killed at the 2s
	// wall-clock deadline", "killed at the 1s CPU-time limit", "killed
	// by SIGKILL (the CPU-time or address-space limit, or the kernel out
	// of memory?)", "killed by SIGSEGV (…)", "Go fatal error: fatal
	// error: out of memory", "exited with status 7, not one of
	// jitrun's", "garbage on the result pipe: …", "killed: the run was
	// cancelled".
	Died string
	// NoDocument reports a child asked for --json that exited by itself
	// with one of jitrun's statuses but printed nothing on standard
	// output (Died then says "garbage on the result pipe: no JSON
	// document"): jitrun refused the input, or a bench kernel faulted,
	// and said why on standard error.
	NoDocument bool
	// Signal is the signal that ended the child, 0 if it exited.
	Signal syscall.Signal
	// Truncated reports that the child wrote more than Limits.Output to
	// standard output or error.
	Truncated bool
	// Elapsed is from the start of the child to its end.
	Elapsed time.Duration
}

// Statuses of a child that died.
const (
	statusSystem  = 1
	statusInput   = 2
	statusTimeout = 4
	statusBroken  = 5
)

// Run runs job in an isolated child and waits for it. The error is for
// the parent's own failures only (a bad Job, no pipe, no process); every
// way the child can end is a Result.
func Run(ctx context.Context, job Job) (*Result, error) {
	if !platform.Supported {
		return nil, fmt.Errorf("isolate: %w", platform.ErrUnsupported)
	}
	lim, err := job.check()
	if err != nil {
		return nil, err
	}
	exe := job.Exe
	if exe == "" {
		if exe, err = os.Executable(); err != nil {
			return nil, fmt.Errorf("isolate: finding this program, to run the child: %w", err)
		}
	}
	top, err := os.MkdirTemp("", "jitrun-isolate-")
	if err != nil {
		return nil, fmt.Errorf("isolate: making the child's directory: %w", err)
	}
	defer os.RemoveAll(top)
	work, stdin, err := job.prepare(top)
	if err != nil {
		return nil, err
	}
	if stdin != nil && stdin != job.StdinFile {
		defer stdin.Close()
	}
	crashR, crashW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("isolate: making the crash pipe: %w", err)
	}
	defer crashR.Close()
	out, errOut, crash := &capped{limit: lim.Output}, &capped{limit: lim.Output}, &capped{limit: maxCrash}
	cmd := exec.Command(exe, job.Args...)
	cmd.Dir = work
	cmd.Env = append(childEnviron(job.Policy, lim), job.Env...)
	cmd.Stdout, cmd.Stderr = out, errOut
	if stdin != nil {
		cmd.Stdin = stdin // else /dev/null
	}
	cmd.ExtraFiles = []*os.File{crashW} // descriptor 3
	cmd.SysProcAttr = sysProcAttr()
	// The pipes' copying goroutines may wait on a descendant that holds
	// them; the group is killed first, so this is a backstop.
	cmd.WaitDelay = time.Second
	start := time.Now()
	err = cmd.Start()
	crashW.Close()
	if err != nil {
		return nil, fmt.Errorf("isolate: starting the child: %w", err)
	}
	var crashDone sync.WaitGroup
	crashDone.Add(1)
	go func() { defer crashDone.Done(); crash.ReadFrom(crashR) }()

	// The group is killed only while its leader, the child, has not been
	// reaped: until then no other process can be given its id.
	pgid := cmd.Process.Pid
	var group struct {
		sync.Mutex
		why  killReason
		gone bool // the child has ended, the group is killed: no more kills
	}
	kill := func(r killReason) {
		group.Lock()
		defer group.Unlock()
		if !group.gone {
			group.why = r
			platform.KillProcessGroup(pgid)
		}
	}
	deadline := time.AfterFunc(lim.Wall, func() { kill(killedDeadline) })
	stop := context.AfterFunc(ctx, func() { kill(killedContext) })
	exitErr := platform.WaitExited(pgid)
	deadline.Stop()
	stop()
	group.Lock()
	// Whatever the child left in its group goes with it (and lets go of
	// the pipes).
	platform.KillProcessGroup(pgid)
	group.gone = true
	r := group.why
	group.Unlock()
	waitErr := cmd.Wait()
	if waitErr == nil {
		waitErr = exitErr
	}
	crashDone.Wait()
	res := &Result{Elapsed: time.Since(start), Stdout: out.buf.Bytes(), Stderr: errOut.buf.Bytes(), Truncated: out.cut+errOut.cut > 0}
	res.judge(cmd.ProcessState, waitErr, r, lim, crash.buf.Bytes(), wantsJSON(job.Args))
	return res, nil
}

// goFatalStatus is the exit status of a Go program that ended with a
// fatal error (a panic, a throw).
const goFatalStatus = 2

// maxCrash is how much of a Go fatal error's text the parent keeps.
const maxCrash = 64 << 10

// check checks the Job and returns its limits with the defaults filled.
func (job *Job) check() (Limits, error) {
	lim, err := job.Limits.withDefaults()
	if err != nil {
		return lim, err
	}
	switch {
	case job.Policy != Local && job.Policy != Web:
		return lim, fmt.Errorf("isolate: unknown policy %d: want Local or Web", int(job.Policy))
	case len(job.Args) == 0:
		return lim, errors.New("isolate: no arguments: want jitrun's command and its arguments")
	case len(job.Args) > maxArgs:
		return lim, fmt.Errorf("isolate: %d arguments, more than %d", len(job.Args), maxArgs)
	case len(job.Files) > maxFiles:
		return lim, fmt.Errorf("isolate: %d files, more than %d", len(job.Files), maxFiles)
	case len(job.Stdin) > maxFile:
		return lim, fmt.Errorf("isolate: %d bytes of standard input, more than %d", len(job.Stdin), maxFile)
	case job.Dir != "" && len(job.Files) > 0:
		return lim, errors.New("isolate: Files with Dir: files go into the fresh directory only")
	}
	for _, kv := range job.Env {
		if name, _, _ := strings.Cut(kv, "="); name == childEnv || name == noSupervisorEnv {
			return lim, fmt.Errorf("isolate: Env sets %s, which is the isolation's own", name)
		}
	}
	for _, a := range job.Args {
		if len(a) > maxArg {
			return lim, fmt.Errorf("isolate: an argument of %d bytes, more than %d", len(a), maxArg)
		}
	}
	for name, data := range job.Files {
		if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\x00") {
			return lim, fmt.Errorf("isolate: file name %q: want a name without slashes", name)
		}
		if len(data) > maxFile {
			return lim, fmt.Errorf("isolate: file %q has %d bytes, more than %d", name, len(data), maxFile)
		}
	}
	return lim, nil
}

// prepare makes the working directory under top with the files, and the
// child's standard input (nil for none: /dev/null).
func (job *Job) prepare(top string) (work string, stdin *os.File, err error) {
	work = job.Dir
	if work == "" {
		work = filepath.Join(top, "work")
		if err := os.Mkdir(work, 0o700); err != nil {
			return "", nil, fmt.Errorf("isolate: %w", err)
		}
		for name, data := range job.Files {
			if err := os.WriteFile(filepath.Join(work, name), data, 0o600); err != nil {
				return "", nil, fmt.Errorf("isolate: writing the child's file: %w", err)
			}
		}
	}
	switch {
	case job.StdinFile != nil:
		return work, job.StdinFile, nil
	case len(job.Stdin) == 0:
		return work, nil, nil
	}
	// A file, not a pipe: no goroutine to feed it, and the code reads it
	// as it would read a redirected file.
	name := filepath.Join(top, "stdin")
	if err := os.WriteFile(name, job.Stdin, 0o600); err != nil {
		return "", nil, fmt.Errorf("isolate: writing the child's standard input: %w", err)
	}
	if stdin, err = os.Open(name); err != nil {
		return "", nil, fmt.Errorf("isolate: %w", err)
	}
	return work, stdin, nil
}

// wantsJSON reports whether args ask for --json (before any "--").
func wantsJSON(args []string) bool {
	for _, a := range args[1:] {
		switch a {
		case "--":
			return false
		case "--json", "-json", "--json=true", "-json=true":
			return true
		}
	}
	return false
}

// capped keeps the first limit bytes written to it and counts the rest.
type capped struct {
	buf   bytes.Buffer
	limit int64
	cut   int64
}

func (c *capped) Write(p []byte) (int, error) {
	keep := min(int64(len(p)), c.limit-int64(c.buf.Len()))
	c.buf.Write(p[:keep])
	c.cut += int64(len(p)) - keep
	return len(p), nil
}

// ReadFrom reads r to its end into c.
func (c *capped) ReadFrom(r *os.File) {
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Read(buf)
		c.Write(buf[:n])
		if err != nil {
			return
		}
	}
}

// killReason is why the parent killed the child.
type killReason int

const (
	killedDeadline killReason = iota + 1
	killedContext
)

// judge sets the status and Died from how the child ended.
func (res *Result) judge(ps *os.ProcessState, waitErr error, why killReason, lim Limits, crash []byte, json bool) {
	ws, _ := ps.Sys().(syscall.WaitStatus)
	switch {
	case ps == nil:
		res.Status, res.Died = statusSystem, fmt.Sprintf("the parent lost the child: %v", waitErr)
		return
	case ws.Signaled():
		res.Signal = ws.Signal()
	}
	killed := ws.Signaled() && ws.Signal() == syscall.SIGKILL
	switch {
	case killed && why == killedDeadline:
		res.Status, res.Died = statusTimeout, fmt.Sprintf("killed at the %v wall-clock deadline", lim.Wall)
	case killed && why == killedContext:
		res.Status, res.Died = statusSystem, "killed: the run was cancelled"
	case killed && cpuTime(ps) >= roundUpSecond(lim.CPU)/2:
		res.Status, res.Died = statusBroken, fmt.Sprintf("killed at the %v CPU-time limit", roundUpSecond(lim.CPU))
	case len(crash) > 0 && (ws.Signaled() || ws.ExitStatus() == goFatalStatus):
		// (Crash text from a child that went on to exit with another
		// status is not Go's: code can write to any descriptor through
		// the program's own text.)
		res.Status, res.Died = statusBroken, "Go fatal error: "+crashSummary(res.Stderr, crash)
	case ws.Signaled():
		res.Status, res.Died = statusBroken, "killed by "+signalText(ws.Signal())
	case ws.Exited() && (ws.ExitStatus() > statusBroken):
		res.Status, res.Died = statusBroken, fmt.Sprintf("exited with status %d, not one of jitrun's", ws.ExitStatus())
	case json && !jsonOK(res.Stdout, ws.ExitStatus()):
		res.Status, res.Died = statusBroken, "garbage on the result pipe: "+garbageText(res.Stdout, res.Truncated)
		res.NoDocument = !res.Truncated && len(bytes.TrimSpace(res.Stdout)) == 0
	default:
		res.Status = ws.ExitStatus()
	}
}

// signalText names a signal with its likely cause among the limits.
func signalText(sig syscall.Signal) string {
	name := platform.SignalName(sig)
	if name == "" {
		name = fmt.Sprintf("signal %d", int(sig))
	}
	if cause := limitCause(sig); cause != "" {
		return name + " (" + cause + ")"
	}
	return name + " (" + sig.String() + ")"
}

// jsonOK reports whether stdout is what jitrun's --json prints with exit
// status: one JSON document, or nothing for status 1 or 2 (a system error,
// or bad input other than source that does not assemble, reported in one
// line on standard error).
func jsonOK(stdout []byte, status int) bool {
	if len(bytes.TrimSpace(stdout)) == 0 {
		return status == statusSystem || status == statusInput
	}
	return oneJSON(stdout)
}

// oneJSON reports whether b is exactly one JSON value (and spaces).
func oneJSON(b []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(b))
	var v json.RawMessage
	if dec.Decode(&v) != nil {
		return false
	}
	return dec.Decode(&v) != nil && dec.InputOffset() >= int64(len(bytes.TrimRight(b, " \t\r\n")))
}

// garbageText says what the child printed instead of one JSON document.
func garbageText(b []byte, truncated bool) string {
	switch {
	case truncated:
		return fmt.Sprintf("more output than the limit, cut at %d bytes", len(b))
	case len(bytes.TrimSpace(b)) == 0:
		return "no JSON document"
	}
	head := string(b[:min(len(b), 40)])
	return fmt.Sprintf("%d bytes that are not one JSON document (%q…)", len(b), head)
}

// cpuTime is the CPU time the child used, as wait4 reports it: the
// scheduler's count of the time the child ran. RLIMIT_CPU reads another
// clock, the CPU time the kernel's ticks charge, and the two part on a
// busy VM: wait4 was seen 7% under the limit on an idle one (a 1s limit
// showed 935ms), under 800ms in a CI run beside other work, and 762ms
// beside processes that sleep and wake every fraction of a millisecond.
// So a SIGKILL past half the limit is taken as the limit's; a child that
// kills itself, or that the kernel kills for memory, has seldom run that
// long.
func cpuTime(ps *os.ProcessState) time.Duration { return ps.UserTime() + ps.SystemTime() }

// roundUpSecond is d in whole seconds, rounded up, as RLIMIT_CPU takes it.
func roundUpSecond(d time.Duration) time.Duration {
	return (d + time.Second - 1).Truncate(time.Second)
}

// crashSummary is Go's report of a fatal error in one line
// (gocrash.Summary). The runtime prints a throw's "fatal error: …" line
// before it starts copying to the crash output, so that line is looked
// for at the end of standard error first; else the copy is read.
func crashSummary(stderr, crash []byte) string {
	text := crash
	if at := bytes.LastIndex(append([]byte{'\n'}, stderr...), []byte("\nfatal error: ")); at >= 0 && bytes.HasSuffix(bytes.TrimSpace(stderr), bytes.TrimSpace(crash)) {
		text = stderr[at:]
	}
	return gocrash.Summary(text)
}
