package gosyntax

// The plain line read at once. Most lines of Go assembly are a mnemonic
// and its operands in their plainest forms — AX, $42, $-0x10, 0x1000,
// 8(SP), -8(BP)(CX*4), (AX), (CX*4) — with at most a // comment after
// them: no label, suffix, symbol, expression, macro, semicolon or
// directive. plainLine reads such a line straight from its text into the
// instruction its tokens would make (the same position, text, mnemonic
// and operands), and hands it over as the token path does; a line with
// nothing but blanks and a comment it skips. Anything else, and anything
// the token path would report, is left to the lexer and the
// preprocessor, which then read the line from its start: so every
// message comes from one place.

import (
	"bytes"
	"strings"

	"github.com/jitrun/jitrun/asm/internal/ir"
)

// isBlank reports whether the lexer skips c between tokens.
func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' }

// isWordByte reports whether c continues an ASCII identifier.
func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// skipBlanks returns the offset of the first byte at or after i that is
// not a blank.
func skipBlanks(src []byte, i int) int {
	for i < len(src) && isBlank(src[i]) {
		i++
	}
	return i
}

// codeEnds reports whether the code of a line ends at src[i]: at the end
// of the source or of the line, or at a // comment.
func codeEnds(src []byte, i int) bool {
	return i == len(src) || src[i] == '\n' || src[i] == '/' && i+1 < len(src) && src[i+1] == '/'
}

// wordAt returns where the ASCII identifier at src[i:] ends (i when there
// is none).
func wordAt(src []byte, i int) int {
	if i >= len(src) || src[i] <= '9' || !isWordByte(src[i]) {
		return i
	}
	for i++; i < len(src) && isWordByte(src[i]); i++ {
	}
	return i
}

// plainLine reads the line at the lexer's position when it is plain,
// hands its instruction over, moves the lexer to the next line and
// reports true; it reports false, with nothing read, for any other line.
func (p *parser) plainLine(pp *preproc) bool {
	lx := pp.lx
	src := lx.raw // read in place, not through the lexer's window
	if lx.atEnd() {
		return false // the end, which the lexer reads
	}
	bol := lx.base + lx.pos // a line start
	start := skipBlanks(src, bol)
	i := start
	if !codeEnds(src, i) {
		end := wordAt(src, i)
		if end == start {
			return false
		}
		op := src[start:end]
		if pp.isMacroBytes(op) || isDirectiveName(op) {
			return false
		}
		ops := p.plainOps[:0]
		i = skipBlanks(src, end)
		if !codeEnds(src, i) {
			if i == end {
				return false // the mnemonic runs into something else
			}
			for {
				o, j, ok := plainOperand(pp, src, i)
				if !ok {
					return false
				}
				ops = append(ops, o)
				end = j
				i = skipBlanks(src, j)
				if codeEnds(src, i) {
					break
				}
				if src[i] != ',' {
					return false
				}
				if i = skipBlanks(src, i+1); codeEnds(src, i) {
					return false // a missing operand
				}
			}
		}
		p.plainOps = ops
		// The statement's text is the source from the mnemonic to the
		// end of the last operand, as tokenText cuts it when no tab or
		// carriage return is inside.
		for k := start; k < end; k++ {
			if src[k] == '\t' || src[k] == '\r' {
				return false
			}
		}
		text := p.keepText(src[start:end])
		in := p.newInst(len(ops))
		in.Source = ir.Source{Pos: ir.Pos{File: p.file, Line: int(lx.line), Col: start - bol + 1}, Text: text}
		in.Op = text[:len(op)]
		in.Args = append(in.Args, ops...)
		p.handOver(append(p.out[:0], in))
	}
	// The rest of the line is a comment, if anything.
	if i < len(src) && src[i] == '/' {
		if k := bytes.IndexByte(src[i:], '\n'); k >= 0 {
			i += k
		} else {
			i = len(src)
		}
	}
	if i < len(src) {
		i++ // the newline
		lx.line++
	}
	lx.skipTo(i)
	return true
}

// keepText returns a string of text, copied into p.texts, a block of
// texts that is only ever appended to (a new one once it is full).
func (p *parser) keepText(text []byte) string {
	if p.texts.Cap()-p.texts.Len() < len(text) {
		p.texts = strings.Builder{}
		p.texts.Grow(max(textBlock, len(text)))
	}
	at := p.texts.Len()
	p.texts.Write(text)
	return p.texts.String()[at:]
}

// textBlock is the size of a block of instruction texts.
const textBlock = 8 << 10

// isDirectiveName reports whether a statement starting with word is a
// directive, which the token path reads.
func isDirectiveName(word []byte) bool {
	switch string(word) {
	case "TEXT", "GLOBL", "DATA", "PCALIGN", "PCDATA", "FUNCDATA":
		return true
	}
	return false
}

