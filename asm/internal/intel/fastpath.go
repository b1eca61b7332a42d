package intel

// The plain line read at once. Most lines of code are a mnemonic and up
// to a few operands of the plainest forms — a register, a number, and a
// memory operand [base + index*scale ± number] or [rip ± number] with
// a size keyword
// (dword ptr) before it — with the AVX-512 decorations {k1}…{k7}, {z}
// and {1toN} after them, a rounding operand ({rn-sae} …), and nothing
// else on the line: no label, prefix, comment, name, expression beyond
// those sums, segment or keyword but the size. fastInstruction reads
// such a line straight from its text into plain operands (plainOp: what
// the tokens would make of them, without a pointer, in its own frame).
// When the signature table has the form and nothing is to be reported,
// buildPlain makes the instruction from them at once (plainform.go);
// otherwise they become the operands the tokens would make (the same
// columns, texts and values) and go to the rest of the instruction as
// the token path's do, which says what is wrong. Anything else, and
// anything the token path would report while reading the operands, is
// left to the token path, which then reads the line from its start: so
// every message comes from one place.

import (
	"math/bits"
	"unsafe"

	"github.com/jitrun/jitrun/asm/internal/ir"
)

// maxFastOps is the most operands a plain line has (rounding included).
const maxFastOps = 6

// isSpace reports whether the lexer skips c: one look in a table (five
// comparisons cost the fast path more than any other of its loops).
func isSpace(c byte) bool { return spaceBytes[c] }

// spaceBytes are the bytes the lexer skips (read-only once made).
var spaceBytes = func() (t [256]bool) {
	for _, c := range []byte(" \t\r\f\v") {
		t[c] = true
	}
	return t
}()

// skipSpace returns the index of the first byte of line at or after i
// that the lexer does not skip.
func skipSpace(line string, i int) int {
	// Unsigned, the one comparison is the index's bounds check too.
	for uint(i) < uint(len(line)) && isSpace(line[i]) {
		i++
	}
	return i
}

// skipSpaceAfter is skipSpace where one blank is the rule (after a
// mnemonic, after a comma): a loop that runs once a call is a branch
// mispredicted every other time, a test of the one blank is none.
func skipSpaceAfter(line string, i int) int {
	if uint(i) < uint(len(line)) && line[i] == ' ' {
		i++
	}
	return skipSpace(line, i)
}

// identKeyAt returns where the identifier at line[i:] ends as the lexer
// reads it (i when there is none, or it is one the lexer reads
// otherwise: $$, $name), and the identifier line[i:end] packed as
// ir.IntelRegTable.LookupPacked reads it (key 0 when it does not pack:
// longer than 8 bytes). wide is line and what follows it in the source
// (line itself will do): with 8 bytes of wide at i, it reads them at
// once (foldWord), and reads on byte by byte only past 8. (The end
// alone says where the word is: a string returned as well cost its
// slicing's checks and two more registers in every caller.)
func identKeyAt(line, wide string, i int) (key uint64, end int) {
	if uint(i) >= uint(len(line)) || !wordStartBytes[line[i]] {
		return 0, i
	}
	if i+8 <= len(wide) {
		// foldWord, inlined.
		w := ir.LoadWord(wide, i)
		n, letter, exact := alnumCount(w)
		if !exact {
			n = identBytesCount(w)
		}
		f := w | letter&ir.WordHigh>>2
		// The word goes on past the line (a statement's end) no further
		// than the line.
		n = min(n, len(line)-i)
		if n < 8 {
			return ir.LowBytes(f, n), i + n
		}
		j := identEnd(line, wide, i+8)
		if j > i+8 {
			f = 0 // longer than 8 bytes
		}
		return f, j
	}
	s := line[i:]
	n := 0
	for ; n < len(s) && n < 8; n++ {
		c := intelFold[s[n]]
		if c == 0 {
			return key, i + n
		}
		key |= uint64(c) << (8 * n)
	}
	for ; n < len(s) && intelFold[s[n]] != 0; n++ {
		key = 0 // longer than 8 bytes
	}
	return key, i + n
}

// wordStartBytes are the bytes that start an identifier identKeyAt and
// mnemAt read (one look in a table for intelIdentClass's identStart and
// the $ they leave to the token path: read-only once made).
var wordStartBytes = func() (t [256]bool) {
	for c := range 256 {
		t[c] = isIntelIdentStart(byte(c)) && c != '$'
	}
	return t
}()

