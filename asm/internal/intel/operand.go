package intel

// Operands of the Intel front end: registers by their Intel names, memory
// references with size keywords, immediates, labels, and the AVX-512
// decorations {k1} {z} {1to16} {rn-sae}.

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/jitrun/jitrun/asm/internal/ir"
)

type iopKind uint8

const (
	iopReg iopKind = iota + 1
	iopMem
	iopImm
	iopLabel // a bare name that is not a constant: a branch target
)

// intelOperand is one parsed operand.
type intelOperand struct {
	kind iopKind
	col  int
	text string // as written, for messages
	// size is the operand size in bits a keyword gave (dword → 32), 0 if none.
	size     int
	sizeWord string
	reg      ireg // iopReg
	// iopMem: base and index (zero Reg when absent), or rip; sym is a label
	// the address is relative to (RIP-relative), disp the offset.
	base, index ireg
	scale       int64
	disp        int64
	sym         string
	rip         bool
	seg         ireg  // fs or gs: a segment override
	imm         int64 // iopImm
	label       string
	// AVX-512 decorations.
	mask     int // opmask register number; -1 when {k0} was written
	zeroing  bool
	bcst     int    // {1toN}: N
	rounding string // {rn-sae} written on this operand (objdump style)
}

// class describes the operand for messages: r64, xmm, m32, m, imm, label.
func (o *intelOperand) class() string {
	switch o.kind {
	case iopReg:
		return o.reg.Class()
	case iopMem:
		if o.bcst > 0 {
			if o.size == 0 {
				return fmt.Sprintf("m{1to%d}", o.bcst)
			}
			return fmt.Sprintf("m%d{1to%d}", o.size, o.bcst)
		}
		if c := memClass(o.size); c != "" {
			return c
		}
		return "m" + strconv.Itoa(o.size)
	case iopImm:
		return "imm"
	}
	return "label"
}

// memClass is the class of a memory operand of a size in bits, "" for
// an unusual size: every memory operand's spelling has one.
func memClass(bits int) string {
	switch bits {
	case 0:
		return "m"
	case 8:
		return "m8"
	case 16:
		return "m16"
	case 32:
		return "m32"
	case 48:
		return "m48"
	case 64:
		return "m64"
	case 80:
		return "m80"
	case 128:
		return "m128"
	case 256:
		return "m256"
	case 512:
		return "m512"
	}
	return ""
}

// sizeKeyword returns the size in bits a size keyword (lower case) names:
// sizeKeywordKey of the word packed, the one list of the keywords.
func sizeKeyword(w string) (bits int, ok bool) {
	key, end := identKeyAt(w, w, 0)
	if end != len(w) {
		return 0, false
	}
	bits, _ = sizeKeywordKey(key)
	return bits, bits != 0
}

// sizeWordFor returns the keyword for a size in bits (GNU spelling).
func sizeWordFor(bits int) string {
	switch bits {
	case 8:
		return "byte"
	case 16:
		return "word"
	case 32:
		return "dword"
	case 48:
		return "fword"
	case 64:
		return "qword"
	case 80:
		return "tbyte"
	case 128:
		return "xmmword"
	case 256:
		return "ymmword"
	case 512:
		return "zmmword"
	}
	return ""
}

