package main

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// parseHex reads machine code written in hex, as people paste it:
//
//	48 c7 c0 2a 00 00 00 c3      bytes separated by spaces (or tabs, newlines)
//	48c7c02a000000c3             digits run together, two per byte
//	0x48, 0xc7, 0xc0, 0, 0       one 0x.. per byte (one or two digits), commas allowed
//	\x48\xc7\xc0                 C and shell string escapes, two digits each
//	{0x48, 0xc3}                 a C array; anything before { and after } is left out
//	[]byte{ 0x48, // comment     a Go literal (jitrun asm --format go); // and /* */ comments
//
// The forms mix freely; commas, braces and double quotes count as spaces.
// In a list (with commas or 0x..), a lone digit is one byte, as C writes
// zero: 0x2a, 0, 0. Digits are upper or lower case. An error names the
// column (1-based, in bytes) of the first problem and what is wrong there.
// parseHex never returns an empty slice without an error, and refuses more
// than limit bytes.
func parseHex(s string, limit int) ([]byte, error) {
	fail := func(at int, format string, args ...any) ([]byte, error) {
		return nil, fmt.Errorf("column %d: %s", at+1, fmt.Sprintf(format, args...))
	}
	s, open := blankNonHex(s)
	if open >= 0 {
		return fail(open, "/* starts a comment that does not end (no */)")
	}
	list := strings.Contains(s, ",") || strings.Contains(strings.ToLower(s), "0x")
	var out []byte
	for i := 0; i < len(s); {
		if len(out) > limit {
			return nil, errors.New(tooLargeWords(limit, "machine code"))
		}
		c := s[i]
		switch {
		case isSeparator(c) && c != '\\':
			i++
		case c == '\\':
			if i+1 >= len(s) || s[i+1] != 'x' && s[i+1] != 'X' {
				return fail(i, `"\" starts an escape, which must be \x followed by two hex digits`)
			}
			if i+4 > len(s) || !isHexDigit(s[i+2]) || !isHexDigit(s[i+3]) {
				return fail(i, `%q: \x takes exactly two hex digits`, token(s, i))
			}
			out = append(out, hexValue(s[i+2])<<4|hexValue(s[i+3]))
			i += 4
		case c == '0' && i+1 < len(s) && (s[i+1] == 'x' || s[i+1] == 'X'):
			j := i + 2
			for j < len(s) && isHexDigit(s[j]) {
				j++
			}
			switch n := j - (i + 2); {
			case n == 0:
				return fail(i, "%q: 0x needs one or two hex digits after it", token(s, i))
			case n > 2:
				return fail(i, "%q is more than one byte: write one 0x.. per byte (0x48 0xc7), or the digits without 0x (48c7)", token(s, i))
			case j < len(s) && !isSeparator(s[j]):
				return fail(j, "%q is not a hex digit", charAt(s, j))
			}
			out = append(out, digitsValue(s[i+2:j]))
			i = j
		case isHexDigit(c):
			j := i
			for j < len(s) && isHexDigit(s[j]) {
				j++
			}
			switch {
			case j < len(s) && !isSeparator(s[j]):
				return fail(j, "%q is not a hex digit", charAt(s, j))
			case j-i == 1 && list:
				out = append(out, hexValue(c))
			case (j-i)%2 != 0:
				return fail(i, "%q has an odd number of hex digits: bytes take two each", s[i:j])
			default:
				for k := i; k < j; k += 2 {
					out = append(out, digitsValue(s[k:k+2]))
				}
			}
			i = j
		default:
			return fail(i, "%q is not a hex digit", charAt(s, i))
		}
	}
	switch {
	case len(out) > limit:
		return nil, errors.New(tooLargeWords(limit, "machine code"))
	case len(out) == 0:
		return nil, fmt.Errorf("no bytes: give hex digits, as in '48 c7 c0 2a 00 00 00 c3'")
	}
	return out, nil
}

// blankNonHex replaces with spaces, byte for byte (so that columns stay
// true), what is not hex in a pasted C or Go literal: // and /* */
// comments, and what comes before the first { and after the last }. open
// is where a /* comment that does not end starts, or -1.
func blankNonHex(s string) (blanked string, open int) {
	b := []byte(s)
	blank := func(from, to int) {
		for k := from; k < to; k++ {
			if b[k] != '\n' {
				b[k] = ' '
			}
		}
	}
	for i := 0; i+1 < len(b); i++ {
		switch {
		case b[i] == '/' && b[i+1] == '/':
			end := bytes.IndexByte(b[i:], '\n')
			if end < 0 {
				end = len(b) - i
			}
			blank(i, i+end)
			i += end
		case b[i] == '/' && b[i+1] == '*':
			end := bytes.Index(b[i+2:], []byte("*/"))
			if end < 0 {
				return s, i
			}
			blank(i, i+2+end+2)
			i += 2 + end + 1
		}
	}
	if open, close := bytes.IndexByte(b, '{'), bytes.LastIndexByte(b, '}'); open >= 0 && close > open {
		blank(0, open)
		blank(close+1, len(b))
	}
	return string(b), -1
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// isSeparator reports whether c may end a token: a space, a comma, a
// brace, a double quote, or the start of a \x escape.
func isSeparator(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', ',', '{', '}', '"', '\\':
		return true
	}
	return false
}

func hexValue(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// digitsValue is the byte one or two hex digits write.
func digitsValue(d string) byte {
	v := byte(0)
	for i := 0; i < len(d); i++ {
		v = v<<4 | hexValue(d[i])
	}
	return v
}

// charAt returns the character (UTF-8 rune, or "?" for a broken one) at
// byte offset i.
func charAt(s string, i int) string {
	r, _ := utf8.DecodeRuneInString(s[i:])
	if r == utf8.RuneError {
		return "?"
	}
	return string(r)
}

// token returns the text from i to the next separator, for messages: the
// rune at i, at least.
func token(s string, i int) string {
	j := i + 1
	for j < len(s) && !isSeparator(s[j]) {
		j++
	}
	t := s[i:j]
	if len(t) > 20 {
		t = t[:20] + "…"
	}
	return strings.ToValidUTF8(t, "?")
}