// foldWord returns the 8 bytes of text at i (text has them) through
// intelFold, packed the first lowest, and how many of them from the
// first continue an identifier (8 when all do); the bytes that do not
// are garbage. It classifies the 8 bytes at once (identBytes), with no
// load but the word's and no branch (TestFoldWord compares it with
// intelFold).
func foldWord(text string, i int) (folded uint64, n int) {
	w := ir.LoadWord(text, i)
	ident, letter := identBytes(w)
	return w | letter&ir.WordHigh>>2, bits.TrailingZeros64(^ident&ir.WordHigh) >> 3
}

// identBytes classifies the 8 bytes of w, with arithmetic in each byte
// of the word (no carry crosses a byte: every byte's result is exact):
// ident has bit 7 set in the bytes that continue an identifier, letter
// in the letters (its other bits are garbage). It is small enough to be
// inlined (identKeyAt and identEnd read words with it, without
// foldWord's call: most of its cost with the spills around it). It
// repeats ir.AlnumBytes's letters and digits rather than calling it: with
// that call inlined, it is too large to be inlined itself.
func identBytes(w uint64) (ident, letter uint64) {
	x := w & ir.WordLow7          // the bytes' low 7 bits
	lower := x | 0x20*ir.WordOnes // letters in lower case
	// Bit 7 is set in a byte of x+(0x80-a) when it is a or above, and in
	// x+(0x7f-b) when it is above b.
	letter = (lower + (0x80-'a')*ir.WordOnes) &^ (lower + (0x7f-'z')*ir.WordOnes)
	digit := (x + (0x80-'0')*ir.WordOnes) &^ (x + (0x7f-'9')*ir.WordOnes)
	qmarkAt := (x + (0x80-'?')*ir.WordOnes) &^ (x + (0x7f-'@')*ir.WordOnes)
	// Bit 7 of z+0x7f is set when the byte z is not 0.
	other := ^((x ^ '_'*ir.WordOnes + ir.WordLow7) & (x ^ '.'*ir.WordOnes + ir.WordLow7) & (x ^ '$'*ir.WordOnes + ir.WordLow7))
	// Bytes outside ASCII (bit 7 set in w) continue no identifier.
	return (letter | digit | qmarkAt | other) & ir.WordHigh &^ w, letter
}

// alnumCount returns how many of the 8 bytes of w from the first are
// letters or digits (8 when all are) and the letters of w as identBytes
// marks them, and whether that count is identBytes's: whether the byte
// that ends the letters and digits, if any, continues no identifier.
// When it does (_ . $ ? @: seldom), identBytesCount counts the word:
// those bytes are rare in a word, and leaving them to identBytes halves
// the arithmetic of nearly every word (ir.AlnumBytes). It is small
// enough to be inlined.
func alnumCount(w uint64) (n int, letter uint64, exact bool) {
	alnum, letter := ir.AlnumBytes(w)
	n = bits.TrailingZeros64(^alnum&ir.WordHigh) >> 3
	// The byte that ends the letters and digits; none when n is 8 (the
	// shift by 64 leaves 0, which continues no identifier).
	return n, letter, intelFold[byte(w>>(uint(n)*8))] == 0
}

// identBytesCount is how many of the 8 bytes of w from the first
// continue an identifier (identBytes): alnumCount's seldom case, out of
// line.
func identBytesCount(w uint64) int {
	ident, _ := identBytes(w)
	return bits.TrailingZeros64(^ident&ir.WordHigh) >> 3
}

// identEnd returns where the bytes that continue an identifier from
// line[i] end (i itself when line[i] does not), no further than the end
// of the line; wide as identKeyAt's, read 8 bytes at a time.
func identEnd(line, wide string, i int) int {
	for i+8 <= len(wide) && i < len(line) {
		w := ir.LoadWord(wide, i)
		n, _, exact := alnumCount(w)
		if !exact {
			n = identBytesCount(w)
		}
		i += n
		if n < 8 {
			return min(i, len(line))
		}
	}
	for i < len(line) && intelFold[line[i]] != 0 {
		i++
	}
	return min(i, len(line))
}

// wideOf returns wide when it is line and what follows it in the same
// memory (the rest of the source from the line's start), else line.
func wideOf(line, wide string) string {
	if len(wide) >= len(line) && unsafe.StringData(wide) == unsafe.StringData(line) {
		return wide
	}
	return line
}

