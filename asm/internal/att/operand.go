package att

// Operands, as AT&T syntax writes them:
//
//	%rax %xmm0 %k1 %st %st(1) %fs      a register
//	$42 $-1 $'a $N                     an immediate ($ and a constant expression)
//	disp(base,index,scale)             memory: any part may be left out, as in (%rax), 8(%rsp), (,%rcx,8), -4(%rbp,%rax,4)
//	sym(%rip) sym+8(%rip) 16(%rip)     memory PC-relative to a label, or to the next instruction
//	%fs:0x28 %gs:8(%rax)               memory with a segment override
//	label 1f 2b                        a branch target (jmp, call, jcc, loop)
//	*%rax *(%rax) *8(%rax,%rcx,8)      the target of an indirect jmp or call
//	{%k1} {z} {1to16}                  AVX-512 decorations after an operand; {rn-sae} {sae} alone
//	0x10                               memory at an absolute address

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/jitrun/jitrun/asm/internal/ir"
)

type opKind uint8

const (
	oReg opKind = iota + 1
	oMem
	oImm
	oLabel // a bare name: a branch target
)

// operand is one parsed operand. The fields of a byte sit together at
// the end, so that the struct has little padding to clear for each
// operand.
type operand struct {
	col  int
	text string
	// size is the memory operand size in bits the suffix gives, 0 if none.
	size int
	reg  ir.IntelRegRef // oReg
	// regText is the register as written: %rax, %st(1).
	regText string
	// oMem: base and index (zero IntelRegRef when absent), rip; sym and disp.
	base, index ir.IntelRegRef
	scale       int64
	disp        int64
	sym         string
	seg         ir.IntelRegRef
	imm         int64 // oImm
	label       string
	// AVX-512 decorations.
	mask     int // opmask register number; -1 for {%k0}
	bcst     int
	rounding string // a lone {rn-sae} operand
	kind     opKind
	class    uint8 // oReg: the register's class (regClassID)
	// oMem: the vector index register's class, and whether the base is %rip.
	indexClass uint8
	rip        bool
	star       bool // written *op: an indirect branch target
	zeroing    bool // AVX-512 {z}
}

// opClass describes the operand for messages, in AT&T terms.
func (o *operand) opClass() string {
	switch o.kind {
	case oReg:
		return o.reg.Class()
	case oImm:
		return "imm"
	case oLabel:
		return "label"
	}
	if o.bcst > 0 {
		return fmt.Sprintf("m{1to%d}", o.bcst)
	}
	if c, ok := memClasses[o.size]; ok {
		return c
	}
	return fmt.Sprintf("m%d", o.size)
}

// memClasses are the classes of memory operands by size in bits.
var memClasses = map[int]string{
	0: "m", 8: "m8", 16: "m16", 32: "m32", 48: "m48", 64: "m64", 80: "m80", 128: "m128", 256: "m256", 512: "m512",
}

// splitOperands splits an instruction's tokens at the commas outside
// parentheses and braces; each operand's tokens end with a tEOL: the
// comma after it, which it turns into one (the tokens are the lexer's,
// read once). It returns the column of an empty operand, or 0.
func splitOperands(toks []token, buf [][]token) ([][]token, int) {
	out := buf[:0]
	depth := 0
	start := 0
	for i := range toks {
		t := toks[i]
		if t.kind == tPunct {
			switch t.text {
			case "(", "{":
				depth++
			case ")", "}":
				depth--
			case ",":
				if depth == 0 {
					if i == start {
						return nil, t.col
					}
					toks[i] = token{kind: tEOL, col: t.col, val: int64(t.col - 1)}
					out = append(out, toks[start:i+1])
					start = i + 1
				}
			}
		}
		if t.kind == tEOL {
			if i == start {
				if len(out) > 0 {
					return nil, t.col
				}
				return out, 0
			}
			out = append(out, toks[start:i+1])
			break
		}
	}
	return out, 0
}