// parseOperand parses the tokens of one operand (no top-level comma).
func (p *parser) parseOperand(toks []itok, text string) (*intelOperand, bool) {
	o := p.scratch.operand()
	o.col, o.text = toks[0].col, text
	rest, ok := p.operandKeywords(o, toks)
	if !ok {
		return nil, false
	}
	// A segment override: fs:[rax+8] (GNU, and what disassemblers print),
	// or fs:0x28 (GNU: memory at an absolute offset); [fs:rax] is NASM's.
	if seg, ok := segmentPrefix(rest); ok {
		o.seg = seg
		rest = rest[2:]
		if rest[0].kind == itEOL || rest[0].kind == itDecor {
			p.errorf(o.col, "missing address after %s:", seg.Name())
			return nil, false
		}
		if !(rest[0].kind == itPunct && rest[0].text == "[") {
			return p.segmentOffset(o, rest)
		}
	}
	var after []itok
	switch t := rest[0]; {
	case t.kind == itPunct && t.text == "[":
		after, ok = p.bracketMem(o, rest)
	case t.kind == itDecor:
		p.errorf(t.col, "decoration %s must follow an operand", t)
		return nil, false
	case t.kind == itIdent && strings.EqualFold(t.text, "st") && len(rest) > 3 && rest[1].kind == itPunct && rest[1].text == "(":
		after, ok = p.stRegister(o, rest)
	case t.kind == itIdent && isLoneReg(rest):
		r := lookupReg(t.text)
		if r.Class() == "rip" {
			p.errorf(t.col, "rip can only be used in a memory operand: [rip + label]")
			return nil, false
		}
		o.kind, o.reg = iopReg, r
		after = rest[1:]
	default:
		after, ok = p.exprOperand(o, rest)
	}
	if !ok {
		return nil, false
	}
	return p.finishOperand(o, after)
}

// operandKeywords reads the keywords before an operand (a size, ptr, short,
// near) into o and returns the tokens after them.
func (p *parser) operandKeywords(o *intelOperand, toks []itok) ([]itok, bool) {
	i := 0
	word := func(j int) string {
		if toks[j].kind == itIdent {
			return lowerWord(toks[j].text)
		}
		return ""
	}
	for {
		w := word(i)
		if bits, ok := sizeKeyword(w); ok {
			if o.size != 0 {
				p.errorf(toks[i].col, "two size keywords (%s and %s)", o.sizeWord, w)
				return nil, false
			}
			o.size, o.sizeWord = bits, w
			i++
			if word(i) == "ptr" {
				i++
			}
			continue
		}
		switch w {
		case "short", "near":
			i++ // the encoder picks the shortest branch that reaches
			continue
		case "ptr":
			i++ // objdump's bare "ptr" (lea rax, ptr [rip+8])
			continue
		case "far":
			p.errorf(toks[i].col, "far pointers and jumps are not supported")
			return nil, false
		case "offset":
			p.errorf(toks[i].col, "offset: an absolute address needs a linker; load a label's address with lea reg, [rel label]")
			return nil, false
		}
		break
	}
	rest := toks[i:]
	if len(rest) == 0 || rest[0].kind == itEOL {
		p.errorf(o.col, "missing operand after %s", o.sizeWord)
		return nil, false
	}
	return rest, true
}

// segmentOffset parses the fs:0x28 of a segment-relative operand without
// brackets: the address up to the decorations, which takes no register.
func (p *parser) segmentOffset(o *intelOperand, rest []itok) (*intelOperand, bool) {
	end := 0
	for end < len(rest) && rest[end].kind != itEOL && rest[end].kind != itDecor {
		end++
	}
	if !p.parseMem(o, rest[:end], rest[0].col) {
		return nil, false
	}
	if o.base.Reg != 0 || o.index.Reg != 0 || o.rip {
		seg := o.seg.Name()
		p.errorf(rest[0].col, "%s: a register after %s: must be in brackets: %s:[%s]", o.text, seg, seg, operandText(p.lineText, append(rest[:end:end], itok{kind: itEOL, col: rest[end].col})))
		return nil, false
	}
	return p.finishOperand(o, rest[end:])
}

// bracketMem parses a memory operand [ … ] and returns the tokens after
// the bracket.
func (p *parser) bracketMem(o *intelOperand, rest []itok) ([]itok, bool) {
	for j := 1; j < len(rest); j++ {
		if rest[j].kind == itPunct && rest[j].text == "]" {
			return rest[j+1:], p.parseMem(o, rest[1:j], rest[0].col)
		}
	}
	p.errorf(rest[0].col, "missing ] in memory operand")
	return nil, false
}

