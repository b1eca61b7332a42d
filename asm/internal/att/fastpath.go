package att

// The plain line read at once. Most lines of code are a mnemonic and up
// to five operands (maxFastOps) of the plainest forms — %reg, $number,
// number(%base,%index,scale) with any part left out, number(%rip), and
// first a rounding operand ({rn-sae}, {sae} …) — with the AVX-512
// decorations {%k1}…{%k7}, {z} and {1toN} written right after a register
// or memory operand, and nothing else on the line: no label, prefix,
// comment, expression, symbol or segment. fastInstruction reads such a line
// straight from its text into the operands the tokens would make (the
// same columns, texts and values), and hands them to the rest of the
// instruction as the token path does. Anything else, and anything the
// token path would report, is left to the token path, which then reads
// the line from its start: so every message comes from one place.

import (
	"math/bits"
	"strings"
	"sync"

	"github.com/jitrun/jitrun/asm/internal/ir"
)

// maxFastOps is the most operands a plain line has, a rounding operand
// included.
const maxFastOps = 5

// isSpace reports whether the lexer skips c.
func isSpace(c byte) bool { return byteClass[c]&bSpace != 0 }

// fastInstruction reads line, when it is a plain instruction, and
// reports whether it did. When it did not, the parser is as before.
// wide is line and what follows it in the source (line is its start):
// the mnemonic's bytes are read from it a word at a time.
func (p *parser) fastInstruction(line, wide string) bool {
	if p.slowOnly || p.lx.inBlock || p.sec != nil && p.sec.kind != secText {
		return false
	}
	i := 0
	for i < len(line) && isSpace(line[i]) {
		i++
	}
	start := i
	if i == len(line) || !isIdentStart(line[i]) || line[i] == '.' {
		return false // a directive, or not an instruction
	}
	var seen uint8 // the byte classes of the mnemonic's bytes, or'ed
	for i < len(line) && isIdentChar(line[i]) {
		seen |= byteClass[line[i]]
		i++
	}
	if i < len(line) && !isSpace(line[i]) {
		return false // a label, an assignment …
	}
	text := line[start:i]
	mnem, mk := text, mnemKey{}
	if seen&bUpper != 0 || strings.HasSuffix(text, ".s") {
		mnem = mnemonic(text) // else it is text as written
	} else if len(text) <= 16 {
		mk = packMnem(wide, start, i)
	}
	if maybePrefix(text) && prefixes[lower(text)] != "" {
		return false
	}
	if cap(p.opBuf) < maxFastOps {
		p.opBuf = make([]operand, maxFastOps+4)
	}
	buf := p.opBuf[:maxFastOps]
	ops := p.opPtrs[:0]
	for n := 0; ; n++ {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
		if i == len(line) {
			if n > 0 {
				return false // a missing operand after a comma
			}
			break
		}
		if n == maxFastOps {
			return false
		}
		o := &buf[n]
		end, ok := p.fastOperand(o, line, wide, i)
		if ok {
			ops = append(ops, o)
			// The operand's text ends where the lexer's would: at the
			// comma, or at the end of the line, without the spaces
			// before either; a plain operand ends in no space, so that
			// is where it ends.
			o.text = line[o.col-1 : end]
		} else if end = fastRounding(o, line, i); n > 0 || end == 0 {
			return false
		}
		for i = end; i < len(line) && isSpace(line[i]); i++ {
		}
		if i == len(line) {
			break
		}
		if line[i] != ',' {
			return false
		}
		i++
	}
	textEnd := start + len(text) // where the statement's text ends, spaces after it left out
	rounding, roundCol := "", 0
	if len(ops) > 0 {
		last := ops[len(ops)-1]
		textEnd = last.col - 1 + len(last.text)
		if ops[0] != &buf[0] {
			// The first operand was a rounding operand (fastRounding).
			rounding, roundCol = buf[0].rounding, buf[0].col
		}
	}
	p.opPtrs = ops[:0]
	t := token{kind: tIdent, text: text, col: start + 1}
	p.stmtEnd = len(line)
	p.here = ""
	// The source as p.source(t) makes it: what follows the text is
	// spaces the lexer skips, which TrimSpace removes.
	src := ir.Source{Pos: p.pos(t.col), Text: line[start:textEnd]}
	p.operands(t, mnem, mk, ops, rounding, roundCol, nil, src)
	return true
}

