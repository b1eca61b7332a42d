package gosyntax

// The lexer reads a source through a window: a string copied from the
// source's bytes, from the start of a line to the end of a later one,
// about minWindow bytes (lexer.minWindow, which tests make smaller).
// Lines the fast path reads (fastpath.go) are not copied at all, so a
// source of plain lines costs no copy of itself; the tokens, and the
// texts of the statements made from them, are slices of the window,
// which stays as long as they do. A logical line that runs past the end
// of the window (a /* */ comment or a #define continued over lines) is
// read again from a window twice as wide, from its start.

import "bytes"

// minWindow is the size of a window, unless a line is longer.
const minWindow = 4096

// skipTo moves the lexer to the start of a line at offset at of the
// source, at or after its position: within the window when the window
// holds it, else at an empty window there.
func (l *lexer) skipTo(at int) {
	switch {
	case at-l.base <= len(l.src):
		l.pos = at - l.base
	case l.src == "":
		l.base, l.pos = at, 0 // no string to let go of (and no write barrier)
	default:
		l.base, l.src, l.pos = at, "", 0
	}
	l.bol = l.pos
}

// window copies a window from the lexer's position, a line start, to the
// end of a line past its first past bytes: the last line that ends
// within size bytes (and l.minWindow), or, when none does, the first
// line that ends after them. So that the string fits its allocation, a
// window ends before minWindow bytes when it can.
func (l *lexer) window(past, size int) {
	start := l.base + l.pos
	end := len(l.raw)
	if limit := start + max(size, l.minWindow, past+1); limit < len(l.raw) {
		if k := bytes.LastIndexByte(l.raw[start+past:limit], '\n'); k >= 0 {
			end = start + past + k + 1
		} else if k := bytes.IndexByte(l.raw[limit:], '\n'); k >= 0 {
			end = limit + k + 1
		}
	}
	l.src, l.base, l.pos, l.bol = string(l.raw[start:end]), start, 0, 0
}

// cut reports whether the window ends before the source does.
func (l *lexer) cut() bool { return l.base+len(l.src) < len(l.raw) }

// atEnd reports whether the lexer is at the end of the source.
func (l *lexer) atEnd() bool { return l.base+l.pos == len(l.raw) }
