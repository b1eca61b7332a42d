package main

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"syscall"

	"github.com/jitrun/jitrun/internal/lanes"
	"github.com/jitrun/jitrun/repl"
	"github.com/jitrun/jitrun/trampoline"
)

// How the REPL prints: addresses of its stack and scratch area by name
// (stack+0x7ff8, scratch+0x10), so that a transcript reads the same every
// run; every other value in hex and decimal.

// formatOutcome writes what a line did.
func (l *replLoop) formatOutcome(out *repl.Outcome) string {
	var b strings.Builder
	switch out.Kind {
	case repl.Nothing, repl.Pending:
		return ""
	case repl.Ran:
		l.writeChanges(&b, out.Changes)
	case repl.Breakpoint:
		fmt.Fprintf(&b, "INT3 at %s: a breakpoint; the state there is kept\n", out.Where)
		l.writeChanges(&b, out.Changes)
	case repl.Faulted:
		l.writeFault(&b, out)
	case repl.TimedOut:
		it := out.Interrupted
		what := fmt.Sprintf("timeout: the line was still running after %v", l.s.Timeout())
		if errors.Is(it.Err, context.Canceled) {
			what = "interrupted (Ctrl-C)"
			if l.running != nil {
				what = "\n" + what // after the ^C the terminal echoed
			}
		}
		if out.Where != "" {
			what += " and was stopped at " + out.Where
		}
		fmt.Fprintf(&b, "%s\n  the state is as it was before the line\n", what)
	case repl.Refused:
		fmt.Fprintf(&b, "refused: %s\n", out.Why)
	}
	return b.String()
}

// writeFault prints a fault as run's report starts: what happened, the
// signal, the exception, the address; then that the state is kept.
func (l *replLoop) writeFault(b *strings.Builder, out *repl.Outcome) {
	f := out.Fault
	fmt.Fprintf(b, "fault: %s at %s\n  %s\n", f.SignalName(), out.Where, out.Why)
	writeSignalLines(b, f) // run_report.go
	if (f.Signal == syscall.SIGSEGV || f.Signal == syscall.SIGBUS) && (f.Addr != 0 || f.Trap == 14) {
		fmt.Fprintf(b, "  %-10s %s\n", "address", l.s.AddrText(uint64(f.Addr)))
	}
	b.WriteString("  the state is as it was before the line (.regs shows it)\n")
}

// intValue is v as an address name, or in hex and signed decimal.
func (l *replLoop) intValue(v uint64) string {
	if n, ok := l.s.AddrName(v); ok {
		return n
	}
	if v < 10 {
		return fmt.Sprint(v)
	}
	return fmt.Sprintf("%#x (%d)", v, int64(v))
}

// writeChanges lists the registers a line changed, old -> new.
func (l *replLoop) writeChanges(b *strings.Builder, changes []repl.Change) {
	if len(changes) == 0 {
		b.WriteString("(no register changed)\n")
		return
	}
	for _, c := range changes {
		switch c.Kind {
		case repl.GPR:
			fmt.Fprintf(b, "%-7s %s -> %s\n", c.Name, l.intValue(c.Old), l.intValue(c.New))
		case repl.Flags:
			var bits []string
			for _, f := range repl.FlagChanges(c.Old, c.New) {
				bits = append(bits, fmt.Sprintf("%s %d->%d", f.Name, c.Old>>f.Bit&1, c.New>>f.Bit&1))
			}
			fmt.Fprintf(b, "%-7s %#x -> %#x  %s\n", c.Name, c.Old, c.New, strings.Join(bits, ", "))
		case repl.Vector:
			fmt.Fprintf(b, "%-7s %s -> %s\n", c.Name, lanes.Format(c.OldVec, lanes.Hex), lanes.Format(c.NewVec, lanes.Hex))
			fmt.Fprintf(b, "%-7s   i64 %s  f64 %s\n", "", lanes.Format(c.NewVec, lanes.I64), lanes.Format(c.NewVec, lanes.F64))
		default:
			fmt.Fprintf(b, "%-7s %#x -> %#x\n", c.Name, c.Old, c.New)
		}
	}
}

// formatRegs lists every register: the general registers, RFLAGS
// decoded, the vector registers that are not zero (in view), the opmask
// registers that are not zero, MXCSR and the x87 control word.
func (l *replLoop) formatRegs(r *trampoline.Regs, view regView) string {
	var b strings.Builder
	for _, reg := range repl.GPROrder {
		v := r.GPR[reg]
		if n, ok := l.s.AddrName(v); ok {
			fmt.Fprintf(&b, "%-7s %s\n", reg, n)
			continue
		}
		fmt.Fprintf(&b, "%-7s 0x%016x  %d\n", reg, v, int64(v))
	}
	fmt.Fprintf(&b, "%-7s %#x  %s\n", "rflags", r.RFLAGS, decodeFlags(r.RFLAGS))
	zero := 0
	for i := range trampoline.VecRegs {
		v := r.Vec(i)
		w := lanes.Width(v[:])
		if w == 0 {
			zero++
			continue
		}
		fmt.Fprintf(&b, "%-7s %s\n", lanes.Name(i, w), view.format(v[:w]))
	}
	if zero > 0 {
		fmt.Fprintf(&b, "(%d vector registers not listed are zero)\n", zero)
	}
	for i, k := range r.Vector.Opmasks() {
		if k != 0 {
			fmt.Fprintf(&b, "%-7s %#x\n", fmt.Sprintf("k%d", i), k)
		}
	}
	fmt.Fprintf(&b, "%-7s %#x\n", "mxcsr", r.MXCSR)
	fmt.Fprintf(&b, "%-7s %#x\n", "x87cw", r.X87CW)
	return b.String()
}

// replHexNumber matches a hex number in memview's text.
var replHexNumber = regexp.MustCompile(`0x[0-9a-f]+`)

// symbolic rewrites the addresses of the stack and the scratch area in a
// memory view's text by name; a row's address with its <label> becomes
// the label alone.
func (l *replLoop) symbolic(text string) string {
	text = replRowLabel.ReplaceAllString(text, "$1:")
	text = replHexNumber.ReplaceAllStringFunc(text, func(h string) string {
		v, err := strconv.ParseUint(h[2:], 16, 64)
		if err != nil || v < 1<<16 {
			return h
		}
		if n, ok := l.s.AddrName(v); ok {
			return n
		}
		return h
	})
	// "(scratch = scratch; …" says it once.
	return replSameName.ReplaceAllStringFunc(text, func(m string) string {
		sub := replSameName.FindStringSubmatch(m)
		if sub[1] != sub[2] {
			return m
		}
		return "(" + sub[1] + ";"
	})
}

var (
	// replRowLabel is a row's address and its label.
	replRowLabel = regexp.MustCompile(`0x[0-9a-f]+ (<[^>]+>):`)
	// replSameName is a view's header naming what it shows.
	replSameName = regexp.MustCompile(`\((\S+) = (\S+);`)
)

// entriesText is "1 entry", "2 entries".
func entriesText(n int) string {
	if n == 1 {
		return "1 entry"
	}
	return fmt.Sprintf("%d entries", n)
}
