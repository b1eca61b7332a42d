package probe

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jitrun/jitrun/internal/platform"
)

// The environment of a child process: the group it runs, the probes of
// that group to report, and for jitrun mmap the request.
const (
	envChild = "JITRUN_PROBE_CHILD"
	envNames = "JITRUN_PROBE_NAMES"
	envMmap  = "JITRUN_PROBE_MMAP"
)

// DefaultChildTimeout bounds one child process when Options.ChildTimeout
// is zero.
const DefaultChildTimeout = 10 * time.Second

// hookCalled records that this process's main called MaybeRunChild (and
// is not a child). It is the package's one piece of process-wide state
// besides runMu: set once, at the start of main, and read by Run to know
// that re-executing the program will reach MaybeRunChild again rather than
// run the program's own main with no arguments.
var hookCalled atomic.Bool

// MaybeRunChild must be the first statement of the main function of any
// program that runs the probes that change a process for good (text.write,
// mdwe.*, memfd.dual, mseal.*, personality.*) or jitrun mmap's MAP_FIXED
// requests, and of the TestMain of a test package that does. Those run in
// a child process: a re-execution of the program itself, with an
// environment variable naming what to run. In that child, MaybeRunChild runs it, writes
// the result as JSON on standard output and exits the process: it is the
// one place in the package that ends the process, because a child whose
// memory-deny-write-execute is on, or whose memory was replaced by
// MAP_FIXED, must never go on into the program's main. In any other
// process it only records that the hook is in place and returns.
//
// Without the call, Run reports those probes as skipped, and Mmap refuses
// MAP_FIXED, saying why.
func MaybeRunChild() {
	group, ok := os.LookupEnv(envChild)
	if !ok {
		hookCalled.Store(true)
		return
	}
	os.Exit(runChildMain(group, os.Stdout))
}

// childReport is what a child writes on standard output.
type childReport struct {
	Group  string      `json:"group"`
	Probes []Result    `json:"probes,omitempty"`
	Mmap   *MmapResult `json:"mmap,omitempty"`
	Error  string      `json:"error,omitempty"`
}

// runChildMain runs the child's work and returns its exit status: 0 after
// a report, 2 when the request itself was bad.
func runChildMain(group string, w io.Writer) int {
	rep := childReport{Group: group}
	status := 0
	switch group {
	case "mmap":
		var req MmapRequest
		if err := json.Unmarshal([]byte(os.Getenv(envMmap)), &req); err != nil {
			rep.Error = fmt.Sprintf("bad %s: %v", envMmap, err)
			status = 2
			break
		}
		// Tell the parent what is about to be replaced before doing it:
		// the request may destroy this process.
		res, err := mmapHere(req, func(before []string) {
			line, _ := json.Marshal(childReport{Group: group, Mmap: &MmapResult{Replaced: before}})
			w.Write(append(line, '\n'))
		})
		if err != nil {
			rep.Error = err.Error()
			status = 2
			break
		}
		rep.Mmap = res
	default:
		var names []string
		if s := os.Getenv(envNames); s != "" {
			names = strings.Split(s, ",")
		}
		res, err := runGroup(group, names)
		if err != nil {
			rep.Error = err.Error()
			status = 2
			break
		}
		rep.Probes = res
	}
	line, err := json.Marshal(rep)
	if err != nil {
		line, _ = json.Marshal(childReport{Group: group, Error: "encoding the report: " + err.Error()})
		status = 1
	}
	w.Write(append(line, '\n'))
	return status
}

// runGroup runs, in this (child) process, the named probes of group, in
// registry order except that mdwe.clear comes last (were it to succeed,
// the probes after it would run without MDWE).
func runGroup(name string, names []string) ([]Result, error) {
	if !supported {
		return nil, errUnsupported
	}
	var defs []probeDef
	for _, d := range registry() {
		if d.Child == name && (len(names) == 0 || slices.Contains(names, d.Name)) {
			defs = append(defs, d)
		}
	}
	if len(defs) == 0 {
		return nil, fmt.Errorf("probe: child group %q has no probe named %s", name, strings.Join(names, ","))
	}
	for i, d := range defs {
		if d.Name == "mdwe.clear" {
			defs = append(append(defs[:i:i], defs[i+1:]...), d)
			break
		}
	}
	// The routines are loaded before any probe runs: under
	// memory-deny-write-execute nothing can be made executable later.
	p, err := newProber(ReadHost())
	if err != nil {
		return nil, err
	}
	defer p.close()
	g := &group{}
	var out []Result
	for _, d := range defs {
		t0 := time.Now()
		r := d.run(p, g)
		r.Name, r.Elapsed, r.Child = d.Name, time.Since(t0), true
		out = append(out, r)
	}
	return out, nil
}

// ChildRun is the record of one child process.
type ChildRun struct {
	Group   string        // "text", "mdwe", "mseal", "personality", "mmap"
	Elapsed time.Duration // from start to exit, as the parent saw it
	// Exit says how it ended: "exit 0", "exit 2", "killed by SIGSEGV",
	// "timed out after 10s (killed)", or why it could not start.
	Exit string
	// Stderr is the start of its standard error (a Go crash says what
	// happened first), when it did not exit 0.
	Stderr string
}

// OK reports whether the child exited with status 0.
func (c ChildRun) OK() bool { return c.Exit == "exit 0" }

