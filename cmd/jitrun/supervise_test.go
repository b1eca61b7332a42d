package main

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

// The supervisor's tests run jitrun run under supervise in the test
// process; the child is this test binary re-executed, which TestMain turns
// into jitrun's supervised child (maybeRunTestChild), as main does. A child
// started with testChildModeEnv set misbehaves on purpose instead, as only
// a broken jitrun would: the parent must still end with one line and the
// right status.

const testChildModeEnv = "JITRUN_TEST_CHILD_MODE"

// maybeRunTestChild is maybeRunSupervised with the misbehaving modes.
func maybeRunTestChild() {
	e, ok := supervisedChild()
	if !ok {
		return
	}
	switch os.Getenv(testChildModeEnv) {
	case "fatal": // a Go fatal error during a call
		e.link.callStarts(0)
		debug.SetMaxStack(1 << 20)
		var deep func(int) int
		deep = func(n int) int { return deep(n+1) + 1 }
		deep(0)
	case "garbage": // a report that is not frames
		os.NewFile(reportFD, "report").Write([]byte("garbage\n"))
		os.Exit(0)
	case "silent": // no report at all
		os.Exit(0)
	case "hang": // a call that outlives its limit
		e.link.callStarts(50 * time.Millisecond)
		time.Sleep(time.Hour)
	case "calls": // calls whose output and reports alternate
		for i := range orderCalls {
			e.link.callStarts(0)
			fmt.Fprintf(os.Stdout, "code %d\n", i)
			e.link.callEnded()
			fmt.Fprintf(e.stdout, "report %d\n", i)
		}
		os.Exit(finishSupervised(e, 0))
	case "half": // a report cut short by a signal
		e.stdout.Write([]byte("rax = "))
		p, err := os.FindProcess(os.Getpid())
		if err == nil {
			err = p.Kill() // SIGKILL
		}
		if err != nil {
			// Not killed: fail the test at once rather than hang it.
			fmt.Fprintf(os.Stderr, "half: could not kill itself: %v\n", err)
			os.Exit(exitBroken)
		}
		time.Sleep(time.Hour) // the SIGKILL lands first
	}
	os.Exit(finishSupervised(e, run(e, os.Args[1:])))
}

// superviseTranscript runs jitrun ARGS under the supervisor, with the
// child misbehaving as mode says ("" for not at all).
func superviseTranscript(t *testing.T, stdin string, mode string, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut}
	sup := supervision{margin: 300 * time.Millisecond, exe: exe}
	if mode != "" {
		sup.environ = []string{testChildModeEnv + "=" + mode}
	}
	err = supervise(e, args, sup)
	printError(&errOut, args[0], err)
	return out.String(), errOut.String(), statusOf(err)
}

// TestSuperviseBrokenChild checks that a child that dies any way ends as
// one line on standard error with status 5 (4 when the watchdog stopped a
// call), never with a Go trace, and that --json stays one JSON object.
func TestSuperviseBrokenChild(t *testing.T) {
	tests := []struct {
		mode   string
		status int
		line   string // the start of the line after "jitrun run: "
	}{
		{"fatal", exitBroken, "the code broke jitrun: its process exited with status 2: fatal error: stack overflow"},
		{"garbage", exitBroken, "the code broke jitrun: its process exited with status 0 after an unknown frame kind 'g' on its report descriptor (did the code write to descriptor 3?)"},
		{"silent", exitBroken, "the code broke jitrun: its process exited with status 0 before reporting (exit or exit_group? --syscalls allow lets the code end jitrun)"},
		{"hang", exitTimeout, "the code was still running "},
		{"half", exitBroken, "the code broke jitrun: its process was killed by SIGKILL (killed) before reporting"},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			stdout, stderr, status := superviseTranscript(t, "", tt.mode, "run", "-e", "RET")
			lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
			if status != tt.status || len(lines) != 1 || !strings.HasPrefix(lines[0], "jitrun run: "+tt.line) || strings.Contains(stdout+stderr, "goroutine ") {
				t.Errorf("status %d, stdout %q, stderr:\n%s\nwant status %d and one line starting %q", status, stdout, stderr, tt.status, tt.line)
			}
			if tt.mode == "half" && stdout != "rax = \n" {
				t.Errorf("the report cut short: stdout %q, want %q", stdout, "rax = \n")
			}
			stdout, stderr, status = superviseTranscript(t, "", tt.mode, "run", "--json", "-e", "RET")
			var doc runJSON
			if err := json.Unmarshal([]byte(stdout), &doc); err != nil || status != tt.status || stderr != "" ||
				!strings.HasPrefix(doc.Broken, tt.line) || doc.Timeout != (tt.status == exitTimeout) || doc.Regs != nil {
				t.Errorf("--json: status %d, stderr %q, stdout:\n%s", status, stderr, stdout)
			}
		})
	}
}

