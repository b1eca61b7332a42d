package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/jitrun/jitrun/memview"
	"github.com/jitrun/jitrun/trampoline"
)

// --show (package memview): views of memory, WHAT[:LEN][/FMT] as gdb's x
// command takes them, rendered after the call returns, at a fault or where
// a timeout stopped it, in the process that ran the code.

// maxViews is how many --show a run takes. With memview.MaxLen bytes
// each, in the most verbose format (c: some 30 bytes of indented JSON a
// byte), and the memory arguments' memArgJSONBytes each, the --json
// document stays below the cap the parent puts on it (maxCapturedOutput,
// 1 MiB): TestRunMemoryJSONCap measures the worst case, 826,365 bytes.
const maxViews = 4

// showFlag is the repeatable --show.
type showFlag struct{ views []memview.View }

func (s *showFlag) String() string {
	if s == nil {
		return ""
	}
	var specs []string
	for _, v := range s.views {
		specs = append(specs, v.Spec)
	}
	return strings.Join(specs, " ")
}

func (s *showFlag) Set(spec string) error {
	if len(s.views) == maxViews {
		return fmt.Errorf("at most %d views (of at most %d bytes each)", maxViews, memview.MaxLen)
	}
	v, err := memview.Parse(spec)
	if err != nil {
		return err
	}
	s.views = append(s.views, v)
	return nil
}

// registerShow adds --show to run's flags.
func registerShow(fset *flag.FlagSet, s *showFlag) {
	fset.Var(s, "show", "after the call, at a fault or a timeout, show the memory `WHAT[:LEN][/FMT]` names (repeatable, at most 4): WHAT a symbol, a register (rsp, rdi, SP, DI: the memory it points to) or an address, +N or -N; LEN bytes (default one unit, a symbol's size; at most 4096); FMT gdb's letters x d u f s c and sizes b h w g (rsp:64/gx, counter/d, rdi:16/b)")
}

// symbols are the code's symbols where it was loaded, for --show.
func (r *report) symbols() []memview.Symbol {
	if r.rc.prog == nil {
		return nil
	}
	var syms []memview.Symbol
	for _, s := range r.rc.prog.Symbols {
		if strings.HasPrefix(s.Name, "<") {
			continue
		}
		syms = append(syms, memview.Symbol{Name: s.Name, Addr: r.base() + uint64(s.Offset), Size: s.Size})
	}
	return syms
}

// checkViews refuses a view of a symbol the code does not have (status
// 2), before anything runs.
func (r *report) checkViews() error {
	syms := r.symbols()
	for _, v := range r.views {
		if err := v.Check(syms); err != nil {
			return inputError("--show %s: %v", v.Spec, err)
		}
	}
	return nil
}

// renderViews renders every --show against the registers of the outcome.
func (r *report) renderViews(regs *trampoline.Regs) []memview.Shown {
	ctx := memview.Context{Regs: regs, Symbols: r.symbols()}
	var shown []memview.Shown
	for _, v := range r.views {
		s, err := v.Render(ctx)
		if err != nil { // checked before the run: a View that cannot render is jitrun's bug
			s = memview.Shown{Spec: v.Spec, What: err.Error()} // Text prints the spec and the error
		}
		shown = append(shown, s)
	}
	return shown
}

// writeViews prints the --show views under a line that says when they
// were taken.
func (r *report) writeViews(b *strings.Builder, out *outcome) {
	if len(r.views) == 0 {
		return
	}
	when := "after the return"
	switch {
	case out.fault != nil:
		when = "at the fault"
	case out.intr != nil:
		when = "where the code was stopped"
	}
	fmt.Fprintf(b, "\nmemory %s (--show):\n", when)
	for _, s := range r.renderViews(&out.regs) {
		b.WriteString(s.Text())
	}
}
