package asm

import (
	"cmp"
	"slices"
	"strings"

	"github.com/jitrun/jitrun/asm/internal/ir"
)

// lineMap builds the line map as the code statements are placed: each
// source line that has them, at first without its bytes, with the text of
// its statements. The code statements of one source line are consecutive,
// and so are their pieces: a line's bytes are one run (lines).
//
// A line's texts are joined with "; " (a label's with a space), once each:
// statements that repeat the previous one's position and text (the copies
// times makes, the same instruction built in a Go loop) add nothing. The
// prologue and epilogue instructions the encoder adds are not statements:
// their bytes belong to the TEXT or RET line, which gives the text. The
// texts are joined once per line, so the cost is linear in the statements.
type lineMap struct {
	lines []Line
	// A line with several texts is joined in b; multi says b holds the
	// text of the current line.
	b     strings.Builder
	multi bool
	// The last statement of the current line whose text was kept: its
	// column (0 for none yet) and text. Its file and line are the
	// current line's.
	prevCol  int
	prevText string
}

// add adds a statement's source to the line map.
func (m *lineMap) add(src *ir.Source) {
	n := len(m.lines)
	if n == 0 || !sameLine(m.lines[n-1].Pos, src.Pos) {
		m.flush()
		if n < cap(m.lines) {
			// The element is zero (the slice only grows): set the
			// position alone, not a whole Line with its strings.
			m.lines = m.lines[:n+1]
			m.lines[n].Pos = src.Pos
		} else {
			m.lines = append(m.lines, Line{Pos: src.Pos})
		}
		// A new line: its first text, if any, is the statement's (its
		// Text is empty until now).
		if src.Text == "" {
			m.prevCol, m.prevText = 0, ""
			return
		}
		m.lines[n].Text = src.Text
		m.prevCol, m.prevText = src.Pos.Col, src.Text
		return
	}
	if src.Text == "" || src.Pos.Col == m.prevCol && src.Text == m.prevText {
		return
	}
	if m.lines[n-1].Text == "" {
		m.lines[n-1].Text = src.Text // the line's first text
	} else {
		if !m.multi {
			m.b.Reset()
			m.b.WriteString(m.lines[n-1].Text)
			m.multi = true
		}
		if strings.HasSuffix(m.prevText, ":") {
			m.b.WriteByte(' ')
		} else {
			m.b.WriteString("; ")
		}
		m.b.WriteString(src.Text)
	}
	m.prevCol, m.prevText = src.Pos.Col, src.Text
}

// current is the index of the line a piece placed now belongs to.
func (m *lineMap) current() int32 { return int32(len(m.lines) - 1) }

// flush ends the current line's text.
func (m *lineMap) flush() {
	if m.multi {
		m.lines[len(m.lines)-1].Text = m.b.String()
		m.multi = false
	}
}

func sameLine(a, b ir.Pos) bool { return a.Line == b.Line && a.File == b.File }

// lines returns the line map: each source line that produced code, with
// the run of its bytes, then each DATA line at its bytes.
func (e *encoder) lines() []Line {
	e.lineMap.flush()
	out := e.lineMap.lines
	// out[k] is written only after out[g] for g >= k was read, so the lines
	// are compacted in place; a line without bytes is dropped.
	n := 0
	last := int32(-1)
	for i := range e.pieces {
		pc := &e.pieces[i]
		if pc.size == 0 {
			continue
		}
		g := pc.line
		if g == last && out[n-1].Offset+out[n-1].Len == pc.off {
			out[n-1].Len += pc.size
			continue
		}
		last = g
		if int(g) != n {
			out[n] = out[g]
		}
		out[n].Offset, out[n].Len = pc.off, pc.size
		n++
	}
	return append(out[:n:n], e.dataLines()...)
}

// dataLines is a Line for each DATA statement, at its bytes, sorted by
// offset.
func (e *encoder) dataLines() []Line {
	var out []Line
	for _, s := range e.dataDefs {
		d, ok := e.datas[ir.SymRef{Name: s.Name, Static: s.Static}]
		if !ok {
			continue
		}
		out = append(out, Line{Pos: s.Pos, Offset: d.off + int(s.Off), Len: int(s.Width), Text: s.Text})
	}
	slices.SortStableFunc(out, func(a, b Line) int { return cmp.Compare(a.Offset, b.Offset) })
	return out
}