// TestSuperviseOutput checks what the code writes, as the user sees it:
// standard output as it comes, the report on a line of its own, standard
// error before the report, and in --json the fields that carry them.
func TestSuperviseOutput(t *testing.T) {
	// write(1, "abc", 3), and so on; RDX (the length) stays as it is.
	const abc = "MOVQ $0x636261, AX; PUSHQ AX; MOVL $1, AX; MOVL $1, DI; MOVQ SP, SI; MOVL $3, DX; SYSCALL; POPQ CX; RET"
	const abcErr = "MOVQ $0x0a21727265, AX; PUSHQ AX; MOVL $1, AX; MOVL $2, DI; MOVQ SP, SI; MOVL $5, DX; SYSCALL; POPQ CX; MOVL $7, AX; RET"
	const notUTF8 = "MOVQ $0xfeff, AX; PUSHQ AX; MOVL $1, AX; MOVL $1, DI; MOVQ SP, SI; MOVL $2, DX; SYSCALL; POPQ CX; RET"
	// 20 writes of the 64 KiB below RSP: 1.25 MiB.
	const big = "MOVQ $20, R12\nloop: MOVL $1, AX; MOVL $1, DI; LEAQ -65536(SP), SI; MOVL $65536, DX; SYSCALL; DECQ R12; JNE loop; RET"
	// read(0, RSP-64, 64): the count of bytes of standard input.
	const readStdin = "XORL AX, AX; XORL DI, DI; LEAQ -64(SP), SI; MOVL $64, DX; SYSCALL; RET"

	stdout, stderr, status := superviseTranscript(t, "", "", "run", "-e", abc)
	if stdout != "abc\n(no newline at the end of the code's standard output)\nrax = 3 (0x3)\nrdx = 3 (0x3)\n" || stderr != "" || status != exitOK {
		t.Errorf("output without a newline: status %d, stdout %q, stderr %q", status, stdout, stderr)
	}
	stdout, stderr, status = superviseTranscript(t, "", "", "run", "-e", strings.Replace(abc, "MOVL $1, DI", "MOVL $2, DI", 1))
	if stdout != "rax = 3 (0x3)\nrdx = 3 (0x3)\n" || stderr != "abc\n(no newline at the end of the code's standard error)\n" || status != exitOK {
		t.Errorf("standard error without a newline: status %d, stdout %q, stderr %q", status, stdout, stderr)
	}
	stdout, stderr, status = superviseTranscript(t, "", "", "run", "-e", strings.Replace(big, "MOVL $1, DI", "MOVL $2, DI", 1))
	cut := (&capture{cut: 20*65536 - maxCapturedOutput, limit: maxCapturedOutput}).cutNote("standard error")
	if stdout != "rax = 65536 (0x10000)\nrdx = 65536 (0x10000)\n" || len(stderr) != maxCapturedOutput+1+len(cut) || !strings.HasSuffix(stderr, "\n"+cut) || status != exitOK {
		t.Errorf("1.25 MiB on standard error: status %d, stdout %q, stderr of %d bytes ending %q", status, stdout, len(stderr), stderr[max(0, len(stderr)-200):])
	}
	stdout, stderr, status = superviseTranscript(t, "", "", "run", "-e", abcErr)
	if stdout != "rax = 7 (0x7)\nrdx = 5 (0x5)\n" || stderr != "err!\n" || status != exitOK {
		t.Errorf("standard error: status %d, stdout %q, stderr %q", status, stdout, stderr)
	}
	stdout, _, status = superviseTranscript(t, "hello", "", "run", "-e", readStdin)
	if stdout != "rax = 5 (0x5)\nrdx = 64 (0x40)\n" || status != exitOK {
		t.Errorf("standard input: status %d, stdout %q", status, stdout)
	}

	decode := func(args ...string) runJSON {
		t.Helper()
		stdout, stderr, _ := superviseTranscript(t, "", "", append([]string{"run", "--json"}, args...)...)
		var doc runJSON
		if err := json.Unmarshal([]byte(stdout), &doc); err != nil || stderr != "" {
			t.Fatalf("%q: not one JSON object (%v), stderr %q:\n%s", args, err, stderr, stdout)
		}
		return doc
	}
	if doc := decode("-e", abc); doc.Stdout == nil || *doc.Stdout != "abc" || doc.Stderr == nil || *doc.Stderr != "" || *doc.RAX != 3 {
		t.Errorf("--json: %+v", doc)
	}
	if doc := decode("-e", abcErr); *doc.Stdout != "" || *doc.Stderr != "err!\n" {
		t.Errorf("--json standard error: %+v", doc)
	}
	doc := decode("-e", notUTF8)
	if raw, _ := base64.StdEncoding.DecodeString(derefOr(doc.StdoutBase64)); doc.Stdout != nil || string(raw) != "\xff\xfe" {
		t.Errorf("--json, not UTF-8: stdout %v, stdout_base64 %v", doc.Stdout, doc.StdoutBase64)
	}
	doc = decode("-e", big) // the stack's bytes: text or not
	kept := []byte(derefOr(doc.Stdout))
	if doc.StdoutBase64 != nil {
		kept, _ = base64.StdEncoding.DecodeString(*doc.StdoutBase64)
	}
	if len(kept) != maxCapturedOutput || doc.StdoutCutBytes != 20*65536-maxCapturedOutput {
		t.Errorf("--json, 1.25 MiB: %d bytes kept, %d cut", len(kept), doc.StdoutCutBytes)
	}
}

