package gosyntax

// The plain line read at once. Most lines of Go assembly are statements
// of the plainest forms — labels (name:), a mnemonic with .SUFFIXes and
// operands AX, $42, $-0x10, 0x1000, 8(SP), -8(BP)(CX*4), (AX), (CX*4),
// name(SB), name<>+8(SB), $name(SB), a label or N(PC) after a jump —
// separated by semicolons, with at most a // comment after them: no
// expression, macro, directive or non-ASCII name. plainLine reads such a
// line straight from its bytes into the statements its tokens would make
// (the same positions, texts, mnemonics and operands), and hands them
// over as the token path does; a line with nothing but blanks and a
// comment it skips. Anything else, and anything the token path would
// report, is left to the lexer and the preprocessor, which then read the
// line from its start: so every message comes from one place.

import (
	"bytes"
	"encoding/binary"
	"strings"

	"github.com/jitrun/jitrun/asm/internal/ir"
)

// The classes of a byte, in byteClasses.
const (
	classBlank     = 1 << iota // the lexer skips it between tokens
	classWord                  // it continues an ASCII identifier
	classWordStart             // it starts one (a letter or _)
	classTabCR                 // a tab or carriage return: tokenText rewrites the blanks around it
)

// byteClasses holds the classes of every byte. It is made once, when
// the package is initialized, and only read.
var byteClasses = func() (classes [256]uint8) {
	for c := range 256 {
		switch {
		case c == ' ' || c == '\f' || c == '\v':
			classes[c] = classBlank
		case c == '\t' || c == '\r':
			classes[c] = classBlank | classTabCR
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_':
			classes[c] = classWord | classWordStart
		case c >= '0' && c <= '9':
			classes[c] = classWord
		}
	}
	return classes
}()

// isBlank reports whether the lexer skips c between tokens.
func isBlank(c byte) bool { return byteClasses[c]&classBlank != 0 }

// isWordByte reports whether c continues an ASCII identifier.
func isWordByte(c byte) bool { return byteClasses[c]&classWord != 0 }

// spaces8 is eight spaces, read as one little-endian word.
const spaces8 = 0x2020202020202020

// skipBlanks returns the offset of the first byte at or after i that is
// not a blank. Runs of spaces, as between an instruction and its
// comment, it skips eight bytes at a time.
func skipBlanks(src []byte, i int) int {
	for i+8 <= len(src) && binary.LittleEndian.Uint64(src[i:]) == spaces8 {
		i += 8
	}
	for i < len(src) && isBlank(src[i]) {
		i++
	}
	return i
}

// skipInnerBlanks is skipBlanks between two tokens of a statement: it
// also reports whether a tab or carriage return is among the blanks.
func skipInnerBlanks(src []byte, i int) (int, bool) {
	tabCR := uint8(0)
	for i < len(src) {
		c := byteClasses[src[i]]
		if c&classBlank == 0 {
			break
		}
		tabCR |= c
		i++
	}
	return i, tabCR&classTabCR != 0
}

// codeEnds reports whether the code of a line ends at src[i]: at the end
// of the source or of the line, or at a // comment.
func codeEnds(src []byte, i int) bool {
	return i == len(src) || src[i] == '\n' || src[i] == '/' && i+1 < len(src) && src[i+1] == '/'
}

// stmtEnds reports whether a statement ends at src[i]: where the code
// does, or at a semicolon.
func stmtEnds(src []byte, i int) bool { return codeEnds(src, i) || src[i] == ';' }

// wordAt returns where the ASCII identifier at src[i:] ends (i when there
// is none).
func wordAt(src []byte, i int) int {
	if i >= len(src) || byteClasses[src[i]]&classWordStart == 0 {
		return i
	}
	for i++; i < len(src) && byteClasses[src[i]]&classWord != 0; i++ {
	}
	return i
}

// regWordAt is wordAt that also looks the word up in the register table
// t: where it ends, and the register it names (ok false for none). A
// word of up to eight bytes is packed as it is read (regtable.go).
func regWordAt(t *regTable, src []byte, i int) (end int, r ir.Reg, ok bool) {
	if i >= len(src) || byteClasses[src[i]]&classWordStart == 0 {
		return i, 0, false
	}
	end = i + 1
	for end < len(src) && byteClasses[src[end]]&classWord != 0 {
		end++
	}
	n := end - i
	if n > 8 {
		return end, 0, false
	}
	var key uint64
	if i+8 <= len(src) {
		key = binary.LittleEndian.Uint64(src[i:])
		if n < 8 {
			key &= 1<<(8*n) - 1
		}
	} else {
		for k := n - 1; k >= 0; k-- {
			key = key<<8 | uint64(src[i+k])
		}
	}
	r, ok = t.lookupKey(key)
	return end, r, ok
}