// intelFold maps a byte that continues an identifier (isIntelIdentChar:
// all are ASCII) to itself in lower case, and every other byte to 0
// (read-only once made).
var intelFold = func() (t [256]byte) {
	for c := range 256 {
		if intelIdentClass[c] == 0 {
			continue
		}
		b := byte(c)
		if b >= 'A' && b <= 'Z' {
			b += 'a' - 'A'
		}
		t[c] = b
	}
	return t
}()

// numberAt reads the number token at line[i:] as the lexer reads it (an
// integer in any of its spellings): its value, where it ends, and false
// when there is none or it is another token (a float, a bad number).
// wide is as identKeyAt's.
func numberAt(line, wide string, i int) (int64, int, bool) {
	if uint(i) >= uint(len(line)) || line[i] < '0' || line[i] > '9' {
		return 0, 0, false
	}
	// The usual numbers of code, read without finding their end first
	// (identEnd) and reading them again (plainNumber): a digit alone
	// (scales, small immediates), then 0x and up to 7 hex digits.
	if j := i + 1; j == len(line) || intelFold[line[j]] == 0 {
		return int64(line[i] - '0'), j, true
	}
	if line[i] == '0' && line[i+1]|0x20 == 'x' && i+10 <= len(wide) {
		if v, j, ok := hexWordAt(line, wide, i+2); ok {
			return v, j, true
		}
	}
	return numberAtSlow(line, wide, i)
}

// numberAtSlow is numberAt of any number: it finds where the number ends
// as the lexer does, and reads it.
func numberAtSlow(line, wide string, i int) (int64, int, bool) {
	// The number's bytes are those of an identifier ('.' included).
	j := identEnd(line, wide, i)
	if j < len(line) && (line[j] == '+' || line[j] == '-') && (line[j-1] == 'e' || line[j-1] == 'E') && !isHexPrefixed(line[i:j]) {
		return 0, 0, false // 1e+5: the lexer reads on, a float
	}
	if v, ok := plainNumber(line[i:j]); ok {
		return int64(v), j, true
	}
	t, msg := lexIntelNumber(line[i:j])
	if msg != "" || t.kind != itInt {
		return 0, 0, false
	}
	return t.ival, j, true
}

// hexWordAt reads the hex digits of a 0x number at line[k:] (wide has 8
// bytes at k) from one word, as plainNumber reads them: their value and
// where they end, when there are 1 to 7 of them and the byte after them
// (if the line has one) continues no identifier (else the number is
// another, or longer: numberAtSlow reads it).
func hexWordAt(line, wide string, k int) (int64, int, bool) {
	w := ir.LoadWord(wide, k)
	x := w & ir.WordLow7          // the bytes' low 7 bits
	lower := x | 0x20*ir.WordOnes // letters in lower case
	// Bit 7 set in the bytes that are a decimal digit, a to f (either case).
	digit := (x + (0x80-'0')*ir.WordOnes) &^ (x + (0x7f-'9')*ir.WordOnes)
	letter := (lower + (0x80-'a')*ir.WordOnes) &^ (lower + (0x7f-'f')*ir.WordOnes) & ir.WordHigh &^ w
	n := bits.TrailingZeros64(^(digit&ir.WordHigh&^w|letter)&ir.WordHigh) >> 3
	n = min(n, len(line)-k) // the digits end with the line at the latest
	if n == 0 || n == 8 || k+n < len(line) && intelFold[line[k+n]] != 0 {
		return 0, 0, false
	}
	// Each byte's digit value: its low 4 bits, and 9 more for a letter
	// (a is 0x61, A 0x41). No byte carries into the next.
	nib := w&(0x0f*ir.WordOnes) + (letter>>7)*9
	// The n digits, the last lowest, a byte each; then pairs of them
	// into bytes, of those into 16 bits, into 32.
	v := bits.ReverseBytes64(nib) >> (8 * uint(8-n))
	v = (v | v>>4) & 0x00ff00ff00ff00ff
	v = (v | v>>8) & 0x0000ffff0000ffff
	v = (v | v>>16) & 0xffffffff
	return int64(v), k + n, true
}

// fastMnemonic reports whether word (lower case), whose mnemInfo is info
// (nil for none), starts an instruction the token path reads as one,
// without a prefix: a mnemonic that is no directive, prefix or times. It
// returns the word's mnemInfo, nil for a predicate pseudo-mnemonic
// (vcmpltps).
func fastMnemonic(word string, info *mnemInfo) (*mnemInfo, bool) {
	if info != nil {
		return info, info.plain
	}
	if _, ok := directives[word]; ok || word == "times" || intelPrefix(word) != "" || isIntelDirective(word) {
		return nil, false
	}
	_, _, ok := ir.CmpPseudoOp(word)
	return nil, ok
}

