package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jitrun/jitrun/asm"
	"github.com/jitrun/jitrun/execmem"
	"github.com/jitrun/jitrun/trampoline"
)

// runFlags are the flags of `jitrun run`.
type runFlags struct {
	in      sourceInput
	hex     string
	bin     string
	entry   string
	regs    bool
	disasm  bool
	time    bool
	timeout string
	stack   string
	json    bool
	threads int
	mapFile string
	listing string
	sysPol  string
}

const runSummary = "Run assembles x86-64 source (FILE, - for standard input, or -e SRC), or takes machine code\n" +
	"as --hex or from a --bin file, loads it into memory that is never writable and executable\n" +
	"at once, calls it on a stack of its own and reports what came back:\n\n" +
	"  rax = 42 (0x2a)\n\n" +
	"(and rdx, xmm0 when the code changed them). ARGS are the arguments: integers (42, 0x2a, -1)\n" +
	"go to rdi, rsi, rdx, rcx, r8, r9 in order, floats (1.5, 2e3) to xmm0-xmm7 as doubles.\n" +
	"Every other register starts at zero. The code starts at its first instruction, or at\n" +
	"--entry, and returns with RET. Flags may come before or after FILE and ARGS; -- ends them.\n" +
	"(In Intel syntax ';' starts a comment: separate the instructions of -e with newlines.)\n\n" +
	"A fault (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP) is reported in words: the signal, what\n" +
	"the CPU's error code means, where the address lies, the listing with the faulting\n" +
	"instruction marked (=>) and the registers. Code still running after --timeout is stopped\n" +
	"and reported the same way. A system call the code makes runs (write(1, buf, n) prints),\n" +
	"unless it would end, fork, replace or derail jitrun (exit, exit_group, execve, clone,\n" +
	"rt_sigaction, …): that one is refused and reported as a fault (SIGSYS), with its\n" +
	"arguments (--syscalls).\n\n" +
	"--json prints one object:\n" +
	"  {\"rax\": N, \"rdx\": N, \"xmm0\": F, \"regs\": {...}, \"fault\": null | {\"signal\", \"code\",\n" +
	"   \"addr\", \"pc\", \"offset\", \"access\", \"error_code\", \"trap\", \"instruction\",\n" +
	"   \"syscall\": {\"name\", \"number\", \"args\", \"reason\"} for SIGSYS},\n" +
	"   \"timeout\": false, \"duration_ns\": N}\n" +
	"rax and rdx are signed, xmm0 is the low double; all three are null when the code did not\n" +
	"return. regs holds every register as a \"0x...\" string (where it faulted or was stopped).\n\n" +
	"Exit status: 0 the code returned, 1 system error, 2 bad input (flags, arguments, assembly\n" +
	"errors as FILE:LINE:COL: message), 3 the code faulted, 4 it was stopped by the timeout."

