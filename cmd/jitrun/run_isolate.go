package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/jitrun/jitrun/internal/platform"
	"github.com/jitrun/jitrun/isolate"
)

// run --isolate and bench --isolate: the command in a child under package isolate's Local policy
// (no_new_privs, resource limits, a process group of its own, a
// wall-clock deadline) instead of the supervised child; and the hook by
// which an isolated child applies its policy right before the code runs.

const isolateUsage = "run in an isolated child process: no new privileges, limits on CPU time (10s), wall-clock time (10s: " +
	"its whole process group is killed then), address space (2 GiB, the Go runtime's reservations included), file size (1 MiB) " +
	"and open files (64), no core dump; a --timeout above 8s raises the time limits to 2s past it; the --syscalls policy as given. Output shows when the child ends; standard input is not passed on when it is a terminal"

// registerIsolate adds --isolate to fset.
func registerIsolate(fset *flag.FlagSet, p *bool) {
	fset.BoolVar(p, "isolate", false, isolateUsage)
}

// isolateRequested reports whether args (args[0] is run or bench) ask
// for --isolate, read as the command reads its flags (silently: the child
// reports bad flags). An isolated child never isolates again.
func isolateRequested(args []string) bool {
	if isolate.IsChild() {
		return false
	}
	var rf runFlags
	var bf benchFlags
	var f flagsOf = &rf
	iso := &rf.iso
	switch args[0] {
	case "run":
	case "bench":
		f, iso = &bf, &bf.iso
	default:
		return false
	}
	fset := flag.NewFlagSet(args[0], flag.ContinueOnError)
	f.register(fset)
	_, err := parseFlags(fset, args[1:])
	return err == nil && *iso
}

// withoutIsolate returns args without their --isolate flags.
func withoutIsolate(args []string) []string {
	out := make([]string, 0, len(args))
	for i, a := range args {
		if a == "--" {
			return append(out, args[i:]...)
		}
		switch a {
		case "--isolate", "-isolate", "--isolate=true", "-isolate=true":
			continue
		}
		out = append(out, a)
	}
	return out
}

// runIsolated runs jitrun ARGS (args[0] is run or bench) in an isolated child from
// this working directory, shows what it printed, and ends with its status;
// a child that died ends in one line (--json: a document with "broken"),
// status 4 at the deadline, 5 otherwise.
func runIsolated(e *env, args []string) error {
	dir, err := os.Getwd()
	if err != nil {
		return systemError("--isolate: the working directory: %v", err)
	}
	job := isolate.Job{Args: withoutIsolate(args), Dir: dir, Policy: isolate.Local, Limits: isolatedLimits(args)}
	if f, ok := e.stdin.(*os.File); ok {
		// Not a terminal: the child's process group is not the
		// terminal's foreground group, where a read would stop it
		// (SIGTTIN) until the deadline. /dev/null instead.
		if !platform.IsTerminal(int(f.Fd())) {
			job.StdinFile = f
		}
	} else if e.stdin != nil {
		if job.Stdin, err = io.ReadAll(io.LimitReader(e.stdin, maxIsolatedStdin+1)); err != nil || len(job.Stdin) > maxIsolatedStdin {
			return inputError("--isolate: standard input over %s (or unreadable: %v)", formatSize(maxIsolatedStdin), err)
		}
	}
	res, err := isolate.Run(context.Background(), job)
	if err != nil {
		return systemError("--isolate: %v", err)
	}
	if res.Died == "" {
		e.stdout.Write(res.Stdout)
		e.stderr.Write(res.Stderr)
		return silentExit(res.Status)
	}
	if outputModeOf(args) == modeRunJSON {
		e.stdout.Write(isolatedRunJSON(res))
		return silentExit(res.Status)
	}
	e.stdout.Write(res.Stdout)
	e.stderr.Write(res.Stderr)
	return &exitError{status: res.Status, err: fmt.Errorf("the isolated child ended: %s", res.Died)}
}

// isolatedRunJSON is the run --json document of an isolated run: the
// child's own, or for a child that died, a document like the supervisor's
// (supervise.go) with "broken" saying how, "timeout" when it was killed
// at the deadline, and what it wrote to standard error. (serve answers
// with it too.)
func isolatedRunJSON(res *isolate.Result) []byte {
	if res.Died == "" {
		return res.Stdout
	}
	rj := runJSON{Timeout: res.Status == exitTimeout, DurationNS: res.Elapsed.Nanoseconds(), Broken: "the isolated child ended: " + res.Died}
	(&capture{buf: res.Stderr, limit: maxCapturedOutput}).outputJSON(&rj.Stderr, &rj.StderrBase64, &rj.StderrCutBytes)
	var b bytes.Buffer
	writeJSON(&b, rj)
	return b.Bytes()
}

// isolatedLimits are the default limits, with the wall-clock deadline
// and the CPU time raised for a run --timeout above them: superviseMargin
// past the timeout, as the supervisor's watchdog allows.
func isolatedLimits(args []string) isolate.Limits {
	lim := isolate.DefaultLimits()
	if args[0] != "run" {
		return lim
	}
	var rf runFlags
	fset := flag.NewFlagSet("run", flag.ContinueOnError)
	rf.register(fset)
	if _, err := parseFlags(fset, args[1:]); err != nil {
		return lim
	}
	if d, err := time.ParseDuration(rf.timeout); err == nil && d+superviseMargin > lim.Wall {
		lim.Wall, lim.CPU = min(d+superviseMargin, time.Hour), min(d+superviseMargin, time.Hour)
	}
	return lim
}

// maxIsolatedStdin bounds standard input read ahead for the child when it
// is not a file.
const maxIsolatedStdin = 64 << 20

// beforeCode applies an isolated child's policy right before the code
// runs (package isolate). When the isolation is not in place the code must
// not run at all: the process ends here with status 1 and the reason.
func beforeCode() {
	if err := isolate.BeforeCode(); err != nil {
		fmt.Fprintf(os.Stderr, "jitrun: the isolated child's policy is not in place, so the code does not run: %v\n", err)
		os.Exit(exitSystem)
	}
}