// plainOp is a plain operand as fastInstruction reads it: the fields of
// its intelOperand that a plain operand sets, without a pointer (its
// text and its size keyword are where they are in the line), so that
// the operands of a line are read into fastInstruction's frame and
// writing them writes nothing the garbage collector watches.
type plainOp struct {
	kind             iopKind
	zeroing, rip     bool
	reg, base, index ireg
	size, mask, bcst int
	scale, disp, imm int64
	// The text is line[start:end], the size keyword line[wordStart:wordEnd]
	// (wordEnd 0: none).
	start, end, wordStart, wordEnd int
	// sig is the operand's signature (operandSig), written by fastOperand
	// as it learns each part (0: none).
	sig uint64
	// decorated is set when a decoration was read (fastDecorate).
	decorated bool
}

// fill writes o into the zero intelOperand io, line being the line o
// was read from.
func (o *plainOp) fill(io *intelOperand, line string) {
	io.kind, io.col, io.text = o.kind, o.start+1, line[o.start:o.end]
	io.size, io.reg, io.base, io.index, io.scale, io.disp, io.rip = o.size, o.reg, o.base, o.index, o.scale, o.disp, o.rip
	io.imm, io.mask, io.zeroing, io.bcst = o.imm, o.mask, o.zeroing, o.bcst
	if o.wordEnd > 0 {
		io.sizeWord = lowerWord(line[o.wordStart:o.wordEnd])
	}
}

// fastInstruction reads line, when it is a plain instruction, and
// reports whether it did. When it did not, nothing of the parser has
// changed but the line's scratch. wide is line and the rest of the
// source after it, in the same memory (or line alone): the words are
// read 8 bytes at a time from it.
func (p *parser) fastInstruction(line, wide string) bool {
	if p.slowOnly || p.sec != nil {
		return false
	}
	wide = wideOf(line, wide)
	regs := ir.IntelRegs()
	start := skipSpace(line, 0)
	key, packs, upper, i := mnemAt(line, wide, start)
	if i == start || i < len(line) && !isSpace(line[i]) {
		return false // not an instruction, a label, …
	}
	// The mnemonic is line[start:mnemEnd] (its text and word made only
	// where they are read: mnemWord).
	mnemEnd := i
	var info *mnemInfo
	if packs {
		info = lookupMnemKey(key)
	} else {
		info = lookupMnem(mnemWord(line[start:mnemEnd], upper))
	}
	// fastMnemonic's first case, without its call: a mnemonic of the
	// table (nearly every line).
	if info == nil || !info.plain {
		var ok bool
		if info, ok = fastMnemonic(mnemWord(line[start:mnemEnd], upper), info); !ok {
			return false
		}
	}
	// The operands are read into the parser's array, each cleared as it
	// is taken: zeroing an array in the frame cost more than reading
	// most lines.
	buf := &p.fastOps
	n := 0
	rounding, roundCol := "", 0
	decorated := false // an operand has a decoration
	last := i          // where the statement's text ends
	for {
		i = skipSpaceAfter(line, i)
		if i == len(line) {
			if n > 0 {
				return false // a missing operand after a comma
			}
			break
		}
		if n == maxFastOps {
			return false
		}
		// The operand ends at end, and what follows it at next (after
		// blanks): a comma or the end of the line.
		var end, next int
		if line[i] == '{' {
			// A rounding operand: vaddps zmm0, zmm1, zmm2, {rn-sae}.
			d, j := decorationAt(line, i)
			if rounding != "" || !isRounding(d) {
				return false
			}
			rounding, roundCol, end = d, i+1, j
			next = skipSpace(line, end)
		} else {
			o := &buf[n]
			*o = plainOp{start: i} // its text starts here
			if wordStartBytes[line[i]] {
				// A register without a decoration (most operands) read
				// here, without fastOperand's call; any other word as
				// fastOperand reads it (fastWordOperand).
				key, j := identKeyAt(line, wide, i)
				r := regs.LookupPacked(key) // Code 0: none, or rip
				k := skipSpace(line, j)
				if r.Code != 0 && (k == len(line) || line[k] != '{') {
					o.kind, o.reg, o.sig = iopReg, r, 1|uint64(r.Code)<<2
					end, next = j, k
				} else {
					var ok bool
					if end, next, ok = fastWordOperand(o, regs, line, wide, i, key, j); !ok {
						return false
					}
				}
			} else {
				var ok bool
				if end, next, ok = fastOperand(o, regs, line, wide, i); !ok {
					return false
				}
			}
			// The operand's text ends where its tokens do: at the comma,
			// or at the end of the line, without the spaces before
			// either.
			o.end = end
			decorated = decorated || o.decorated
			n++
		}
		last = end
		if next == len(line) {
			break
		}
		if line[next] != ',' {
			return false
		}
		i = next + 1
	}
	if !p.eager && p.buildPlain(info, start+1, n, decorated, rounding, line[start:last]) {
		return true
	}
	ops := p.scratch.ops[:0]
	for k := range buf[:n] {
		o := p.scratch.operand()
		buf[k].fill(o, line)
		ops = append(ops, o)
	}
	p.scratch.ops = ops[:0]
	text := line[start:mnemEnd]
	t := itok{kind: itIdent, text: text, col: start + 1}
	p.lineStart = t
	p.here = ""
	p.spellLater, p.fastText = !p.eager, line[start:last]
	p.instructionOf(nil, t, mnemWord(text, upper), info, ops, rounding, roundCol, 1, t)
	p.spellLater, p.fastText = false, ""
	return true
}