// span is a range of the source's bytes.
type span struct{ start, end int }

// plainStmt is a statement of a plain line, read but not handed over yet.
type plainStmt struct {
	labels span // its labels, in parser.plainLabels
	// start is where its mnemonic starts (-1 when it has none), opEnd
	// where it ends, sufEnd where its suffixes end, end where its last
	// operand ends, in the source.
	start, opEnd, sufEnd, end int
	ops                       span // its operands, in parser.plainOps
	// tabCR is set when a tab or carriage return is among the blanks
	// between its tokens (plainText).
	tabCR bool
}

// plainOp is an operand of a plain line, read but not handed over yet:
// the fields of its ir.Operand but the symbol's name, in a value with no
// pointer, which is copied without the garbage collector's write barrier.
type plainOp struct {
	kind       ir.OperandKind
	static     bool
	reg, index ir.Reg
	scale      int64
	disp, imm  int64
	start, end int  // its text
	comma      int  // where the comma before it is
	sym        span // its symbol's name, when it has one
}

// plainLine reads the line at the lexer's position when it is plain,
// hands its statements over, moves the lexer to the next line and
// reports true; it reports false, with nothing read, for any other line.
func (p *parser) plainLine(pp *preproc) bool {
	lx := pp.lx
	src := lx.raw // read in place, not through the lexer's window
	if lx.atEnd() {
		return false // the end, which the lexer reads
	}
	bol := lx.base + lx.pos // a line start
	next, ok := p.readPlain(pp, src, bol)
	if !ok {
		return false
	}
	for _, st := range p.plainStmts {
		p.handPlain(src, bol, int(lx.line), st)
	}
	if next > bol && src[next-1] == '\n' {
		lx.line++
	}
	lx.skipTo(next)
	return true
}

// readPlain reads the plain line at src[i:] into p.plainStmts: where the
// next line starts, and false when the line is not plain.
func (p *parser) readPlain(pp *preproc, src []byte, i int) (int, bool) {
	p.plainStmts, p.plainOps, p.plainLabels = p.plainStmts[:0], p.plainOps[:0], p.plainLabels[:0]
	for {
		st := plainStmt{start: -1}
		st.labels.start = len(p.plainLabels)
		i = skipBlanks(src, i)
		for !stmtEnds(src, i) {
			w := wordAt(src, i)
			if w == i || pp.isMacroBytes(src[i:w]) {
				return 0, false
			}
			if w < len(src) && src[w] == ':' {
				p.plainLabels = append(p.plainLabels, span{i, w})
				i = skipBlanks(src, w+1)
				continue
			}
			st.start, st.opEnd = i, w
			break
		}
		st.labels.end = len(p.plainLabels)
		if st.start >= 0 {
			var ok bool
			if i, ok = p.readPlainInst(pp, src, &st); !ok {
				return 0, false
			}
		}
		if st.start >= 0 || st.labels.end > st.labels.start {
			p.plainStmts = append(p.plainStmts, st)
		}
		if codeEnds(src, i) {
			break
		}
		i++ // ;
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
	}
	return i, true
}

