package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jitrun/jitrun/asm"
	"github.com/jitrun/jitrun/bench"
	"github.com/jitrun/jitrun/trampoline"
)

const benchSummary = "Bench measures what x86-64 code costs in core cycles. Each FILE, or each -e SRC (repeat -e\n" +
	"for several), is one kernel: a few instructions, repeated --unroll times in a loop that runs\n" +
	"--loop times between two reads of the clock. The kernel may use every register but RSP\n" +
	"(push and pop are fine) and R15, which counts the loop. Every register starts at zero,\n" +
	"except that --init code runs first (its registers carry into the loop), and RDI holds the\n" +
	"address of the --buffer scratch buffer, if any. Each kernel is timed three ways, U copies for\n" +
	"L and 2L iterations and 2U copies for L, so that the clock reads and the loop cancel out.\n\n" +
	"A dependency chain gives latency (IMULQ BX, AX: 3 cycles), independent copies give\n" +
	"throughput (ADDQ BX, AX; ADDQ BX, CX: 1 cycle per copy, two ADDs). Several kernels are\n" +
	"measured interleaved and compared with the first: the ratio of their cycles and whether\n" +
	"the difference is significant (a Mann-Whitney U test, as benchstat does).\n\n" +
	"The clock is found in a child process: perf_event core cycles (RDPMC) where the kernel\n" +
	"allows, APERF (AMD's RDPRU) where the CPU has it, otherwise the TSC converted to core\n" +
	"cycles with a dependent chain of one-cycle ADDs measured alongside. --clocks lists them.\n" +
	"Kernels from FILEs come first, then those from -e; the first is the base of comparisons.\n\n" +
	"Output: a table (cycles and ns per copy; min, median and max of the batch estimates, 10 by\n" +
	"default; the median's 95% confidence interval ±), or --json:\n" +
	"  {\"kernels\": [{\"name\", \"cycles\", \"ns\", \"min\", \"median\", \"max\", \"clock\", \"samples\",\n" +
	"   \"unroll\", \"loop\"}], \"cycles\": F, \"clock\": \"tsc\"}   (cycles and clock: one kernel only)\n" +
	"or --format go: Go benchmark lines (BenchmarkNAME N 0.716 ns/op 3.00 cycles/op), one per\n" +
	"batch, for benchstat. Warnings (clock drift) and progress (runs over a second) go to stderr.\n" +
	"A clock this machine lacks is a system error (status 1), a kernel that faults status 3, one\n" +
	"that runs past --timeout status 4. As run does, bench measures in a child process, jitrun\n" +
	"re-executed: a kernel that kills it ends as one line, status 5; what a kernel writes to\n" +
	"standard output is shown on standard error with --json and --format go."

// stringList is a flag that may be repeated.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, " ") }
func (l *stringList) Set(s string) error { *l = append(*l, s); return nil }

// benchFlags are the flags of `jitrun bench`.
type benchFlags struct {
	exprs   stringList
	names   stringList
	syntax  string
	init    string
	buffer  string
	unroll  int
	loop    int
	samples int
	warmup  int
	clock   string
	timeout time.Duration
	json    bool
	format  string
	clocks  bool
	sysPol  string
	iso     bool // --isolate: run_isolate.go
}

// readsInput marks a command whose -h states the input limits.
func (f *benchFlags) readsInput() {}