// mnemWord is the mnemonic text in lower case (lowerWord when it has a
// capital: upper).
func mnemWord(text string, upper bool) string {
	if upper {
		return lowerWord(text)
	}
	return text
}

// buildPlain makes the instruction of a plain line whose mnemonic's
// mnemInfo is info (nil for a pseudo-mnemonic), at column col, with text
// text, straight from its nOps plain operands (p.fastOps: passed as a
// count, the call's arguments fit in registers) and rounding, when
// the signature table has its form and nothing in it is to be reported:
// the instruction instructionOf would make of them, with the lazy
// spelling. decorated says whether an operand has a decoration ({k1},
// {z}, {1to16}). It reports false, having changed nothing the parse reads,
// for any other line (instructionOf then reads it and says what is
// wrong).
func (p *parser) buildPlain(info *mnemInfo, col, nOps int, decorated bool, rounding, text string) bool {
	ops := p.fastOps[:nOps]
	if info == nil || len(info.forms) == 0 || info.fixes || info.branch != "" || p.noCache {
		return false
	}
	sig, ok := plainSignature(ops)
	if !ok {
		return false
	}
	place, ok := intelTable.bySig.findPlace(info.id, sig)
	if !ok {
		return false
	}
	pt := intelTable.plain
	f := &pt.forms[int(pt.base[info.id])+place]
	if f.flags&plainBuilds == 0 {
		return false
	}
	// decorations and checkDecorations, with nothing to report (none to
	// look for on a line without decorations: most).
	var d decor
	if decorated {
		for i := range ops {
			o := &ops[i]
			if i > 0 && (o.mask != 0 || o.zeroing) {
				return false
			}
			d.bcst = d.bcst || o.bcst > 0
		}
		if len(ops) > 0 {
			d.mask, d.zeroing = ops[0].mask, ops[0].zeroing
		}
	}
	if (d.mask != 0 || d.zeroing || rounding != "" || f.flags&plainMaskReq != 0) && !decorationsFit(f.flags, d, rounding) {
		return false
	}
	args := pt.argLists[f.args]
	in := p.mem.inst(len(args))
	in.Op = formShared.names[f.goName]
	if rounding != "" || d.bcst || d.zeroing {
		in.Suffix = ir.GoSuffix(rounding, d.bcst, d.zeroing)
	}
	ir.SetSpelling(in, p.lazySpelling())
	for _, a := range args {
		// An operand first: most arguments are.
		if a.kind != argOpmask && a.kind != argFixed {
			if k := len(in.Args); k < cap(in.Args) {
				in.Args = in.Args[:k+1]
				writePlainOperand(&in.Args[k], &ops[a.op])
			} else {
				var m ir.Operand
				writePlainOperand(&m, &ops[a.op])
				in.Args = append(in.Args, m)
			}
		} else if a.kind == argFixed {
			addRegArg(in, a.reg)
		} else if d.mask > 0 {
			addRegArg(in, opmaskRegs[d.mask])
		}
	}
	// The instruction's memory most often held one of the same file: a
	// pointer written only when it changes needs no write barrier.
	if in.Pos.File != p.file {
		in.Pos.File = p.file
	}
	in.Pos.Line, in.Pos.Col, in.Text = p.line, col, text
	if p.here != "" {
		p.here = ""
	}
	p.stmts = append(p.stmts, in)
	return true
}