// parseOperand parses one operand's tokens into o; it reports a problem
// and returns false.
func (p *parser) parseOperand(o *operand, toks []token, text string) bool {
	*o = operand{col: toks[0].col, text: text}
	i := 0
	if toks[0].is("{") {
		// A lone {rn-sae} / {sae}.
		if toks[1].kind == tIdent && toks[2].is("}") && toks[3].kind == tEOL {
			switch d := toks[1].text; d {
			case "rn-sae", "rd-sae", "ru-sae", "rz-sae", "sae":
				o.rounding = d
				return true
			}
		}
		// rn-sae lexes as rn - sae.
		if toks[1].kind == tIdent && toks[2].is("-") && toks[3].kind == tIdent && toks[4].is("}") && toks[5].kind == tEOL {
			d := toks[1].text + "-" + toks[3].text
			switch d {
			case "rn-sae", "rd-sae", "ru-sae", "rz-sae":
				o.rounding = d
				return true
			}
		}
		p.errorf(toks[0].col, "%s cannot stand alone as an operand (only {rn-sae}, {rd-sae}, {ru-sae}, {rz-sae} and {sae} can)", text)
		return false
	}
	if toks[0].is("*") {
		o.star = true
		i++
	}
	t := toks[i]
	switch {
	case t.kind == tReg:
		e, ok := p.register(t)
		if !ok {
			return false
		}
		r, class := e.r, e.class
		rClass, rName := r.Class(), r.Name()
		if rClass == "sreg" && toks[i+1].is(":") && (rName == "fs" || rName == "gs") {
			o.seg = r
			i += 2
			if toks[i].kind == tEOL {
				p.errorf(t.col, "missing address after %%%s:", rName)
				return false
			}
			return p.memory(o, toks, i)
		}
		if rClass == "sreg" && toks[i+1].is(":") && (rName == "es" || rName == "ds") {
			// %es:(%rdi), %ds:(%rsi): the implicit operands of a string
			// instruction, as objdump prints them (instruction checks).
			o.seg = r
			i += 2
			return p.memory(o, toks, i)
		}
		if rClass == "sreg" && toks[i+1].is(":") {
			p.errorf(t.col, "segment override %%%s: only %%fs and %%gs mean anything in 64-bit code", rName)
			return false
		}
		if rClass == "rip" {
			p.errorf(t.col, "%%rip can only be a memory base: label(%%rip)")
			return false
		}
		if rClass == "st" && toks[i+1].is("(") {
			n := toks[i+2]
			if n.kind != tInt || n.val > 7 || !toks[i+3].is(")") {
				p.errorf(t.col, "%%st(N) takes N from 0 to 7")
				return false
			}
			r = ir.LookupIntelRegRef(fmt.Sprintf("st%d", n.val))
			i += 3
		}
		o.regText = p.tokenText(t, toks[i])
		o.kind, o.reg, o.class = oReg, r, class
		return p.decorations(o, toks, i+1)
	case t.is("$"):
		if o.star {
			p.errorf(t.col, "* (indirect) needs a register or memory operand, not an immediate")
			return false
		}
		e := exprParser{p: p, toks: toks, pos: i + 1}
		v := e.expr()
		if e.err != "" {
			p.errorf(e.ecol, "%s", e.err)
			return false
		}
		if !v.isConst() {
			if v.sub != "" && v.sym != "" {
				p.errorf(t.col, "$%s: a label difference is known only once the code is laid out; as an immediate it is not supported (put it in data: .long %s)", fmtValue(v), fmtValue(v))
			} else {
				p.errorf(t.col, "$%s is an absolute address, which needs a linker (jitrun code is position independent): get it with leaq %s(%%rip), %%reg", fmtValue(v), fmtValue(v))
			}
			return false
		}
		o.kind, o.imm = oImm, v.c
		return p.decorations(o, toks, e.pos)
	}
	return p.memory(o, toks, i)
}

