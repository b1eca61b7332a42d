package intel

// The Intel-syntax lexer: one source line in, tokens out. Comments start
// with ';' or '#' outside a string and run to the end of the line.

import (
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"strconv"
	"strings"
)

type itokKind uint8

const (
	itEOL    itokKind = iota
	itIdent           // a name: mnemonic, register, label, keyword, $ or $$
	itInt             // an integer constant, also 'c' character constants
	itFloat           // a floating-point constant (data directives only)
	itString          // a quoted string: '…', "…" or `…`
	itPunct           // , [ ] ( ) + - * / % << >> & | ^ ~ ! :
	itDecor           // {…}: its text is the contents, lower case, without blanks
)

// itok is one token; col is its 1-based byte column.
type itok struct {
	kind  itokKind
	text  string // identifier or punctuation as written; string contents
	ival  int64
	fval  float64
	quote byte // itString: the quote character
	col   int
}

func (t itok) String() string {
	switch t.kind {
	case itEOL:
		return "end of line"
	case itString:
		return string(t.quote) + t.text + string(t.quote)
	case itDecor:
		return "{" + t.text + "}"
	}
	return t.text
}

// lexIntelLine splits one line into tokens. It returns the tokens (ending
// with itEOL), the text of the line without its comment, and the first
// error as a column and message.
func lexIntelLine(line string) (toks []itok, text string, errCol int, errMsg string) {
	return lexIntelLineInto(nil, line)
}

// lexIntelLineInto is lexIntelLine appending the tokens to buf[:0], so that
// a parser reuses one buffer for every line.
func lexIntelLineInto(buf []itok, line string) (toks []itok, text string, errCol int, errMsg string) {
	toks = buf[:0]
	i := 0
	end := len(line)
	for i < end {
		c := line[i]
		switch {
		case c == ';' || c == '#':
			end = i
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			i++
		case c == '{':
			// An AVX-512 decoration: {k1}, {z}, {1to16}, {rn-sae}, {sae}.
			j := strings.IndexByte(line[i:end], '}')
			if j < 0 {
				return nil, "", i + 1, "unterminated { (missing })"
			}
			inner := decorText(line[i+1 : i+j])
			toks = append(toks, itok{kind: itDecor, text: inner, col: i + 1})
			i += j + 1
		case c == '\'' || c == '"' || c == '`':
			s, n, msg := lexIntelString(line[i:])
			if msg != "" {
				return nil, "", i + 1, msg
			}
			toks = append(toks, itok{kind: itString, text: s, quote: c, col: i + 1})
			if c == '\'' {
				// 'a' is also a character constant.
				toks[len(toks)-1].ival = charConst(s)
			}
			i += n
		case c >= '0' && c <= '9':
			j := i
			for j < len(line) && (isIntelIdentChar(line[j]) || line[j] == '.' ||
				((line[j] == '+' || line[j] == '-') && j > i && (line[j-1] == 'e' || line[j-1] == 'E') && !isHexPrefixed(line[i:j]))) {
				j++
			}
			t, msg := lexIntelNumber(line[i:j])
			if msg != "" {
				return nil, "", i + 1, msg
			}
			t.col = i + 1
			t.text = line[i:j]
			toks = append(toks, t)
			i = j
		case isIntelIdentStart(c):
			j := i + 1
			if c == '$' && j < len(line) && line[j] == '$' {
				j++ // $$
			} else {
				for j < len(line) && isIntelIdentChar(line[j]) {
					j++
				}
			}
			name := line[i:j]
			if len(name) > 1 && name[0] == '$' && name[1] >= '0' && name[1] <= '9' {
				return nil, "", i + 1, fmt.Sprintf("%s is AT&T syntax for an immediate, which jitrun does not read: write %s", name, name[1:])
			}
			if len(name) > 1 && name[0] == '$' && name != "$$" {
				name = name[1:] // NASM's $name: a name that would be a keyword
			}
			toks = append(toks, itok{kind: itIdent, text: name, col: i + 1})
			i = j
		default:
			p := line[i : i+1] // not string(c), which allocates
			if i+1 < len(line) {
				if two := line[i : i+2]; two == "<<" || two == ">>" {
					p = two
				}
			}
			if !strings.Contains(",[]()+-*/%<>&|^~!:=", p[:1]) || p == "<" || p == ">" || p == "=" {
				return nil, "", i + 1, fmt.Sprintf("unexpected character %q", c)
			}
			toks = append(toks, itok{kind: itPunct, text: p, col: i + 1})
			i += len(p)
		}
	}
	toks = append(toks, itok{kind: itEOL, col: end + 1})
	return toks, strings.TrimSpace(line[:end]), 0, ""
}

