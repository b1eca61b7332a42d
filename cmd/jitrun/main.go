// Command jitrun assembles x86-64 machine code, places it in memory that is
// never writable and executable at once, calls it, and shows what ran.
//
// Usage:
//
//	jitrun COMMAND [flags] [arguments]
//
// Run `jitrun help` for the list of commands and `jitrun COMMAND -h` for the
// flags of one.
//
// Every subcommand is a function from its arguments to an error; main
// turns the error into one message on standard error and the process's
// exit status (exit.go has the table). `jitrun run` and `jitrun bench` do
// their work in a child process, this program re-executed (supervise.go):
// the code's own writes to standard output and error go to pipes the
// parent drains, and a child that dies of what the code did still ends as
// a one-line report.
package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/jitrun/jitrun/isolate"
	"github.com/jitrun/jitrun/probe"
	"github.com/jitrun/jitrun/trampoline"
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
	// supervise makes run and bench re-execute this program and do
	// their work in the child (supervise.go); false in-process in tests
	// and in the child itself.
	supervise bool
	// local makes run and bench keep the code's output apart from
	// jitrun's in one process (run_local.go), when supervise is off
	// through noSupervisorEnv.
	local bool
	// link is the child's line to its supervising parent (the start and
	// end of each call, for the parent's watchdog); nil when jitrun is
	// not a supervised child.
	link *parentLink
}

// command is one subcommand: its name, a one-line summary for `jitrun
// help`, and the function that runs it with the arguments after its name.
type command struct {
	name    string
	summary string
	run     func(e *env, args []string) error
}

// commands lists every subcommand in the order `jitrun help` shows them.
func commands() []command {
	return []command{
		{"help", "show the commands, or the flags of one command", withFlags("help", "[COMMAND]", helpHelp, cmdHelp)},
		{"run", "assemble (or take machine code), run it in W^X memory, report the result, a fault or a timeout", withFlags("run", runUsage, runHelp(), cmdRun)},
		{"asm", "assemble x86-64 source and print the machine code (hex, listing, JSON, Go)", withFlags("asm", asmUsage, asmHelp, cmdAsm)},
		{"disasm", "list machine code from a file or hex: addresses, bytes, instructions", withFlags("disasm", disasmUsage, disasmHelp, cmdDisasm)},
		{"repl", "type an instruction, see what it changed: a REPL whose machine keeps its state between lines", withFlags("repl", replUsage, replHelp, cmdRepl)},
		{"bench", "measure what a kernel costs in core cycles: latency, throughput, A/B comparisons for benchstat", withFlags("bench", benchUsage, benchSummary, cmdBench)},
		{"probe", "measure what this CPU and kernel enforce: page protections, NX/XD, W^X, MDWE, mseal", withFlags("probe", probeUsage, probeHelp, cmdProbe)},
		{"mmap", "make one mmap request by hand, touch it, and show where it landed and what each touch did", withFlags("mmap", mmapUsage, mmapHelp, cmdMmap)},
		{"serve", "open a web page to edit, run, trace, bench and list code; every run isolated in a child", withFlags("serve", serveUsage, serveHelp, cmdServe)},
		{"version", "print jitrun's version and the Go version that built it (also --version)", withFlags("version", "", versionHelp, cmdVersion)},
	}
}

// withFlags makes a subcommand's entry point, the one pattern every
// subcommand follows: a flags struct F whose register adds its flags, the
// synopsis and help of -h, and do, which runs with the parsed command
// line.
func withFlags[F any, P interface {
	*F
	flagsOf
}](name, usageLine, help string, do func(e *env, cl *commandLine, f P) error) func(*env, []string) error {
	return func(e *env, args []string) error {
		f := P(new(F))
		cl, err := parseCommand(e, name, usageLine, help, f, args)
		if err != nil {
			return err
		}
		return do(e, cl, f)
	}
}

func main() {
	isolate.Child()       // an isolated child (run --isolate, serve) sets its limits first
	probe.MaybeRunChild() // a re-executed child probe runs here and exits
	maybeRunBenchProbe()  // the clock-detection child of jitrun bench runs here and exits
	maybeRunSupervised()  // the child of a supervised jitrun run or bench does its work here and exits
	// asm: no collection before a 32 MB heap (gcstart.go).
	delayFirstGC(os.Args[1:], os.Getenv)
	os.Exit(run(mainEnv(), os.Args[1:]))
}

// mainEnv is the env of a jitrun process: the real streams, the syscall
// filter, and supervision unless noSupervisorEnv turns it off.
func mainEnv() *env {
	return &env{
		stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr,
		guardSyscalls: trampoline.GuardSyscalls,
		supervise:     os.Getenv(noSupervisorEnv) == "",
		local:         os.Getenv(noSupervisorEnv) != "",
	}
}

// run dispatches args to a subcommand, prints the error it ends with (once)
// and returns the exit status.
func run(e *env, args []string) int {
	name := ""
	if len(args) > 0 {
		name = args[0]
	}
	err := dispatch(e, args)
	if !isCommand(name) {
		name = ""
	}
	printError(e.stderr, name, err)
	return statusOf(err)
}

// dispatch runs the subcommand args name.
func dispatch(e *env, args []string) error {
	if len(args) == 0 {
		usage(e.stderr)
		return silentExit(exitInput)
	}
	switch args[0] {
	case "-h", "-help", "--help":
		usage(e.stdout)
		return nil
	case "-version", "--version":
		args = append([]string{"version"}, args[1:]...)
	case "run", "bench":
		if isolateRequested(args) { // run_isolate.go
			return runIsolated(e, args)
		}
		if e.supervise {
			return supervise(e, args, defaultSupervision)
		}
		if e.local {
			return runLocal(e, args) // run_local.go
		}
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(e, args[1:])
		}
	}
	return inputError("unknown command %q; run 'jitrun help' for the list", args[0])
}

// isCommand reports whether name is a subcommand's.
func isCommand(name string) bool {
	for _, c := range commands() {
		if c.name == name {
			return true
		}
	}
	return false
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "jitrun assembles x86-64 machine code, runs it in W^X memory and shows what ran.\n\n")
	fmt.Fprintf(w, "Usage:\n\n\tjitrun COMMAND [flags] [arguments]\n\nCommands:\n\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "\t%-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun 'jitrun help COMMAND' or 'jitrun COMMAND -h' for the flags of a command.\n")
	fmt.Fprintf(w, "run and bench refuse the code's system calls that would end or derail jitrun (exit,\n")
	fmt.Fprintf(w, "exit_group, fork, execve, …) and report them as faults: see --syscalls.\n")
	fmt.Fprintf(w, "Run 'jitrun help lib' for the routines code may call to print and read (print_int, …).\n")
	writeInputLimits(w)
	writeExitStatuses(w)
}

const helpHelp = "Help lists the commands, or shows the flags of one (as 'jitrun COMMAND -h' does)."

func cmdHelp(e *env, cl *commandLine, f *noFlags) error {
	switch len(cl.pos) {
	case 0:
		usage(e.stdout)
		return nil
	case 1:
		name := strings.TrimSpace(cl.pos[0])
		switch name {
		case "help":
			usage(e.stdout)
			return nil
		case libTopic:
			return writeLibHelp(e.stdout) // help_lib.go
		}
		for _, c := range commands() {
			if c.name == name {
				return c.run(e, []string{"-h"})
			}
		}
		return inputError("unknown command %q; run 'jitrun help' for the list", name)
	}
	return inputError("want at most one command name, got %d arguments", len(cl.pos))
}