// maxStderr is how much of a failed child's standard error is kept.
const maxStderr = 2000

// startChild runs this program again with env added, waits for it (at
// most timeout) and returns its standard output and how it ended.
func startChild(ctx context.Context, group string, timeout time.Duration, env ...string) ([]byte, ChildRun) {
	run := ChildRun{Group: group}
	exe, err := os.Executable()
	if err != nil {
		run.Exit = "not started: " + err.Error()
		return nil, run
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe)
	cmd.Env = append(childEnviron(), append([]string{envChild + "=" + group}, env...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = time.Second
	t0 := time.Now()
	err = cmd.Run()
	run.Elapsed = time.Since(t0)
	switch {
	case ctx.Err() == context.DeadlineExceeded:
		run.Exit = fmt.Sprintf("timed out after %v (killed)", timeout)
	case ctx.Err() != nil:
		run.Exit = "cancelled (killed): " + ctx.Err().Error()
	case err == nil:
		run.Exit = "exit 0"
	default:
		run.Exit = exitWords(err)
	}
	if !run.OK() {
		run.Stderr = head(stderr.String(), maxStderr)
	}
	return stdout.Bytes(), run
}

// childEnviron is this process's environment without the child variables
// (so that a child of a child is not confused). In a program built with
// the race detector, the child is told not to sleep a second before it
// exits (GORACE atexit_sleep_ms, unless the user set it): it has reported.
func childEnviron() []string {
	var env []string
	gorace := ""
	for _, kv := range os.Environ() {
		switch {
		case strings.HasPrefix(kv, "JITRUN_PROBE_"):
		case strings.HasPrefix(kv, "GORACE="):
			gorace = strings.TrimPrefix(kv, "GORACE=")
		default:
			env = append(env, kv)
		}
	}
	if raceEnabled && !strings.Contains(gorace, "atexit_sleep_ms") {
		gorace = strings.TrimSpace(gorace + " atexit_sleep_ms=0")
	}
	if gorace != "" {
		env = append(env, "GORACE="+gorace)
	}
	return env
}

// exitWords says how a child that did not exit 0 ended.
func exitWords(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return "killed by " + signalString(ws.Signal())
		}
		return fmt.Sprintf("exit %d", ee.ExitCode())
	}
	return "not started: " + err.Error()
}

// signalString names a signal: "SIGSEGV", or "signal N (…)" when unnamed.
func signalString(s syscall.Signal) string {
	if n := platform.SignalName(s); n != "" {
		return n
	}
	return fmt.Sprintf("signal %d (%v)", int(s), s)
}

// head returns at most the first n bytes of s, ending at a line when
// there is one.
func head(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	s = s[:n]
	if i := strings.LastIndexByte(s, '\n'); i > 0 {
		s = s[:i]
	}
	return s + "\n…"
}

// runChildGroup runs the probes defs (all of one group) in a child and
// returns their results in the order of defs. Whatever goes wrong with
// the child — it cannot start, crashes, times out, writes no report — is
// each probe's result (Failed, with how the child ended), never an error.
func runChildGroup(ctx context.Context, group string, defs []probeDef, timeout time.Duration) ([]Result, ChildRun) {
	names := make([]string, len(defs))
	for i, d := range defs {
		names[i] = d.Name
	}
	out := make([]Result, len(defs))
	fill := func(o Observation) {
		for i, d := range defs {
			out[i] = Result{Name: d.Name, Steps: []Step{{Name: "child", Observation: o}}, Result: o.Outcome, Child: true}
		}
	}
	if !hookCalled.Load() {
		fill(skipped("the program's main does not call probe.MaybeRunChild first, so probes that change the process for good cannot run in a child process"))
		return out, ChildRun{Group: group, Exit: "not started: no MaybeRunChild hook"}
	}
	stdout, run := startChild(ctx, group, timeout, envNames+"="+strings.Join(names, ","))
	rep, perr := parseChildReport(stdout)
	switch {
	case perr == nil && rep.Error != "":
		fill(failed("the child process refused the request: " + rep.Error))
		return out, run
	case perr != nil || !run.OK():
		why := "the child process " + run.Exit
		if perr != nil && run.OK() {
			why += " but its report is unreadable: " + perr.Error()
		}
		if run.Stderr != "" {
			why += "; stderr: " + firstLine(run.Stderr)
		}
		fill(failed(why))
		return out, run
	}
	byName := map[string]Result{}
	for _, r := range rep.Probes {
		byName[r.Name] = r
	}
	for i, d := range defs {
		r, ok := byName[d.Name]
		if !ok {
			r = Result{Name: d.Name, Steps: []Step{{Name: "child", Observation: failed("the child process did not report this probe")}}, Result: Failed}
		}
		r.Child = true
		out[i] = r
	}
	return out, run
}

// parseChildReport reads the last JSON line a child wrote.
func parseChildReport(stdout []byte) (childReport, error) {
	var rep childReport
	lines := bytes.Split(bytes.TrimSpace(stdout), []byte("\n"))
	last := lines[len(lines)-1]
	if len(last) == 0 {
		return rep, errors.New("no output")
	}
	if err := json.Unmarshal(last, &rep); err != nil {
		return rep, fmt.Errorf("%v in %q", err, head(firstLine(string(last)), 200))
	}
	return rep, nil
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
