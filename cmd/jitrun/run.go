package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jitrun/jitrun/asm"
	"github.com/jitrun/jitrun/execmem"
	"github.com/jitrun/jitrun/memarg"
	"github.com/jitrun/jitrun/memview"
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
	show    showFlag
	tr      traceFlags // run_trace.go
	lanes   string
	iso     bool // --isolate: run_isolate.go
}

const runUsage = "FILE.s [ARGS...] | -e 'SRC' [ARGS...] | --hex 'BYTES' [ARGS...] | --bin FILE [ARGS...]"

// runHelp is the text of run -h under the usage line.
func runHelp() string {
	return "Run assembles x86-64 source (FILE, - for standard input, or -e SRC), or takes machine code\n" +
		"as --hex or from a --bin file, loads it into memory that is never writable and executable\n" +
		"at once, calls it on a stack of its own and reports what came back:\n\n" +
		"  rax = 42 (0x2a)\n\n" +
		"rdx follows when the code changed it, xmm0 when the code changed it, when a float\n" +
		"argument was passed, or when an instruction of the code names xmm0 (ymm0, zmm0): a float\n" +
		"result is never hidden because it equals its argument. ARGS are the arguments: integers\n" +
		"(42, 0x2a, -1) go to rdi, rsi, rdx, rcx, r8, r9 in order, floats (1.5, 2e3) to xmm0-xmm7\n" +
		"as doubles. Every other register starts at zero. The code starts at its first instruction,\n" +
		"or at --entry, and returns with RET. Flags may come before or after FILE and ARGS; -- ends\n" +
		"them. In -e, ';' separates statements in either syntax ('#' starts a comment); in an\n" +
		"Intel-syntax FILE, ';' starts a comment.\n\n" +
		"ARGS may also be memory: str:TEXT (the text and a NUL), buf:N (N zero bytes: 64, 4k),\n" +
		"file:PATH (the file's bytes), or TYPE:V,V,… with TYPE i8 u8 i16 u16 i32 u32 i64 u64 f32\n" +
		"f64 (i64:1,-2,3, f64:1.5,2). Each is placed in a read+write mapping of its own, ending\n" +
		"right before a guard page (one byte past the end faults), and its address goes in the\n" +
		"next integer register; a length is an ordinary argument written after it. After the\n" +
		"call the report shows the bytes of each (the first " + strconv.Itoa(memArgTextBytes) + "; --json: the first " + formatSize(memArgJSONBytes) + ").\n" +
		"Buffers take at most " + formatSize(memarg.MaxBuffer) + " each and in all. With --map, the file takes rdi and rsi\n" +
		"and memory arguments follow.\n\n" +
		"--show WHAT[:LEN][/FMT] shows memory after the call, at a fault or where a timeout\n" +
		"stopped it, as gdb's x command does: WHAT is a symbol, a register (rsp, rdi, SP, DI: the\n" +
		"memory it points to) or an address, with +N or -N; LEN is in bytes (default one unit,\n" +
		"or the symbol's size; at most " + strconv.Itoa(memview.MaxLen) + "); FMT is x (hex, the default), d, u, f, s, c and a\n" +
		"unit b, h, w, g (rsp:64/gx: 64 bytes as 8 hex quadwords; counter/d; rdi:16/b). Memory\n" +
		"that cannot be read is shown as such (not mapped, not readable).\n\n" +
		"A fault (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP) is reported in words: the signal, what\n" +
		"the CPU's error code means, where the address lies, the listing with the faulting\n" +
		"instruction marked (=>) and the registers. Code still running after --timeout is stopped\n" +
		"and reported the same way. A system call the code makes runs (write(1, buf, n) prints),\n" +
		"unless it would end, fork, replace or derail jitrun (exit, exit_group, execve, clone,\n" +
		"rt_sigaction, …): that one is refused and reported as a fault (SIGSYS), with its\n" +
		"arguments (--syscalls). The code may call jitrun's I/O library to print and read numbers\n" +
		"and strings (call print_int; jitrun help lib lists the routines).\n\n" +
		"The code runs in a child process, jitrun re-executed, which hands its report to this one:\n" +
		"what the code writes to standard output is shown as it comes, what it writes to standard\n" +
		"error after it, and the report starts on a fresh line (after a line that says so when the\n" +
		"output did not end with a newline). A child the code killed (a signal,\n" +
		"a Go fatal error, exit_group under --syscalls allow) is reported in one line, exit status 5.\n" +
		"If the code runs " + superviseMargin.String() + " past its --timeout without being stopped, the child is\n" +
		"killed: exit status 4. " + noSupervisorEnv + "=1 runs everything in one process (no status 5).\n\n" +
		"--regs lists the general registers, then every vector register that is not zero (or that\n" +
		"the code changed) at the width it uses: xmm3, ymm3 when bits 128-255 are set, zmm3 past\n" +
		"them (zmm16-zmm31 and k0-k7 with AVX-512), in hex, then as f64 lanes; --lanes VIEW shows\n" +
		"lanes of one type instead (i8 u8 i16 u16 i32 u32 i64 u64 f32 f64, or hex), lane 0 first.\n\n" +
		"--trace runs the code one instruction at a time (a debug trap after each) and prints a line\n" +
		"per instruction: its place, its text, its source line and what it changed (rax 5 -> 6,\n" +
		"ZF 0 -> 1, [rsp-0x8] 0x0 -> 0x2a); loop iterations past the second are folded into one\n" +
		"line. --break WHERE prints the registers each time the code gets there (an INT3 in the\n" +
		"code does too, and the code goes on). Both stop the code after --max-steps instructions\n" +
		"(exit status 4).\n\n" +
		"--json prints one object:\n" +
		"  {\"rax\": N, \"rdx\": N, \"xmm0\": F, \"regs\": {...}, \"fault\": null | {\"signal\", \"code\",\n" +
		"   \"addr\", \"pc\", \"offset\", \"access\", \"error_code\", \"trap\", \"instruction\",\n" +
		"   \"syscall\": {\"name\", \"number\", \"args\", \"reason\"} for SIGSYS},\n" +
		"   \"timeout\": false, \"duration_ns\": N,\n" +
		"   \"symbols\": [{\"name\", \"offset\", \"size\", \"section\", \"prot\", \"addr\"}], \"stdout\": S, \"stderr\": S}\n" +
		"rax and rdx are signed, xmm0 is the low double; all three are null when the code did not\n" +
		"return. regs holds every register as a \"0x...\" string (where it faulted or was stopped):\n" +
		"\"xmm\" xmm0-xmm15, and, when the code left them set, \"ymm\" ymm0-ymm15 and \"zmm\"\n" +
		"zmm0-zmm31 at full width, \"k\" k0-k7.\n" +
		"symbols says where each symbol of a program lives: its section (.text, .rodata, .data) and\n" +
		"the protection of its pages (r-x, r--, rw-); it is absent for --hex and --bin.\n" +
		"stdout and stderr are what the code wrote, as text; output that is not UTF-8 comes as\n" +
		"stdout_base64 or stderr_base64 instead; past " + formatSize(maxCapturedOutput) + " a stream is cut, and\n" +
		"stdout_cut_bytes or stderr_cut_bytes says how many bytes were dropped. When jitrun's child\n" +
		"died, \"broken\" says how. \"memargs\": [{\"arg\", \"reg\", \"addr\", \"size\", \"hex\", \"cut_bytes\",\n" +
		"\"unreadable\"}] are the memory arguments after the call; \"show\": [{\"spec\", \"what\",\n" +
		"\"addr\", \"len\", \"unit\", \"format\", \"rows\": [{\"addr\", \"label\", \"values\"} or\n" +
		"{\"addr\", \"unreadable\", \"bytes\"}]}] the --show views. With --trace or --break,\n" +
		"\"stopped\" (return, fault, timeout, max-steps, off-stack), \"steps\" (one object per instruction,\n" +
		"with --trace) and \"breaks\" (one per breakpoint hit, with the registers and the --show\n" +
		"views there) follow: see docs/run.md. Source that does not assemble prints\n" +
		"  {\"errors\": [{\"file\", \"line\", \"col\", \"message\"}]}   (exit status 2)."
}