// plainSignature is opSignature of plain operands, whose signatures
// fastOperand wrote (TestPlainSignature checks that they agree): finding
// each operand's again, by its kind, its size and its index, was a
// mispredicted branch or two a line.
func plainSignature(ops []plainOp) (uint64, bool) {
	if len(ops) > sigOps {
		return 0, false
	}
	var sig uint64
	for i := range ops {
		s := ops[i].sig
		if s == 0 {
			return 0, false
		}
		sig |= s << (sigOpBits * i)
	}
	return sig, true
}

// vsibCodes are the vector index codes of operandSig by the class code
// of a memory operand's index (xmm 1, ymm 2, zmm 3; others 0).
var vsibCodes = [16]uint8{ir.IntelXMM: 1, ir.IntelYMM: 2, ir.IntelZMM: 3}

// plainKinds are the Go operand kinds of plain operands by kind (one
// for every iopKind: indexed without a bounds check, writePlainOperand
// is small enough to be inlined).
var plainKinds = [256]ir.OperandKind{iopReg: ir.RegOperand, iopMem: ir.MemOperand, iopImm: ir.ImmOperand}

// writePlainOperand is writeGoOperand of a plain operand (no symbol, no
// segment) that fastOperand read: of its fields only its kind's are set
// (a register's reg; a memory operand's base, index, scale only with an
// index, disp and rip; an immediate's imm), so that it is written with
// no branch on its kind.
func writePlainOperand(m *ir.Operand, o *plainOp) {
	// [rip + n]: n bytes from the end of the instruction.
	setOperand(m, plainKinds[o.kind], o.reg.Reg|o.base.Reg, o.index.Reg, 0, o.scale, o.disp, o.imm, "", o.rip)
}

// isRounding reports whether a decoration is a rounding operand.
func isRounding(d string) bool {
	return d == "rn-sae" || d == "rd-sae" || d == "ru-sae" || d == "rz-sae" || d == "sae"
}

// decorationAt returns the text of the decoration {…} at line[i] and
// where it ends; "" when its text is not its own (decorText would change
// it: blanks, capitals) or it is not closed.
func decorationAt(line string, i int) (string, int) {
	for j := i + 1; j < len(line); j++ {
		switch c := line[j]; {
		case c == '}':
			if j == i+1 {
				return "", i
			}
			return line[i+1 : j], j + 1
		case c <= ' ' || c >= 'A' && c <= 'Z' || c >= 0x80 || c == '{' || c == ';' || c == '#':
			return "", i
		}
	}
	return "", i
}

// fastDecorate applies the decoration d to o as decorate does, and
// reports false for one it would report or that is not plain.
func fastDecorate(o *plainOp, d string) bool {
	o.decorated = true
	switch {
	case d == "z":
		if o.zeroing {
			return false
		}
		o.zeroing = true
	case len(d) == 2 && d[0] == 'k' && d[1] >= '1' && d[1] <= '7':
		if o.mask != 0 {
			return false
		}
		o.mask = int(d[1] - '0')
	case len(d) > 3 && d[:3] == "1to" && o.kind == iopMem:
		n := 0
		for _, c := range []byte(d[3:]) {
			if c < '0' || c > '9' || n > 64 {
				return false
			}
			n = 10*n + int(c-'0')
		}
		if n < 2 || n > 64 || n&(n-1) != 0 || d[3] == '0' {
			return false
		}
		o.bcst = n
		o.sig |= uint64(bcstCode(n)) << 6
	default:
		return false
	}
	return true
}

// fastOperand reads a plain operand at line[i:] into o (regs and wide
// as fastInstruction's): where it ends (its decorations included), where
// the blanks after it end (next: the caller reads on from there, and
// looks there for the comma or the end of the line), and false when it
// is not plain (o is then garbage). An operand followed by anything but
// a comma or the end of the line is none: the caller finds that at next.
func fastOperand(o *plainOp, regs *ir.IntelRegTable, line, wide string, i int) (end, next int, ok bool) {
	switch c := line[i]; {
	case c == '[':
		j, ok := fastMem(o, regs, line, wide, i)
		if !ok {
			return 0, 0, false
		}
		end = j
	case c == '-' || c >= '0' && c <= '9':
		j := i
		if c == '-' {
			j = skipSpace(line, i+1)
		}
		v, k, ok := numberAt(line, wide, j)
		if !ok {
			return 0, 0, false
		}
		if c == '-' {
			v = -v
		}
		o.kind, o.imm, o.sig = iopImm, v, 3
		// An immediate takes no decoration here: a { after it is no comma.
		return k, skipSpace(line, k), true
	default:
		key, j := identKeyAt(line, wide, i)
		if j == i {
			return 0, 0, false // no identifier
		}
		return fastWordOperand(o, regs, line, wide, i, key, j)
	}
	// Most operands have no decoration.
	if k := skipSpace(line, end); k == len(line) || line[k] != '{' {
		return end, k, true
	}
	return fastDecorations(o, line, end)
}