// tokenText is the source text from token a to the end of token b.
func (p *parser) tokenText(a, b token) string {
	n := len(b.text)
	if b.kind == tReg {
		n++ // the '%'
	}
	start, end := a.col-1, b.col-1+n
	if start < 0 || end > len(p.lineText) || start > end {
		return "%" + a.text
	}
	return p.lineText[start:end]
}

// regEntry is a register name looked up once per parse: the register,
// and the id of its class.
type regEntry struct {
	r     ir.IntelRegRef
	class uint8
	// fast says how fastOperand may take the register (fastReg …).
	fast uint8
}

// What fastOperand may take a register as (regEntry.fast).
const (
	fastReg   = 1 << iota // an operand: not a segment register, %rip or %st
	fastBase              // a base: a 64-bit general register
	fastIndex             // an index: a 64-bit general register but %rsp, or a vector register
	fastRIP               // %rip, a base of its own: number(%rip)
)

// fastUses returns what fastOperand may take r as (fastReg …).
func fastUses(r ir.IntelRegRef) uint8 {
	var u uint8
	class := r.Class()
	switch class {
	case "sreg", "rip", "st":
	default:
		u |= fastReg
	}
	switch class {
	case "r64":
		u |= fastBase
	case "rip":
		u |= fastRIP
	}
	switch class {
	case "r64", "xmm", "ymm", "zmm":
		if r.Reg != 0 && !(class == "r64" && r.Name() == "rsp") {
			u |= fastIndex
		}
	}
	return u
}

// register looks up a %name token (knownRegister).
func (p *parser) register(t token) (*regEntry, bool) {
	e := p.knownRegister(t.text)
	if e == nil {
		if s := ir.Suggest(regNames(), strings.ToLower(t.text)); len(s) > 0 {
			p.errorf(t.col, "unknown register %%%s (did you mean %%%s?)", t.text, strings.Join(s, ", %"))
		} else {
			p.errorf(t.col, "unknown register %%%s", t.text)
		}
		return nil, false
	}
	return e, true
}

// knownRegister looks up register name, in any case, GNU's %db0 … %db7
// included: its entry in p.regEntries; nil when there is none.
func (p *parser) knownRegister(name string) *regEntry {
	r := ir.LookupIntelRegRef(name)
	if r.ID == 0 && len(name) == 3 && (name[:2] == "db" || name[:2] == "DB") {
		r = ir.LookupIntelRegRef("dr" + name[2:])
	}
	if r.ID == 0 {
		return nil
	}
	return &p.regEntries[r.ID]
}