// readPlainInst reads the suffixes and operands of the instruction whose
// mnemonic st holds: where it ends, and false when it is not plain.
func (p *parser) readPlainInst(pp *preproc, src []byte, st *plainStmt) (int, bool) {
	op := src[st.start:st.opEnd]
	if isDirectiveName(op) {
		return 0, false
	}
	i := st.opEnd
	for i < len(src) && src[i] == '.' {
		w := wordAt(src, i+1)
		if w == i+1 || pp.isMacroBytes(src[i+1:w]) {
			return 0, false
		}
		i = w
	}
	st.sufEnd, st.end = i, i
	st.ops.start = len(p.plainOps)
	j, tabCR := skipInnerBlanks(src, i)
	if !stmtEnds(src, j) {
		if j == i {
			return 0, false // the mnemonic runs into something else
		}
		jump := isJumpBytes(op)
		regs := registers()
		comma := 0
		for {
			p.plainOps = append(p.plainOps, plainOp{start: j, comma: comma})
			o := &p.plainOps[len(p.plainOps)-1]
			if !plainOperand(pp, regs, src, o, jump) {
				return 0, false
			}
			st.end = o.end
			if j = skipBlanks(src, o.end); stmtEnds(src, j) {
				break
			}
			if src[j] != ',' {
				return 0, false
			}
			// The blanks before the comma are inside the statement.
			st.tabCR = st.tabCR || tabCR || hasTabCR(src[o.end:j])
			comma = j
			if j, tabCR = skipInnerBlanks(src, j+1); stmtEnds(src, j) {
				return 0, false // a missing operand
			}
		}
		st.tabCR = st.tabCR || tabCR
	}
	st.ops.end = len(p.plainOps)
	return j, true
}

// hasTabCR reports whether a tab or carriage return is in blanks.
func hasTabCR(blanks []byte) bool {
	for _, c := range blanks {
		if byteClasses[c]&classTabCR != 0 {
			return true
		}
	}
	return false
}

// handPlain hands over the statements of st, read by readPlain from the
// line at bol, line line.
func (p *parser) handPlain(src []byte, bol, line int, st plainStmt) {
	out := p.out[:0]
	pos := func(at int) ir.Pos { return ir.Pos{File: p.file, Line: line, Col: at - bol + 1} }
	for _, l := range p.plainLabels[st.labels.start:st.labels.end] {
		text := p.keepText(src[l.start : l.end+1]) // name:
		out = append(out, &ir.LabelDef{Source: ir.Source{Pos: pos(l.start), Text: text}, Name: text[:len(text)-1]})
	}
	if st.start >= 0 {
		ops := p.plainOps[st.ops.start:st.ops.end]
		text := p.plainText(src, st, ops)
		in := p.newInst(len(ops))
		in.Source = ir.Source{Pos: pos(st.start), Text: text}
		n := st.opEnd - st.start
		in.Op = text[:n]
		if st.sufEnd > st.opEnd {
			in.Suffix = text[n+1 : st.sufEnd-st.start]
		}
		in.Args = in.Args[:len(ops)] // zeroed
		for k := range ops {
			o, a := &ops[k], &in.Args[k]
			a.Kind, a.Reg, a.Index, a.Scale, a.Disp, a.Imm, a.Static = o.kind, o.reg, o.index, o.scale, o.disp, o.imm, o.static
			if o.sym.end > o.sym.start {
				if st.tabCR {
					a.Sym = p.keepText(src[o.sym.start:o.sym.end])
				} else {
					a.Sym = text[o.sym.start-st.start : o.sym.end-st.start] // the text is the source
				}
			}
		}
		out = append(out, in)
	}
	p.handOver(out)
}