// cmdRun is `jitrun run FILE|-e SRC|--hex BYTES|--bin FILE [ARGS…]`.
func cmdRun(e *env, cl *commandLine, f *runFlags) error {
	opts, err := f.check(cl)
	if err != nil {
		return err
	}
	rc, rest, err := loadRunnable(e, f, cl)
	if err != nil {
		if f.json {
			return writeErrorsJSON(e.stdout, err) // run_json.go
		}
		return err
	}
	ca, mapped, err := f.callArgs(cl, rest)
	if err != nil {
		return err
	}
	if mapped != nil {
		defer mapped.m.Close()
	}
	defer ca.closeMemory() // run_memargs.go
	// Before the code is mapped: the filter treats memory mapped from
	// now on as the code's.
	if err := installSyscalls(e, f.sysPol); err != nil {
		return systemError("--syscalls %s: %v", f.sysPol, err)
	}
	blk, err := execmem.LoadWith(rc.code, rc.loadOptions()) // run_symbols.go
	if err != nil {
		return systemError("loading the code: %v", err)
	}
	defer blk.Close()
	r := newReport(rc, blk, mapped, ca)
	r.vec, _ = parseLanes(cl, f.lanes, f.json) // checked by f.check
	r.views = f.show.views
	if err := r.checkViews(); err != nil { // run_show.go
		return err
	}
	if f.tr.tracing() {
		return runTrace(e, r, ca, opts, f) // run_trace.go
	}
	if f.threads > 0 {
		return runThreads(e, r, ca, opts, f)
	}
	return runOnce(e, r, ca, opts, f)
}

