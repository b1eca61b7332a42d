package gosyntax

// The Go-syntax lexer: source bytes to tokens, the way `go tool asm`'s
// text/scanner configuration sees them (identifiers may contain · and ∕,
// << and >> are single tokens, newlines are tokens, comments vanish).

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jitrun/jitrun/asm/internal/ir"
)

type tokKind uint8

const (
	tokEOF     tokKind = iota
	tokNewline         // end of a line
	tokSemi            // ;
	tokIdent           // AX, MOVQ, runtime·memmove
	tokInt             // 42, 0x2a, 0b101, 017
	tokFloat           // 1.5, 1e9
	tokChar            // 'a'
	tokString          // "abc"
	tokPunct           // ( ) , $ * + - / % & | ^ ~ < > << >> : . [ ] # \ …
)

// token is one lexical token. text is a slice of the source (or of a macro
// definition); line and col are where it starts, or, for a token produced by
// a macro expansion, where the macro was invoked.
type token struct {
	kind     tokKind
	text     string
	line     int32
	col      int32
	off, end int32 // byte range in the source; off < 0 for expanded tokens
}

func (t token) is(punct string) bool { return t.kind == tokPunct && t.text == punct }

func (t token) String() string {
	switch t.kind {
	case tokEOF:
		return "end of statement"
	case tokNewline:
		return "newline"
	}
	return t.text
}

// lexer turns one source into tokens. It reads the source's bytes (raw)
// through a window (window.go): src, a copy of raw from offset base. The
// offsets it keeps, and those of the tokens it makes, are in the window.
type lexer struct {
	file string
	raw  []byte
	base int
	src  string
	pos  int
	line int32
	bol  int // offset of the current line's first byte
	errs *ir.Errors
	// minWindow is the least a window holds (window.go).
	minWindow int
}

func (l *lexer) errorf(line int32, col int32, format string, args ...any) {
	l.errs.Add(ir.Pos{File: l.file, Line: int(line), Col: int(col)}, format, args...)
}

func isIdentStart(r rune) bool {
	return r == '_' || r == '·' || r == '∕' || unicode.IsLetter(r)
}

func isIdentRune(r rune) bool {
	return isIdentStart(r) || unicode.IsDigit(r)
}

// scan reads the next token into t. A character that starts no token is
// reported and skipped.
func (l *lexer) scan(t *token) {
	src := l.src
	for {
		// Blanks, the common case, are skipped here; comments by comment.
		for l.pos < len(src) {
			c := src[l.pos]
			if c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' {
				l.pos++
			} else if c == '/' && l.pos+1 < len(src) && (src[l.pos+1] == '/' || src[l.pos+1] == '*') {
				l.comment()
			} else {
				break
			}
		}
		if l.token(t) {
			return
		}
	}
}

// comment skips a // comment (up to its newline) or a /* */ one.
func (l *lexer) comment() {
	if l.src[l.pos+1] == '*' {
		l.blockComment()
		return
	}
	if i := strings.IndexByte(l.src[l.pos:], '\n'); i >= 0 {
		l.pos += i
	} else {
		l.pos = len(l.src)
	}
}

// blockComment skips a /* */ comment. One spanning lines does not end the
// statement, as in go tool asm.
func (l *lexer) blockComment() {
	src := l.src
	startLine, startCol := l.line, int32(l.pos-l.bol+1)
	l.pos += 2
	for l.pos < len(src) {
		if src[l.pos] == '*' && l.pos+1 < len(src) && src[l.pos+1] == '/' {
			l.pos += 2
			return
		}
		if src[l.pos] == '\n' {
			l.line++
			l.bol = l.pos + 1
		}
		l.pos++
	}
	l.errorf(startLine, startCol, "comment not terminated")
}