// cmdRun is `jitrun run FILE|-e SRC|--hex BYTES|--bin FILE [ARGS…]`.
func cmdRun(e *env, args []string) int {
	fs := newFlagSet(e, "run", "FILE.s [ARGS...] | -e 'SRC' [ARGS...] | --hex 'BYTES' [ARGS...] | --bin FILE [ARGS...]", runSummary)
	var f runFlags
	f.register(fs)
	pos, status, ok := parseFlags(e, fs, args)
	if !ok {
		return status
	}
	fail := e.usageError("run")
	given := func(name string) bool { return flagGiven(fs, name) }
	opts, err := f.check(given, pos)
	if err != nil {
		return fail("%v", err)
	}

	rc, rest, status, ok := loadRunnable(e, &f, given, pos)
	if !ok {
		return status
	}
	if given("listing-syntax") {
		rc.syntax, _ = parseListingSyntax(f.listing) // checked by f.check
	}

	// The arguments. --map takes the first two integer registers.
	var ca callArgs
	var mapped *mappedFile
	if given("map") {
		m, status, ok := mapFile(e, f.mapFile)
		if !ok {
			return status
		}
		defer m.m.Close()
		mapped = m
		ca.addInt(uint64(m.m.Addr()))
		ca.addInt(uint64(m.size))
	}
	if err := ca.parse(rest, mapped != nil); err != nil {
		return fail("%v", err)
	}

	// Before the code is mapped: the filter treats memory mapped from
	// now on as the code's.
	if err := installSyscalls(e, f.sysPol); err != nil {
		fmt.Fprintf(e.stderr, "jitrun run: --syscalls %s: %v\n", f.sysPol, err)
		return exitError
	}
	blk, err := execmem.Load(rc.code)
	if err != nil {
		fmt.Fprintf(e.stderr, "jitrun run: loading the code: %v\n", err)
		return exitError
	}
	defer blk.Close()
	r := &report{rc: rc, blk: blk, mapped: mapped, entry: trampoline.EntryRegs(&ca.args)}

	if f.threads > 0 {
		if f.disasm {
			var b strings.Builder
			r.writeCodeHeader(&b)
			r.writeListing(&b, 0, false)
			b.WriteByte('\n')
			if _, err := io.WriteString(e.stdout, b.String()); err != nil {
				fmt.Fprintf(e.stderr, "jitrun run: %v\n", err)
				return exitError
			}
		}
		return runThreads(e, r, &ca, opts, f.threads)
	}

	var regs trampoline.Regs
	opts.Regs, opts.Code = &regs, blk
	out, err := callOnce(r.addr(), &ca.args, &opts)
	if err != nil {
		fmt.Fprintf(e.stderr, "jitrun run: %v\n", err)
		return exitError
	}
	if f.json {
		err = writeRunJSON(e.stdout, r, out)
	} else {
		err = writeOutcome(e.stdout, r, out, &f, opts.Timeout)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "jitrun run: %v\n", err)
		return exitError
	}
	if f.time && out.status() == exitOK {
		return timeRun(e, r, &ca, opts.StackSize)
	}
	return out.status()
}

// register adds the flags of run to fs.
func (f *runFlags) register(fs *flag.FlagSet) {
	f.in.register(fs)
	fs.StringVar(&f.hex, "hex", "", "run machine code given in hex, `BYTES` ('48 c7 c0 2a 00 00 00 c3', '48c7c02a000000c3', '0x48,0xc7', '\\x48\\xc7') instead of source")
	fs.StringVar(&f.bin, "bin", "", "run the raw machine code in `FILE` (- for standard input) instead of source")
	fs.StringVar(&f.entry, "entry", "", "start at `NAME`, a TEXT symbol or a label (FUNC.label when several functions have it), or at an offset (0x10) into the code")
	fs.BoolVar(&f.regs, "regs", false, "print every register after the call, * marking the ones the code changed, with RFLAGS decoded")
	fs.BoolVar(&f.disasm, "disasm", false, "print the listing of the code that ran (address, offset, bytes, instruction, source line)")
	fs.BoolVar(&f.time, "time", false, "after a first call that returns, call the code again and again for about half a second and print ns per call (median and minimum over batches) and the number of calls; the repeated calls have no timeout")
	fs.StringVar(&f.timeout, "timeout", "5s", "stop the code after `D` (100ms, 2s, 1m; 0 for no timeout) and report where it was")
	fs.StringVar(&f.stack, "stack", "", "usable stack `SIZE` of the call (65536, 64k, 1M), rounded up to whole pages, with a guard page below and above (default 256k)")
	fs.BoolVar(&f.json, "json", false, "print the result as one JSON object (see above)")
	fs.IntVar(&f.threads, "threads", 0, "call the code on `N` OS threads at once (N goroutines, each locked to its thread, each on its own stack) and print one result per thread with its thread id, stack and RSP")
	fs.StringVar(&f.mapFile, "map", "", "map `FILE` read-only and pass its address in rdi and its length in rsi; ARGS follow in rdx, rcx, …")
	fs.StringVar(&f.listing, "listing-syntax", "", "`syntax` of listings (--disasm, fault reports): go, intel or att (default: the source's, go for --hex and --bin)")
	registerSyscalls(fs, &f.sysPol)
}

