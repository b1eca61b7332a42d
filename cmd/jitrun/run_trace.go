package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/jitrun/jitrun/asm"
	"github.com/jitrun/jitrun/disasm"
	"github.com/jitrun/jitrun/explain"
	"github.com/jitrun/jitrun/memview"
	"github.com/jitrun/jitrun/trace"
	"github.com/jitrun/jitrun/trampoline"
)

// traceFlags are run's flags for tracing: --trace, --break (with its
// --count), --max-steps.
type traceFlags struct {
	trace    bool
	breaks   []breakSpec
	maxSteps int
}

// breakSpec is one --break WHERE, and the --count that followed it.
type breakSpec struct {
	where string
	count int
}

// breakFlag is --break: each use adds a breakpoint.
type breakFlag struct{ list *[]breakSpec }

func (b breakFlag) String() string { return "" }

func (b breakFlag) Set(s string) error {
	if strings.TrimSpace(s) == "" {
		return errors.New("empty: give a label, a TEXT symbol, +0x10 (an offset) or a source LINE")
	}
	if len(*b.list) >= maxBreaks {
		return fmt.Errorf("at most %d breakpoints", maxBreaks)
	}
	*b.list = append(*b.list, breakSpec{where: s})
	return nil
}

// countFlag is --count N: the breakpoint before it stops from its Nth
// hit on.
type countFlag struct{ list *[]breakSpec }

func (c countFlag) String() string { return "" }

func (c countFlag) Set(s string) error {
	n, err := strconv.Atoi(s)
	switch {
	case err != nil || n < 1:
		return errors.New("want a count of 1 or more")
	case c.list == nil || len(*c.list) == 0:
		return errors.New("--count applies to the --break before it: write --break WHERE --count N")
	case (*c.list)[len(*c.list)-1].count != 0:
		return fmt.Errorf("--break %s has a --count already: give each --break one --count", (*c.list)[len(*c.list)-1].where)
	}
	(*c.list)[len(*c.list)-1].count = n
	return nil
}

// maxJSONSteps caps --max-steps with --json, which holds every step (some
// 360 bytes each); maxJSONBreaks caps the breakpoint hits --json records
// (each with the registers and up to maxViews --show views: some 1 KiB
// plus the views), the rest counted in breaks_cut; maxTraceJSON is how
// long the supervising parent lets such a document grow.
const (
	maxJSONSteps  = 100_000
	maxJSONBreaks = 500
	maxTraceJSON  = 128 << 20
)

// jsonGiven reports whether run's --json is on.
func jsonGiven(cl *commandLine) bool {
	f := cl.fset.Lookup("json")
	return f != nil && f.Value.String() == "true"
}

// jsonDocLimit is how long the parent lets the --json document of the
// command args grow: maxTraceJSON for run --json with --trace or --break,
// maxCapturedOutput for any other.
func jsonDocLimit(args []string) int {
	if len(args) == 0 || args[0] != "run" {
		return maxCapturedOutput
	}
	var rf runFlags
	fset := flag.NewFlagSet("run", flag.ContinueOnError)
	rf.register(fset)
	if _, err := parseFlags(fset, args[1:]); err == nil && rf.json && rf.tr.tracing() {
		return maxTraceJSON
	}
	return maxCapturedOutput
}

// maxBreaks bounds the --break flags of one run.
const maxBreaks = 64

// register adds the tracing flags to run's flag set.
func (t *traceFlags) register(fset *flag.FlagSet) {
	fset.BoolVar(&t.trace, "trace", false, "run the code one instruction at a time and print a line per instruction: where it is, the instruction, the source line, and what it changed (registers, flags, memory); repeated loop iterations are folded (see 'Watch the code run' in docs/run.md)")
	fset.Var(breakFlag{&t.breaks}, "break", "stop at `WHERE` — a label or TEXT symbol, +0x10 (an offset into the code), LINE or FILE:LINE — print the registers, and go on (repeatable)")
	fset.Var(countFlag{&t.breaks}, "count", "make the --break before it stop only from its `N`th hit on")
	fset.IntVar(&t.maxSteps, "max-steps", trace.DefaultMaxSteps, "with --trace or --break, stop the code after `N` instructions (exit status 4; at most 1000000, 100000 with --json)")
}