// token reads the token at l.pos into t, or reports the character there
// and skips it, returning false.
func (l *lexer) token(t *token) bool {
	src := l.src
	start := l.pos
	// The fields are set one by one, not by assigning a token literal:
	// that would clear the whole token first, and the slice of tokens it
	// is in holds pointers (text), so clearing it costs a bulk write
	// barrier whenever the GC runs.
	t.line, t.col, t.off = l.line, int32(start-l.bol+1), int32(start)
	if l.pos >= len(src) {
		t.kind, t.text, t.end = tokEOF, "", t.off
		return true
	}
	c := src[l.pos]
	switch {
	case c == '\n':
		l.pos++
		t.kind = tokNewline
		l.line++
		l.bol = l.pos
	case c == ';':
		l.pos++
		t.kind = tokSemi
	case c >= '0' && c <= '9' || c == '.' && l.pos+1 < len(src) && src[l.pos+1] >= '0' && src[l.pos+1] <= '9':
		l.number(t)
	case c == '\'':
		l.quoted(t, '\'')
		t.kind = tokChar
	case c == '"':
		l.quoted(t, '"')
		t.kind = tokString
	case c < utf8.RuneSelf && (c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'):
		l.ident(t)
	case c >= utf8.RuneSelf:
		if !l.unicodeIdent(t) {
			return false
		}
	case (c == '<' || c == '>') && l.pos+1 < len(src) && src[l.pos+1] == c:
		l.pos += 2
		t.kind = tokPunct
	case isPunct(c):
		l.pos++
		t.kind = tokPunct
	default:
		l.pos++
		l.errorf(t.line, t.col, "unexpected character %q", rune(c))
		return false
	}
	t.end = int32(l.pos)
	t.text = src[start:l.pos]
	return true
}

// unicodeIdent reads an identifier that starts with a non-ASCII letter, or
// reports the character at l.pos and skips it, returning false.
func (l *lexer) unicodeIdent(t *token) bool {
	r, size := utf8.DecodeRuneInString(l.src[l.pos:])
	switch {
	case r == utf8.RuneError && size == 1:
		l.errorf(t.line, t.col, "invalid UTF-8 byte %#02x", l.src[l.pos])
	case !isIdentStart(r):
		l.errorf(t.line, t.col, "unexpected character %q", r)
	default:
		l.ident(t)
		return true
	}
	l.pos += size
	return false
}

func isPunct(c byte) bool {
	switch c {
	case '(', ')', ',', '$', '*', '+', '-', '/', '%', '&', '|', '^', '~', '<', '>',
		':', '.', '[', ']', '{', '}', '#', '\\', '=', '!', '@', '?':
		return true
	}
	return false
}

func (l *lexer) ident(t *token) {
	t.kind = tokIdent
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		if c < utf8.RuneSelf {
			if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
				l.pos++
				continue
			}
			return
		}
		r, size := utf8.DecodeRuneInString(l.src[l.pos:])
		if !isIdentRune(r) {
			return
		}
		l.pos += size
	}
}

// number scans an integer or floating-point literal as text/scanner does:
// prefixes 0x, 0o, 0b, leading-0 octal, underscores, fractions, exponents
// (p exponents for hex floats).
func (l *lexer) number(t *token) {
	src := l.src
	t.kind = tokInt
	isDigit := func(c byte) bool {
		return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == '_'
	}
	hex := false
	if src[l.pos] == '0' && l.pos+1 < len(src) {
		switch src[l.pos+1] {
		case 'x', 'X':
			hex = true
			l.pos += 2
		case 'b', 'B', 'o', 'O':
			l.pos += 2
		}
	}
	for l.pos < len(src) {
		c := src[l.pos]
		switch {
		case c == '.':
			t.kind = tokFloat
		case (c == 'e' || c == 'E') && !hex, (c == 'p' || c == 'P') && hex:
			t.kind = tokFloat
			if l.pos+1 < len(src) && (src[l.pos+1] == '+' || src[l.pos+1] == '-') {
				l.pos++
			}
		case isDigit(c) && (hex || c <= '9' || c == '_'):
		default:
			return
		}
		l.pos++
	}
}

// quoted scans a character or string literal (no newlines inside).
func (l *lexer) quoted(t *token, quote byte) {
	l.pos++
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch c {
		case '\\':
			if l.pos+1 < len(l.src) && l.src[l.pos+1] == '\n' {
				l.pos++
				l.errorf(t.line, t.col, "%s literal not terminated", literalName(quote))
				return
			}
			l.pos += 2
			continue
		case '\n':
			l.errorf(t.line, t.col, "%s literal not terminated", literalName(quote))
			return
		case quote:
			l.pos++
			return
		}
		l.pos++
	}
	if l.pos > len(l.src) {
		l.pos = len(l.src)
	}
	l.errorf(t.line, t.col, "%s literal not terminated", literalName(quote))
}

func literalName(quote byte) string {
	if quote == '"' {
		return "string"
	}
	return "character"
}

// tokenText rebuilds the source text of a token run: the source slice
// between tokens that come straight from the source (one space for any run
// of blanks or comments between them), spaces after commas elsewhere.
func tokenText(src string, toks []token) string {
	if len(toks) == 0 {
		return ""
	}
	fromSource := true
	for _, t := range toks {
		if t.off < 0 {
			fromSource = false
			break
		}
	}
	first, last := toks[0], toks[len(toks)-1]
	if fromSource && int(last.end) <= len(src) {
		// The common case: no comment inside, single spaces or tabs.
		s := src[first.off:last.end]
		clean := true
		for i := 0; i < len(s); i++ {
			if s[i] == '/' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r' {
				if s[i] == '/' && i+1 < len(s) && s[i+1] != '*' && s[i+1] != '/' {
					continue
				}
				clean = false
				break
			}
		}
		if clean {
			return s
		}
	}
	buf := make([]byte, 0, 64)
	for i, t := range toks {
		if i > 0 {
			prev := toks[i-1]
			switch {
			case fromSource || (prev.off >= 0 && t.off >= 0):
				if t.off > prev.end {
					buf = append(buf, ' ')
				}
			case prev.is(",") || i == 1 && prev.kind == tokIdent:
				buf = append(buf, ' ')
			}
		}
		buf = append(buf, t.text...)
	}
	return string(buf)
}