// callArgs sorts the positional arguments into registers; --map maps its
// file and takes the first two integer registers.
func (f *runFlags) callArgs(cl *commandLine, rest []string) (*callArgs, *mappedFile, error) {
	var ca callArgs
	var mapped *mappedFile
	if cl.given("map") {
		m, err := mapFile(f.mapFile)
		if err != nil {
			return nil, nil, fmt.Errorf("--map: %w", err)
		}
		mapped = m
		ca.addInt(uint64(m.m.Addr()))
		ca.addInt(uint64(m.size))
	}
	if err := ca.mapMemory(rest); err != nil { // run_memargs.go
		if mapped != nil {
			mapped.m.Close()
		}
		return nil, nil, err
	}
	if err := ca.parse(rest, mapped != nil); err != nil {
		if mapped != nil {
			mapped.m.Close()
		}
		ca.closeMemory()
		return nil, nil, inputError("%v", err)
	}
	return &ca, mapped, nil
}

// runOnce calls the code once and prints the outcome (--json: as one
// object), then with --time measures what a call costs.
func runOnce(e *env, r *report, ca *callArgs, opts trampoline.Options, f *runFlags) error {
	var regs trampoline.Regs
	opts.Regs, opts.Code = &regs, r.blk
	e.link.callStarts(opts.Timeout)
	out, err := callOnce(r.addr(), &ca.args, &opts)
	e.link.callEnded()
	if err != nil {
		return systemError("%v", err)
	}
	if f.json {
		err = writeRunJSON(e.stdout, r, out)
	} else {
		err = writeOutcome(e.stdout, r, out, f, opts.Timeout)
	}
	if err != nil {
		return systemError("%v", err)
	}
	if f.time && out.status() == exitOK {
		return timeRun(e, r, ca, opts.StackSize, out.duration)
	}
	return silentExit(out.status())
}

// readsInput marks a command whose -h states the input limits.
func (f *runFlags) readsInput() {}