// plainText returns the text of the instruction st, as tokenText makes it:
// the source from the mnemonic to the end of the last operand, or, when
// a tab or carriage return is inside, the tokens with one space for each
// run of blanks between them.
func (p *parser) plainText(src []byte, st plainStmt, ops []plainOp) string {
	if !st.tabCR {
		return p.keepText(src[st.start:st.end])
	}
	buf := append(p.textBuf[:0], src[st.start:st.sufEnd]...)
	prev := st.sufEnd
	for k, o := range ops {
		if k > 0 {
			if o.comma > prev {
				buf = append(buf, ' ')
			}
			buf = append(buf, ',')
			prev = o.comma + 1
		}
		if o.start > prev {
			buf = append(buf, ' ')
		}
		buf = append(buf, src[o.start:o.end]...)
		prev = o.end
	}
	p.textBuf = buf
	return p.keepText(buf)
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

// isJumpBytes is isJumpName for a mnemonic in the source's bytes.
func isJumpBytes(op []byte) bool {
	return op[0] == 'J' || string(op) == "CALL" || bytes.HasPrefix(op, []byte("LOOP")) || string(op) == "XBEGIN"
}

// plainOperand reads a plain operand at src[po.start:] of an instruction
// that jumps or not into po (zero but for start), and reports false when
// it is not plain (the token path reads it). regs is registers().
func plainOperand(pp *preproc, regs *regTable, src []byte, po *plainOp, jump bool) bool {
	i := po.start
	switch c := src[i]; {
	case c == '$':
		if w, _, isReg := regWordAt(regs, src, i+1); w > i+1 {
			if isReg {
				return false
			}
			return plainSymbol(pp, src, po, i+1, w, '$', jump)
		}
		v, end, ok := numberAt(src, i+1)
		po.kind, po.imm, po.end = ir.ImmOperand, int64(v), end
		return ok
	case c == '(' || c == '-' || c >= '0' && c <= '9':
		return plainMemory(pp, regs, src, po, jump)
	}
	w, r, isReg := regWordAt(regs, src, i)
	if w == i {
		return false
	}
	name := src[i:w]
	if isReg {
		po.kind, po.reg, po.end = ir.RegOperand, r, w
		return !pp.isMacroBytes(name)
	}
	return plainSymbol(pp, src, po, i, w, 0, jump)
}

// plainMemory reads [offset](base)[(index*scale)], [offset](index*scale),
// an absolute address or, after a jump, N(PC), at src[po.start:], into
// po.
func plainMemory(pp *preproc, regs *regTable, src []byte, po *plainOp, jump bool) bool {
	i := po.start
	po.kind = ir.MemOperand
	if src[i] != '(' {
		v, end, ok := numberAt(src, i)
		if !ok {
			return false
		}
		po.disp, i = int64(v), end
		if i == len(src) || src[i] != '(' {
			po.end = i
			return true // an absolute address
		}
	}
	r, end, ok := regAt(pp, regs, src, i+1)
	if !ok {
		if jump && string(src[i+1:wordAt(src, i+1)]) == "PC" && i+3 < len(src) && src[i+3] == ')' && !pp.isMacroBytes(src[i+1:i+3]) {
			po.kind, po.end = ir.LabelOperand, i+4
			return true
		}
		return false
	}
	if isSegReg(r) || end == len(src) {
		return false
	}
	if src[end] == '*' {
		po.index = r
		po.scale, po.end, ok = scaleAt(src, end+1)
		return ok
	}
	if src[end] != ')' {
		return false
	}
	po.reg, i = r, end+1
	if i < len(src) && src[i] == '(' {
		r, end, ok := regAt(pp, regs, src, i+1)
		if !ok || isSegReg(r) || end == len(src) || src[end] != '*' {
			return false
		}
		po.index = r
		po.scale, po.end, ok = scaleAt(src, end+1)
		return ok
	}
	po.end = i
	return true
}

// plainSymbol reads name[<>][±offset](SB), or a label after a jump, the
// name at src[i:w] (no register), after the prefix $ or none (0), into
// po.
func plainSymbol(pp *preproc, src []byte, po *plainOp, i, w int, prefix byte, jump bool) bool {
	name := src[i:w]
	if isPseudoReg(string(name)) || pp.isMacroBytes(name) {
		return false
	}
	po.sym = span{i, w}
	if w+1 < len(src) && src[w] == '<' && src[w+1] == '>' {
		po.static, w = true, w+2
	}
	if w < len(src) && (src[w] == '+' || src[w] == '-') {
		at := w
		if src[w] == '+' {
			at++
		}
		v, end, ok := numberAt(src, at)
		if !ok {
			return false
		}
		po.disp, w = int64(v), end
	}
	if w+4 > len(src) || string(src[w:w+4]) != "(SB)" || pp.isMacroBytes(src[w+1:w+3]) {
		if prefix == 0 && jump && !po.static && po.disp == 0 {
			po.kind, po.end = ir.LabelOperand, w
			return true
		}
		return false
	}
	po.end = w + 4
	switch {
	case prefix == '$':
		po.kind = ir.AddrOperand
	case jump:
		po.kind = ir.LabelOperand
	default:
		po.kind = ir.MemOperand
	}
	return true
}

// isDirectiveName reports whether a statement starting with word is a
// directive, which the token path reads.
func isDirectiveName(word []byte) bool {
	switch string(word) {
	case "TEXT", "GLOBL", "DATA", "PCALIGN", "PCDATA", "FUNCDATA":
		return true
	}
	return false
}

// regAt reads the register named at src[i:], when the name is one and
// no macro: the register and where its name ends.
func regAt(pp *preproc, regs *regTable, src []byte, i int) (ir.Reg, int, bool) {
	end, r, ok := regWordAt(regs, src, i)
	if !ok || pp.isMacroBytes(src[i:end]) {
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