// fastWordOperand is fastOperand of an operand that starts with the word
// line[i:j] that packs to key (identKeyAt): a register, or a size keyword
// and a memory operand.
func fastWordOperand(o *plainOp, regs *ir.IntelRegTable, line, wide string, i int, key uint64, j int) (end, next int, ok bool) {
	// A register, or else a size keyword (no register's name is one).
	// lookupReg: every register's name packs (TestIntelRegTable), so a
	// word that does not (key 0) is none.
	if r := regs.LookupPacked(key); r.ID != 0 {
		if r.Code == 0 {
			return 0, 0, false // rip
		}
		o.kind, o.reg = iopReg, r
		o.sig = 1 | uint64(r.Code)<<2
		// Most registers have no decoration: what follows is the
		// caller's (more than a register, rax+1, is no comma).
		k := skipSpace(line, j)
		if k == len(line) || line[k] != '{' {
			return j, k, true
		}
		return fastDecorations(o, line, j)
	} else if bits, code := sizeKeywordKey(key); bits != 0 {
		// dword ptr [ … ]: the size of a memory operand.
		o.size, o.wordStart, o.wordEnd, o.sig = bits, i, j, code<<2
		k := skipSpace(line, j)
		if ptrAt(line, k) {
			k = skipSpace(line, k+3)
		}
		if k == len(line) || line[k] != '[' {
			return 0, 0, false
		}
		end, ok = fastMem(o, regs, line, wide, k)
		if !ok {
			return 0, 0, false
		}
	} else {
		return 0, 0, false
	}
	// Most operands have no decoration.
	if k := skipSpace(line, end); k == len(line) || line[k] != '{' {
		return end, k, true
	}
	return fastDecorations(o, line, end)
}

// fastDecorations reads the decorations {k1}, {z}, {1to16} after the
// operand o that ends at end (fastDecorate), if any: where they end, where
// the blanks after them end, and false for one that is not plain.
func fastDecorations(o *plainOp, line string, end int) (int, int, bool) {
	for {
		k := skipSpace(line, end)
		if k == len(line) || line[k] != '{' {
			return end, k, true
		}
		d, after := decorationAt(line, k)
		if d == "" || !fastDecorate(o, d) {
			return 0, 0, false
		}
		end = after
	}
}

// sizeKeywordKey is sizeKeyword of the word that packs to key (as
// identKeyAt packs it: in lower case), 0 for a word that is none, with
// the size's sizeCode.
func sizeKeywordKey(key uint64) (bits int, code uint64) {
	switch key {
	case keyByte:
		return 8, 1
	case keyWord:
		return 16, 2
	case keyDword:
		return 32, 3
	case keyFword:
		return 48, 4
	case keyQword, keyMmword:
		return 64, 5
	case keyTbyte, keyTword:
		return 80, 6
	case keyOword, keyXmmword:
		return 128, 7
	case keyYword, keyYmmword:
		return 256, 8
	case keyZword, keyZmmword:
		return 512, 9
	}
	return 0, 0
}

// The size keywords and ptr packed as identKeyAt packs them
// (TestSizeKeywordKey).
const (
	keyByte    = 'b' | 'y'<<8 | 't'<<16 | 'e'<<24
	keyWord    = 'w' | 'o'<<8 | 'r'<<16 | 'd'<<24
	keyDword   = 'd' | keyWord<<8
	keyFword   = 'f' | keyWord<<8
	keyQword   = 'q' | keyWord<<8
	keyTword   = 't' | keyWord<<8
	keyOword   = 'o' | keyWord<<8
	keyYword   = 'y' | keyWord<<8
	keyZword   = 'z' | keyWord<<8
	keyTbyte   = 't' | keyByte<<8
	keyMmword  = 'm' | 'm'<<8 | keyWord<<16
	keyXmmword = 'x' | 'm'<<8 | 'm'<<16 | keyWord<<24
	keyYmmword = 'y' | 'm'<<8 | 'm'<<16 | keyWord<<24
	keyZmmword = 'z' | 'm'<<8 | 'm'<<16 | keyWord<<24
	keyPtr     = 'p' | 't'<<8 | 'r'<<16
)

