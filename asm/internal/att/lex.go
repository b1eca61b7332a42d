package att

// The lexer: one statement's tokens at a time. Identifiers may hold '.',
// '_', '$' after the first character, and '@' is a token of its own
// (@progbits, @function, sym@PLT); a register is '%' and a name; numbers
// are decimal, 0x hex, 0b binary, 0 octal, 'c character constants, or a
// decimal number followed by b or f (a local label reference: 1b, 2f);
// floating-point numbers (.double 1.5) keep their text.

import (
	"fmt"
	"strconv"
	"strings"
)

type tokKind uint8

const (
	tEOL    tokKind = iota // end of the statement
	tIdent                 // a name: mov, .text, .L3, main
	tReg                   // %name: text is the name without '%'
	tInt                   // an integer: val
	tFloat                 // a floating-point number: text
	tLocal                 // a local label reference 1b / 1f: text is "1b"
	tString                // "…": text is the decoded string
	tPunct                 // one of ( ) , : $ * + - / % < > & | ^ ~ ! { } @ = [ ]; text
)

// token is one token; col is its 1-based column in the line.
type token struct {
	kind tokKind
	text string
	val  int64
	col  int
}

func (t token) String() string {
	switch t.kind {
	case tEOL:
		return "end of line"
	case tReg:
		return "%" + t.text
	case tString:
		return strconv.Quote(t.text)
	case tInt:
		if t.text != "" {
			return t.text
		}
		return strconv.FormatInt(t.val, 10)
	}
	return strconv.Quote(t.text)
}

func (t token) is(p string) bool { return t.kind == tPunct && t.text == p }

// isPunct says which bytes are punctuation tokens.
var isPunct = func() (t [256]bool) {
	for _, c := range []byte("(),:$*+-/%<>&|^~!{}@=[]") {
		t[c] = true
	}
	return t
}()

// Byte classes (byteClass): what each byte can be in a statement.
const (
	bIdentStart = 1 << iota // starts an identifier: a letter, _ or .
	bIdentChar              // goes on in one: those, a digit or $
	bSpace                  // a space the lexer skips
	bUpper                  // an upper-case letter
)

// byteClass holds each byte's classes (bIdentStart …): one load for
// the tests the readers make of every byte.
var byteClass = func() (t [256]uint8) {
	for c := range 256 {
		b := byte(c)
		start := b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b == '_' || b == '.'
		if start {
			t[c] |= bIdentStart
		}
		if start || b >= '0' && b <= '9' || b == '$' {
			t[c] |= bIdentChar
		}
		if b == ' ' || b == '\t' || b == '\r' || b == '\f' || b == '\v' {
			t[c] |= bSpace
		}
		if b >= 'A' && b <= 'Z' {
			t[c] |= bUpper
		}
	}
	return t
}()

// isIdentStart reports whether c starts an identifier.
func isIdentStart(c byte) bool { return byteClass[c]&bIdentStart != 0 }

// isIdentChar reports whether c goes on in an identifier.
func isIdentChar(c byte) bool { return byteClass[c]&bIdentChar != 0 }

// lexer splits a source into statements and their tokens. It carries a
// /* */ comment from one line to the next.
type lexer struct {
	toks    []token
	inBlock bool // inside a /* */ comment that started on an earlier line
}

// lexError is a problem in a statement's text, at a column.
type lexError struct {
	col int
	msg string
}

// lex returns the tokens of s, which starts at column base+1 of its line,
// up to the end of s, a ';' outside quotes or a '#' comment: the tokens
// (ending with a tEOL), and the rest of s after the ';' (rest is -1 when
// s ends the line). The tokens are valid until the next call.
func (lx *lexer) lex(s string, base int) (toks []token, rest int, err *lexError) {
	lx.toks = lx.toks[:0]
	i, last, commented := 0, 0, false
	// last is where the statement's text ends: after its last token,
	// before a comment or the ';'.
	for i < len(s) {
		c := s[i]
		if lx.inBlock {
			end := strings.Index(s[i:], "*/")
			if end < 0 {
				i = len(s)
				break
			}
			lx.inBlock = false
			i += end + 2
			continue
		}
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			i++
			continue
		case c == '#':
			if len(lx.toks) > 0 {
				last = i
			}
			i, commented = len(s), true
			continue
		case c == ';':
			if len(lx.toks) > 0 {
				last = i
			}
			lx.toks = append(lx.toks, token{kind: tEOL, col: base + i + 1, val: int64(base + last)})
			return lx.toks, i + 1, nil
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			lx.inBlock = true
			i += 2
			continue
		case c == '/' && i+1 < len(s) && s[i+1] == '/':
			// GNU as on x86 reads // as a comment too.
			if len(lx.toks) > 0 {
				last = i
			}
			i, commented = len(s), true
			continue
		}
		col := base + i + 1
		switch {
		case isIdentStart(c):
			j := i + 1
			for j < len(s) && isIdentChar(s[j]) {
				j++
			}
			lx.toks = append(lx.toks, token{kind: tIdent, text: s[i:j], col: col})
			i = j
		case c == '%' && i+1 < len(s) && isIdentStart(s[i+1]):
			j := i + 1
			for j < len(s) && isIdentChar(s[j]) {
				j++
			}
			lx.toks = append(lx.toks, token{kind: tReg, text: s[i+1 : j], col: col})
			i = j
		case c >= '0' && c <= '9':
			j := i + 1
			for j < len(s) && (isIdentChar(s[j]) || (s[j] == '+' || s[j] == '-') && (s[j-1] == 'e' || s[j-1] == 'E') && !strings.HasPrefix(s[i:], "0x")) {
				j++
			}
			t, e := number(s[i:j], col)
			if e != nil {
				return nil, -1, e
			}
			lx.toks = append(lx.toks, t)
			i = j
		case c == '"':
			str, n, msg := unquote(s[i:])
			if msg != "" {
				return nil, -1, &lexError{col, msg}
			}
			lx.toks = append(lx.toks, token{kind: tString, text: str, col: col})
			i += n
		case c == '\'':
			// 'c (GNU) or 'c'.
			if i+1 >= len(s) {
				return nil, -1, &lexError{col, "character constant needs a character after '"}
			}
			v, n := int64(s[i+1]), 2
			if s[i+1] == '\\' && i+2 < len(s) {
				r, ok := escapes[s[i+2]]
				if !ok {
					return nil, -1, &lexError{col, fmt.Sprintf("unknown escape \\%c", s[i+2])}
				}
				v, n = int64(r), 3
			}
			if i+n < len(s) && s[i+n] == '\'' {
				n++
			}
			lx.toks = append(lx.toks, token{kind: tInt, val: v, text: s[i : i+n], col: col})
			i += n
		case isPunct[c]:
			n := 1
			if (c == '<' || c == '>') && i+1 < len(s) && s[i+1] == c {
				n = 2 // << >>
			}
			lx.toks = append(lx.toks, token{kind: tPunct, text: s[i : i+n], col: col})
			i += n
		default:
			return nil, -1, &lexError{col, fmt.Sprintf("unexpected character %q", c)}
		}
	}
	if len(lx.toks) > 0 && !commented {
		last = i
	}
	lx.toks = append(lx.toks, token{kind: tEOL, col: base + len(s) + 1, val: int64(base + last)})
	return lx.toks, -1, nil
}