// plainOperand reads a plain operand at src[i:]: the operand, where it
// ends, and false when it is not plain (the token path reads it).
func plainOperand(pp *preproc, src []byte, i int) (ir.Operand, int, bool) {
	switch c := src[i]; {
	case c == '$':
		v, end, ok := numberAt(src, i+1)
		if !ok {
			return ir.Operand{}, 0, false
		}
		return ir.Operand{Kind: ir.ImmOperand, Imm: int64(v)}, end, true
	case c == '(' || c == '-' || c >= '0' && c <= '9':
	default:
		r, end, ok := regAt(pp, src, i)
		if !ok {
			return ir.Operand{}, 0, false
		}
		return ir.Operand{Kind: ir.RegOperand, Reg: r}, end, true
	}
	// Memory: [offset](base)[(index*scale)], [offset](index*scale), or an
	// absolute address.
	o := ir.Operand{Kind: ir.MemOperand}
	if src[i] != '(' {
		v, end, ok := numberAt(src, i)
		if !ok {
			return o, 0, false
		}
		o.Disp, i = int64(v), end
		if i == len(src) || src[i] != '(' {
			return o, i, true // an absolute address
		}
	}
	r, end, ok := regAt(pp, src, i+1)
	if !ok || isSegReg(r) || end == len(src) {
		return o, 0, false
	}
	if src[end] == '*' {
		o.Index = r
		o.Scale, i, ok = scaleAt(src, end+1)
		return o, i, ok
	}
	if src[end] != ')' {
		return o, 0, false
	}
	o.Reg, i = r, end+1
	if i < len(src) && src[i] == '(' {
		r, end, ok := regAt(pp, src, i+1)
		if !ok || isSegReg(r) || end == len(src) || src[end] != '*' {
			return o, 0, false
		}
		o.Index = r
		o.Scale, i, ok = scaleAt(src, end+1)
		return o, i, ok
	}
	return o, i, true
}

// regAt reads the register named at src[i:], when the name is one and
// no macro: the register and where its name ends.
func regAt(pp *preproc, src []byte, i int) (ir.Reg, int, bool) {
	end := wordAt(src, i)
	if end == i {
		return 0, 0, false
	}
	name := src[i:end]
	r, ok := ir.LookupReg(string(name))
	if !ok || pp.isMacroBytes(name) {
		return 0, 0, false
	}
	return r, end, true
}

// scaleAt reads the "N)" that ends an (index*N) at src[i:]: the scale
// and where it ends.
func scaleAt(src []byte, i int) (int64, int, bool) {
	if i+1 >= len(src) || src[i+1] != ')' {
		return 0, 0, false
	}
	switch src[i] {
	case '1', '2', '4', '8':
		return int64(src[i] - '0'), i + 2, true
	}
	return 0, 0, false
}

// numberAt reads a plain integer at src[i:], with a leading - and then
// decimal digits without a leading zero or 0x and hexadecimal ones, as
// the lexer and the expression would read it (64-bit, wrapping on the
// minus): its value and where it ends, false when it is not plain (too
// many digits, a leading 0 …). What follows the digits is for the
// caller to check.
func numberAt(src []byte, i int) (uint64, int, bool) {
	neg := false
	if i < len(src) && src[i] == '-' {
		neg, i = true, i+1
	}
	if i >= len(src) || src[i] < '0' || src[i] > '9' {
		return 0, 0, false
	}
	var v uint64
	j := i
	if src[i] == '0' && i+1 < len(src) && (src[i+1] == 'x' || src[i+1] == 'X') {
		for j = i + 2; j < len(src) && j-i-2 < 16; j++ {
			d, ok := hexDigit(src[j])
			if !ok {
				break
			}
			v = v<<4 | d
		}
		if j == i+2 {
			return 0, 0, false
		}
	} else {
		for ; j < len(src) && j-i < 19 && src[j] >= '0' && src[j] <= '9'; j++ {
			v = v*10 + uint64(src[j]-'0')
		}
		if src[i] == '0' && j > i+1 {
			return 0, 0, false // octal
		}
	}
	if j < len(src) && (isWordByte(src[j]) || src[j] == '.' || src[j] >= 0x80) {
		return 0, 0, false // more digits, a float, a word …
	}
	if neg {
		v = -v
	}
	return v, j, true
}

func hexDigit(c byte) (uint64, bool) {
	switch {
	case c >= '0' && c <= '9':
		return uint64(c - '0'), true
	case c >= 'a' && c <= 'f':
		return uint64(c-'a') + 10, true
	case c >= 'A' && c <= 'F':
		return uint64(c-'A') + 10, true
	}
	return 0, false
}