// ptrAt reports whether the word at line[i:] is ptr, in any case (the
// word identKeyAt would read there packs to keyPtr): its three bytes,
// then the end of the line or a byte that continues no identifier.
// Three compares of bytes cost less than reading the word (foldWord).
func ptrAt(line string, i int) bool {
	if i+3 > len(line) || line[i]|0x20 != 'p' || line[i+1]|0x20 != 't' || line[i+2]|0x20 != 'r' {
		return false
	}
	return i+3 == len(line) || intelFold[line[i+3]] == 0
}

// fastMem reads a plain memory operand [ … ] at line[i] into o (regs
// and wide as fastInstruction's): a sum of
// registers, registers times a number and numbers, whose registers give
// an address as parseMem would take it without a word ([rip + number]
// included). It returns where
// the operand ends.
func fastMem(o *plainOp, regs *ir.IntelRegTable, line, wide string, i int) (int, bool) {
	o.kind = iopMem
	i++ // [
	sub := false
	for n := 0; ; n++ {
		i = skipSpace(line, i)
		if i == len(line) {
			return 0, false
		}
		if n == 0 && line[i] == '-' {
			sub = true
			i = skipSpace(line, i+1)
		}
		if i == len(line) {
			return 0, false // [- at the end of the line
		}
		if c := line[i]; c >= '0' && c <= '9' {
			// A number (a word that starts with a digit is nothing else).
			v, j, ok := numberAt(line, wide, i)
			if !ok {
				return 0, false
			}
			if sub {
				o.disp -= v
			} else {
				o.disp += v
			}
			i = skipSpace(line, j)
		} else {
			key, j := identKeyAt(line, wide, i)
			if j == i || sub { // no identifier, or one subtracted
				return 0, false
			}
			r := regs.LookupPacked(key) // key 0, a word of more than 8 bytes, is none
			if r.ID == 0 {
				return 0, false
			}
			scale := int64(1)
			k := skipSpace(line, j) // what follows the register
			if k < len(line) && line[k] == '*' {
				v, after, ok := numberAt(line, wide, skipSpace(line, k+1))
				if !ok {
					return 0, false
				}
				scale, k = v, skipSpace(line, after)
			}
			if !fastMemReg(o, r, scale) {
				return 0, false
			}
			i = k
		}
		// i is past the term and the blanks after it.
		if i == len(line) {
			return 0, false
		}
		switch line[i] {
		case ']':
			// checkAddressing: rip alone, a 32-bit offset from it.
			if o.rip && (o.base.Reg != 0 || o.index.Reg != 0 || o.disp < -1<<31 || o.disp > 1<<31-1) {
				return 0, false
			}
			// checkIndex, with nothing to report.
			if o.index.Reg != 0 {
				switch o.scale {
				case 1, 2, 4, 8:
				default:
					return 0, false
				}
				if o.index.Reg == ir.SP {
					if o.scale != 1 || o.base.Reg == 0 || o.base.Reg == ir.SP {
						return 0, false
					}
					o.base, o.index = o.index, o.base
				}
			}
			// The signature's kind and vector index (its size is the
			// keyword's, 0 without one).
			o.sig |= 2 | uint64(vsibCodes[o.index.Code&15])<<9
			return i + 1, true
		case '+':
			sub = false
		case '-':
			sub = true
		default:
			return 0, false
		}
		i++
	}
}

// fastMemReg gives register r times scale its role in o as memRegs does,
// and reports false where memRegs would report an error.
func fastMemReg(o *plainOp, r ireg, scale int64) bool {
	switch r.Code {
	case 0: // rip
		if scale != 1 || o.rip {
			return false
		}
		o.rip = true
	case ir.IntelXMM, ir.IntelYMM, ir.IntelZMM:
		if o.index.Reg != 0 {
			return false
		}
		o.index, o.scale = r, scale
	case ir.IntelR64:
		if scale == 1 && o.base.Reg == 0 {
			o.base = r
			return true
		}
		if o.index.Reg != 0 {
			return false
		}
		o.index, o.scale = r, scale
	default:
		return false
	}
	return true
}