func (f *benchFlags) register(fset *flag.FlagSet) {
	fset.Var(&f.exprs, "e", "a kernel given on the command line as `SRC` (repeat for several; named expr, or expr1, expr2, …). Separate statements with ';' or newlines, in either syntax: here ';' does not start an Intel comment ('#' does)")
	fset.Var(&f.names, "name", "`NAME` of the next kernel (repeat, in the order of the kernels; default: the file name without extension)")
	fset.StringVar(&f.syntax, "syntax", "auto", "source `syntax`: go, intel, or auto (Intel for .asm/.nasm files and sources starting with .intel_syntax, BITS 64 or a lower-case instruction)")
	fset.StringVar(&f.init, "init", "", "set-up code `SRC` run before each timed region, in the kernels' syntax (';' separates statements)")
	fset.StringVar(&f.buffer, "buffer", "0", "`SIZE` of a 64-byte-aligned scratch buffer whose address is in RDI when --init runs (4096, 64K, 1M)")
	fset.IntVar(&f.unroll, "unroll", 0, "`U`, copies of the kernel per loop iteration (0: up to 100, fewer for long kernels)")
	fset.IntVar(&f.loop, "loop", 0, "`L`, loop iterations of the shorter timed region (0: so a region lasts about 100µs)")
	fset.IntVar(&f.samples, "samples", 0, "`N` timed regions of each size per kernel (0: "+strconv.Itoa(bench.DefaultSamples)+")")
	fset.IntVar(&f.warmup, "warmup", 0, "`N` untimed runs of each size per kernel first (0: "+strconv.Itoa(bench.DefaultWarmup)+"; -1: none)")
	fset.StringVar(&f.clock, "clock", "auto", "`clock`: auto, perf, aperf or tsc")
	fset.DurationVar(&f.timeout, "timeout", bench.DefaultTimeout, "stop a kernel that runs longer than this in one timed region (exit status 4)")
	fset.BoolVar(&f.json, "json", false, "print the results as JSON (same as --format json)")
	fset.StringVar(&f.format, "format", "table", "output `format`: table, json or go (Go benchmark lines for benchstat)")
	fset.BoolVar(&f.clocks, "clocks", false, "list the clocks this machine has, and why the others are unavailable; measure nothing")
	registerSyscalls(fset, &f.sysPol)
	registerIsolate(fset, &f.iso) // run_isolate.go
}

const benchUsage = "FILE... | -e 'SRC' [-e 'SRC'...] [--init 'SRC'] [--buffer SIZE] [--clock auto|perf|aperf|tsc] [--json | --format table|json|go]"

// cmdBench is `jitrun bench FILE... | -e SRC... [flags]`.
func cmdBench(e *env, cl *commandLine, f *benchFlags) error {
	opt, format, err := f.options(cl)
	if err != nil {
		return err
	}
	if err := installSyscalls(e, f.sysPol); err != nil { // run_syscalls.go; before any code runs
		return systemError("--syscalls %s: %v", f.sysPol, err)
	}
	if f.clocks {
		if len(cl.pos) > 0 || len(f.exprs) > 0 {
			return inputError("--clocks measures nothing: give no kernel")
		}
		p, err := probeClocks(e)
		if err == nil {
			fmt.Fprint(e.stdout, p)
		}
		return err
	}
	kernels, err := loadKernels(e, f, cl.pos)
	if err != nil {
		return err
	}
	if opt.Probe, err = probeClocks(e); err != nil {
		return err
	}
	if opt.Clock != bench.ClockAuto {
		if s := opt.Probe.Status(opt.Clock); !s.Available {
			return systemError("--clock %s is not available on this machine: %s (see 'jitrun bench --clocks')", opt.Clock, s.Reason)
		}
	}
	opt.Progress = newProgress(e.stderr, time.Now).report
	// The kernels run: under a supervisor, what they write shows before
	// the table. (No limit: each timed region has --timeout.)
	e.link.callStarts(0)
	rep, err := bench.Measure(context.Background(), opt, kernels...)
	e.link.callEnded()
	if err != nil {
		return benchFailure(err)
	}
	benchWarn(e, rep.Warnings)
	switch format {
	case "json":
		err = rep.WriteJSON(e.stdout)
	case "go":
		err = rep.WriteGo(e.stdout)
	default:
		err = rep.WriteText(e.stdout)
	}
	if err != nil {
		return systemError("%v", err)
	}
	return nil
}