// register adds the flags of run to fset.
func (f *runFlags) register(fset *flag.FlagSet) {
	f.in.register(fset)
	fset.StringVar(&f.hex, "hex", "", "run machine code given in hex, `BYTES` ('48 c7 c0 2a 00 00 00 c3', '48c7c02a000000c3', '0x48,0xc7', '\\x48\\xc7') instead of source")
	fset.StringVar(&f.bin, "bin", "", "run the raw machine code in `FILE` (- for standard input) instead of source")
	fset.StringVar(&f.entry, "entry", "", "start at `NAME`, a TEXT symbol or a label (FUNC.label when several functions have it), or at an offset (0x10) into the code")
	fset.BoolVar(&f.regs, "regs", false, "print every register after the call, * marking the ones the code changed, with RFLAGS decoded")
	fset.BoolVar(&f.disasm, "disasm", false, "print the listing of the code that ran (address, offset, bytes, instruction, source line)")
	fset.BoolVar(&f.time, "time", false, "after a first call that returns, call the code again and again for about half a second and print ns per call (median and minimum over batches) and the number of calls; the repeated calls have no timeout")
	fset.StringVar(&f.timeout, "timeout", "5s", "stop the code after `D` (100ms, 2s, 1m; 0 for no timeout) and report where it was")
	fset.StringVar(&f.stack, "stack", "", "usable stack `SIZE` of the call (65536, 64k, 1M), rounded up to whole pages, between two 1 MiB guard regions (default 256k)")
	fset.BoolVar(&f.json, "json", false, "print the result as one JSON object (see above)")
	fset.IntVar(&f.threads, "threads", 0, "call the code on `N` OS threads at once (N goroutines, each locked to its thread, each on its own stack) and print one result per thread with its thread id, stack and RSP")
	fset.StringVar(&f.mapFile, "map", "", "map `FILE` read-only and pass its address in rdi and its length in rsi; ARGS follow in rdx, rcx, …")
	fset.StringVar(&f.listing, "listing-syntax", "", "`syntax` of listings (--disasm, fault reports): go, intel or att (default: the source's, go for --hex and --bin)")
	registerSyscalls(fset, &f.sysPol)
	registerShow(fset, &f.show) // run_show.go
	f.tr.register(fset)
	registerLanes(fset, &f.lanes)
	registerIsolate(fset, &f.iso) // run_isolate.go
}

// check rejects flags that are bad or do not combine (status 2), and
// returns the call's options (stack size and timeout).
func (f *runFlags) check(cl *commandLine) (trampoline.Options, error) {
	if err := f.conflicts(cl); err != nil {
		return trampoline.Options{}, inputError("%v", err)
	}
	opts, err := f.options(cl)
	if err != nil {
		return opts, inputError("%v", err)
	}
	return opts, nil
}

// conflicts says what is missing or does not combine.
func (f *runFlags) conflicts(cl *commandLine) error {
	var sources []string
	for _, name := range []string{"-e", "--hex", "--bin"} {
		if cl.given(strings.TrimLeft(name, "-")) {
			sources = append(sources, name)
		}
	}
	switch {
	case len(sources) > 1:
		return fmt.Errorf("%s each give the code: use one", strings.Join(sources, " and "))
	case len(sources) == 0 && len(cl.pos) == 0:
		return errors.New("need the code: a FILE (- for standard input), -e SRC, --hex BYTES or --bin FILE (see 'jitrun run -h')")
	case (cl.given("hex") || cl.given("bin")) && cl.given("syntax"):
		return errors.New("--syntax is the syntax of assembly source; --hex and --bin are machine code (use --listing-syntax for the listing)")
	case cl.given("threads") && f.threads < 1:
		return fmt.Errorf("--threads %d: want at least 1 thread", f.threads)
	case cl.given("threads") && f.threads > maxThreads:
		return fmt.Errorf("--threads %d: at most %d threads", f.threads, maxThreads)
	case f.regs && cl.given("threads"):
		return errors.New("--regs shows the registers of one call; with --threads each thread prints its own result: drop one of them")
	case cl.given("show") && cl.given("threads"):
		return errors.New("--show shows the memory of one call; with --threads each thread has its own registers: drop one of them")
	case f.time && cl.given("threads"):
		return errors.New("--time and --threads do not combine: --time measures one thread calling the code again and again")
	}
	if err := f.tr.conflicts(cl); err != nil {
		return err
	}
	if f.json {
		for _, name := range []string{"time", "threads", "disasm"} {
			if cl.given(name) {
				return fmt.Errorf("--json prints one call's result and has no place for --%s: drop one of them", name)
			}
		}
	}
	return nil
}