// stRegister parses st(0) to st(7).
func (p *parser) stRegister(o *intelOperand, rest []itok) ([]itok, bool) {
	if rest[2].kind != itInt || rest[2].ival < 0 || rest[2].ival > 7 || rest[3].kind != itPunct || rest[3].text != ")" {
		p.errorf(rest[0].col, "x87 registers are st(0) to st(7)")
		return nil, false
	}
	o.kind, o.reg = iopReg, lookupReg("st"+strconv.FormatInt(rest[2].ival, 10))
	return rest[4:], true
}

// isLoneReg reports whether rest is a register name followed by nothing
// but decorations.
func isLoneReg(rest []itok) bool {
	_, ok := ir.LookupIntelReg(rest[0].text)
	return ok && (len(rest) == 1 || rest[1].kind == itDecor || rest[1].kind == itEOL)
}

// exprOperand parses an expression operand: a constant, or a label (a
// branch target), up to its decorations, which it returns.
func (p *parser) exprOperand(o *intelOperand, rest []itok) ([]itok, bool) {
	end := len(rest)
	for end > 0 && (rest[end-1].kind == itDecor || rest[end-1].kind == itEOL) {
		end--
	}
	p.scratch.expr = append(append(p.scratch.expr[:0], rest[:end]...), itok{kind: itEOL, col: rest[len(rest)-1].col})
	e := &exprParser{p: p, toks: p.scratch.expr}
	v := e.expr()
	if e.err != "" {
		p.errorf(e.ecol, "%s", e.err)
		return nil, false
	}
	if e.peek().kind != itEOL {
		p.errorf(e.peek().col, "unexpected %s in operand", e.peek())
		return nil, false
	}
	switch {
	case v.isConst():
		o.kind, o.imm = iopImm, v.c
	case v.sym != "" && v.sec == "" && len(v.regs) == 0:
		o.kind, o.label, o.imm = iopLabel, v.sym, v.c
	case v.label != "":
		// A data label defined above: named as written, not by its section.
		o.kind, o.label, o.imm = iopLabel, v.label, v.c-v.labelOff
	default:
		o.kind, o.label, o.imm = iopLabel, v.sec, v.c
	}
	return rest[end:], true
}

// segmentPrefix reports whether toks start with a segment register and a
// colon (fs:), and returns the register.
func segmentPrefix(toks []itok) (ireg, bool) {
	if len(toks) > 2 && toks[0].kind == itIdent && toks[1].kind == itPunct && toks[1].text == ":" {
		if r := lookupReg(toks[0].text); r.Code == ir.IntelSreg {
			return r, true
		}
	}
	return ireg{}, false
}

// finishOperand checks an operand's size keyword and applies the
// decorations after it.
func (p *parser) finishOperand(o *intelOperand, after []itok) (*intelOperand, bool) {
	if o.size != 0 && !p.checkSize(o) {
		return nil, false
	}
	for _, t := range after {
		switch t.kind {
		case itEOL:
			continue
		case itDecor:
		default:
			p.errorf(t.col, "unexpected %s after operand", t)
			return nil, false
		}
		if !p.decorate(o, t) {
			return nil, false
		}
	}
	return o, true
}

// decorate applies one {…} decoration to an operand.
func (p *parser) decorate(o *intelOperand, t itok) bool {
	d := t.text
	switch {
	case d == "z":
		if o.zeroing {
			p.errorf(t.col, "{z} written twice")
			return false
		}
		o.zeroing = true
	case len(d) == 2 && d[0] == 'k' && d[1] >= '0' && d[1] <= '7':
		if o.mask != 0 {
			p.errorf(t.col, "two opmasks on one operand")
			return false
		}
		o.mask = int(d[1] - '0')
		if o.mask == 0 {
			o.mask = -1
		}
	case strings.HasPrefix(d, "1to"):
		n, err := strconv.Atoi(d[3:])
		if err != nil || n < 2 || n > 64 || n&(n-1) != 0 {
			p.errorf(t.col, "bad broadcast %s: write {1to2}, {1to4}, {1to8}, {1to16} or {1to32}", t)
			return false
		}
		if o.kind != iopMem {
			p.errorf(t.col, "broadcast %s needs a memory operand", t)
			return false
		}
		o.bcst = n
	case d == "rn-sae" || d == "rd-sae" || d == "ru-sae" || d == "rz-sae" || d == "sae":
		o.rounding = d
	default:
		p.errorf(t.col, "unknown decoration %s (want {k1}…{k7}, {z}, {1toN}, {rn-sae}, {rd-sae}, {ru-sae}, {rz-sae} or {sae})", t)
		return false
	}
	return true
}