// tracing reports whether run traces the code.
func (t *traceFlags) tracing() bool { return t.trace || len(t.breaks) > 0 }

// conflicts says which tracing flags do not combine.
func (t *traceFlags) conflicts(cl *commandLine) error {
	switch {
	case cl.given("max-steps") && t.maxSteps < 1:
		return fmt.Errorf("--max-steps %d: want at least 1 step", t.maxSteps)
	case cl.given("max-steps") && t.maxSteps > trace.MaxMaxSteps:
		return fmt.Errorf("--max-steps %d: at most %s steps", t.maxSteps, trace.Count(trace.MaxMaxSteps))
	case cl.given("max-steps") && t.maxSteps > maxJSONSteps && jsonGiven(cl):
		return fmt.Errorf("--max-steps %d: --json keeps every step, at most %s of them", t.maxSteps, trace.Count(maxJSONSteps))
	case !t.tracing():
		if cl.given("max-steps") {
			return errors.New("--max-steps caps --trace and --break: add one of them")
		}
		return nil
	case cl.given("threads"):
		return errors.New("--trace and --break follow one call, instruction by instruction; --threads runs several: drop one of them")
	case cl.given("time"):
		return errors.New("--trace and --break run the code one instruction at a time; --time measures it at full speed: drop one of them")
	}
	return nil
}

// resolveBreaks turns the --break places into offsets of the code.
func (t *traceFlags) resolveBreaks(rc *runnable) ([]trace.Break, error) {
	var list []trace.Break
	for _, b := range t.breaks {
		off, err := rc.lookupBreak(b.where)
		if err != nil {
			return nil, fmt.Errorf("--break %s: %v", b.where, err)
		}
		list = append(list, trace.Break{Offset: off, From: b.count})
	}
	return list, nil
}

// lookupBreak finds a --break WHERE: +0x10 an offset, LINE or FILE:LINE
// a source line, else a TEXT symbol or a label (as --entry takes them).
func (rc *runnable) lookupBreak(where string) (int, error) {
	if where == "" || strings.IndexFunc(where, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }) >= 0 {
		return 0, fmt.Errorf("%q is not a place: write a label, a TEXT symbol, +0x10 (an offset) or a source LINE", where)
	}
	if rest, ok := strings.CutPrefix(where, "+"); ok {
		off, ok := parseIntArg(rest)
		if !ok || strings.HasPrefix(rest, "-") || strings.HasPrefix(rest, "+") {
			return 0, fmt.Errorf("%q is not an offset: write +0x10 or +16", where)
		}
		if off >= uint64(len(rc.code)) {
			return 0, fmt.Errorf("offset %s is past the end of the code: %s", rest, rc.offsetRange())
		}
		return rc.instructionAt(int(off))
	}
	file, lineText := "", where
	if i := strings.LastIndexByte(where, ':'); i >= 0 {
		file, lineText = where[:i], where[i+1:]
	}
	if line, err := strconv.Atoi(lineText); err == nil {
		return rc.lookupLine(file, line)
	}
	if _, ok := parseIntArg(where); ok {
		return 0, fmt.Errorf("%q: write an offset as +%s, a source line as a decimal LINE", where, where)
	}
	if rc.prog == nil {
		return 0, fmt.Errorf("%q: machine code has no names; give an offset (+0x10)", where)
	}
	off, err := rc.lookupEntry(where)
	if err != nil {
		return 0, err
	}
	return off, nil
}