// check rejects flags that are bad or do not combine, and returns the
// call's options (stack size and timeout).
func (f *runFlags) check(given func(string) bool, pos []string) (trampoline.Options, error) {
	var opts trampoline.Options
	var sources []string
	for _, name := range []string{"-e", "--hex", "--bin"} {
		if given(strings.TrimLeft(name, "-")) {
			sources = append(sources, name)
		}
	}
	switch {
	case len(sources) > 1:
		return opts, fmt.Errorf("%s each give the code: use one", strings.Join(sources, " and "))
	case len(sources) == 0 && len(pos) == 0:
		return opts, errors.New("need the code: a FILE (- for standard input), -e SRC, --hex BYTES or --bin FILE (see 'jitrun run -h')")
	case (given("hex") || given("bin")) && given("syntax"):
		return opts, errors.New("--syntax is the syntax of assembly source; --hex and --bin are machine code (use --listing-syntax for the listing)")
	case given("threads") && f.threads < 1:
		return opts, fmt.Errorf("--threads %d: want at least 1 thread", f.threads)
	case given("threads") && f.threads > maxThreads:
		return opts, fmt.Errorf("--threads %d: at most %d threads", f.threads, maxThreads)
	case f.regs && given("threads"):
		return opts, errors.New("--regs shows the registers of one call; with --threads each thread prints its own result: drop one of them")
	case f.time && given("threads"):
		return opts, errors.New("--time and --threads do not combine: --time measures one thread calling the code again and again")
	}
	if f.json {
		for _, name := range []string{"time", "threads", "disasm"} {
			if given(name) {
				return opts, fmt.Errorf("--json prints one call's result and has no place for --%s: drop one of them", name)
			}
		}
	}
	timeout, err := time.ParseDuration(f.timeout)
	switch {
	case err != nil:
		return opts, fmt.Errorf("--timeout: %q is not a duration: write 100ms, 2s or 1m (0 for none)", f.timeout)
	case timeout < 0:
		return opts, fmt.Errorf("--timeout %v is negative (0 means no timeout)", timeout)
	}
	opts.Timeout = timeout
	if given("stack") {
		if opts.StackSize, err = parseSize(f.stack, 1, math.MaxInt); err != nil {
			return opts, fmt.Errorf("--stack: %v", err)
		}
	}
	if given("listing-syntax") {
		if _, err := parseListingSyntax(f.listing); err != nil {
			return opts, fmt.Errorf("--listing-syntax: %v", err)
		}
	}
	if _, _, err := parseSyscalls(f.sysPol); err != nil {
		return opts, err
	}
	return opts, nil
}