// parseMem parses the inside of [ ]: base + index*scale + disp in any
// order, rip + disp, a label (always RIP-relative: code assembled here
// cannot hold absolute addresses), with an optional rel or abs.
func (p *parser) parseMem(o *intelOperand, toks []itok, col int) bool {
	o.kind = iopMem
	toks, rel, abs, ok := p.memKeywords(o, toks)
	if !ok {
		return false
	}
	if len(toks) == 0 {
		p.errorf(col, "empty memory operand []")
		return false
	}
	p.scratch.expr = append(append(p.scratch.expr[:0], toks...), itok{kind: itEOL, col: toks[len(toks)-1].col + 1})
	e := &exprParser{p: p, toks: p.scratch.expr, mem: true}
	v := e.expr()
	if e.err != "" {
		p.errorf(e.ecol, "%s", e.err)
		return false
	}
	if e.peek().kind != itEOL {
		p.errorf(e.peek().col, "unexpected %s in memory operand", e.peek())
		return false
	}
	o.disp = v.c
	switch {
	case v.label != "":
		o.sym, o.disp = v.label, v.c-v.labelOff
	case v.sec != "":
		o.sym = v.sec
	default:
		o.sym = v.sym
	}
	return p.memRegs(o, v.regs) && p.checkIndex(o, col) && p.checkAddressing(o, col, rel, abs)
}

// memKeywords reads what may precede an address inside [ ]: rel, abs, a
// size (NASM also takes [dword rax]: the size of the operand), a segment
// override (NASM's [fs:rax]).
func (p *parser) memKeywords(o *intelOperand, toks []itok) (rest []itok, rel, abs, ok bool) {
	for len(toks) > 0 && toks[0].kind == itIdent {
		w := strings.ToLower(toks[0].text)
		if w == "rel" {
			rel = true
		} else if w == "abs" {
			abs = true
		} else if bits, ok := sizeKeyword(w); ok && o.size == 0 {
			o.size, o.sizeWord = bits, w
		} else {
			break
		}
		toks = toks[1:]
	}
	if seg, ok := segmentPrefix(toks); ok {
		if o.seg.Reg != 0 {
			p.errorf(toks[0].col, "two segment overrides (%s: and %s:)", o.seg.Name(), seg.Name())
			return nil, false, false, false
		}
		o.seg = seg
		toks = toks[2:]
	}
	return toks, rel, abs, true
}

// memRegs gives the registers of an address their roles: rip, a base, an
// index (a vector register is always the index).
func (p *parser) memRegs(o *intelOperand, regs []iregTerm) bool {
	for _, r := range regs {
		switch {
		case r.reg.Class() == "rip":
			if r.scale != 1 || o.rip {
				p.errorf(r.col, "rip can only be added once, unscaled")
				return false
			}
			o.rip = true
		case r.reg.Class() == "xmm" || r.reg.Class() == "ymm" || r.reg.Class() == "zmm":
			if o.index.Reg != 0 {
				p.errorf(r.col, "two index registers in one memory operand")
				return false
			}
			o.index, o.scale = r.reg, r.scale
		case r.reg.Class() == "r64":
			if r.scale == 1 && o.base.Reg == 0 {
				o.base = r.reg
				continue
			}
			if o.index.Reg != 0 {
				p.errorf(r.col, "too many registers in one memory operand (at most a base and an index)")
				return false
			}
			o.index, o.scale = r.reg, r.scale
		case r.reg.Class() == "r32" || r.reg.Class() == "r16":
			p.errorf(r.col, "%s: only 64-bit registers can address memory (write %s)", r.reg.Name(), ir.IntelRegName(r.reg.Reg))
			return false
		default:
			p.errorf(r.col, "%s cannot address memory", r.reg.Name())
			return false
		}
	}
	return true
}