// options reads the flags into the measurement's options and the output
// format.
func (f *benchFlags) options(cl *commandLine) (*bench.Options, string, error) {
	format := f.format
	if f.json {
		if cl.given("format") && format != "json" {
			return nil, "", inputError("--json and --format %s ask for two outputs: give one", format)
		}
		format = "json"
	}
	switch format {
	case "table", "json", "go":
	default:
		return nil, "", inputError("unknown --format %q: want table, json or go", format)
	}
	clock, err := bench.ParseClock(f.clock)
	if err != nil {
		return nil, "", inputError("--clock: %v", err)
	}
	if _, err := asm.ParseSyntax(f.syntax); err != nil {
		return nil, "", inputError("--syntax: %v", err)
	}
	bufSize, err := parseSize(f.buffer, 0, bench.MaxBuffer)
	if err != nil {
		return nil, "", inputError("--buffer: %v", err)
	}
	if f.timeout <= 0 {
		return nil, "", inputError("--timeout %v: want a positive duration", f.timeout)
	}
	opt := &bench.Options{Clock: clock, Unroll: f.unroll, Loop: f.loop, Samples: f.samples, Warmup: f.warmup, BufferSize: bufSize, Timeout: f.timeout}
	if f.warmup < 0 {
		opt.Warmup = -1
	}
	if err := opt.Check(); err != nil {
		return nil, "", inputError("%v", strings.TrimPrefix(err.Error(), "bench: "))
	}
	if _, _, err := parseSyscalls(f.sysPol); err != nil {
		return nil, "", inputError("%v", err)
	}
	return opt, format, nil
}

// probeClocks finds the clocks (benchProbe) and prints its warnings.
func probeClocks(e *env) (*bench.Probe, error) {
	p, warn, err := benchProbe(context.Background())
	if err != nil {
		return nil, benchFailure(err)
	}
	benchWarn(e, warn)
	return p, nil
}

// progress prints a line on standard error at most once a second, from
// the first second of a measurement on.
type progress struct {
	w           io.Writer
	now         func() time.Time
	start, last time.Time
}

func newProgress(w io.Writer, now func() time.Time) *progress {
	t := now()
	return &progress{w: w, now: now, start: t, last: t}
}

// report is bench.Options.Progress.
func (p *progress) report(done, total int) {
	if now := p.now(); now.Sub(p.start) >= time.Second && now.Sub(p.last) >= time.Second {
		p.last = now
		fmt.Fprintf(p.w, "jitrun bench: %d%% (%d of %d rounds, %.0fs)\n", 100*done/total, done, total, now.Sub(p.start).Seconds())
	}
}

// kernelSource is the text of one kernel: a FILE, standard input or -e.
type kernelSource struct {
	file, name string
	src        []byte
	expr       bool // given with -e: ';' separates statements in either syntax
}

