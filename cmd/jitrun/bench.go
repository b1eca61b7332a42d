package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
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
	"batch, for benchstat. Warnings (clock drift) and progress (runs over a second) go to stderr.\n\n" +
	"Exit status: 0 measured, 1 system error (no such clock here), 2 bad input (flags, assembly\n" +
	"errors as FILE:LINE:COL: message), 3 a kernel faulted, 4 a kernel ran past --timeout."

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
}

func (f *benchFlags) register(fs *flag.FlagSet) {
	fs.Var(&f.exprs, "e", "a kernel given on the command line as `SRC` (repeat for several; named expr, or expr1, expr2, …). Separate statements with ';' or newlines, in either syntax: here ';' does not start an Intel comment ('#' does)")
	fs.Var(&f.names, "name", "`NAME` of the next kernel (repeat, in the order of the kernels; default: the file name without extension)")
	fs.StringVar(&f.syntax, "syntax", "auto", "source `syntax`: go, intel, or auto (Intel for .asm/.nasm files and sources starting with .intel_syntax, BITS 64 or a lower-case instruction)")
	fs.StringVar(&f.init, "init", "", "set-up code `SRC` run before each timed region, in the kernels' syntax (';' separates statements)")
	fs.StringVar(&f.buffer, "buffer", "0", "`SIZE` of a 64-byte-aligned scratch buffer whose address is in RDI when --init runs (4096, 64K, 1M)")
	fs.IntVar(&f.unroll, "unroll", 0, "`U`, copies of the kernel per loop iteration (0: up to 100, fewer for long kernels)")
	fs.IntVar(&f.loop, "loop", 0, "`L`, loop iterations of the shorter timed region (0: so a region lasts about 100µs)")
	fs.IntVar(&f.samples, "samples", 0, "`N` timed regions of each size per kernel (0: "+strconv.Itoa(bench.DefaultSamples)+")")
	fs.IntVar(&f.warmup, "warmup", 0, "`N` untimed runs of each size per kernel first (0: "+strconv.Itoa(bench.DefaultWarmup)+"; -1: none)")
	fs.StringVar(&f.clock, "clock", "auto", "`clock`: auto, perf, aperf or tsc")
	fs.DurationVar(&f.timeout, "timeout", bench.DefaultTimeout, "stop a kernel that runs longer than this in one timed region (exit status 4)")
	fs.BoolVar(&f.json, "json", false, "print the results as JSON (same as --format json)")
	fs.StringVar(&f.format, "format", "table", "output `format`: table, json or go (Go benchmark lines for benchstat)")
	fs.BoolVar(&f.clocks, "clocks", false, "list the clocks this machine has, and why the others are unavailable; measure nothing")
	registerSyscalls(fs, &f.sysPol)
}

// cmdBench is `jitrun bench FILE... | -e SRC... [flags]`.
func cmdBench(e *env, args []string) int {
	fs := newFlagSet(e, "bench", "FILE... | -e 'SRC' [-e 'SRC'...] [--init 'SRC'] [--buffer SIZE] [--clock auto|perf|aperf|tsc] [--json | --format table|json|go]", benchSummary)
	var f benchFlags
	f.register(fs)
	pos, status, ok := parseFlags(e, fs, args)
	if !ok {
		return status
	}
	fail := e.usageError("bench")
	format := f.format
	if f.json {
		if flagGiven(fs, "format") && format != "json" {
			return fail("--json and --format %s ask for two outputs: give one", format)
		}
		format = "json"
	}
	switch format {
	case "table", "json", "go":
	default:
		return fail("unknown --format %q: want table, json or go", format)
	}
	clock, err := bench.ParseClock(f.clock)
	if err != nil {
		return fail("--clock: %v", err)
	}
	syntax, err := asm.ParseSyntax(f.syntax)
	if err != nil {
		return fail("--syntax: %v", err)
	}
	bufSize, err := parseSize(f.buffer, 0, bench.MaxBuffer)
	if err != nil {
		return fail("--buffer: %v", err)
	}
	if f.timeout <= 0 {
		return fail("--timeout %v: want a positive duration", f.timeout)
	}
	opt := &bench.Options{Clock: clock, Unroll: f.unroll, Loop: f.loop, Samples: f.samples, Warmup: f.warmup, BufferSize: bufSize, Timeout: f.timeout}
	if f.warmup < 0 {
		opt.Warmup = -1
	}
	if err := opt.Check(); err != nil {
		return fail("%v", strings.TrimPrefix(err.Error(), "bench: "))
	}
	if _, _, err := parseSyscalls(f.sysPol); err != nil {
		return fail("%v", err)
	}
	if err := installSyscalls(e, f.sysPol); err != nil { // run_syscalls.go; before any code runs
		fmt.Fprintf(e.stderr, "jitrun bench: --syscalls %s: %v\n", f.sysPol, err)
		return exitError
	}

	if f.clocks {
		if len(pos) > 0 || len(f.exprs) > 0 {
			return fail("--clocks measures nothing: give no kernel")
		}
		p, warn, err := benchProbe(context.Background())
		if err != nil {
			return benchFailure(e, err)
		}
		benchWarn(e, warn)
		fmt.Fprint(e.stdout, p)
		return exitOK
	}

	kernels, status, ok := loadKernels(e, &f, syntax, pos)
	if !ok {
		return status
	}
	p, warn, err := benchProbe(context.Background())
	if err != nil {
		return benchFailure(e, err)
	}
	benchWarn(e, warn)
	if clock != bench.ClockAuto {
		if s := p.Status(clock); !s.Available {
			fmt.Fprintf(e.stderr, "jitrun bench: --clock %s is not available on this machine: %s (see 'jitrun bench --clocks')\n", clock, s.Reason)
			return exitError
		}
	}
	opt.Probe = p
	start := time.Now()
	lastProgress := start
	opt.Progress = func(done, total int) {
		if now := time.Now(); now.Sub(start) >= time.Second && now.Sub(lastProgress) >= time.Second {
			lastProgress = now
			fmt.Fprintf(e.stderr, "jitrun bench: %d%% (%d of %d rounds, %.0fs)\n", 100*done/total, done, total, now.Sub(start).Seconds())
		}
	}
	rep, err := bench.Measure(context.Background(), opt, kernels...)
	if err != nil {
		return benchFailure(e, err)
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
		fmt.Fprintf(e.stderr, "jitrun bench: %v\n", err)
		return exitError
	}
	return exitOK
}