// instructionAt checks that an instruction of the code's listing starts
// at off: a breakpoint elsewhere (inside an instruction, in data) would
// never stop.
func (rc *runnable) instructionAt(off int) (int, error) {
	for _, row := range disasm.Decode(rc.code, disasm.Options{Program: rc.prog}) {
		if off >= row.Offset && off < row.Offset+len(row.Bytes) {
			switch {
			case row.Data:
				if sym, ok := rc.symbolAt(off); ok && sym.Kind != asm.SymText {
					return 0, fmt.Errorf("offset %#x is in data (%s), not code", off, explain.SymbolName(sym))
				}
				return 0, fmt.Errorf("offset %#x is in the padding after the code, not code", off)
			case row.Offset != off:
				return 0, fmt.Errorf("offset %#x is inside the instruction at +%#x (%s): break at +%#x", off, row.Offset, row.Text, row.Offset)
			}
			return off, nil
		}
	}
	return off, nil
}

// lookupLine finds the first instruction of source line n (of file, when
// given: the source's name or its base name).
func (rc *runnable) lookupLine(file string, n int) (int, error) {
	if rc.prog == nil {
		return 0, fmt.Errorf("line %d: machine code has no source lines; give an offset (+0x10)", n)
	}
	src := rc.prog.File
	if file != "" && file != src && file != filepath.Base(src) {
		if !rc.hasLinesOf(file) {
			return 0, fmt.Errorf("%s is not the source: the code comes from %s", file, src)
		}
		src = file // a linked library file: iolib/print.s
	}
	var lines []int
	for _, l := range rc.prog.Lines {
		if l.Pos.File != src || !rc.isCode(l.Offset) {
			continue
		}
		if l.Pos.Line == n {
			return l.Offset, nil
		}
		lines = append(lines, l.Pos.Line)
	}
	return 0, fmt.Errorf("line %d of %s has no instruction%s", n, src, nearbyLines(lines, n))
}

// hasLinesOf reports whether some of the code comes from file, a source
// linked in with the program's own (the I/O library's iolib/print.s).
func (rc *runnable) hasLinesOf(file string) bool {
	for _, l := range rc.prog.Lines {
		if l.Pos.File == file {
			return true
		}
	}
	return false
}

// isCode reports whether the offset is in a TEXT symbol.
func (rc *runnable) isCode(off int) bool {
	for _, s := range rc.prog.Symbols {
		if s.Kind == asm.SymText && off >= s.Offset && off < s.Offset+s.Size {
			return true
		}
	}
	return false
}