func derefOr(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// TestSuperviseCodeEndsJitrun checks the code that ends jitrun's process
// where --syscalls allow lets it: exit status 5 and how, in one line.
func TestSuperviseCodeEndsJitrun(t *testing.T) {
	tests := []struct {
		src, line string
	}{
		{"MOVL $231, AX; MOVL $7, DI; SYSCALL; RET", "jitrun run: the code broke jitrun: its process exited with status 7 before reporting (exit or exit_group? --syscalls allow lets the code end jitrun)\n"},
		{"MOVL $39, AX; SYSCALL; MOVQ AX, DI; MOVL $9, SI; MOVL $62, AX; SYSCALL; RET", "jitrun run: the code broke jitrun: its process was killed by SIGKILL (killed) before reporting\n"},
	}
	for _, tt := range tests {
		stdout, stderr, status := superviseTranscript(t, "", "", "run", "--syscalls", "allow", "-e", tt.src)
		if status != exitBroken || stdout != "" || stderr != tt.line {
			t.Errorf("%s: status %d, stdout %q, stderr %q; want 5 and %q", tt.src, status, stdout, stderr, tt.line)
		}
	}
}

// TestSuperviseBench checks bench under the supervisor: its output as in
// one process, and a child that dies as one line with status 5.
func TestSuperviseBench(t *testing.T) {
	stdout, stderr, status := superviseTranscript(t, "", "", "bench", "--samples", "3", "--format", "json", "-e", "ADDQ $1, AX")
	if status != exitOK || !json.Valid([]byte(stdout)) || strings.Contains(stderr, "jitrun bench: ") && !strings.Contains(stderr, "warning") {
		t.Errorf("bench --format json: status %d, stderr %q, stdout:\n%s", status, stderr, stdout)
	}
	stdout, stderr, status = superviseTranscript(t, "", "silent", "bench", "-e", "NOP")
	if status != exitBroken || stdout != "" || !strings.HasPrefix(stderr, "jitrun bench: the code broke jitrun: its process exited with status 0 before reporting") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("bench, silent child: status %d, stdout %q, stderr %q", status, stdout, stderr)
	}
}