// decorText is the text of a decoration: its contents in lower case,
// without blanks. The usual {k1}, {z}, {1to16} are their own text.
func decorText(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 'A' && c <= 'Z' || c >= 0x80 {
			return strings.ToLower(strings.Join(strings.Fields(s), ""))
		}
	}
	return s
}

func isIntelIdentStart(c byte) bool { return intelIdentClass[c]&identStart != 0 }

func isIntelIdentChar(c byte) bool { return intelIdentClass[c] != 0 }

// intelIdentClass classifies bytes for the lexer's identifiers (read-only
// once made): identStart for a byte that starts one, identChar for a
// digit, which only continues one.
var intelIdentClass = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		b := byte(c)
		switch {
		case b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b == '_' || b == '.' || b == '?' || b == '@' || b == '$':
			t[c] = identStart
		case b >= '0' && b <= '9':
			t[c] = identChar
		}
	}
	return t
}()

const (
	identStart = 1 << iota
	identChar
)

func isHexPrefixed(s string) bool {
	return len(s) > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')
}

// lexIntelString reads a quoted string at the start of s and returns its
// contents and length. '…' and "…" are taken as written (NASM); `…`
// understands C escapes.
func lexIntelString(s string) (string, int, string) {
	q := s[0]
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		if c == q {
			return b.String(), i + 1, ""
		}
		if c == '\\' && q == '`' && i+1 < len(s) {
			r, n, msg := unescapeC(s[i+1:])
			if msg != "" {
				return "", 0, msg
			}
			b.WriteString(r)
			i += n
			continue
		}
		b.WriteByte(c)
	}
	return "", 0, fmt.Sprintf("unterminated string (missing closing %c)", q)
}

// unescapeC decodes one C escape (after the backslash) and returns the bytes
// and how many characters it used.
func unescapeC(s string) (string, int, string) {
	switch c := s[0]; c {
	case 'n':
		return "\n", 1, ""
	case 't':
		return "\t", 1, ""
	case 'r':
		return "\r", 1, ""
	case '0', '1', '2', '3', '4', '5', '6', '7':
		n := 1
		for n < 3 && n < len(s) && s[n] >= '0' && s[n] <= '7' {
			n++
		}
		v, _ := strconv.ParseUint(s[:n], 8, 16)
		if v > 255 {
			return "", 0, fmt.Sprintf("octal escape \\%s is above 255", s[:n])
		}
		return string([]byte{byte(v)}), n, ""
	case 'x':
		n := 1
		for n < 3 && n < len(s) && isHexDigit(s[n]) {
			n++
		}
		if n == 1 {
			return "", 0, "\\x needs hex digits"
		}
		v, _ := strconv.ParseUint(s[1:n], 16, 8)
		return string([]byte{byte(v)}), n, ""
	case 'a':
		return "\a", 1, ""
	case 'b':
		return "\b", 1, ""
	case 'f':
		return "\f", 1, ""
	case 'v':
		return "\v", 1, ""
	case 'e':
		return "\x1b", 1, ""
	case '\\', '\'', '"', '`', '?':
		return string(c), 1, ""
	}
	return "", 0, fmt.Sprintf("unknown escape \\%c", s[0])
}

func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// charConst is the value of a character constant: its bytes, the first the
// lowest (NASM's 'ab' is 0x6261). Only the first 8 bytes count.
func charConst(s string) int64 {
	var v uint64
	for i := 0; i < len(s) && i < 8; i++ {
		v |= uint64(s[i]) << (8 * i)
	}
	return int64(v)
}

// lexIntelNumber parses a number as NASM and GNU as write them: 42,
// 0x2a, 2ah, 0b101, 101b, 0o52, 52o, 52q, 0d42, 42d, with _ separators;
// 1.5, 1e10 are floating point.
func lexIntelNumber(s string) (itok, string) {
	if v, ok := plainNumber(s); ok {
		return itok{kind: itInt, ival: int64(v)}, ""
	}
	return parseNumber(s)
}