// loadKernels reads and parses the kernels: FILE arguments ("-" is
// standard input), then -e sources, each with --init. Assembly errors of
// every kernel come back together.
func loadKernels(e *env, f *benchFlags, files []string) ([]bench.Kernel, error) {
	srcs, err := readKernels(e, f, files)
	if err != nil {
		return nil, err
	}
	names, err := kernelNames(f, srcs)
	if err != nil {
		return nil, err
	}
	syntax, _ := asm.ParseSyntax(f.syntax) // checked by f.options
	var kernels []bench.Kernel
	var errs asm.ErrorList
	for i, s := range srcs {
		syn := syntax
		if syn == asm.SyntaxAuto {
			syn = asm.DetectSyntax(s.file, s.src)
		}
		// The body and --init are parsed here rather than with
		// bench.ParseKernel: text typed on the command line separates
		// statements with ';' in Intel syntax too.
		k := bench.Kernel{Name: names[i]}
		if k.Body, err = (asm.Options{Syntax: syn, Semicolons: s.expr}).Parse(s.file, s.src); err != nil {
			if errs, err = appendAsmErrors(errs, s.file, err); err != nil {
				return nil, err
			}
			continue
		}
		if len(k.Body) == 0 {
			return nil, inputError("%s: empty input: no instructions", s.file)
		}
		if f.init != "" {
			if k.Init, err = (asm.Options{Syntax: syn, Semicolons: true}).Parse(initName, []byte(f.init)); err != nil {
				if errs, err = appendAsmErrors(errs, initName, err); err != nil {
					return nil, err
				}
				continue
			}
		}
		kernels = append(kernels, k)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return kernels, nil
}

// appendAsmErrors adds the assembly errors of err to errs; an error of
// another kind it returns.
func appendAsmErrors(errs asm.ErrorList, file string, err error) (asm.ErrorList, error) {
	var list asm.ErrorList
	if !errors.As(err, &list) {
		return errs, asmError(file, err)
	}
	return append(errs, list...), nil
}

// readKernels reads the kernels' sources, files first, then -e: at most
// maxSource in all, --init included.
func readKernels(e *env, f *benchFlags, files []string) ([]kernelSource, error) {
	var srcs []kernelSource
	total := len(f.init)
	if total > maxSource {
		return nil, (input{path: initName, what: "source", limit: maxSource}).tooLarge()
	}
	for _, file := range files {
		in := input{path: file, what: "source", limit: maxSource - total}
		if total > 0 {
			in.shared = maxSource
		}
		s := kernelSource{file: in.name(), name: strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))}
		if file == "-" {
			s.name = "stdin"
		}
		var err error
		if s.src, err = in.read(e); err != nil {
			return nil, err
		}
		total += len(s.src)
		srcs = append(srcs, s)
	}
	for i, x := range f.exprs {
		s := kernelSource{file: exprName, name: "expr", src: []byte(x), expr: true}
		if len(f.exprs) > 1 {
			s.file = fmt.Sprintf("<expr%d>", i+1)
			s.name = fmt.Sprintf("expr%d", i+1)
		}
		if total+len(s.src) > maxSource {
			in := input{path: s.file, what: "source", limit: maxSource}
			if total > 0 {
				in.shared = maxSource
			}
			return nil, in.tooLarge()
		}
		total += len(s.src)
		srcs = append(srcs, s)
	}
	if len(srcs) == 0 {
		return nil, inputError("need a kernel: FILE or -e SRC (see 'jitrun bench -h')")
	}
	return srcs, nil
}

// kernelNames names the kernels: --name in order, then the file name (or
// expr), numbered when taken.
func kernelNames(f *benchFlags, srcs []kernelSource) ([]string, error) {
	if len(f.names) > len(srcs) {
		return nil, inputError("%d --name flags for %d kernels", len(f.names), len(srcs))
	}
	seen := map[string]int{} // default names given so far
	taken := map[string]bool{}
	var names []string
	for i, s := range srcs {
		name := s.name
		if i < len(f.names) {
			name = f.names[i]
		} else if seen[name] > 0 {
			name = fmt.Sprintf("%s%d", name, seen[name]+1)
		}
		seen[s.name]++
		if taken[name] {
			return nil, inputError("two kernels are named %q (give each its own --name)", name)
		}
		taken[name] = true
		names = append(names, name)
	}
	return names, nil
}

// benchWarn prints warnings (clock drift, a failed clock detection) on
// standard error, one a line.
func benchWarn(e *env, warnings []string) {
	for _, w := range warnings {
		fmt.Fprintf(e.stderr, "jitrun bench: warning: %s\n", w)
	}
}

// initName is the name positions give the --init source.
const initName = "<init>"

