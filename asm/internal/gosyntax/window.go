package gosyntax

// The lexer reads a source through a window: a string copied from the
// source's bytes, from the start of a line to the end of a later one, at
// least minWindow bytes (lexer.minWindow, which tests make smaller). Lines the fast path reads (fastpath.go) are not
// copied at all, so a source of plain lines costs no copy of itself; the
// tokens, and the texts of the statements made from them, are slices of
// the window, which stays as long as they do. A logical line that runs
// past the end of the window (a /* */ comment or a #define continued over
// lines) is read again from a window twice as wide, from its start.

import "bytes"

// minWindow is the least a window holds.
const minWindow = 4096

// skipTo moves the lexer to the start of a line at offset at of the
// source, at or after its position: within the window when the window
// holds it, else at an empty window there.
func (l *lexer) skipTo(at int) {
	if at-l.base <= len(l.src) {
		l.pos = at - l.base
	} else {
		l.base, l.src, l.pos = at, "", 0
	}
	l.bol = l.pos
}

// window copies a window of at least size bytes (and l.minWindow) from the
// lexer's position, a line start, to the end of a line.
func (l *lexer) window(size int) {
	start := l.base + l.pos
	end := min(len(l.raw), start+max(size, l.minWindow, 1))
	if k := bytes.IndexByte(l.raw[end:], '\n'); k >= 0 {
		end += k + 1
	} else {
		end = len(l.raw)
	}
	l.src, l.base, l.pos, l.bol = string(l.raw[start:end]), start, 0, 0
}

// cut reports whether the window ends before the source does.
func (l *lexer) cut() bool { return l.base+len(l.src) < len(l.raw) }

// atEnd reports whether the lexer is at the end of the source.
func (l *lexer) atEnd() bool { return l.base+l.pos == len(l.raw) }
