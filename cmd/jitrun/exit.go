package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/jitrun/jitrun/asm"
)

// Exit statuses. Every subcommand ends with one of these, and only main
// turns them into the process's exit status.
const (
	exitOK      = 0 // the command did its job; for run, the code returned
	exitSystem  = 1 // the kernel refused a resource jitrun needed
	exitInput   = 2 // bad input: flags, files, arguments, source that does not assemble
	exitFault   = 3 // the code faulted, or made a system call the policy refuses
	exitTimeout = 4 // the code ran past its timeout, or a step cap
	exitBroken  = 5 // the code broke jitrun itself (run reports how its process died)
)

// exitStatuses is the table `jitrun help` and every -h print.
var exitStatuses = []struct {
	status  int
	meaning string
}{
	{exitOK, "success (for run: the code returned)"},
	{exitSystem, "system error: the kernel refused a resource jitrun needed"},
	{exitInput, "bad input: a bad flag, a missing or unreadable file, a directory, an empty or oversized input, source that does not assemble"},
	{exitFault, "the code faulted, or made a system call --syscalls refuses"},
	{exitTimeout, "the code ran past its --timeout, or run --trace or --break stopped it at --max-steps"},
	{exitBroken, "the code broke jitrun itself: the process of run or bench died (a signal, a Go fatal error), reported in one line"},
}

// writeExitStatuses prints the table of exit statuses.
func writeExitStatuses(w io.Writer) {
	fmt.Fprintf(w, "\nExit status (every command):\n")
	for _, s := range exitStatuses {
		fmt.Fprintf(w, "  %d  %s\n", s.status, s.meaning)
	}
}

// exitError is an error that ends jitrun with a given status. main prints
// its message once on standard error, after "jitrun CMD: " unless it is
// bare (positioned assembly errors and a bench kernel's fault stand on
// their own). A nil err prints nothing: the command already reported on
// standard output (a fault, a timeout) or printed its usage (-h).
type exitError struct {
	status int
	err    error
	bare   bool
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.status)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// inputError is bad input (status 2): a message in one line.
func inputError(format string, args ...any) error {
	return &exitError{status: exitInput, err: fmt.Errorf(format, args...)}
}

// systemError is a failure of the system under jitrun (status 1).
func systemError(format string, args ...any) error {
	return &exitError{status: exitSystem, err: fmt.Errorf(format, args...)}
}

// silentExit ends jitrun with status, printing nothing more.
func silentExit(status int) error { return &exitError{status: status} }

// errHelpShown is the end of a command after -h printed its usage.
var errHelpShown = silentExit(exitOK)

// statusOf is the exit status err ends jitrun with: an exitError's, 2 for
// assembly errors, 1 for anything else.
func statusOf(err error) int {
	var ee *exitError
	var list asm.ErrorList
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ee):
		return ee.status
	case errors.As(err, &list):
		return exitInput
	}
	return exitSystem
}

// printError writes err on w as a command's last words: each assembly
// error on a line of its own (FILE:LINE:COL: message), a bare error as
// it is, anything else as "jitrun CMD: message".
func printError(w io.Writer, cmd string, err error) {
	var ee *exitError
	var list asm.ErrorList
	switch {
	case err == nil:
		return
	case errors.As(err, &ee) && ee.err == nil:
		return
	case errors.As(err, &list) && err.Error() == list.Error():
		for _, e := range list {
			fmt.Fprintln(w, e.Error())
		}
		return
	case errors.As(err, &ee) && ee.bare:
		fmt.Fprint(w, withNewline(err.Error()))
		return
	}
	prefix := "jitrun: "
	if cmd != "" {
		prefix = "jitrun " + cmd + ": "
	}
	fmt.Fprint(w, prefix+withNewline(err.Error()))
}

// withNewline ends s with a newline.
func withNewline(s string) string {
	if s != "" && !strings.HasSuffix(s, "\n") {
		return s + "\n"
	}
	return s
}
