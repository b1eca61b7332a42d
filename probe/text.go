package probe

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jitrun/jitrun/execmem"
)

// WriteText writes the report as text: the host's posture, then a table
// per section (probe, what was requested, what the read, the write and the
// instruction fetch did, the verdict, the evidence), then the summary in
// words and the timings. verbose adds, under each probe, every step with
// its full evidence (decoded error code, address, PC), the note (the
// /proc/self/maps line) and the time it took.
func (r *Report) WriteText(w io.Writer, verbose bool) error {
	tw := &textWriter{w: w}
	tw.line("host")
	for _, kv := range r.Host.Describe() {
		tw.line("  %-19s %s", kv[0], kv[1])
	}
	for _, e := range r.Host.Errors {
		tw.line("  %-19s %s", "could not read", e)
	}

	header := []string{"PROBE", "REQUESTED", "READ", "WRITE", "EXEC", "RESULT", "EVIDENCE"}
	widths := make([]int, len(header)-1)
	for i := range widths {
		widths[i] = len(header[i])
	}
	cells := make([][]string, len(r.Probes))
	for i := range r.Probes {
		cells[i] = r.Probes[i].cells()
		for j := range widths {
			widths[j] = max(widths[j], len([]rune(cells[i][j])))
		}
	}
	row := func(c []string) {
		var b strings.Builder
		b.WriteString("  ")
		for j, s := range c {
			if j < len(widths) {
				b.WriteString(s + strings.Repeat(" ", widths[j]-len([]rune(s))+2))
			} else {
				b.WriteString(s)
			}
		}
		tw.line("%s", strings.TrimRight(b.String(), " "))
	}
	for _, sec := range sections() {
		first := true
		for i := range r.Probes {
			p := &r.Probes[i]
			if p.Section() != sec.name {
				continue
			}
			if first {
				tw.line("")
				tw.line("%s: %s", sec.name, sec.title)
				row(header)
				first = false
			}
			row(cells[i])
			if verbose {
				p.writeSteps(tw)
			}
		}
	}
	if s := r.Summary(); len(s) > 0 {
		tw.line("")
		tw.line("summary:")
		for _, c := range s {
			tw.line("  %s", c)
		}
	}
	tw.line("")
	tw.line("%s", r.timing())
	if verbose {
		for _, c := range r.Children {
			tw.line("  child %s: %s in %v", c.Group, c.Exit, roundDuration(c.Elapsed))
			if c.Stderr != "" {
				tw.line("    stderr: %s", strings.ReplaceAll(c.Stderr, "\n", "\n            "))
			}
		}
	}
	return tw.err
}

// cells returns the table row of a result.
func (r *Result) cells() []string {
	c := []string{r.Name, r.Requested}
	for _, s := range []string{StepRead, StepWrite, StepExec} {
		o, _ := r.Step(s)
		c = append(c, o.Cell())
	}
	c = append(c, r.Verdict())
	return append(c, r.shortEvidence())
}

// shortEvidence is the table's evidence cell: every step that was not
// allowed (or that ran code which then faulted), the detail of a verdict
// step that is a system call ("moved: asked for …"), and the note.
func (r *Result) shortEvidence() string {
	var parts []string
	for i, s := range r.Steps {
		access := s.Name == StepRead || s.Name == StepWrite || s.Name == StepExec
		last := i == len(r.Steps)-1
		switch {
		case s.Outcome != Allowed:
		case s.Fault != nil:
		case !access && last:
		default:
			continue
		}
		if e := s.Evidence(false); e != "" {
			parts = append(parts, s.Name+": "+e)
		}
	}
	if r.Note != "" {
		parts = append(parts, r.Note)
	}
	return strings.Join(parts, " | ")
}

// writeSteps writes the verbose lines under a result.
func (r *Result) writeSteps(tw *textWriter) {
	for _, s := range r.Steps {
		ev := s.Evidence(true)
		line := s.Cell()
		if ev != "" {
			line += "; " + ev
		}
		tw.line("      %-13s %s", s.Name+":", line)
	}
	if r.Maps != "" {
		tw.line("      %-13s %s", "maps:", r.Maps)
	}
	where := ""
	if r.Child {
		where = " (in the child process)"
	}
	tw.line("      %-13s %v%s", "time:", roundDuration(r.Elapsed), where)
}

// timing is the closing line: how many probes, how long, the slowest.
func (r *Report) timing() string {
	var slow *Result
	for i := range r.Probes {
		if slow == nil || r.Probes[i].Elapsed > slow.Elapsed {
			slow = &r.Probes[i]
		}
	}
	noun := "probes"
	if len(r.Probes) == 1 {
		noun = "probe"
	}
	s := fmt.Sprintf("%d %s in %v", len(r.Probes), noun, roundDuration(r.Elapsed))
	if slow != nil {
		s += fmt.Sprintf("; slowest %s %v", slow.Name, roundDuration(slow.Elapsed))
	}
	var kids []string
	for _, c := range r.Children {
		k := fmt.Sprintf("%s %v", c.Group, roundDuration(c.Elapsed))
		if !c.OK() {
			k += " (" + c.Exit + ")"
		}
		kids = append(kids, k)
	}
	if len(kids) > 0 {
		s += "; child processes: " + strings.Join(kids, ", ")
	}
	return s
}