// parseNumber is lexIntelNumber for any number.
func parseNumber(s string) (itok, string) {
	clean := strings.ReplaceAll(s, "_", "")
	lower := strings.ToLower(clean)
	base := 10
	digits := lower
	switch {
	case strings.HasPrefix(lower, "0x"):
		base, digits = 16, lower[2:]
	case strings.HasSuffix(lower, "h"):
		base, digits = 16, lower[:len(lower)-1]
	case strings.ContainsAny(lower, ".") || (strings.ContainsAny(lower, "e") && !strings.HasPrefix(lower, "0b") && strings.Trim(lower, "0123456789e+-") == ""):
		f, err := strconv.ParseFloat(clean, 64)
		if err != nil || math.IsInf(f, 0) {
			return itok{}, fmt.Sprintf("bad number %q", s)
		}
		return itok{kind: itFloat, fval: f}, ""
	case strings.HasPrefix(lower, "0b") && strings.Trim(lower[2:], "01") == "" && len(lower) > 2:
		base, digits = 2, lower[2:]
	case strings.HasPrefix(lower, "0o") || strings.HasPrefix(lower, "0q"):
		base, digits = 8, lower[2:]
	case strings.HasPrefix(lower, "0d"):
		base, digits = 10, lower[2:]
	case strings.HasSuffix(lower, "b") || strings.HasSuffix(lower, "y"):
		base, digits = 2, lower[:len(lower)-1]
	case strings.HasSuffix(lower, "o") || strings.HasSuffix(lower, "q"):
		base, digits = 8, lower[:len(lower)-1]
	case strings.HasSuffix(lower, "d") || strings.HasSuffix(lower, "t"):
		base, digits = 10, lower[:len(lower)-1]
	}
	if digits == "" {
		return itok{}, fmt.Sprintf("bad number %q", s)
	}
	if v, ok := parseDigits(digits, base); ok {
		return itok{kind: itInt, ival: int64(v)}, ""
	}
	v, ok := new(big.Int).SetString(digits, base)
	if !ok {
		return itok{}, fmt.Sprintf("bad number %q", s)
	}
	if v.BitLen() > 64 {
		return itok{}, fmt.Sprintf("number %s does not fit in 64 bits", s)
	}
	return itok{kind: itInt, ival: int64(v.Uint64())}, ""
}

// parseDigits is the value of digits in base when they are only digits of
// that base (no sign, no separator) and the value fits in 64 bits: the
// common case, which needs no big.Int. Anything else (ok false) is left to
// big.Int, whose verdict lexIntelNumber reports.
func parseDigits(digits string, base int) (v uint64, ok bool) {
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		var d uint64
		switch {
		case c >= '0' && c <= '9':
			d = uint64(c - '0')
		case c >= 'a' && c <= 'z':
			d = uint64(c-'a') + 10
		default:
			return 0, false
		}
		if d >= uint64(base) {
			return 0, false
		}
		hi, lo := bits.Mul64(v, uint64(base))
		lo, carry := bits.Add64(lo, d, 0)
		if hi != 0 || carry != 0 {
			return 0, false
		}
		v = lo
	}
	return v, true
}

// plainNumber is the value of the usual numbers, decimal digits or 0x and
// hex digits, that fit in 64 bits: what lexIntelNumber makes of them,
// without its string work. ok is false for any other number.
func plainNumber(s string) (v uint64, ok bool) {
	base, digits := uint64(10), s
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		base, digits = 16, s[2:]
	}
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		var d uint64
		switch {
		case c >= '0' && c <= '9':
			d = uint64(c - '0')
		case base == 16 && c >= 'a' && c <= 'f':
			d = uint64(c-'a') + 10
		case base == 16 && c >= 'A' && c <= 'F':
			d = uint64(c-'A') + 10
		default:
			return 0, false
		}
		hi, lo := bits.Mul64(v, base)
		lo, carry := bits.Add64(lo, d, 0)
		if hi != 0 || carry != 0 {
			return 0, false
		}
		v = lo
	}
	return v, len(digits) > 0
}