// lower is s in lower case.
func lower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; c >= 'A' && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// fastOperand reads a plain operand at line[i:] into o: where it ends,
// and false when it is not plain (o is then garbage). wide is line and
// what follows it in the source.
func (p *parser) fastOperand(o *operand, line, wide string, i int) (int, bool) {
	*o = operand{col: i + 1}
	switch c := line[i]; {
	case c == '%':
		e, end := p.registerAt(line, wide, i+1)
		if e == nil || e.fast&fastReg == 0 {
			return 0, false // the token path reads (or reports) these
		}
		o.kind, o.reg, o.class, o.regText = oReg, e.r, e.class, line[i:end]
		if end < len(line) && line[end] == '{' {
			return fastDecorations(o, line, end)
		}
		return end, operandEnds(line, end)
	case c == '$':
		v, end, ok := numberAt(line, i+1)
		if !ok || !operandEnds(line, end) {
			return 0, false
		}
		o.kind, o.imm = oImm, v
		return end, true
	}
	// Memory: number(%base,%index,scale), any part left out.
	o.kind = oMem
	if line[i] != '(' {
		v, end, ok := numberAt(line, i)
		if !ok || end >= len(line) || line[end] != '(' {
			return 0, false // an absolute address, a label …
		}
		o.disp, i = v, end
	}
	i++ // (
	if i < len(line) && line[i] == '%' {
		e, end := p.registerAt(line, wide, i+1)
		switch {
		case e == nil:
			return 0, false
		case e.fast&fastBase != 0:
			o.base = e.r
		case e.fast&fastRIP != 0:
			// number(%rip): no index, and a displacement of 32 bits.
			if end >= len(line) || line[end] != ')' || o.disp != int64(int32(o.disp)) {
				return 0, false
			}
			o.rip = true
		default:
			return 0, false
		}
		i = end
	}
	if i < len(line) && line[i] == ',' {
		i++
		if i >= len(line) || line[i] != '%' {
			return 0, false
		}
		e, end := p.registerAt(line, wide, i+1)
		if e == nil || e.fast&fastIndex == 0 {
			return 0, false
		}
		o.index, o.indexClass, o.scale, i = e.r, e.class, 1, end
		if i < len(line) && line[i] == ',' {
			if i+1 >= len(line) {
				return 0, false
			}
			switch line[i+1] {
			case '1', '2', '4', '8':
				o.scale = int64(line[i+1] - '0')
			default:
				return 0, false
			}
			i += 2
		}
	}
	if i >= len(line) || line[i] != ')' || o.base.Reg == 0 && o.index.Reg == 0 && !o.rip {
		return 0, false
	}
	if i++; i < len(line) && line[i] == '{' {
		return fastDecorations(o, line, i)
	}
	return i, operandEnds(line, i)
}

// fastDecorations reads the decorations written right after the
// register or memory operand o, which ends at line[i] without them, as
// decorations reads them: {%k1}…{%k7}, {z}, and {1to2}…{1to32} on memory.
// It returns where the operand ends, and false for anything else, for a
// decoration given twice, and when the operand does not end there (the
// token path reads those, or reports them).
func fastDecorations(o *operand, line string, i int) (int, bool) {
	for i < len(line) && line[i] == '{' {
		d := line[i+1:]
		switch {
		case len(d) >= 4 && d[0] == '%' && d[1] == 'k' && d[2] >= '1' && d[2] <= '7' && d[3] == '}':
			if o.mask != 0 {
				return 0, false
			}
			o.mask = int(d[2] - '0')
			i += 5
		case len(d) >= 2 && d[0] == 'z' && d[1] == '}':
			if o.zeroing {
				return 0, false
			}
			o.zeroing = true
			i += 3
		case len(d) >= 5 && d[:3] == "1to" && o.kind == oMem && o.bcst == 0:
			n, j := 0, 3
			for ; j < len(d) && j < 5 && d[j] >= '0' && d[j] <= '9'; j++ {
				n = 10*n + int(d[j]-'0')
			}
			if j == len(d) || d[j] != '}' || d[3] == '0' || n < 2 || n > 32 || n&(n-1) != 0 {
				return 0, false
			}
			o.bcst = n
			i += 2 + j
		default:
			return 0, false
		}
	}
	if !operandEnds(line, i) {
		return 0, false
	}
	return i, true
}