// writeOutcome prints the text report of one call: the fault or the
// timeout, or the listing (--disasm), the result and the registers
// (--regs).
func writeOutcome(w io.Writer, r *report, out *outcome, f *runFlags, timeout time.Duration) error {
	var b strings.Builder
	switch {
	case out.fault != nil:
		r.writeFault(&b, out.fault)
	case out.intr != nil:
		r.writeTimeout(&b, out.intr, timeout)
	default:
		if f.disasm {
			r.writeCodeHeader(&b)
			r.writeListing(&b, 0, false)
			b.WriteByte('\n')
		}
		r.writeResult(&b, out.res, "")
		if f.regs {
			b.WriteString("\nregisters after the return (* changed by the code):\n")
			r.writeRegs(&b, &out.regs, false, nil)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// runnable is the code run runs: assembled from source, or raw bytes.
type runnable struct {
	name   string // the source or --bin file, "<expr>", "<stdin>", "<hex>"
	code   []byte
	prog   *asm.Program // nil for --hex and --bin
	syntax asm.Syntax   // of listings
	entry  int          // offset of the entry point in code
}

// loadRunnable reads and assembles the code the flags and positional
// arguments name, and finds the entry point. It returns the positional
// arguments left for the call.
func loadRunnable(e *env, f *runFlags, given func(string) bool, pos []string) (*runnable, []string, int, bool) {
	usage := e.usageError("run")
	fail := func(format string, args ...any) (*runnable, []string, int, bool) {
		return nil, nil, usage(format, args...), false
	}
	rc := &runnable{syntax: asm.SyntaxGo}
	rest := pos
	switch {
	case given("hex"):
		code, err := parseHex(f.hex)
		if err != nil {
			return fail("--hex: %v", err)
		}
		rc.name, rc.code = "<hex>", code
	case given("bin"):
		var code []byte
		var err error
		if f.bin == "-" {
			rc.name = "<stdin>"
			if e.stdin == nil {
				return fail("no standard input")
			}
			if code, err = io.ReadAll(e.stdin); err != nil {
				fmt.Fprintf(e.stderr, "jitrun run: reading standard input: %v\n", err)
				return nil, nil, exitError, false
			}
		} else {
			rc.name = f.bin
			if code, err = os.ReadFile(f.bin); err != nil {
				if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EISDIR) {
					return fail("--bin: %v", err)
				}
				fmt.Fprintf(e.stderr, "jitrun run: --bin: %v\n", err)
				return nil, nil, exitError, false
			}
		}
		if len(code) == 0 {
			return fail("--bin: %s is empty: no code to run", rc.name)
		}
		rc.code = code
	default:
		src, r, status, ok := f.in.load(e, "run", pos)
		if !ok {
			return nil, nil, status, false
		}
		rest = r
		rc.name, rc.code, rc.prog = src.Name, src.Prog.Code, src.Prog
		if src.Syntax == asm.SyntaxIntel {
			rc.syntax = asm.SyntaxIntel
		}
		if n := textLen(src.Prog); n == 0 {
			return fail("%s has no instructions to run", src.Name)
		}
	}
	if given("entry") {
		off, err := rc.lookupEntry(f.entry)
		if err != nil {
			return fail("--entry: %v", err)
		}
		rc.entry = off
	}
	return rc, rest, 0, true
}

// textLen returns the number of bytes of code (not data) in p.
func textLen(p *asm.Program) int {
	n := 0
	for _, s := range p.Symbols {
		if s.Kind == asm.SymText {
			n += s.Size
		}
	}
	return n
}

// lookupEntry finds --entry: a number is an offset into the code; a name
// is a TEXT symbol, a label, or FUNC.label.
func (rc *runnable) lookupEntry(name string) (int, error) {
	if off, ok := parseIntArg(name); ok {
		if off >= uint64(len(rc.code)) {
			return 0, fmt.Errorf("offset %s is past the end of the code (%s)", name, plural(len(rc.code), "byte"))
		}
		return int(off), nil
	}
	p := rc.prog
	if p == nil {
		return 0, fmt.Errorf("%q: machine code has no names; give an offset (0x10)", name)
	}
	if s, ok := p.Symbol(name); ok {
		if s.Kind != asm.SymText {
			return 0, fmt.Errorf("%s is data (%s), not code", name, s.Kind)
		}
		return s.Offset, nil
	}
	var found []asm.Label
	for _, l := range p.Labels {
		if l.Name == name || l.Func+"."+l.Name == name {
			found = append(found, l)
		}
	}
	switch len(found) {
	case 0:
		return 0, fmt.Errorf("%s is not a TEXT symbol or a label of %s%s", name, rc.name, rc.namesHint())
	case 1:
		if found[0].Offset >= len(rc.code) {
			return 0, fmt.Errorf("label %s is at the end of the code: there is no instruction to run there", name)
		}
		return found[0].Offset, nil
	}
	var funcs []string
	for _, l := range found {
		funcs = append(funcs, l.Func+"."+l.Name)
	}
	return 0, fmt.Errorf("label %s is in several functions: write %s", name, strings.Join(funcs, " or "))
}

// namesHint lists the entry points of the program for an error message.
func (rc *runnable) namesHint() string {
	var names []string
	for _, s := range rc.prog.Symbols {
		if s.Kind == asm.SymText && !strings.HasPrefix(s.Name, "<") {
			names = append(names, s.Name)
		}
	}
	count := map[string]int{}
	for _, l := range rc.prog.Labels {
		count[l.Name]++
	}
	for _, l := range rc.prog.Labels {
		if count[l.Name] > 1 {
			names = append(names, l.Func+"."+l.Name)
		} else {
			names = append(names, l.Name)
		}
	}
	if len(names) == 0 {
		return ""
	}
	if len(names) > 8 {
		names = append(names[:8], "…")
	}
	return " (it has " + strings.Join(names, ", ") + ")"
}

// mappedFile is the file of --map, mapped read-only.
type mappedFile struct {
	name string
	size int
	m    *execmem.Mapping
}

// mapFile maps name read-only for --map.
func mapFile(e *env, name string) (*mappedFile, int, bool) {
	fail := func(status int, format string, args ...any) (*mappedFile, int, bool) {
		fmt.Fprintf(e.stderr, "jitrun run: --map: "+format+"\n", args...)
		return nil, status, false
	}
	file, err := os.Open(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
			return fail(exitUsage, "%v", err)
		}
		return fail(exitError, "%v", err)
	}
	defer file.Close()
	st, err := file.Stat()
	if err != nil {
		return fail(exitError, "%v", err)
	}
	switch {
	case st.IsDir():
		return fail(exitUsage, "%s is a directory", name)
	case !st.Mode().IsRegular():
		return fail(exitUsage, "%s is not a regular file", name)
	case st.Size() == 0:
		return fail(exitUsage, "%s is empty: there is nothing to map", name)
	case st.Size() > int64(^uint(0)>>1):
		return fail(exitUsage, "%s is too large to map", name)
	}
	m, err := execmem.Map(int(st.Size()), execmem.MapOptions{Prot: execmem.ProtRead, File: file})
	if err != nil {
		return fail(exitError, "%v", err)
	}
	return &mappedFile{name: name, size: int(st.Size()), m: m}, 0, true
}

// outcome is how one call ended.
type outcome struct {
	res      trampoline.Result
	regs     trampoline.Regs
	fault    *trampoline.Fault
	intr     *trampoline.Interrupted
	duration time.Duration
}

// status is the exit status for the outcome.
func (o *outcome) status() int {
	switch {
	case o.fault != nil:
		return exitFault
	case o.intr != nil:
		return exitTimeout
	}
	return exitOK
}

// callOnce calls the code at addr. A fault or a timeout is part of the
// outcome; the error is anything else (a system error).
func callOnce(addr uintptr, args *trampoline.Args, opts *trampoline.Options) (*outcome, error) {
	out := &outcome{}
	if opts.Regs == nil {
		opts.Regs = &out.regs
	}
	start := time.Now()
	res, err := trampoline.Run(context.Background(), addr, args, opts)
	out.duration = time.Since(start)
	out.res = res
	out.regs = *opts.Regs
	switch {
	case err == nil:
	case errors.As(err, &out.fault):
		out.regs = out.fault.Regs
	case errors.As(err, &out.intr):
		// PC 0: the deadline passed before the code started (a busy
		// machine); still a timeout.
		out.regs = out.intr.Regs
	default:
		return nil, err
	}
	return out, nil
}

// plural writes "1 byte", "2 bytes".
func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// formatCount writes n with thousands separators: 1,234,567.
func formatCount(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
