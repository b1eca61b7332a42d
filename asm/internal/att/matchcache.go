package att

// The parser's memory of matches. A source says the same few kinds of
// instruction many times (movq %rax, 8(%rsp); movq %rcx, 16(%rsp)), and
// matching one against the form table (its AT&T names, suffix readings,
// string and shift forms, the forms that fit, the pick among them) costs
// more than reading its operands. So the parser remembers what match
// made of each mnemonic and operand signature that matched: the form,
// the Intel name, the sizes it gave the memory operands, and the
// operands it dropped or added.
//
// The signature holds what match reads of the operands: their kinds,
// register classes, memory sizes, broadcasts and vector index classes.
// Some paths of match read more, and say so before they do: fitting a
// form with a fixed register (add $1, %al; shl %cl, %eax) reads which of
// those registers an operand is (readsLitRegs); the string instructions,
// xlat, %st and the implicit operands of monitor read which registers
// and addresses the operands are (readsAll). Whether match reads more,
// and how much, up to its first such reading, depends on the signature
// alone; so the parser remembers, under the signature, the most any
// match of it read, and each match under the finer signature of what it
// read: the fixed register each register operand is, or every register,
// base, index, displacement and immediate as they are. Only matches that
// succeed are remembered, so a mistake is always explained by match
// itself.

import (
	"strconv"
	"strings"
)

const (
	// maxCachedOps is the most operands a remembered match has.
	maxCachedOps = 6
	// maxCachedExtras is the most operands a remembered match adds (the
	// 1 of a shift, the predicate of a pseudo-mnemonic).
	maxCachedExtras = 2
	// maxMatches bounds the matches a parser remembers.
	maxMatches = 4096
	// keyChunk is the room each block of remembered keys is made with.
	keyChunk = 8 << 10
)

// What match read beyond the signature.
const (
	readsLitRegs uint8 = 1 + iota // which fixed register each register is
	readsAll                      // every part of every operand
)

// matchEntry is what match made of a mnemonic and an operand signature.
type matchEntry struct {
	// named is, under a signature, the most any match of it read beyond
	// it (readsLitRegs, readsAll): look up the finer signatures.
	named uint8
	// keep is how many of the operands (Intel order) the form takes as
	// they are; extras are the nExtras immediates match adds after them
	// (nil when it adds none, as most do).
	keep, nExtras uint8
	// sizes are the memory operands' sizes after match (suffixes and
	// AT&T names size them), by operand.
	sizes [maxCachedOps]uint16
	// form is 1 + the index in genForms of the form match found (its
	// mnemonic is the Intel name match returned); 0 in an entry that
	// only says named.
	form   uint16
	extras [maxCachedExtras]extraImm
}

// extraImm is an immediate match adds (the 1 of a shift, a predicate):
// its value, and whether its text is $ and the value (else the value).
// An entry holds no pointer, so the garbage collector never reads the
// parser's memory of matches.
type extraImm struct {
	imm    int16
	dollar bool
}

// text is the immediate as match wrote it.
func (x extraImm) text() string {
	switch {
	case x.dollar && x.imm == 1:
		return "$1"
	case x.dollar:
		return "$" + strconv.Itoa(int(x.imm))
	}
	return strconv.Itoa(int(x.imm))
}

// readsNames records that match reads which registers the operands are,
// or the values of their parts, beyond what the signature holds. It
// returns true, to sit in a condition before the reading.
func (p *parser) readsNames() bool {
	p.namesRead = readsAll
	return true
}

// litName returns 1 + the index of a register among the fixed registers
// of the forms, or 0.
func litName(r *operand) byte {
	for i := range genLitNames {
		if r.reg.Name == litRegName(i) && i < 255 {
			return byte(i + 1)
		}
	}
	return 0
}

// matchKey appends to buf[:0] the signature of mnem and ops, the finer
// one of what match read (level: 0, readsLitRegs, readsAll); false when
// the match is not one to remember.
func matchKey(buf []byte, mnem string, ops []*operand, level uint8) ([]byte, bool) {
	if len(ops) > maxCachedOps || strings.HasPrefix(mnem, "movabs") {
		// movabs makes its bytes from the operands' values.
		return buf, false
	}
	fine := level == readsAll
	b := append(buf[:0], level)
	b = append(b, mnem...)
	b = append(b, 0)
	for _, o := range ops {
		b = append(b, byte(o.kind))
		switch o.kind {
		case oReg:
			b = append(b, o.class)
			if level == readsLitRegs {
				b = append(b, litName(o))
			}
			if fine {
				b = append(b, byte(o.reg.Reg), byte(o.reg.Reg>>8))
			}
		case oImm:
			if fine {
				b = appendInt64(b, o.imm)
			}
		case oMem:
			if o.size > 0xffff || o.bcst > 0xff {
				return b, false
			}
			b = append(b, byte(o.size), byte(o.size>>8), byte(o.bcst), o.indexClass)
			if fine {
				if len(o.sym) > 0xff {
					return b, false
				}
				b = append(b, byte(o.base.Reg), byte(o.base.Reg>>8), byte(o.index.Reg), byte(o.index.Reg>>8))
				b = appendInt64(b, o.disp)
				b = append(b, byte(len(o.sym)))
				b = append(b, o.sym...)
			}
		default:
			return b, false
		}
	}
	return b, true
}