// loadKernels reads and parses the kernels: FILE arguments ("-" is standard
// input), then -e sources, each with --init. Problems are reported on
// e.stderr, one line each.
func loadKernels(e *env, f *benchFlags, syntax asm.Syntax, files []string) ([]bench.Kernel, int, bool) {
	type source struct {
		file, name string
		src        []byte
		expr       bool // given with -e: ';' separates statements in either syntax
	}
	var srcs []source
	for _, file := range files {
		s := source{file: file}
		var err error
		if file == "-" {
			s.file, s.name = "<stdin>", "stdin"
			if e.stdin == nil {
				fmt.Fprintf(e.stderr, "jitrun bench: no standard input\n")
				return nil, exitUsage, false
			}
			if s.src, err = io.ReadAll(e.stdin); err != nil {
				fmt.Fprintf(e.stderr, "jitrun bench: reading standard input: %v\n", err)
				return nil, exitError, false
			}
		} else {
			s.name = strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
			if s.src, err = os.ReadFile(file); err != nil {
				fmt.Fprintf(e.stderr, "jitrun bench: %v\n", err)
				if errors.Is(err, fs.ErrNotExist) {
					return nil, exitUsage, false
				}
				return nil, exitError, false
			}
		}
		srcs = append(srcs, s)
	}
	for i, x := range f.exprs {
		s := source{file: exprName, name: "expr", src: []byte(x), expr: true}
		if len(f.exprs) > 1 {
			s.file = fmt.Sprintf("<expr%d>", i+1)
			s.name = fmt.Sprintf("expr%d", i+1)
		}
		srcs = append(srcs, s)
	}
	if len(srcs) == 0 {
		fmt.Fprintf(e.stderr, "jitrun bench: need a kernel: FILE or -e SRC (see 'jitrun bench -h')\n")
		return nil, exitUsage, false
	}
	if len(f.names) > len(srcs) {
		fmt.Fprintf(e.stderr, "jitrun bench: %d --name flags for %d kernels\n", len(f.names), len(srcs))
		return nil, exitUsage, false
	}
	seen := map[string]int{} // default names given so far
	names := map[string]bool{}
	var kernels []bench.Kernel
	status := 0
	for i, s := range srcs {
		name := s.name
		if i < len(f.names) {
			name = f.names[i]
		} else if seen[name] > 0 {
			name = fmt.Sprintf("%s%d", name, seen[name]+1)
		}
		seen[s.name]++
		if names[name] {
			fmt.Fprintf(e.stderr, "jitrun bench: two kernels are named %q (give each its own --name)\n", name)
			return nil, exitUsage, false
		}
		names[name] = true
		syn := syntax
		if syn == asm.SyntaxAuto {
			syn = asm.DetectSyntax(s.file, s.src)
		}
		// The body and --init are parsed here rather than with
		// bench.ParseKernel: text typed on the command line separates
		// statements with ';' in Intel syntax too.
		k := bench.Kernel{Name: name}
		var err error
		if k.Body, err = (asm.Options{Syntax: syn, Semicolons: s.expr}).Parse(s.file, s.src); err != nil {
			printAsmError(e, s.file, err)
			status = exitUsage
			continue
		}
		if f.init != "" {
			if k.Init, err = (asm.Options{Syntax: syn, Semicolons: true}).Parse(initName, []byte(f.init)); err != nil {
				printAsmError(e, initName, err)
				status = exitUsage
				continue
			}
		}
		kernels = append(kernels, k)
	}
	if status != 0 {
		return nil, status, false
	}
	return kernels, 0, true
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

// benchFailure reports a failed measurement and returns the exit status: 3
// for a fault, 4 for a timeout, 2 for errors in the kernels, 1 otherwise.
func benchFailure(e *env, err error) int {
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
			fmt.Fprintf(e.stderr, "%skernel %q faulted: %s: %s (%s)\n", where, ke.Kernel, kernelAt(ke), f.Description(), faultName(f))
			fmt.Fprintf(e.stderr, "%s", indent(f.Regs.String(), "\t"))
			return exitFault
		case errors.As(ke.Err, &it):
			fmt.Fprintf(e.stderr, "%skernel %q did not finish within the timeout: stopped at %s\n", where, ke.Kernel, kernelAt(ke))
			return exitTimeout
		}
	}
	var list asm.ErrorList
	if errors.As(err, &list) {
		printAsmError(e, "", list)
		return exitUsage
	}
	fmt.Fprintf(e.stderr, "jitrun bench: %s\n", strings.TrimPrefix(err.Error(), "bench: "))
	if errors.Is(err, bench.ErrEmptyKernel) {
		return exitUsage
	}
	return exitError
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
	if err != nil {
		fmt.Fprintf(stderr, "jitrun bench (clock detection): %v\n", err)
		return exitError
	}
	if err := json.NewEncoder(stdout).Encode(p); err != nil {
		fmt.Fprintf(stderr, "jitrun bench (clock detection): %v\n", err)
		return exitError
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
