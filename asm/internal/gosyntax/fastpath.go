package gosyntax

// The plain line read at once. Most lines of Go assembly are statements
// of the plainest forms — labels (name:), a mnemonic with .SUFFIXes and
// operands AX, $42, $-0x10, 0x1000, 8(SP), -8(BP)(CX*4), (AX), (CX*4),
// name(SB), name<>+8(SB), $name(SB), a label or N(PC) after a jump —
// separated by semicolons, with at most a // comment after them: no
// expression, macro, directive or non-ASCII name, at most
// maxPlainOperands operands. plainLines reads such a line straight from
// its bytes into the statements its tokens would make (the
// same positions, texts, mnemonics and operands): each operand straight
// into the instruction's slot in the slab, the text copied once. It
// hands them over as the token path does; a line with nothing but
// blanks and a comment it skips. Anything else, and anything the token
// path would report, is left to the lexer and the preprocessor, which
// then read the line from its start (the slots and text bytes taken are
// dropped): so every message comes from one place.

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"unsafe"

	"github.com/jitrun/jitrun/asm/internal/ir"
)

// The classes of a byte, in byteClasses.
const (
	classBlank     = 1 << iota // the lexer skips it between tokens
	classWord                  // it continues an ASCII identifier
	classWordStart             // it starts one (a letter or _)
	classTabCR                 // a tab or carriage return: tokenText rewrites the blanks around it
	classCodeEnd               // a newline, or / (which may start a comment)
	classStmtEnd               // what classCodeEnd has, and a semicolon
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
		case c == '\n' || c == '/':
			classes[c] = classCodeEnd | classStmtEnd
		case c == ';':
			classes[c] = classStmtEnd
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
// comment, it skips eight bytes at a time, and the last of them at once:
// to the first byte of the eight that is not a space.
func skipBlanks(src []byte, i int) int {
	for i+8 <= len(src) {
		// Nonzero in the bytes that are not spaces.
		notSpace := binary.LittleEndian.Uint64(src[i:]) ^ spaces8
		if notSpace != 0 {
			i += bits.TrailingZeros64(notSpace) >> 3
			break
		}
		i += 8
	}
	for i < len(src) && isBlank(src[i]) {
		i++
	}
	return i
}

// skipSpaceRun is skipBlanks for where a long run of spaces is usual
// (between an instruction and its comment): while the source has 32
// more bytes, it counts the spaces among them from the first at once,
// with no branch but the loop's, which continues only after 32 spaces.
func skipSpaceRun(src []byte, i int) int {
	for i+32 <= len(src) {
		b := (*[32]byte)(src[i : i+32]) // one bounds check for the four words
		// How many of each 8 bytes, from the first, are spaces (8: all).
		n0 := bits.TrailingZeros64(binary.LittleEndian.Uint64(b[0:8])^spaces8) >> 3
		n1 := bits.TrailingZeros64(binary.LittleEndian.Uint64(b[8:16])^spaces8) >> 3
		n2 := bits.TrailingZeros64(binary.LittleEndian.Uint64(b[16:24])^spaces8) >> 3
		n3 := bits.TrailingZeros64(binary.LittleEndian.Uint64(b[24:32])^spaces8) >> 3
		// The spaces from i: the 8 bytes' count of a word counts when
		// every word before it is all spaces (n>>3 is 1 for 8, else 0).
		run := n0 + n0>>3*(n1+n1>>3*(n2+n2>>3*n3))
		if run < 32 {
			if c := b[run]; !isBlank(c) {
				return i + run // the byte after the spaces is no other blank
			}
			return skipBlanks(src, i+run)
		}
		i += 32
	}
	return skipBlanks(src, i)
}

// skipInnerBlanks is skipBlanks between two tokens of a statement: it
// also reports whether a tab or carriage return is among the blanks.
func skipInnerBlanks(src []byte, i int) (int, bool) {
	if i+1 < len(src) && src[i] == ' ' && !isBlank(src[i+1]) {
		return i + 1, false // one space, the usual
	}
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
	// Most bytes are none of \n and /: one look-up tells.
	return i == len(src) || byteClasses[src[i]]&classCodeEnd != 0 && endsAt(src, i)
}

// stmtEnds reports whether a statement ends at src[i]: where the code
// does, or at a semicolon.
func stmtEnds(src []byte, i int) bool {
	return i == len(src) || byteClasses[src[i]]&classStmtEnd != 0 && endsAt(src, i)
}

// endsAt reports whether the code or statement ends at src[i], a
// newline, a semicolon or a slash: unless the slash starts no comment.
func endsAt(src []byte, i int) bool {
	return src[i] != '/' || i+1 < len(src) && src[i+1] == '/'
}

// wordAt returns where the ASCII identifier at src[i:] ends (i when there
// is none).
func wordAt(src []byte, i int) int {
	if i >= len(src) || byteClasses[src[i]]&classWordStart == 0 {
		return i
	}
	return wordEnd(src, i+1)
}

// wordEnd returns where the bytes that continue an ASCII identifier from
// src[i] end (i when src[i] does not), read eight at a time while the
// source has them.
func wordEnd(src []byte, i int) int {
	for i+8 <= len(src) {
		n := wordBytes(binary.LittleEndian.Uint64(src[i:]))
		i += n
		if n < 8 {
			return i
		}
	}
	for i < len(src) && byteClasses[src[i]]&classWord != 0 {
		i++
	}
	return i
}

// wordBytes returns how many of the 8 bytes of w, from its lowest, continue
// an ASCII identifier (byteClasses' classWord: a letter, a digit or _), 8
// when all do. It classifies the 8 bytes at once, with arithmetic in each
// byte of the word (no carry crosses a byte) and no branch (TestWordBytes
// compares it with byteClasses).
func wordBytes(w uint64) int {
	const (
		ones = 0x0101010101010101
		high = 0x8080808080808080 // bit 7 of each byte
		low7 = 0x7f7f7f7f7f7f7f7f
	)
	x := w & low7          // the bytes' low 7 bits
	lower := x | 0x20*ones // letters in lower case
	// Bit 7 is set in a byte of x+(0x80-a) when it is a or above, and in
	// x+(0x7f-b) when it is above b.
	letter := (lower + (0x80-'a')*ones) &^ (lower + (0x7f-'z')*ones)
	digit := (x + (0x80-'0')*ones) &^ (x + (0x7f-'9')*ones)
	// Bit 7 of z+0x7f is set when the byte z is not 0: here, not _.
	underscore := ^(x ^ '_'*ones + low7)
	// Bytes outside ASCII (bit 7 set in w) continue no identifier.
	word := (letter | digit | underscore) & high &^ w
	return bits.TrailingZeros64(^word&high) >> 3
}

// wordKeyAt is wordAt that also packs the identifier at src[i:] into a
// word (its first 8 bytes, the first lowest; the rest zero when it is
// shorter): where it ends and the packed bytes (0 when there is none).
func wordKeyAt(src []byte, i int) (end int, key uint64) {
	if i+8 <= len(src) {
		w := binary.LittleEndian.Uint64(src[i:])
		if byteClasses[byte(w)]&classWordStart == 0 {
			return i, 0
		}
		if n := wordBytes(w); n < 8 {
			return i + n, ir.LowBytes(w, n)
		}
		return wordEnd(src, i+8), w
	}
	if i >= len(src) || byteClasses[src[i]]&classWordStart == 0 {
		return i, 0
	}
	end = wordEnd(src, i+1)
	for k := min(end-i, 8) - 1; k >= 0; k-- {
		key = key<<8 | uint64(src[i+k])
	}
	return end, key
}

// regWordAt is wordAt that also looks the word up in the register table
// t: where it ends, and the register it names (ok false for none). A
// word of up to eight bytes is packed as it is read (regtable.go); a
// word of fewer, as every register's name is, with no call.
func regWordAt(t *regTable, src []byte, i int) (end int, r ir.Reg, ok bool) {
	if i+8 <= len(src) {
		w := binary.LittleEndian.Uint64(src[i:])
		if byteClasses[byte(w)]&classWordStart == 0 {
			return i, 0, false
		}
		if n := wordBytes(w); n < 8 {
			r, ok = t.lookupKey(ir.LowBytes(w, n))
			return i + n, r, ok
		}
	}
	end, key := wordKeyAt(src, i)
	if end == i || end-i > 8 {
		return end, 0, false
	}
	r, ok = t.lookupKey(key)
	return end, r, ok
}

// span is a range of the source's bytes.
type span struct{ start, end int }

// plainSym is the symbol's name of an operand of the instruction being
// read: the operand's index and where the name is in the source. It is
// set once the instruction's text is made, so that the name can be a
// slice of it.
type plainSym struct {
	arg  int
	name span
}

// plainLines reads the lines from the lexer's position on while they
// are plain: for each, it hands its statements over and moves the lexer
// to the next line. It reports whether it read any; the first line that
// is not plain it leaves, with nothing handed over. (A plain line
// reports no error and changes no #if state, which preproc.run checks
// between the lines it reads.)
func (p *parser) plainLines(pp *preproc) bool {
	lx := pp.lx
	src := lx.raw // read in place, not through the lexer's window
	read := false
	// The statements of the lines read wait in p.out, to be handed over
	// a batch at a time (ir.HandOverBatch), and all before the token path
	// reads on.
	out := p.out[:0]
	for !lx.atEnd() { // the end the lexer reads
		bol := lx.base + lx.pos // a line start
		p.textRoom = len(src) - bol
		held := len(out)
		var next int
		var ok bool
		out, next, ok = p.readPlain(pp, src, bol, int(lx.line), out)
		if !ok {
			// The line's statements are dropped, and with them the
			// memory they took (a slab's slots, text bytes), which
			// nothing refers to.
			clear(out[held:])
			out = out[:held]
			break
		}
		if len(out) >= ir.HandOverBatch {
			p.handOver(out)
			out = p.out[:0]
		}
		if next > bol && src[next-1] == '\n' {
			lx.line++
		}
		lx.skipTo(next)
		read = true
	}
	if len(out) > 0 {
		p.handOver(out)
	} else {
		p.out = out
	}
	return read
}

// readPlain reads the plain line at src[bol:], line line, appending its
// statements to out: them, where the next line starts, and false when
// the line is not plain. It reads in the whole source: whatever reads a
// statement stops at the newline that ends the line, which continues no
// word, blank, number or operand.
func (p *parser) readPlain(pp *preproc, src []byte, bol, line int, out []ir.Stmt) ([]ir.Stmt, int, bool) {
	i := bol
	for {
		i = skipBlanks(src, i)
		for !stmtEnds(src, i) {
			w, key := wordKeyAt(src, i)
			if w == i || pp.isMacroBytes(src[i:w]) {
				return out, 0, false
			}
			pos := ir.Pos{File: p.file, Line: line, Col: i - bol + 1}
			if w < len(src) && src[w] == ':' {
				text := p.keepText(src[i : w+1]) // name:
				out = append(out, &ir.LabelDef{Source: ir.Source{Pos: pos, Text: text}, Name: text[:w-i]})
				i = skipBlanks(src, w+1)
				continue
			}
			in, end, ok := p.readPlainInst(pp, src, i, w, key)
			if !ok {
				return out, 0, false
			}
			in.Source.Pos = pos
			out = append(out, in)
			i = end
			break
		}
		if codeEnds(src, i) {
			break
		}
		i++ // ;
	}
	// The code ends at the end of the source, a newline or a comment,
	// which runs to the end of the line.
	switch {
	case i == len(src):
		return out, i, true
	case src[i] == '\n':
		return out, i + 1, true
	}
	if k := bytes.IndexByte(src[i:], '\n'); k >= 0 {
		return out, i + k + 1, true
	}
	return out, len(src), true
}

// readPlainInst reads the instruction whose mnemonic is src[start:opEnd],
// its first 8 bytes packed in opKey (wordKeyAt), with its suffixes and
// operands into an instruction of the slab, all but its position: it,
// where it ends, and false when it is not plain. The operands are read
// straight into the free slots newInst hands out (p.freeArgs), which
// are taken only once the instruction is read: a line that is not plain
// leaves them free.
func (p *parser) readPlainInst(pp *preproc, src []byte, start, opEnd int, opKey uint64) (*ir.Inst, int, bool) {
	opLen := opEnd - start
	if isDirectiveKey(opKey, opLen) {
		return nil, 0, false
	}
	i := opEnd
	for i < len(src) && src[i] == '.' {
		w := wordAt(src, i+1)
		if w == i+1 || pp.isMacroBytes(src[i+1:w]) {
			return nil, 0, false
		}
		i = w
	}
	sufEnd, end := i, i
	j, tabCR := skipInnerBlanks(src, i)
	n := 0 // the operands read
	p.plainSyms = p.plainSyms[:0]
	if !stmtEnds(src, j) {
		if j == i {
			return nil, 0, false // the mnemonic runs into something else
		}
		jump := isJumpKey(opKey)
		for {
			if n == maxPlainOperands {
				// More operands than an instruction takes: left to the
				// token path.
				return nil, 0, false
			}
			if n == len(p.freeArgs) {
				p.moreArgs(n)
			}
			a := &p.freeArgs[n] // taken once the instruction is read
			*a = ir.Operand{}
			e, sym, ok := plainOperand(pp, p.regs, src, j, a, jump)
			if !ok {
				return nil, 0, false
			}
			if sym.end > sym.start {
				p.plainSyms = append(p.plainSyms, plainSym{n, sym})
			}
			n++
			end = e
			// A comma right after the operand, or blanks and then the
			// end of the statement (or a comma).
			if j = e; j == len(src) || src[j] != ',' {
				if j = skipSpaceRun(src, e); stmtEnds(src, j) {
					break
				}
				if src[j] != ',' {
					return nil, 0, false // not plain
				}
				// The blanks before the comma are inside the statement.
				tabCR = tabCR || hasTabCR(src[e:j])
			}
			var tc bool
			if j, tc = skipInnerBlanks(src, j+1); stmtEnds(src, j) {
				return nil, 0, false // a missing operand
			}
			tabCR = tabCR || tc
		}
	}
	args := p.freeArgs[:n:n]
	p.freeArgs = p.freeArgs[n:]
	in := p.instSlot()
	*in = ir.Inst{Args: args}
	var text string
	if tabCR {
		p.textBuf = collapseBlanks(p.textBuf[:0], src[start:end])
		text = p.keepText(p.textBuf)
	} else {
		text = p.keepSource(src, start, end)
	}
	in.Source.Text = text
	in.Op = text[:opLen]
	if sufEnd > opEnd {
		in.Suffix = text[opLen+1 : sufEnd-start]
	}
	for _, s := range p.plainSyms {
		if tabCR {
			in.Args[s.arg].Sym = p.keepText(src[s.name.start:s.name.end])
		} else {
			in.Args[s.arg].Sym = text[s.name.start-start : s.name.end-start] // the text is the source
		}
	}
	return in, j, true
}

// maxPlainOperands is the most operands of an instruction plainLines
// reads (no instruction takes more than six).
const maxPlainOperands = 8

// hasTabCR reports whether a tab or carriage return is in blanks.
func hasTabCR(blanks []byte) bool {
	for _, c := range blanks {
		if byteClasses[c]&classTabCR != 0 {
			return true
		}
	}
	return false
}

// collapseBlanks appends the text of a plain instruction, as tokenText
// makes it when a tab or carriage return is inside, to buf: its tokens
// with one space for each run of blanks between them (a plain
// instruction has blanks only between tokens).
func collapseBlanks(buf, raw []byte) []byte {
	for k := 0; k < len(raw); {
		if !isBlank(raw[k]) {
			buf = append(buf, raw[k])
			k++
			continue
		}
		buf = append(buf, ' ')
		for k < len(raw) && isBlank(raw[k]) {
			k++
		}
	}
	return buf
}

// keepText returns a string of text, copied into p.texts, a block of
// texts that is only ever appended to (a new one once it is full), so
// that the bytes of a string made of it never change. A block holds
// textBlock bytes, or, when less of the source is left to read, that
// much: the texts still to come are mostly no longer.
func (p *parser) keepText(text []byte) string {
	if cap(p.texts)-len(p.texts) < len(text) {
		p.texts = make([]byte, 0, max(len(text), min(textBlock, p.textRoom)))
	}
	if len(text) == 0 {
		return ""
	}
	at := len(p.texts)
	p.texts = append(p.texts, text...)
	return unsafe.String(&p.texts[at], len(text))
}

// keepSource is keepText of src[start:end]. A text of at most 32 bytes,
// most instructions', it copies as 32 bytes at once when the source and
// the block have them: the bytes past the text's end are written in the
// block past its length, where the next text goes, and no string made
// of the block reaches.
func (p *parser) keepSource(src []byte, start, end int) string {
	n := end - start
	at := len(p.texts)
	if n == 0 || n > 32 || start+32 > len(src) || cap(p.texts)-at < 32 {
		return p.keepText(src[start:end])
	}
	to, from := (*[32]byte)(p.texts[at:at+32]), (*[32]byte)(src[start:start+32])
	// Four words (an array's copy would call memmove).
	binary.LittleEndian.PutUint64(to[0:8], binary.LittleEndian.Uint64(from[0:8]))
	binary.LittleEndian.PutUint64(to[8:16], binary.LittleEndian.Uint64(from[8:16]))
	binary.LittleEndian.PutUint64(to[16:24], binary.LittleEndian.Uint64(from[16:24]))
	binary.LittleEndian.PutUint64(to[24:32], binary.LittleEndian.Uint64(from[24:32]))
	p.texts = p.texts[:at+n]
	return unsafe.String(&p.texts[at], n)
}

// textBlock is the size of a block of instruction texts.
const textBlock = 8 << 10

// isJumpKey is isJumpName for a mnemonic packed by wordKeyAt: one
// starting with J or LOOP, or CALL or XBEGIN (a packed word shorter than
// 8 bytes has zero bytes after it, which no mnemonic has).
func isJumpKey(key uint64) bool {
	return key&0xff == 'J' || key == packedCALL || key&0xffffffff == packedLOOP || key == packedXBEGIN
}

// The mnemonics isJumpKey and isDirectiveKey look for, packed as
// wordKeyAt packs them (TestPackedNames).
const (
	packedCALL     = 'C' | 'A'<<8 | 'L'<<16 | 'L'<<24
	packedLOOP     = 'L' | 'O'<<8 | 'O'<<16 | 'P'<<24
	packedXBEGIN   = 'X' | 'B'<<8 | 'E'<<16 | 'G'<<24 | 'I'<<32 | 'N'<<40
	packedTEXT     = 'T' | 'E'<<8 | 'X'<<16 | 'T'<<24
	packedGLOBL    = 'G' | 'L'<<8 | 'O'<<16 | 'B'<<24 | 'L'<<32
	packedDATA     = 'D' | 'A'<<8 | 'T'<<16 | 'A'<<24
	packedPCALIGN  = 'P' | 'C'<<8 | 'A'<<16 | 'L'<<24 | 'I'<<32 | 'G'<<40 | 'N'<<48
	packedPCDATA   = 'P' | 'C'<<8 | 'D'<<16 | 'A'<<24 | 'T'<<32 | 'A'<<40
	packedFUNCDATA = 'F' | 'U'<<8 | 'N'<<16 | 'C'<<24 | 'D'<<32 | 'A'<<40 | 'T'<<48 | 'A'<<56
)

// plainOperand reads a plain operand at src[i:] of an instruction that
// jumps or not into a (zero), all but its symbol's name: where it ends,
// where the symbol's name is (an empty span for none), and false when
// it is not plain (the token path reads it). regs is registers().
func plainOperand(pp *preproc, regs *regTable, src []byte, i int, a *ir.Operand, jump bool) (int, span, bool) {
	switch c := src[i]; {
	case c == '$':
		if w, _, isReg := regWordAt(regs, src, i+1); w > i+1 {
			if isReg {
				return 0, span{}, false
			}
			end, ok := plainSymbol(pp, src, a, i+1, w, '$', jump)
			return end, span{i + 1, w}, ok
		}
		v, end, ok := numberAt(src, i+1)
		a.Kind, a.Imm = ir.ImmOperand, int64(v)
		return end, span{}, ok
	case c == '(' || c == '-' || c >= '0' && c <= '9':
		end, ok := plainMemory(pp, regs, src, i, a, jump)
		return end, span{}, ok
	}
	w, r, isReg := regWordAt(regs, src, i)
	if w == i {
		return 0, span{}, false
	}
	if isReg {
		a.Kind, a.Reg = ir.RegOperand, r
		return w, span{}, !pp.isMacroReg(src[i:w])
	}
	end, ok := plainSymbol(pp, src, a, i, w, 0, jump)
	return end, span{i, w}, ok
}

// plainMemory reads [offset](base)[(index*scale)], [offset](index*scale),
// an absolute address or, after a jump, N(PC), at src[i:], into a: where
// it ends, and false when it is not plain.
func plainMemory(pp *preproc, regs *regTable, src []byte, i int, a *ir.Operand, jump bool) (int, bool) {
	a.Kind = ir.MemOperand
	if src[i] != '(' {
		v, end, ok := numberAt(src, i)
		if !ok {
			return 0, false
		}
		a.Disp, i = int64(v), end
		if i == len(src) || src[i] != '(' {
			return i, true // an absolute address
		}
	}
	r, end, ok := regAt(pp, regs, src, i+1)
	if !ok {
		if jump && string(src[i+1:wordAt(src, i+1)]) == "PC" && i+3 < len(src) && src[i+3] == ')' && !pp.isMacroBytes(src[i+1:i+3]) {
			a.Kind = ir.LabelOperand
			return i + 4, true
		}
		return 0, false
	}
	if isSegReg(r) || end == len(src) {
		return 0, false
	}
	if src[end] == '*' {
		a.Index = r
		a.Scale, end, ok = scaleAt(src, end+1)
		return end, ok
	}
	if src[end] != ')' {
		return 0, false
	}
	a.Reg, i = r, end+1
	if i < len(src) && src[i] == '(' {
		r, end, ok := regAt(pp, regs, src, i+1)
		if !ok || isSegReg(r) || end == len(src) || src[end] != '*' {
			return 0, false
		}
		a.Index = r
		a.Scale, end, ok = scaleAt(src, end+1)
		return end, ok
	}
	return i, true
}

// plainSymbol reads name[<>][±offset](SB), or a label after a jump, the
// name at src[i:w] (no register), after the prefix $ or none (0), into
// a, all but the name: where it ends, and false when it is not plain.
func plainSymbol(pp *preproc, src []byte, a *ir.Operand, i, w int, prefix byte, jump bool) (int, bool) {
	name := src[i:w]
	if isPseudoReg(string(name)) || pp.isMacroBytes(name) {
		return 0, false
	}
	if w+1 < len(src) && src[w] == '<' && src[w+1] == '>' {
		a.Static, w = true, w+2
	}
	if w < len(src) && (src[w] == '+' || src[w] == '-') {
		at := w
		if src[w] == '+' {
			at++
		}
		v, end, ok := numberAt(src, at)
		if !ok {
			return 0, false
		}
		a.Disp, w = int64(v), end
	}
	if w+4 > len(src) || string(src[w:w+4]) != "(SB)" || pp.isMacroBytes(src[w+1:w+3]) {
		if prefix == 0 && jump && !a.Static && a.Disp == 0 {
			a.Kind = ir.LabelOperand
			return w, true
		}
		return 0, false
	}
	switch {
	case prefix == '$':
		a.Kind = ir.AddrOperand
	case jump:
		a.Kind = ir.LabelOperand
	default:
		a.Kind = ir.MemOperand
	}
	return w + 4, true
}

// isDirectiveKey reports whether a statement starting with a word of n
// bytes, packed by wordKeyAt, is a directive (TEXT, GLOBL, DATA,
// PCALIGN, PCDATA, FUNCDATA), which the token path reads: one look-up
// in directiveSlots.
func isDirectiveKey(key uint64, n int) bool {
	// FUNCDATA fills the word: a longer word starting with it packs the
	// same.
	return directiveSlots[key*directiveHash>>61] == key && (key != packedFUNCDATA || n == 8)
}

// directiveHash spreads the six directives' packed names over the
// eight slots of directiveSlots, one in each of six (TestPackedNames).
const directiveHash = 0xe1988ad9f06c144b

// directiveSlots holds the directives' packed names, each in its slot
// (0 in the others, which no word packs to). It is made once, when the
// package is initialized, and only read.
var directiveSlots = func() (slots [8]uint64) {
	for _, key := range []uint64{packedTEXT, packedGLOBL, packedDATA, packedPCALIGN, packedPCDATA, packedFUNCDATA} {
		slots[key*directiveHash>>61] = key
	}
	return slots
}()

// regAt reads the register named at src[i:], when the name is one and
// no macro: the register and where its name ends.
func regAt(pp *preproc, regs *regTable, src []byte, i int) (ir.Reg, int, bool) {
	end, r, ok := regWordAt(regs, src, i)
	if !ok || pp.isMacroReg(src[i:end]) {
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