// memory parses disp(base,index,scale) from toks[i], or a bare
// expression: a label (a branch target) or an absolute address.
func (p *parser) memory(o *operand, toks []token, i int) bool {
	o.kind = oMem
	e := exprParser{p: p, toks: toks, pos: i, memStop: true}
	var v value
	if !e.startsMem() {
		v = e.expr()
		if e.err != "" {
			p.errorf(e.ecol, "%s", e.err)
			return false
		}
	}
	i = e.pos
	if v.sub != "" {
		p.errorf(o.col, "%s: a label difference is not an address", fmtValue(v))
		return false
	}
	o.sym, o.disp = v.sym, v.c
	if !toks[i].is("(") {
		if v.sym != "" && o.seg.Reg == 0 {
			// A bare name: a branch target (or, elsewhere, an error the
			// instruction reports).
			o.kind, o.label = oLabel, v.sym
		}
		return p.decorations(o, toks, i)
	}
	i++
	// (base) (base,index) (base,index,scale) (,index,scale) (,index)
	if toks[i].kind == tReg {
		e, ok := p.register(toks[i])
		if !ok {
			return false
		}
		r := e.r
		rName := r.Name()
		switch r.Class() {
		case "r64", "rip":
		case "r16":
			if rName == "dx" && toks[i+1].is(")") && toks[i+2].kind == tEOL && o.sym == "" && o.disp == 0 && toks[i-1].col == o.col {
				// (%dx): the port of in and out, as AT&T writes it.
				o.kind, o.reg, o.class = oReg, r, e.class
				o.regText = "%dx"
				return true
			}
			p.errorf(toks[i].col, "%%%s cannot be a base register (a base is a 64-bit register, or %%rip)", rName)
			return false
		case "r32":
			p.errorf(toks[i].col, "%%%s: a 32-bit address (addr32) is not supported: use %%%s", rName, ir.IntelRegName(r.Reg))
			return false
		default:
			p.errorf(toks[i].col, "%%%s cannot be a base register (a base is a 64-bit register, or %%rip)", rName)
			return false
		}
		if r.Class() == "rip" {
			o.rip = true
		} else {
			o.base = r
		}
		i++
	}
	if toks[i].is(",") {
		i++
		if toks[i].kind == tReg {
			e, ok := p.register(toks[i])
			if !ok {
				return false
			}
			r := e.r
			switch r.Class() {
			case "r64", "xmm", "ymm", "zmm":
			default:
				p.errorf(toks[i].col, "%%%s cannot be an index register", r.Name())
				return false
			}
			if r.Reg == ir.SP {
				p.errorf(toks[i].col, "%%rsp cannot be an index register")
				return false
			}
			if o.rip {
				p.errorf(toks[i].col, "a %%rip-relative address takes no index register")
				return false
			}
			o.index, o.indexClass, o.scale = r, e.class, 1
			i++
		}
		if toks[i].is(",") {
			i++
			s := toks[i]
			if s.kind != tInt || s.val != 1 && s.val != 2 && s.val != 4 && s.val != 8 {
				p.errorf(s.col, "scale must be 1, 2, 4 or 8, not %s", s)
				return false
			}
			if o.index.ID == 0 {
				p.errorf(s.col, "a scale needs an index register")
				return false
			}
			o.scale = s.val
			i++
		}
	}
	if !toks[i].is(")") {
		p.errorf(toks[i].col, "expected ) to end the address, found %s", toks[i])
		return false
	}
	i++
	if o.sym != "" && !o.rip {
		p.errorf(o.col, "%s: an absolute address of a label needs a linker; address it PC-relative: %s(%%rip)", o.text, fmtValue(v))
		return false
	}
	if o.rip && o.sym == "" && o.disp != int64(int32(o.disp)) {
		p.errorf(o.col, "%s: displacement does not fit in 32 bits", o.text)
		return false
	}
	return p.decorations(o, toks, i)
}

// decorations reads {%kN} {z} {1toN} after an operand, up to its end.
func (p *parser) decorations(o *operand, toks []token, i int) bool {
	for toks[i].is("{") {
		t := toks[i+1]
		switch {
		case t.kind == tReg && toks[i+2].is("}"):
			r, ok := ir.LookupIntelReg(t.text)
			if !ok || r.Class != "k" {
				p.errorf(t.col, "{%s}: an opmask is %%k1 … %%k7", t)
				return false
			}
			if o.mask != 0 {
				p.errorf(t.col, "two opmasks")
				return false
			}
			o.mask = int(r.Reg - ir.K0)
			if o.mask == 0 {
				o.mask = -1
			}
			i += 3
		case t.kind == tIdent && t.text == "z" && toks[i+2].is("}"):
			o.zeroing = true
			i += 3
		case t.kind == tIdent && strings.HasPrefix(t.text, "1to") && toks[i+2].is("}"):
			n, err := strconv.Atoi(t.text[3:])
			if err != nil || n != 2 && n != 4 && n != 8 && n != 16 && n != 32 {
				p.errorf(t.col, "broadcast {%s}: want 1to2, 1to4, 1to8, 1to16 or 1to32", t.text)
				return false
			}
			if o.kind != oMem {
				p.errorf(t.col, "a broadcast {1to%d} goes on a memory operand", n)
				return false
			}
			o.bcst = n
			i += 3
		default:
			p.errorf(toks[i].col, "unknown decoration: want {%%k1}…{%%k7}, {z} or {1toN}")
			return false
		}
	}
	if toks[i].kind != tEOL {
		p.errorf(toks[i].col, "unexpected %s after the operand", toks[i])
		return false
	}
	return true
}
