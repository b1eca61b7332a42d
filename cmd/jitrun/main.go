// Command jitrun assembles x86-64 machine code, places it in memory that is
// never writable and executable at once, calls it, and shows what ran.
//
// Usage:
//
//	jitrun COMMAND [flags] [arguments]
//
// Run `jitrun help` for the list of commands and `jitrun COMMAND -h` for the
// flags of one.
package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/jitrun/jitrun/probe"
	"github.com/jitrun/jitrun/trampoline"
)

// Exit statuses. Every subcommand returns one of these.
const (
	exitOK      = 0 // the command did what was asked; for run, the code returned
	exitError   = 1 // an operating-system or internal failure
	exitUsage   = 2 // bad input: flags, arguments, assembly errors
	exitFault   = 3 // the machine code faulted
	exitTimeout = 4 // the machine code ran past its deadline
)

// env is what a subcommand may touch: its standard streams. Subcommands
// never call os.Exit and never write to os.Stdout directly, so tests run
// them in-process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// guardSyscalls installs the --syscalls policy of run and bench:
	// trampoline.GuardSyscalls, or nil in tests that run jitrun
	// in-process (the filter is process-wide and irreversible; the
	// tests of --syscalls run jitrun in a child process).
	guardSyscalls func(trampoline.SyscallPolicy) error
}

// usageError returns the function a subcommand reports bad input with: it
// prints "jitrun CMD: message" on standard error and returns exitUsage.
func (e *env) usageError(cmd string) func(format string, args ...any) int {
	return func(format string, args ...any) int {
		fmt.Fprintf(e.stderr, "jitrun "+cmd+": "+format+"\n", args...)
		return exitUsage
	}
}

// command is one subcommand: its name, a one-line summary for `jitrun
// help`, and the function that runs it with the arguments after its name.
type command struct {
	name    string
	summary string
	run     func(e *env, args []string) int
}

// commands lists every subcommand in the order `jitrun help` shows them.
func commands() []command {
	return []command{
		{"help", "show the commands, or the flags of one command", cmdHelp},
		{"run", "assemble (or take machine code), run it in W^X memory, report the result, a fault or a timeout", cmdRun},
		{"asm", "assemble x86-64 source and print the machine code (hex, listing, JSON, Go)", cmdAsm},
		{"disasm", "list machine code from a file or hex: addresses, bytes, instructions", cmdDisasm},
		{"bench", "measure what a kernel costs in core cycles: latency, throughput, A/B comparisons for benchstat", cmdBench},
		{"probe", "measure what this CPU and kernel enforce: page protections, NX/XD, W^X, MDWE, mseal", cmdProbe},
		{"mmap", "make one mmap request by hand, touch it, and show where it landed and what each touch did", cmdMmap},
	}
}

func main() {
	probe.MaybeRunChild() // a re-executed child probe runs here and exits
	maybeRunBenchProbe()  // the clock-detection child of jitrun bench runs here and exits
	os.Exit(run(&env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, guardSyscalls: trampoline.GuardSyscalls}, os.Args[1:]))
}

// run dispatches args to a subcommand and returns the exit status.
func run(e *env, args []string) int {
	if len(args) == 0 {
		usage(e.stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help":
		usage(e.stdout)
		return exitOK
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(e, args[1:])
		}
	}
	fmt.Fprintf(e.stderr, "jitrun: unknown command %q; run 'jitrun help' for the list\n", name)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "jitrun assembles x86-64 machine code, runs it in W^X memory and shows what ran.\n\n")
	fmt.Fprintf(w, "Usage:\n\n\tjitrun COMMAND [flags] [arguments]\n\nCommands:\n\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "\t%-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun 'jitrun help COMMAND' or 'jitrun COMMAND -h' for the flags of a command.\n")
	fmt.Fprintf(w, "Exit status: 0 success, 1 system error, 2 bad input, 3 the code faulted, 4 timeout.\n")
	fmt.Fprintf(w, "run and bench refuse the code's system calls that would end or derail jitrun (exit,\n")
	fmt.Fprintf(w, "exit_group, fork, execve, …) and report them as faults: see --syscalls.\n")
}

func cmdHelp(e *env, args []string) int {
	switch len(args) {
	case 0:
		usage(e.stdout)
		return exitOK
	case 1:
		name := strings.TrimSpace(args[0])
		for _, c := range commands() {
			if c.name == name && name != "help" {
				return c.run(e, []string{"-h"})
			}
		}
		if name == "help" {
			usage(e.stdout)
			return exitOK
		}
		fmt.Fprintf(e.stderr, "jitrun help: unknown command %q; run 'jitrun help' for the list\n", name)
		return exitUsage
	}
	fmt.Fprintf(e.stderr, "jitrun help: want at most one command name, got %d arguments\n", len(args))
	return exitUsage
}