// benchFailure is the error a failed measurement ends bench with: 3 for a
// fault (the first line, then the registers), 4 for a timeout, 2 for errors
// in the kernels, 1 otherwise.
func benchFailure(err error) error {
	var ke *bench.KernelError
	if errors.As(err, &ke) {
		where := ""
		if ke.HasSource {
			where = ke.Pos.String() + ": "
		}
		var f *trampoline.Fault
		var it *trampoline.Interrupted
		switch {
		case errors.As(ke.Err, &f):
			msg := fmt.Sprintf("%skernel %q faulted: %s: %s (%s)\n%s", where, ke.Kernel, kernelAt(ke), f.Description(), faultName(f), indent(f.Regs.String(), "\t"))
			return &exitError{status: exitFault, err: errors.New(msg), bare: true}
		case errors.As(ke.Err, &it):
			return &exitError{status: exitTimeout, err: fmt.Errorf("%skernel %q did not finish within the timeout: stopped at %s", where, ke.Kernel, kernelAt(ke)), bare: true}
		}
	}
	var list asm.ErrorList
	if errors.As(err, &list) {
		return list
	}
	if errors.Is(err, bench.ErrEmptyKernel) {
		return inputError("%s", strings.TrimPrefix(err.Error(), "bench: "))
	}
	return systemError("%s", strings.TrimPrefix(err.Error(), "bench: "))
}

// kernelAt names where a kernel error happened: the source statement, and
// the instruction when the source line holds several.
func kernelAt(ke *bench.KernelError) string {
	switch {
	case ke.HasSource && ke.Instruction != "" && strings.Contains(ke.Source, ";"):
		return ke.Instruction + " (in " + ke.Source + ")"
	case ke.HasSource:
		return ke.Source
	case ke.Instruction != "":
		return ke.Instruction + " in the measuring harness (did the kernel change RSP or R15, or jump out of itself?)"
	}
	return "an address outside the measuring code"
}

func faultName(f *trampoline.Fault) string {
	return fmt.Sprintf("%s %s, %s", f.SignalName(), f.CodeName(), f.TrapName())
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i := range lines {
		lines[i] = prefix + lines[i]
	}
	return strings.Join(lines, "\n") + "\n"
}

// benchProbeEnv set to 1 turns a jitrun process into the child that
// detects the clocks for `jitrun bench`: it runs bench.Detect, prints the
// Probe as JSON and exits. Detection runs in a child so that an instruction
// the CPU lacks, or a hypervisor that handles it badly, cannot take the
// measuring process down with it.
const benchProbeEnv = "JITRUN_BENCH_PROBE"

// maybeRunBenchProbe is called first thing in main (and in the tests' init):
// in the clock-detection child it does the child's work and exits the
// process; anywhere else it returns at once.
func maybeRunBenchProbe() {
	if os.Getenv(benchProbeEnv) == "1" {
		os.Exit(benchProbeChild(os.Stdout, os.Stderr))
	}
}

// benchProbeChild is the child's work: detect, print the Probe as JSON,
// return the exit status.
func benchProbeChild(stdout, stderr io.Writer) int {
	p, err := bench.Detect(context.Background())
	if err == nil {
		err = json.NewEncoder(stdout).Encode(p)
	}
	if err != nil {
		fmt.Fprintf(stderr, "jitrun bench (clock detection): %v\n", err)
		return exitSystem
	}
	return exitOK
}

// benchProbe runs clock detection in a child process (this program, with
// benchProbeEnv set). If the child fails, it detects the TSC alone in this
// process, which cannot fail that way, and says so in a warning.
func benchProbe(ctx context.Context) (*bench.Probe, []string, error) {
	exe, err := os.Executable()
	if err == nil {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		var stdout, stderr bytes.Buffer
		cmd := exec.CommandContext(ctx, exe)
		cmd.Env = append(os.Environ(), benchProbeEnv+"=1")
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err = cmd.Run(); err == nil {
			var p *bench.Probe
			if p, err = bench.ParseProbe(stdout.Bytes()); err == nil {
				return p, nil, nil
			}
		} else if msg := strings.TrimSpace(stderr.String()); msg != "" {
			err = fmt.Errorf("%w: %s", err, msg)
		}
	}
	p, err2 := bench.Detect(ctx, bench.ClockTSC)
	if err2 != nil {
		return nil, nil, err2
	}
	return p, []string{fmt.Sprintf("clock detection in a child process failed (%v); only the TSC was tried, in this process", err)}, nil
}