// nearbyLines lists the lines with code closest to n, for an error.
func nearbyLines(lines []int, n int) string {
	if len(lines) == 0 {
		return ""
	}
	sort.Slice(lines, func(i, j int) bool {
		di, dj := abs(lines[i]-n), abs(lines[j]-n)
		return di < dj || di == dj && lines[i] < lines[j]
	})
	lines = lines[:min(len(lines), 5)]
	sort.Ints(lines)
	var s []string
	for _, l := range lines {
		s = append(s, strconv.Itoa(l))
	}
	return " (lines with code near it: " + strings.Join(s, ", ") + ")"
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// runTrace traces the code and prints each step (--trace), each
// breakpoint hit and the end: the result, the fault, the timeout, or the
// step cap (exit status 4).
func runTrace(e *env, r *report, ca *callArgs, opts trampoline.Options, f *runFlags) error {
	breaks, err := f.tr.resolveBreaks(r.rc)
	if err != nil {
		return inputError("%v", err)
	}
	topt := &trace.Options{
		Code: r.blk, Bytes: r.rc.code, Program: r.rc.prog, Syntax: r.rc.syntax, Entry: r.rc.entry,
		Args: ca.args, StackSize: opts.StackSize, Timeout: opts.Timeout, MaxSteps: f.tr.maxSteps, Breaks: breaks,
		PrivateTLS: opts.PrivateTLS, // as run's call: FS-relative writes cannot reach jitrun's thread-local storage
	}
	var out traceOutput
	if f.json {
		out = &traceJSONOut{w: e.stdout, r: r, withSteps: f.tr.trace}
	} else {
		tt := newTraceText(e.stdout, r, f.tr.trace, len(strconv.Itoa(f.tr.maxSteps)))
		if f.disasm {
			var b strings.Builder
			r.writeCodeHeader(&b)
			r.writeListing(&b, 0, false)
			tt.line(b.String()) // the listing, a blank line, then the trace
		}
		out = tt
	}
	tr, err := trace.New(topt)
	if err != nil {
		return systemError("%v", err)
	}
	defer tr.Close() // after the report: it says where RSP lies
	e.link.callStarts(opts.Timeout)
	start := time.Now()
	sum, err := tr.Run(context.Background(), func(s *trace.Step) bool {
		out.step(s)
		return true
	})
	d := time.Since(start)
	e.link.callEnded()
	var fault *trampoline.Fault
	var intr *trampoline.Interrupted
	if err != nil && !errors.As(err, &fault) && !errors.As(err, &intr) {
		return systemError("%v", err)
	}
	o := &outcome{res: sum.Result, regs: sum.Regs, fault: sum.Fault, intr: sum.Interrupted, duration: d}
	if err := out.end(r, o, sum, f, opts.Timeout); err != nil {
		return systemError("%v", err)
	}
	if stoppedEarly(sum.Stop) {
		return silentExit(exitTimeout)
	}
	return silentExit(o.status())
}

// traceOutput is how a trace is printed: text as it goes, or one JSON
// document at the end.
type traceOutput interface {
	step(s *trace.Step)
	end(r *report, o *outcome, sum *trace.Summary, f *runFlags, timeout time.Duration) error
}

// traceText prints a trace as text: a line per step (--trace), folded
// loops, a block per breakpoint hit, then the end.
type traceText struct {
	w      *bufio.Writer
	r      *report
	lines  bool
	fold   *trace.Folder
	nWidth int
	where  int // width of the place column
	text   int // width of the instruction column
	srcCol int // width of the source column
	err    error
}

func newTraceText(w io.Writer, r *report, lines bool, nWidth int) *traceText {
	t := &traceText{w: bufio.NewWriterSize(w, traceBuffer), r: r, lines: lines, nWidth: max(nWidth, 3)}
	t.fold = &trace.Folder{Out: t.line, Indent: strings.Repeat(" ", t.nWidth+2)}
	for _, row := range disasm.Decode(r.rc.code, r.x.ListingOptions()) {
		if row.Data || len(row.Bytes) == 0 {
			continue
		}
		p := trace.Place{PC: row.Addr, Offset: row.Offset, Symbol: row.Symbol, SymOffset: row.SymOffset}
		t.where = max(t.where, len(p.String()))
		t.text = min(max(t.text, len(row.Text)), 36)
		t.srcCol = max(t.srcCol, len(sourcePlace(row.Pos)))
	}
	return t
}

// sourcePlace writes a source position as sum.s:9 ("" for none); a line
// of the I/O library keeps its directory (iolib/print.s:18), so that it is
// not taken for a line of the code's own print.s.
func sourcePlace(p asm.Pos) string {
	if p.Line == 0 {
		return ""
	}
	file := p.File
	if !asm.IsLibFile(file) {
		file = filepath.Base(file)
	}
	return fmt.Sprintf("%s:%d", file, p.Line)
}

func (t *traceText) line(s string) {
	if t.err == nil {
		_, t.err = t.w.WriteString(strings.TrimRight(s, " ") + "\n")
	}
	if t.err == nil && t.w.Buffered() >= traceFlushAt {
		t.err = t.w.Flush()
	}
}

// The trace text goes out in whole lines, traceFlushAt bytes or more at a
// time, from a buffer large enough that it never flushes on its own: what
// the code prints while it is traced then comes between two lines of the
// trace, never inside one.
const (
	traceFlushAt = 4 << 10
	traceBuffer  = 64 << 10
)

func (t *traceText) step(s *trace.Step) {
	if s.Break != nil && s.Break.Index >= 0 {
		t.fold.Flush()
		t.writeBreak(s, &s.Before)
	}
	if t.lines {
		changes := s.Changes()
		switch {
		case s.Fault != nil:
			changes = strings.TrimSpace(changes + "  fault: " + s.Fault.SignalName())
		case s.Break != nil && s.Break.Index < 0:
			changes = strings.TrimSpace("INT3: a breakpoint  " + changes)
		}
		text := s.Text
		if text == "" {
			text = fmt.Sprintf("(bytes % x)", s.Bytes)
		}
		line := fmt.Sprintf("%*d  %-*s  %-*s  ", t.nWidth, s.N, t.where, s.Place, t.text, text)
		if t.srcCol > 0 {
			line += fmt.Sprintf("%-*s  ", t.srcCol, sourcePlace(s.Pos))
		}
		t.fold.Add(s, line+changes)
	}
	if s.Break != nil && s.Break.Index < 0 {
		t.fold.Flush()
		t.writeBreak(s, &s.After)
	}
}

// writeBreak prints a breakpoint hit: where, which hit, the registers.
func (t *traceText) writeBreak(s *trace.Step, regs *trampoline.Regs) {
	what, when := fmt.Sprintf("break %d", s.Break.Index+1), "registers before it"
	if s.Break.Index < 0 {
		what, when = "INT3", "registers after it"
	}
	at := s.Place.String()
	if src := sourcePlace(s.Pos); src != "" {
		at += " (" + src + ")"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s at %s, hit %d, step %d; %s:\n", what, at, s.Break.Hit, s.N, when)
	t.r.writeRegs(&b, regs, true, nil)
	t.r.writeViewsAt(&b, "at the break", regs)
	if t.lines {
		b.WriteByte('\n')
	}
	for _, l := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
		t.line(l)
	}
}

func (t *traceText) end(r *report, o *outcome, sum *trace.Summary, f *runFlags, timeout time.Duration) error {
	t.fold.Flush()
	var b strings.Builder
	if t.lines || sum.Breaks > 0 {
		b.WriteByte('\n')
	}
	switch sum.Stop {
	case trace.MaxSteps, trace.OffStack:
		steps := trace.Count(sum.Steps) + " steps"
		if sum.Steps == 1 {
			steps = "1 step"
		}
		fmt.Fprintf(&b, "stopped after %s at %s", steps, sum.Next)
		if sum.Stop == trace.OffStack {
			fmt.Fprintf(&b, ": the code moved RSP to %#x, off its stack, where a step cannot start (run it without --trace and --break to see how it ends)\n", sum.Regs.GPR[trampoline.RSP])
		} else {
			if sum.Visits > 1 {
				fmt.Fprintf(&b, "; the loop had run %s times", trace.Count(sum.Visits))
			}
			fmt.Fprintf(&b, " (--max-steps %s; raise it to go on)\n", trace.Count(f.tr.maxSteps))
		}
		b.WriteString("\nregisters where it was stopped (* changed by the code):\n")
		r.writeRegs(&b, &sum.Regs, true, nil)
		r.writeMemArgs(&b, nil)                                     // run_memargs.go
		r.writeViewsAt(&b, "where the code was stopped", &sum.Regs) // run_show.go
	case trace.Faulted:
		r.writeFault(&b, o.fault)
	case trace.TimedOut:
		r.writeTimeout(&b, o.intr, timeout)
	default:
		fmt.Fprintf(&b, "%s, ", plural(sum.Steps, "step"))
		if sum.Breaks > 0 || len(f.tr.breaks) > 0 {
			fmt.Fprintf(&b, "%s, ", plural(sum.Breaks, "breakpoint hit"))
		}
		b.WriteString("returned\n")
		r.writeResult(&b, o.res, "")
		if f.regs {
			b.WriteString("\nregisters after the return (* changed by the code):\n")
			r.writeRegs(&b, &o.regs, false, nil)
		}
	}
	if !stoppedEarly(sum.Stop) {
		r.writeMemArgs(&b, o.fault) // run_memargs.go
		r.writeViews(&b, o)         // run_show.go
	}
	t.line(strings.TrimSuffix(b.String(), "\n"))
	if t.err != nil {
		return t.err
	}
	return t.w.Flush()
}

// traceJSONOut collects the steps and breakpoint hits for --json.
type traceJSONOut struct {
	w         io.Writer
	r         *report
	withSteps bool // --trace: "steps" holds every step
	breaksCut int  // hits past maxJSONBreaks
	steps     []json.RawMessage
	breaks    []breakJSON
	err       error
}

// stepJSON is one step of --json's "steps" (docs/run.md has the schema).
type stepJSON struct {
	N       int          `json:"n"`
	PC      string       `json:"pc"`
	Offset  *int         `json:"offset"`
	Where   string       `json:"where"`
	File    string       `json:"file,omitempty"`
	Line    int          `json:"line,omitempty"`
	Bytes   string       `json:"bytes"`
	Text    string       `json:"text"`
	Regs    []changeJSON `json:"regs,omitempty"`
	Flags   []flagJSON   `json:"flags,omitempty"`
	Vec     []changeJSON `json:"vec,omitempty"`
	K       []changeJSON `json:"k,omitempty"`
	Mem     []memJSON    `json:"mem,omitempty"`
	Syscall *stepSysJSON `json:"syscall,omitempty"`
	Break   *int         `json:"break,omitempty"`
	Fault   string       `json:"fault,omitempty"`
}

type changeJSON struct {
	Name string `json:"name"`
	Old  string `json:"old"`
	New  string `json:"new"`
}

type flagJSON struct {
	Name string `json:"name"`
	Old  int    `json:"old"`
	New  int    `json:"new"`
}

type memJSON struct {
	Operand string  `json:"operand"`
	Addr    *string `json:"addr"`
	Size    int     `json:"size"`
	Before  *string `json:"before"`
	After   *string `json:"after"`
}

type stepSysJSON struct {
	Name   string   `json:"name"`
	Number int      `json:"number"`
	Args   []string `json:"args"`
	Result *int64   `json:"result"` // null when refused (a fault)
}

// breakJSON is one breakpoint hit of --json's "breaks".
type breakJSON struct {
	Step   int       `json:"step"`
	Break  int       `json:"break"`
	Where  string    `json:"where"`
	Offset *int      `json:"offset"`
	Hit    int       `json:"hit"`
	Regs   *regsJSON `json:"regs"`
	// Show are the --show views there.
	Show []memview.Shown `json:"show,omitempty"`
}

func (t *traceJSONOut) step(s *trace.Step) {
	j := stepJSON{N: s.N, PC: hexJSON(s.PC), Where: s.Place.String(), Line: s.Pos.Line, Bytes: hex.EncodeToString(s.Bytes), Text: s.Text}
	if s.Pos.Line > 0 {
		j.File = s.Pos.File
	}
	var off *int
	if s.Offset >= 0 {
		o := s.Offset
		off = &o
	}
	j.Offset = off
	for _, c := range s.Regs {
		j.Regs = append(j.Regs, changeJSON{c.Reg.String(), hexJSON(c.Old), hexJSON(c.New)})
	}
	for _, c := range s.Flags {
		j.Flags = append(j.Flags, flagJSON{c.Name, b2i(c.Old), b2i(c.New)})
	}
	for _, c := range s.Vectors {
		j.Vec = append(j.Vec, changeJSON{c.Name(), vecHexJSON(c.Old[:c.Width]), vecHexJSON(c.New[:c.Width])})
	}
	for _, c := range s.Opmasks {
		j.K = append(j.K, changeJSON{fmt.Sprintf("k%d", c.Index), hexJSON(c.Old), hexJSON(c.New)})
	}
	for _, m := range s.Mem {
		mj := memJSON{Operand: m.Operand, Size: m.Size}
		if m.Known {
			a := hexJSON(m.Addr)
			mj.Addr = &a
			if len(m.Before) == m.Size {
				v := trace.FormatBytes(m.Before)
				mj.Before = &v
			}
			if len(m.After) == m.Size {
				v := trace.FormatBytes(m.After)
				mj.After = &v
			}
		}
		j.Mem = append(j.Mem, mj)
	}
	if c := s.Syscall; c != nil {
		sj := &stepSysJSON{Name: c.Name(), Number: c.Number}
		if s.Fault == nil {
			r := s.SyscallResult
			sj.Result = &r
		}
		for _, a := range c.Args {
			sj.Args = append(sj.Args, hexJSON(a))
		}
		j.Syscall = sj
	}
	if s.Break != nil && len(t.breaks) == maxJSONBreaks {
		t.breaksCut++
	} else if s.Break != nil {
		i := s.Break.Index
		j.Break = &i
		regs := &s.Before
		if i < 0 {
			regs = &s.After
		}
		bj := breakJSON{Step: s.N, Break: i, Where: s.Place.String(), Offset: off, Hit: s.Break.Hit, Regs: regsToJSON(regs)}
		if len(t.r.views) > 0 {
			bj.Show = t.r.renderViews(regs) // run_show.go
		}
		t.breaks = append(t.breaks, bj)
	}
	if s.Fault != nil {
		j.Fault = s.Fault.SignalName()
	}
	if !t.withSteps {
		return
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // as writeJSON: <expr> stays <expr>
	if err := enc.Encode(j); err != nil && t.err == nil {
		t.err = err
	}
	t.steps = append(t.steps, bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

func (t *traceJSONOut) end(r *report, o *outcome, sum *trace.Summary, f *runFlags, timeout time.Duration) error {
	if t.err != nil {
		return t.err
	}
	doc := runDocument(r, o)
	if stoppedEarly(sum.Stop) && len(r.views) > 0 {
		doc.Show = r.renderViews(&sum.Regs) // where it was stopped
	}
	if sum.Stop != trace.Returned {
		doc.RAX, doc.RDX, doc.XMM0 = nil, nil, nil // the code did not return
	}
	stopped := sum.Stop.String()
	if t.steps == nil {
		t.steps = []json.RawMessage{}
	}
	if t.breaks == nil {
		t.breaks = []breakJSON{}
	}
	doc.Stopped, doc.Breaks, doc.BreaksCut = &stopped, &t.breaks, t.breaksCut
	if t.withSteps {
		doc.Steps = &t.steps
	}
	return writeJSON(t.w, doc)
}

// vecHexJSON writes a vector register's bytes (memory order) as "0x" and
// every hex digit, highest first: 32 for an XMM register, 64 for YMM, 128
// for ZMM.
func vecHexJSON(reg []byte) string {
	h := make([]byte, len(reg))
	for i, c := range reg {
		h[len(reg)-1-i] = c
	}
	return "0x" + hex.EncodeToString(h)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// writeViewsAt prints the --show views against regs under a line that
// says when they were taken (a breakpoint hit, the step cap).
func (r *report) writeViewsAt(b *strings.Builder, when string, regs *trampoline.Regs) {
	if len(r.views) == 0 {
		return
	}
	fmt.Fprintf(b, "\nmemory %s (--show):\n", when)
	for _, s := range r.renderViews(regs) {
		b.WriteString(s.Text())
	}
}

// symbolAt is the program's symbol holding off; none for machine code.
func (rc *runnable) symbolAt(off int) (asm.Symbol, bool) {
	if rc.prog == nil {
		return asm.Symbol{}, false
	}
	return rc.prog.SymbolAt(off)
}

// stoppedEarly reports whether a trace was stopped before the code
// returned, faulted or timed out: at the step cap, or with RSP off its
// stack. The run then exits with status 4, as a timeout does.
func stoppedEarly(s trace.Stop) bool { return s == trace.MaxSteps || s == trace.OffStack }