var escapes = map[byte]byte{'n': '\n', 't': '\t', 'r': '\r', '0': 0, '\\': '\\', '\'': '\'', '"': '"', 'b': '\b', 'f': '\f', 'v': '\v', 'a': 7, 'e': 27}

// number reads a numeric token: an integer, a float, or a local label
// reference (1b, 1f).
func number(s string, col int) (token, *lexError) {
	if strings.HasPrefix(s, "1to") {
		return token{kind: tIdent, text: s, col: col}, nil // a broadcast {1to16}
	}
	if n := len(s); n >= 2 && (s[n-1] == 'b' || s[n-1] == 'f') && allDigits(s[:n-1]) {
		return token{kind: tLocal, text: s, col: col}, nil
	}
	if strings.ContainsAny(s, ".eE") && !strings.HasPrefix(s, "0x") && !strings.HasPrefix(s, "0X") {
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return token{kind: tFloat, text: s, col: col}, nil
		}
	}
	var u uint64
	var err error
	switch {
	case len(s) > 2 && (s[:2] == "0x" || s[:2] == "0X"):
		u, err = strconv.ParseUint(s[2:], 16, 64)
	case len(s) > 2 && (s[:2] == "0b" || s[:2] == "0B"):
		u, err = strconv.ParseUint(s[2:], 2, 64)
	case len(s) > 1 && s[0] == '0':
		u, err = strconv.ParseUint(s[1:], 8, 64)
	default:
		u, err = strconv.ParseUint(s, 10, 64)
	}
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return token{}, &lexError{col, fmt.Sprintf("number %s does not fit in 64 bits", s)}
		}
		return token{}, &lexError{col, fmt.Sprintf("bad number %s", s)}
	}
	return token{kind: tInt, val: int64(u), text: s, col: col}, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return len(s) > 0
}

// unquote decodes the string literal at the start of s and returns it and
// its length in s; msg says what is wrong with it.
func unquote(s string) (str string, n int, msg string) {
	var b []byte
	plain := true
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			if plain {
				return s[1:i], i + 1, ""
			}
			return string(b), i + 1, ""
		case '\\':
			if plain {
				b = append(b, s[1:i]...)
				plain = false
			}
			if i+1 >= len(s) {
				return "", 0, "unterminated string"
			}
			i++
			c = s[i]
			switch {
			case c >= '0' && c <= '7':
				// Up to three octal digits.
				v := 0
				k := 0
				for k < 3 && i+k < len(s) && s[i+k] >= '0' && s[i+k] <= '7' {
					v = v*8 + int(s[i+k]-'0')
					k++
				}
				if v > 255 {
					return "", 0, fmt.Sprintf("octal escape \\%s is above 255", s[i:i+k])
				}
				b = append(b, byte(v))
				i += k - 1
			case c == 'x':
				v, k := 0, 1
				for ; i+k < len(s) && k <= 2 && isHex(s[i+k]); k++ {
					v = v*16 + hexVal(s[i+k])
				}
				if k == 1 {
					return "", 0, "\\x needs hex digits"
				}
				b = append(b, byte(v))
				i += k - 1
			default:
				r, ok := escapes[c]
				if !ok {
					return "", 0, fmt.Sprintf("unknown escape \\%c in string", c)
				}
				b = append(b, r)
			}
		default:
			if !plain {
				b = append(b, c)
			}
		}
	}
	return "", 0, "unterminated string"
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func hexVal(c byte) int {
	switch {
	case c >= 'a':
		return int(c-'a') + 10
	case c >= 'A':
		return int(c-'A') + 10
	}
	return int(c - '0')
}