func TestOutputModeOf(t *testing.T) {
	tests := []struct {
		args []string
		want outputMode
	}{
		{[]string{"run", "-e", "RET"}, modeText},
		{[]string{"run", "add.s", "2", "--json"}, modeRunJSON},
		{[]string{"run", "--json", "--bogus"}, modeText}, // the child reports the bad flag
		{[]string{"bench", "-e", "NOP"}, modeText},
		{[]string{"bench", "-e", "NOP", "--json"}, modeMachine},
		{[]string{"bench", "--format", "go", "-e", "NOP"}, modeMachine},
		{[]string{"bench", "--format=json", "-e", "NOP"}, modeMachine},
	}
	for _, tt := range tests {
		if got := outputModeOf(tt.args); got != tt.want {
			t.Errorf("outputModeOf(%q) = %d, want %d", tt.args, got, tt.want)
		}
	}
}

// TestSyscallsUsageMargin keeps the --syscalls text true to the margin.
func TestSyscallsUsageMargin(t *testing.T) {
	if !strings.Contains(syscallsUsage, "killed "+superviseMargin.String()+" past --timeout") {
		t.Errorf("the --syscalls text does not name the margin %v: %s", superviseMargin, syscallsUsage)
	}
}

// TestSuperviseThreadExit checks the code's exit(0) under --syscalls
// allow, which ends the thread that runs it: the call never returns, and
// jitrun hung; the supervisor kills its child past the timeout.
func TestSuperviseThreadExit(t *testing.T) {
	stdout, stderr, status := superviseTranscript(t, "", "", "run", "--timeout", "100ms", "--syscalls", "allow", "-e", "MOVL $60, AX; XORL DI, DI; SYSCALL; RET")
	if status != exitTimeout || stdout != "" || !strings.HasPrefix(stderr, "jitrun run: the code was still running ") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("status %d, stdout %q, stderr %q; want status 4 and one line", status, stdout, stderr)
	}
}