// roundDuration keeps three significant digits or so.
func roundDuration(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}

// textWriter writes lines and keeps the first error.
type textWriter struct {
	w   io.Writer
	err error
}

func (t *textWriter) line(format string, args ...any) {
	if t.err != nil {
		return
	}
	_, t.err = fmt.Fprintf(t.w, format+"\n", args...)
}

// errnoOf returns the errno of the probe's refused step, "?" if none.
func errnoOf(p *Result) string {
	for _, s := range p.Steps {
		if s.Outcome == Refused && s.Errno != "" {
			return s.Errno
		}
	}
	return "?"
}

func faultCode(p *Result, step string) string {
	o, _ := p.Step(step)
	if o.Fault == nil {
		return "?"
	}
	return o.Fault.CodeName()
}

// whereWords names a kind of memory of the exec probes in a sentence.
func whereWords(name string) string {
	switch name {
	case "data":
		return "initialised data"
	case "stack":
		return "the goroutine stack"
	case "mainstack":
		return "the main thread's stack"
	case "jitstack":
		return "the JIT stack"
	case "anon":
		return "anonymous memory"
	}
	return "the " + name
}

// listWords joins "a", "b", "c" as "a, b and c".
func listWords(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

func isAre(items []string) string {
	if len(items) == 1 {
		return "is"
	}
	return "are"
}

// String describes the request in words: "4096 bytes rw-, private
// anonymous, hint 0x7f0000000000".
func (r MmapRequest) String() string {
	kind := "private"
	if r.Shared {
		kind = "shared"
	}
	if r.File == "" {
		kind += " anonymous"
	} else {
		kind += fmt.Sprintf(" file %s at offset %#x", r.File, r.Offset)
	}
	where := "placed by the kernel"
	switch r.Placement {
	case execmem.PlaceHint:
		where = fmt.Sprintf("hint %#x", r.Addr)
	case execmem.PlaceNoReplace:
		where = fmt.Sprintf("MAP_FIXED_NOREPLACE at %#x", r.Addr)
	case execmem.PlaceFixed:
		where = fmt.Sprintf("MAP_FIXED at %#x", r.Addr)
	}
	unit := "bytes"
	if r.Size == 1 {
		unit = "byte"
	}
	return fmt.Sprintf("%d %s %s, %s, %s", r.Size, unit, r.Prot, kind, where)
}

// WriteText writes what Mmap saw: the request, the outcome of the mmap,
// where the mapping landed and its /proc/self/maps line, what MAP_FIXED
// replaced, and a line per touch with its evidence (long: the decoded
// error code, the address and the PC of a fault).
func (m *MmapResult) WriteText(w io.Writer) error {
	tw := &textWriter{w: w}
	tw.line("%-9s %s", "request", m.Request)
	for _, r := range m.Replaced {
		tw.line("%-9s %s", "replaces", r)
	}
	mm := m.Mmap.Cell()
	if m.Mmap.Outcome == Failed && m.Child != nil && !m.Child.OK() {
		mm = "unknown" // the process that made it died before saying
	}
	if e := m.Mmap.Evidence(true); e != "" {
		mm += ": " + e
	}
	tw.line("%-9s %s", "mmap", mm)
	if m.Mmap.Outcome == Allowed {
		tw.line("%-9s %#x-%#x (%d bytes)", "mapped", m.Addr, m.Addr+uintptr(m.Len), m.Len)
		tw.line("%-9s %s", "maps", m.Maps)
	}
	if len(m.Touches) > 0 {
		width := 0
		for _, t := range m.Touches {
			width = max(width, len(t.Touch.String()))
		}
		for _, t := range m.Touches {
			s := fmt.Sprintf("%-*s  %#x  %s", width, t.Touch.String(), t.Addr, t.Cell())
			if e := t.Evidence(true); e != "" {
				s += ": " + e
			}
			if t.Outside {
				s += " (past the end of the mapping)"
			}
			tw.line("%-9s %s", "touch", s)
		}
	} else if m.Mmap.Outcome == Allowed && len(m.Request.Touches) > 0 {
		tw.line("%-9s %s", "touch", "none made")
	}
	if c := m.Child; c != nil {
		tw.line("%-9s %s in %v (MAP_FIXED requests run in a child process)", "child", c.Exit, roundDuration(c.Elapsed))
		if c.Stderr != "" {
			lines := strings.Split(c.Stderr, "\n")
			if len(lines) > 3 {
				lines = append(lines[:3], "…")
			}
			tw.line("%-9s %s", "stderr", strings.Join(lines, "\n          "))
		}
	}
	return tw.err
}
