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
// A few paths of match read more, which registers they are (the fixed
// registers of some forms, the accumulator of the string instructions,
// %st, the base of xlat …): match says so (readsNames) before it reads
// them, which it does or not by what the signature holds alone. The
// parser then remembers that the signature needs the names, and the
// match under a finer signature, which holds every register, base,
// index, displacement and immediate as they are. Only matches that
// succeed are remembered, so a mistake is always explained by match
// itself.

import (
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
)

// matchEntry is what match made of a mnemonic and an operand signature.
type matchEntry struct {
	// named says the signature is not enough: look up the finer one.
	named bool
	f     *form
	name  string
	// keep is how many of the operands (Intel order) the form takes as
	// they are; extras are the immediates match adds after them.
	keep    int
	nExtras int
	extras  [maxCachedExtras]struct {
		imm  int64
		text string
	}
	// sizes are the memory operands' sizes after match (suffixes and
	// AT&T names size them), by operand.
	sizes [maxCachedOps]int
}

// readsNames records that match reads which registers the operands are,
// or the values of their parts, beyond what the signature holds. It
// returns true, to sit in a condition before the reading.
func (p *parser) readsNames() bool {
	p.namesRead = true
	return true
}

// matchKey appends to buf[:0] the signature of mnem and ops, the finer
// one when fine; false when the match is not one to remember.
func matchKey(buf []byte, mnem string, ops []*operand, fine bool) ([]byte, bool) {
	if len(ops) > maxCachedOps || strings.HasPrefix(mnem, "movabs") {
		// movabs makes its bytes from the operands' values.
		return buf, false
	}
	b := buf[:0]
	if fine {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	b = append(b, mnem...)
	b = append(b, 0)
	for _, o := range ops {
		b = append(b, byte(o.kind))
		switch o.kind {
		case oReg:
			b = append(b, o.class)
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

// matchCached is match, through the parser's memory of matches.
func (p *parser) matchCached(mnem string, t token, ops []*operand) (*form, string, []*operand, bool) {
	forms()
	key, ok := matchKey(p.matchKeyBuf, mnem, ops, false)
	p.matchKeyBuf = key[:0]
	if !ok {
		return p.match(mnem, t, ops)
	}
	e, hit := p.matches[string(key)]
	if hit && e.named {
		fine, _ := matchKey(p.fineKeyBuf, mnem, ops, true)
		p.fineKeyBuf = fine[:0]
		e, hit = p.matches[string(fine)]
	}
	if hit {
		for i, o := range ops {
			if o.kind == oMem {
				o.size = e.sizes[i]
			}
		}
		out := ops[:e.keep]
		for j := 0; j < e.nExtras; j++ {
			x := &p.extraOps[j]
			*x = operand{kind: oImm, imm: e.extras[j].imm, col: t.col, text: e.extras[j].text}
			out = append(out, x)
		}
		return e.f, e.name, out, true
	}
	// The finer signature, of the operands before match sizes them.
	fine, _ := matchKey(p.fineKeyBuf, mnem, ops, true)
	p.fineKeyBuf = fine[:0]
	var in [maxCachedOps]*operand
	n := copy(in[:], ops)
	p.namesRead = false
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
	if p.namesRead {
		// The signature is not enough (whether match reads the names
		// depends on it alone): remember the match under the finer one.
		if _, marked := p.matches[string(key)]; !marked {
			p.matches[string(key)] = p.entries.New(matchEntry{named: true})
		}
		p.matches[string(fine)] = e
	} else {
		p.matches[string(key)] = e
	}
	return f, name, out, true
}

// remembered returns the entry of a match of operands in that made form
// f, name and operands out; false when out is not in's first operands
// followed by immediates match added.
func (p *parser) remembered(f *form, name string, in, out []*operand, t token) (*matchEntry, bool) {
	e := &matchEntry{f: f, name: name}
	for e.keep < len(out) && e.keep < len(in) && out[e.keep] == in[e.keep] {
		e.keep++
	}
	for _, x := range out[e.keep:] {
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
		e.extras[e.nExtras].imm, e.extras[e.nExtras].text = x.imm, x.text
		e.nExtras++
	}
	for i, o := range in {
		e.sizes[i] = o.size
	}
	return p.entries.New(*e), true
}