// TestFramesBounded checks that the parent keeps a bounded part of the
// report stream whatever arrives on it: a frame longer than maxFrame is
// garbage at once, what follows garbage or the status frame is dropped, a
// --json document past its cap ends the stream, and the child splits its
// long writes into frames the parent accepts. (The code that wrote to
// descriptor 3 in a loop grew the parent by hundreds of MB a second.)
func TestFramesBounded(t *testing.T) {
	discard := &env{stdout: io.Discard, stderr: io.Discard}
	s := newSupervisor(discard, modeText, 0)
	s.onReport(binary.AppendUvarint([]byte{frameStdout}, maxFrame+1))
	if s.end.bad != "a frame of impossible length" {
		t.Errorf("a frame of maxFrame+1 bytes: bad %q", s.end.bad)
	}

	s = newSupervisor(discard, modeText, 0)
	s.onReport([]byte("garbage"))
	for range 64 {
		s.onReport(make([]byte, 64<<10))
	}
	if s.end.bad == "" || len(s.report.buf) > 64<<10 {
		t.Errorf("4 MiB after garbage: bad %q, %d bytes kept", s.end.bad, len(s.report.buf))
	}

	s = newSupervisor(discard, modeText, 0)
	var status bytes.Buffer
	(&parentLink{w: &status}).send(frameStatus, []byte("0"))
	s.onReport(status.Bytes())
	for range 64 {
		s.onReport(make([]byte, 64<<10))
	}
	if !s.end.gotStatus || s.end.status != 0 || len(s.report.buf) > 64<<10 {
		t.Errorf("4 MiB after the status: status %v %d, %d bytes kept", s.end.gotStatus, s.end.status, len(s.report.buf))
	}

	s = newSupervisor(discard, modeRunJSON, 0)
	var doc bytes.Buffer
	w := frameWriter{&parentLink{w: &doc}, frameStdout}
	for range 2 * maxCapturedOutput / (64 << 10) {
		w.Write(make([]byte, 64<<10))
	}
	s.onReport(doc.Bytes())
	if s.end.bad == "" || s.doc.Len() > maxCapturedOutput {
		t.Errorf("a --json document of 2 MiB: bad %q, %d bytes kept", s.end.bad, s.doc.Len())
	}

	var stream bytes.Buffer
	long := bytes.Repeat([]byte("0123456789abcdef"), (3<<16+100)/16)
	frameWriter{&parentLink{w: &stream}, frameStdout}.Write(long)
	var got []byte
	f := frames{buf: stream.Bytes()}
	for {
		kind, payload, ok := f.next()
		if !ok {
			break
		}
		if kind != frameStdout || len(payload) > maxFrame {
			t.Errorf("a frame of kind %q and %d bytes", kind, len(payload))
		}
		got = append(got, payload...)
	}
	if f.bad != "" || !bytes.Equal(got, long) || len(f.buf) != 0 {
		t.Errorf("a write of %d bytes came back as %d bytes in frames (bad %q)", len(long), len(got), f.bad)
	}
}

// orderCalls is how many calls the child of TestSuperviseOrder makes.
const orderCalls = 200

// TestSuperviseOrder checks that what the code wrote during a call is
// shown before the report that follows the call, and not after the
// output of the next call: the parent read the code's pipes first
// whenever they were ready, so the output of a second call (run --time)
// came before the report of the first.
func TestSuperviseOrder(t *testing.T) {
	var want strings.Builder
	for i := range orderCalls {
		fmt.Fprintf(&want, "code %d\nreport %d\n", i, i)
	}
	stdout, stderr, status := superviseTranscript(t, "", "calls", "run", "-e", "RET")
	if status != exitOK || stderr != "" || stdout != want.String() {
		t.Errorf("status %d, stderr %q, stdout out of order:\n%s", status, stderr, lineDiff(want.String(), stdout))
	}
}

// TestGoFatalStart checks where Go's report starts in the code's standard
// error: at the crash copy, moved back over the lines the runtime prints
// before it copies; -1 when the copy was cut from standard error.
func TestGoFatalStart(t *testing.T) {
	const crash = "goroutine 1 [running]:\nmain.main()\n"
	tests := []struct {
		name          string
		stderr, crash string
		want          int
	}{
		{"copy alone", "code said this\n" + crash, crash, len("code said this\n")},
		{"throw line before", "code\nfatal error: stack overflow\n" + crash, crash, len("code\n")},
		{"runtime lines before", "runtime: goroutine stack exceeds\nfatal error: stack overflow\n" + crash, crash, 0},
		{"other line stops", "fatal error: x\ncode's line\n" + crash, crash, len("fatal error: x\ncode's line\n")},
		{"cut", "code\n" + crash[:10], crash, -1},
		{"no copy", "code\n", "", -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := goFatalStart([]byte(tt.stderr), []byte(tt.crash)); got != tt.want {
				t.Errorf("goFatalStart = %d, want %d", got, tt.want)
			}
		})
	}
}