// checkIndex checks the scale and puts rsp, which cannot be an index,
// where it can be ([rbx + rsp] is [rsp + rbx]).
func (p *parser) checkIndex(o *intelOperand, col int) bool {
	if o.index.Reg == 0 {
		return true
	}
	switch o.scale {
	case 1, 2, 4, 8:
	default:
		p.errorf(col, "scale %d is not 1, 2, 4 or 8", o.scale)
		return false
	}
	if o.index.Reg == ir.SP {
		if o.scale != 1 || o.base.Reg == 0 || o.base.Reg == ir.SP {
			p.errorf(col, "rsp cannot be an index register")
			return false
		}
		o.base, o.index = o.index, o.base
	}
	return true
}

// checkAddressing checks what can be combined in one address: rip or a
// label with no register, rel and abs.
func (p *parser) checkAddressing(o *intelOperand, col int, rel, abs bool) bool {
	switch {
	case o.rip && (o.base.Reg != 0 || o.index.Reg != 0):
		p.errorf(col, "rip cannot be combined with other registers")
		return false
	case o.sym != "" && (o.base.Reg != 0 || o.index.Reg != 0):
		p.errorf(col, "[%s + register]: a label's address is RIP-relative and cannot add registers; load it first with lea reg, [rel %s]", shownLabel(o.sym), shownLabel(o.sym))
		return false
	case abs && (o.sym != "" || o.rip):
		p.errorf(col, "abs: an absolute address of a label needs a linker; code assembled here is position independent")
		return false
	case rel && o.sym == "" && !o.rip && o.base.Reg == 0 && o.index.Reg == 0:
		o.rip = true // NASM's [rel 0x10] is [rip + 0x10]
	case rel && (o.base.Reg != 0 || o.index.Reg != 0):
		p.errorf(col, "rel cannot be combined with registers")
		return false
	}
	if (o.sym != "" || o.rip) && (o.disp < -1<<31 || o.disp > 1<<31-1) {
		p.errorf(col, "offset %d does not fit in 32 bits", o.disp)
		return false
	}
	return true
}

// regBits is the size of a register class in bits, 0 for none.
var regBits = map[string]int{"r8": 8, "r16": 16, "r32": 32, "r64": 64, "xmm": 128, "ymm": 256, "zmm": 512, "mm": 64, "st": 80, "k": 64}

// checkSize checks a size keyword on a register (it must be the register's
// size) or an immediate (the value must fit: byte 5 is NASM's way to ask
// for an 8-bit immediate, which the encoder picks by itself).
func (p *parser) checkSize(o *intelOperand) bool {
	switch o.kind {
	case iopReg:
		if regBits[o.reg.Class()] != o.size {
			p.errorf(o.col, "%s is not %s: a size keyword on a register must be the register's size", o.reg.Name(), o.sizeWord)
			return false
		}
	case iopImm:
		if o.size < 64 && (o.imm < -1<<(o.size-1) || o.imm > 1<<o.size-1) {
			p.errorf(o.col, "%d does not fit in %s", o.imm, o.sizeWord)
			return false
		}
	case iopLabel:
		p.errorf(o.col, "a size keyword (%s) cannot apply to a label", o.sizeWord)
		return false
	}
	return true
}

// ireg is a register of an operand: its Go register, its number and
// the code of its class, four bytes where ir.IntelReg is forty. The
// zero ireg is no register.
type ireg = ir.IntelRegRef

// lookupReg returns the register with an Intel name, in any case (the
// zero ireg for a name of none).
func lookupReg(name string) ireg { return ir.LookupIntelRegRef(name) }
