package trace

import (
	"fmt"
	"strconv"
	"strings"
)

// MaxLoopLen is the longest loop body (in steps) a Folder folds.
const MaxLoopLen = 64

// Folder folds the repeated iterations of a loop in a text trace. Add
// takes each step with its line; the lines go on to Out, but once the
// same sequence of addresses has run twice in a row (a loop body of up to
// MaxLoopLen steps), further iterations of it are counted instead of
// shown. When the code leaves the loop (or Flush is called at the end of
// the trace) Out gets one line for them,
//
//	loop+0x0..+0x6 × 9,998 more iterations
//
// (the lowest and highest place of the body, Indent before it), then the
// lines of the iteration that was cut short. A step with a breakpoint hit
// or a fault is never folded. A Folder is for one trace.
type Folder struct {
	Out    func(line string)
	Indent string

	recent []Place // the places of the last steps shown, up to 2*MaxLoopLen
	body   []Place // the loop being folded; nil when none is
	next   int     // index in body of the step expected next
	folded int     // iterations folded
	cut    []string
}

// Add takes the next step and its line.
func (f *Folder) Add(s *Step, line string) {
	if f.body != nil {
		if s.Break == nil && s.Fault == nil && s.PC == f.body[f.next].PC {
			f.cut = append(f.cut, line)
			if f.next++; f.next == len(f.body) {
				f.folded++
				f.next, f.cut = 0, f.cut[:0]
			}
			return
		}
		f.Flush()
	}
	f.Out(line)
	if s.Break != nil || s.Fault != nil {
		f.recent = f.recent[:0]
		return
	}
	if len(f.recent) == 2*MaxLoopLen {
		f.recent = append(f.recent[:0], f.recent[1:]...)
	}
	f.recent = append(f.recent, s.Place)
	f.detect()
}

// detect starts folding when the last steps are two runs of the same
// addresses: the shortest such loop.
func (f *Folder) detect() {
	n := len(f.recent)
	for p := 1; 2*p <= n; p++ {
		same := true
		for i := n - p; i < n && same; i++ {
			same = f.recent[i].PC == f.recent[i-p].PC
		}
		if same {
			f.body = append([]Place(nil), f.recent[n-p:]...)
			f.next, f.folded = 0, 0
			f.recent = f.recent[:0]
			return
		}
	}
}

// Flush ends a fold: it writes the line of the folded iterations, if
// any, and the lines of the iteration cut short.
func (f *Folder) Flush() {
	if f.body == nil {
		return
	}
	if f.folded > 0 {
		f.Out(f.Indent + foldLine(f.body, f.folded))
	}
	for _, l := range f.cut {
		f.Out(l)
	}
	// The lines just shown are the start of the loop again: they may
	// begin the next fold.
	f.recent = append(f.recent[:0], f.body[:f.next]...)
	f.body, f.cut, f.next, f.folded = nil, nil, 0, 0
}

// foldLine writes "loop+0x0..+0x6 × 9,998 more iterations".
func foldLine(body []Place, n int) string {
	lo, hi := body[0], body[0]
	for _, p := range body {
		if p.PC < lo.PC {
			lo = p
		}
		if p.PC > hi.PC {
			hi = p
		}
	}
	span := lo.String()
	if hi.PC != lo.PC {
		last := hi.String()
		if hi.Symbol == lo.Symbol && hi.Offset >= 0 && lo.Offset >= 0 {
			last = last[len(hi.Symbol):]
		}
		span += ".." + last
	}
	what := "more iterations"
	if n == 1 {
		what = "more iteration"
	}
	return fmt.Sprintf("%s × %s %s", span, Count(n), what)
}

// Count writes n with thousands separators: 9,998.
func Count(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