func appendInt64(b []byte, v int64) []byte {
	for i := 0; i < 64; i += 8 {
		b = append(b, byte(v>>i))
	}
	return b
}

// keyString returns key as a string that lives as long as the parser's
// memory of matches: its bytes are copied into the current block of keys
// (one allocation for many keys; a strings.Builder never changes the
// bytes it has handed out).
func (p *parser) keyString(key []byte) string {
	b := &p.keyBlock
	if b.Cap()-b.Len() < len(key) {
		b.Reset()
		b.Grow(max(keyChunk, len(key)))
	}
	start := b.Len()
	b.Write(key)
	return b.String()[start:]
}

// matchCached is match, through the parser's memory of matches.
func (p *parser) matchCached(mnem string, t token, ops []*operand) (*form, string, []*operand, bool) {
	key, ok := matchKey(p.matchKeyBuf, mnem, ops, 0)
	p.matchKeyBuf = key[:0]
	if !ok {
		return p.match(mnem, t, ops)
	}
	e, hit := p.matches[string(key)]
	if hit && e.named > 0 {
		most := e.named
		hit = false
		for level := readsLitRegs; level <= most && !hit; level++ {
			fine, _ := matchKey(p.fineKeyBuf, mnem, ops, level)
			p.fineKeyBuf = fine[:0]
			e, hit = p.matches[string(fine)]
		}
	}
	if hit {
		for i, o := range ops {
			if o.kind == oMem {
				o.size = int(e.sizes[i])
			}
		}
		out := ops[:e.keep]
		for j := range int(e.nExtras) {
			x := &p.extraOps[j]
			*x = operand{kind: oImm, imm: int64(e.extras[j].imm), col: t.col, text: e.extras[j].text()}
			out = append(out, x)
		}
		f := &genForms[e.form-1]
		return f, f.mnem.String(), out, true
	}
	var in [maxCachedOps]*operand
	n := copy(in[:], ops)
	var sizes [maxCachedOps]int // before match sizes them
	for i, o := range ops {
		sizes[i] = o.size
	}
	p.namesRead = 0
	f, name, out, ok := p.match(mnem, t, ops)
	if !ok || len(p.matches) >= maxMatches {
		return f, name, out, ok
	}
	e, ok = p.remembered(f, name, in[:n], out, t)
	if !ok {
		return f, name, out, true
	}
	if p.matches == nil {
		p.matches = make(map[string]*matchEntry, p.matchesHint)
	}
	level := p.namesRead
	if level == 0 {
		p.matches[p.keyString(key)] = e
		return f, name, out, true
	}
	// The signature is not enough: remember under it how much more
	// matches of it read, and the match under the finer signature of
	// what this one read, of the operands as they were.
	if mark, ok := p.matches[string(key)]; !ok {
		p.matches[p.keyString(key)] = p.entries.New(matchEntry{named: level})
	} else {
		mark.named = max(mark.named, level)
	}
	for i := range n {
		in[i].size, sizes[i] = sizes[i], in[i].size
	}
	fine, _ := matchKey(p.fineKeyBuf, mnem, in[:n], level)
	p.fineKeyBuf = fine[:0]
	for i := range n {
		in[i].size = sizes[i]
	}
	p.matches[p.keyString(fine)] = e
	return f, name, out, true
}

// remembered returns the entry of a match of operands in that made form
// f, name and operands out; false when out is not in's first operands
// followed by small immediates match added, or f is not a form of the
// table named name.
func (p *parser) remembered(f *form, name string, in, out []*operand, t token) (*matchEntry, bool) {
	if f != &genForms[f.id] || f.mnem.String() != name {
		return nil, false // movabsForm
	}
	e := matchEntry{form: f.id + 1}
	keep := 0
	for keep < len(out) && keep < len(in) && out[keep] == in[keep] {
		keep++
	}
	e.keep = uint8(keep)
	for _, x := range out[keep:] {
		if e.nExtras == maxCachedExtras {
			return nil, false
		}
		plain := operand{kind: oImm, imm: x.imm, col: t.col, text: x.text}
		if *x != plain {
			return nil, false // one of in, or more than an immediate
		}
		for _, o := range in {
			if x == o {
				return nil, false
			}
		}
		xi := extraImm{imm: int16(x.imm), dollar: strings.HasPrefix(x.text, "$")}
		if int64(xi.imm) != x.imm || xi.text() != x.text {
			return nil, false
		}
		e.extras[e.nExtras] = xi
		e.nExtras++
	}
	for i, o := range in {
		if o.size < 0 || o.size > 0xffff {
			return nil, false
		}
		e.sizes[i] = uint16(o.size)
	}
	return p.entries.New(e), true
}
