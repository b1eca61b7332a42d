package asm

import (
	"cmp"
	"slices"
	"strings"

	"github.com/jitrun/jitrun/asm/internal/ir"
)

// lines builds the line map: each source line that produced code, with the
// text of its statements, then each DATA line at its bytes.
//
// The code statements of one source line are consecutive, and so are their
// pieces: a line's bytes are one run. Its texts are joined with "; " (a
// label's with a space), once each: statements that repeat the previous
// one's position and text (the copies times makes, the prologue
// instructions attributed to a TEXT line) add nothing. The texts are joined
// once per line, so the cost is linear in the statements.
func (e *encoder) lines() []Line {
	group, out := e.lineTexts()
	// Each line gets the run of its pieces' bytes; a line without bytes is
	// dropped. out[k] is written only after out[g] for g >= k was read, so
	// the lines are compacted in place.
	n := 0
	last := int32(-1)
	for i := range e.pieces {
		pc := &e.pieces[i]
		if pc.size == 0 {
			continue
		}
		g := group[pc.stmt]
		if g == last && out[n-1].Offset+out[n-1].Len == pc.off {
			out[n-1].Len += pc.size
			continue
		}
		last = g
		out[n] = out[g]
		out[n].Offset, out[n].Len = pc.off, pc.size
		n++
	}
	return append(out[:n], e.dataLines()...)
}

// lineTexts groups the code statements by source line: group[i] is the
// line of statement i, and out holds each line's position and text.
func (e *encoder) lineTexts() (group []int32, out []Line) {
	group = make([]int32, len(e.stmts))
	out = make([]Line, 0, e.countLines())
	// A line with several texts is joined in b; multi says b holds the
	// text of the current line.
	var b strings.Builder
	multi := false
	flush := func() {
		if multi {
			out[len(out)-1].Text = b.String()
			multi = false
		}
	}
	var prev ir.Source // the last statement whose text was kept
	for i, st := range e.stmts {
		if isDataStmt(st) {
			continue // data: its lines are dataLines
		}
		src := st.Src()
		n := len(out)
		if n == 0 || !sameLine(out[n-1].Pos, src.Pos) {
			flush()
			out = append(out, Line{Pos: src.Pos})
			n++
			prev = ir.Source{}
		}
		group[i] = int32(n - 1)
		if src.Text == "" || src.Pos == prev.Pos && src.Text == prev.Text {
			continue
		}
		if out[n-1].Text == "" {
			out[n-1].Text = src.Text // the line's first text
		} else {
			if !multi {
				b.Reset()
				b.WriteString(out[n-1].Text)
				multi = true
			}
			if strings.HasSuffix(prev.Text, ":") {
				b.WriteByte(' ')
			} else {
				b.WriteString("; ")
			}
			b.WriteString(src.Text)
		}
		prev = src
	}
	flush()
	return group, out
}

// countLines counts the source lines of the code statements.
func (e *encoder) countLines() int {
	n := 0
	var last ir.Pos
	for _, st := range e.stmts {
		if isDataStmt(st) {
			continue
		}
		if pos := st.Src().Pos; n == 0 || !sameLine(last, pos) {
			n++
			last = pos
		}
	}
	return n
}

func isDataStmt(st ir.Stmt) bool {
	switch st.(type) {
	case *ir.GloblDef, *ir.DataDef:
		return true
	}
	return false
}

func sameLine(a, b ir.Pos) bool { return a.Line == b.Line && a.File == b.File }

// dataLines is a Line for each DATA statement, at its bytes, sorted by
// offset.
func (e *encoder) dataLines() []Line {
	var out []Line
	for _, st := range e.stmts {
		s, ok := st.(*ir.DataDef)
		if !ok {
			continue
		}
		d, ok := e.datas[ir.SymRef{Name: s.Name, Static: s.Static}]
		if !ok {
			continue
		}
		out = append(out, Line{Pos: s.Pos, Offset: d.off + int(s.Off), Len: int(s.Width), Text: s.Text})
	}
	slices.SortStableFunc(out, func(a, b Line) int { return cmp.Compare(a.Offset, b.Offset) })
	return out
}