// options reads the values of --timeout, --stack, --listing-syntax and
// --syscalls.
func (f *runFlags) options(cl *commandLine) (trampoline.Options, error) {
	var opts trampoline.Options
	timeout, err := time.ParseDuration(f.timeout)
	switch {
	case err != nil:
		return opts, fmt.Errorf("--timeout: %q is not a duration: write 100ms, 2s or 1m (0 for none)", f.timeout)
	case timeout < 0:
		return opts, fmt.Errorf("--timeout %v is negative (0 means no timeout)", timeout)
	case timeout > 0 && timeout < trampoline.MinTimeout:
		return opts, fmt.Errorf("--timeout %v is shorter than a kernel timer can stop code in: the smallest is %v (0 means no timeout)", timeout, trampoline.MinTimeout)
	}
	opts.Timeout = timeout
	// One call (or one per thread): an FS base of its own costs little
	// here, and FS-relative writes cannot reach jitrun's thread-local
	// storage.
	opts.PrivateTLS = true
	if cl.given("stack") {
		if opts.StackSize, err = parseSize(f.stack, 1, math.MaxInt); err != nil {
			return opts, fmt.Errorf("--stack: %v", err)
		}
	}
	if cl.given("listing-syntax") {
		if _, err := parseListingSyntax(f.listing); err != nil {
			return opts, fmt.Errorf("--listing-syntax: %v", err)
		}
	}
	if _, _, err := parseSyscalls(f.sysPol); err != nil {
		return opts, err
	}
	if _, err := parseLanes(cl, f.lanes, f.json); err != nil {
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
	r.writeMemArgs(&b, out.fault) // run_memargs.go
	r.writeViews(&b, out)         // run_show.go
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
func loadRunnable(e *env, f *runFlags, cl *commandLine) (*runnable, []string, error) {
	rc := &runnable{syntax: asm.SyntaxGo}
	rest := cl.pos
	var err error
	switch {
	case cl.given("hex"):
		rc.name = "<hex>"
		if rc.code, err = parseHex(f.hex, maxCode); err != nil {
			return nil, nil, inputError("--hex: %v", err)
		}
	case cl.given("bin"):
		in := input{path: f.bin, what: "machine code", limit: maxCode}
		rc.name = in.name()
		if rc.code, err = in.read(e); err != nil {
			return nil, nil, fmt.Errorf("--bin: %w", err)
		}
		if len(rc.code) == 0 {
			return nil, nil, inputError("--bin: %s: empty input: no machine code", rc.name)
		}
	default:
		var src *loadedSource
		if src, rest, err = f.in.load(e, cl, cl.pos); err != nil {
			return nil, nil, err
		}
		rc.name, rc.code, rc.prog = src.Name, src.Prog.Code, src.Prog
		if src.Syntax == asm.SyntaxIntel || src.Syntax == asm.SyntaxATT {
			rc.syntax = src.Syntax // listings in the source's syntax
		}
		if textLen(src.Prog) == 0 {
			return nil, nil, inputError("%s has no instructions to run", src.Name)
		}
	}
	if cl.given("listing-syntax") {
		rc.syntax, _ = parseListingSyntax(f.listing) // checked by f.check
	}
	if cl.given("entry") {
		if rc.entry, err = rc.lookupEntry(f.entry); err != nil {
			return nil, nil, inputError("--entry: %v", err)
		}
	}
	return rc, rest, nil
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
		if strings.HasPrefix(name, "-") {
			return 0, fmt.Errorf("offset %s is negative: %s", name, rc.offsetRange())
		}
		if off >= uint64(len(rc.code)) {
			return 0, fmt.Errorf("offset %s is past the end of the code: %s", name, rc.offsetRange())
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

// offsetRange says what --entry takes.
func (rc *runnable) offsetRange() string {
	s := fmt.Sprintf("give an offset from 0 to %#x (the code is %s)", len(rc.code)-1, plural(len(rc.code), "byte"))
	if rc.prog != nil {
		s += ", or a label"
	}
	return s
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
func mapFile(name string) (*mappedFile, error) {
	// Looked at before it is opened: opening a FIFO waits for a writer,
	// maybe for ever, and only a regular file can be mapped.
	if st, err := os.Stat(name); err == nil && !st.IsDir() && !st.Mode().IsRegular() {
		return nil, inputError("%s is not a regular file", name)
	}
	file, st, err := openFile(name)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	switch {
	case !st.Mode().IsRegular():
		return nil, inputError("%s is not a regular file", name)
	case st.Size() == 0:
		return nil, inputError("%s: empty input: nothing to map", name)
	case st.Size() > maxMapFile:
		return nil, inputError("%s: input too large: jitrun maps at most %s", name, formatSize(maxMapFile))
	}
	m, err := execmem.Map(int(st.Size()), execmem.MapOptions{Prot: execmem.ProtRead, File: file})
	if err != nil {
		return nil, systemError("%v", err)
	}
	return &mappedFile{name: name, size: int(st.Size()), m: m}, nil
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