// fastRounding reads the rounding operand at line[i] ({rn-sae},
// {rd-sae}, {ru-sae}, {rz-sae} or {sae}, alone) into o as parseOperand
// does, when another operand follows it (AT&T writes it first): where
// it ends, 0 for anything else (the token path reads or reports it).
// fastInstruction then finds the instruction's rounding in its first
// operand, which is not among the operands it hands on.
func fastRounding(o *operand, line string, i int) int {
	if line[i] != '{' {
		return 0
	}
	j := strings.IndexByte(line[i:], '}')
	if j < 0 {
		return 0
	}
	end := i + j + 1
	switch d := line[i+1 : end-1]; d {
	case "rn-sae", "rd-sae", "ru-sae", "rz-sae", "sae":
		k := end
		for k < len(line) && isSpace(line[k]) {
			k++
		}
		if k < len(line) && line[k] == ',' {
			*o = operand{col: i + 1, text: line[i:end], rounding: d}
			return end
		}
	}
	return 0
}

// registerAt looks up the register named by the identifier at line[i:]
// (knownRegister): the register and where its name ends; nil when there
// is no identifier or no such register.
// wide is line and what follows it in the source: a name of letters and
// digits that ends within the 8 bytes from i, when wide has them (nearly
// every register), is read from one word and looked up by its packed
// lower case (ir.IntelRegs, which LookupIntelRegRef reads too); any other
// name goes the way the token path's does.
func (p *parser) registerAt(line, wide string, i int) (*regEntry, int) {
	if i >= len(line) || !isIdentStart(line[i]) {
		return nil, i
	}
	if i+8 <= len(wide) {
		w := ir.LoadWord(wide, i)
		alnum, letter := ir.AlnumBytes(w)
		// The letters and digits from i, no further than the line.
		n := min(bits.TrailingZeros64(^alnum&ir.WordHigh)>>3, len(line)-i)
		if j := i + n; n > 0 && n < 8 && (j == len(line) || !isIdentChar(line[j])) {
			if r := ir.IntelRegs().LookupPacked(ir.LowBytes(w|letter&ir.WordHigh>>2, n)); r.ID != 0 {
				return &p.regEntries[r.ID], j
			}
		}
	}
	j := i + 1
	for j < len(line) && isIdentChar(line[j]) {
		j++
	}
	return p.knownRegister(line[i:j]), j
}

// regEntries are the regEntry of every register by its number: made on
// first use and only read afterwards (a parser holds them:
// parser.regEntries; knownRegister and registerAt return pointers into
// them).
var regEntries = sync.OnceValue(func() *[256]regEntry {
	var t [256]regEntry
	for id := range len(t) {
		if name := ir.IntelRegID(id).Name(); name != "" {
			r := ir.LookupIntelRegRef(name)
			t[id] = regEntry{r: r, class: regClassID(r.Class()), fast: fastUses(r)}
		}
	}
	return &t
})

// operandEnds reports whether an operand may end at line[i:]: the end of
// the line, a space or a comma.
func operandEnds(line string, i int) bool {
	return i == len(line) || line[i] == ',' || isSpace(line[i])
}

// numberAt reads a plain number at line[i:], -, then decimal without a
// leading zero or 0x hexadecimal, as the lexer and the expression would
// read it: its value, where it ends, and false when there is none or it
// is another kind of token (1f, 1.5, 010, too many digits …).
func numberAt(line string, i int) (int64, int, bool) {
	neg := false
	if i < len(line) && line[i] == '-' {
		neg, i = true, i+1
	}
	if i >= len(line) || line[i] < '0' || line[i] > '9' {
		return 0, 0, false
	}
	var u uint64
	j := i
	if line[i] == '0' && i+1 < len(line) && (line[i+1] == 'x' || line[i+1] == 'X') {
		j = i + 2
		for j < len(line) && j-i-2 < 16 && isHex(line[j]) {
			u = u<<4 | uint64(hexVal(line[j]))
			j++
		}
		if j == i+2 {
			return 0, 0, false
		}
	} else {
		for j < len(line) && j-i < 18 && line[j] >= '0' && line[j] <= '9' {
			u = u*10 + uint64(line[j]-'0')
			j++
		}
		if line[i] == '0' && j > i+1 {
			return 0, 0, false // octal
		}
	}
	if j < len(line) && (isIdentChar(line[j]) || line[j] == '.') {
		return 0, 0, false // more digits, a suffix, a float …
	}
	v := int64(u)
	if neg {
		v = -v
	}
	return v, j, true
}
