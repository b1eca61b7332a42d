package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jitrun/jitrun/trampoline"
)

// The --syscalls filter is process-wide and irreversible, and the code's
// write(1, …) goes to file descriptor 1, not to an env's buffer: so these
// tests run jitrun in a child process, this test binary re-executed with
// -test.run=^TestJitrunChild$ and the arguments in jitrunChildEnv, with
// real standard streams and main's env: jitrun run then supervises a
// grandchild, the test binary again, which TestMain turns into jitrun's
// supervised child (maybeRunSupervised), as main does.

const jitrunChildEnv = "JITRUN_CLI_CHILD_ARGS"

// TestJitrunChild is jitrun's main in the child.
func TestJitrunChild(t *testing.T) {
	js := os.Getenv(jitrunChildEnv)
	if js == "" {
		t.Skip("runs only as the child of childTranscript")
	}
	var args []string
	if err := json.Unmarshal([]byte(js), &args); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(100)
	}
	if os.Getenv(jitrunChildPolicyEnv) == "guard" {
		// As a program that guards its system calls, then probes.
		if err := trampoline.GuardSyscalls(trampoline.SyscallsGuard); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(100)
		}
	}
	os.Exit(run(mainEnv(), args))
}

// jitrunChildPolicyEnv=guard makes the child install SyscallsGuard before
// it runs jitrun.
const jitrunChildPolicyEnv = "JITRUN_CLI_CHILD_POLICY"

// childTranscript runs jitrun ARGS in a child process from dir and
// returns its transcript, as transcriptParts writes it, and its exit
// status. Standard output holds what the code wrote and what jitrun
// printed, in the order they happened.
func childTranscript(t *testing.T, dir string, args ...string) (string, int) {
	t.Helper()
	return childTranscriptEnv(t, dir, nil, args...)
}

// childTranscriptEnv is childTranscript with more environment variables.
func childTranscriptEnv(t *testing.T, dir string, environ []string, args ...string) (string, int) {
	t.Helper()
	var stdout, stderr strings.Builder
	status := runChild(t, dir, environ, &stdout, &stderr, args...)
	return formatTranscript(args, stdout.String(), stderr.String(), status), status
}

// runChild runs jitrun ARGS in a child process from dir, with its
// standard output and error going to stdout and stderr (the same writer
// keeps them in the order they were written), and returns its exit
// status.
func runChild(t *testing.T, dir string, environ []string, stdout, stderr io.Writer, args ...string) int {
	t.Helper()
	status, _ := runChildPID(t, dir, environ, stdout, stderr, args...)
	return status
}

// runChildPID is runChild, also returning the child's process id: the
// parent of the process that runs the code (jitrun run's supervised child).
func runChildPID(t *testing.T, dir string, environ []string, stdout, stderr io.Writer, args ...string) (status, pid int) {
	t.Helper()
	exe, err := filepath.Abs(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	cmd := childCommand(context.Background(), exe, environ, args)
	cmd.Dir = dir
	// exec copies the two streams in two goroutines (the stderr copy
	// also goes to childErr, for the messages below), so a writer they
	// share is written under one lock.
	var childErr strings.Builder
	out := &lockedWriter{w: stdout}
	errOut := out
	if stderr != stdout {
		errOut = &lockedWriter{w: stderr}
	}
	cmd.Stdout, cmd.Stderr = out, io.MultiWriter(errOut, &childErr)
	if err := cmd.Run(); err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok || !ee.Exited() {
			t.Fatalf("jitrun %s: %v\nstderr:\n%s", shellJoin(args), err, childErr.String())
		}
		status = ee.ExitCode()
	}
	if status == 100 {
		t.Fatalf("child: %s", childErr.String())
	}
	return status, cmd.Process.Pid
}

// childCommand is the command that runs jitrun ARGS in a child process
// (TestJitrunChild in exe, this test binary), with more environment.
func childCommand(ctx context.Context, exe string, environ, args []string) *exec.Cmd {
	js, _ := json.Marshal(args)
	cmd := exec.CommandContext(ctx, exe, "-test.run=^TestJitrunChild$", "-test.count=1")
	cmd.Env = append(append(os.Environ(), environ...), jitrunChildEnv+"="+string(js))
	return cmd
}

// lockedWriter serialises the writes to w.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
