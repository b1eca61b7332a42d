package att

// Instructions: the mnemonic, with or without a size suffix, matched
// against the form table with the operands in Intel order, and the Go
// instruction of the form that fits.

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jitrun/jitrun/asm/internal/ir"
)

// suffixBits are the GNU size suffixes of the integer and vector
// instructions.
func suffixBits(c byte) int {
	switch c {
	case 'b':
		return 8
	case 'w':
		return 16
	case 'l':
		return 32
	case 'q':
		return 64
	case 'x':
		return 128
	case 'y':
		return 256
	case 'z':
		return 512
	}
	return 0
}

// suffixed is one reading of a mnemonic as an Intel mnemonic and a size
// suffix.
type suffixed struct {
	base   string
	bits   int
	suffix string
	x87    bool
}

// suffixReadings returns the ways mnem reads as base + suffix.
func suffixReadings(mnem string, buf []suffixed) []suffixed {
	out := buf[:0]
	n := len(mnem)
	if n < 2 {
		return out
	}
	if mnem[0] == 'f' {
		integer := strings.HasPrefix(mnem, "fi")
		if n > 3 && mnem[n-2:] == "ll" {
			out = append(out, suffixed{base: mnem[:n-2], bits: 64, suffix: "ll", x87: true})
		}
		bits := 0
		switch mnem[n-1] {
		case 's':
			bits = 32
			if integer {
				bits = 16
			}
		case 'l':
			bits = 64
			if integer {
				bits = 32
			}
		case 't':
			bits = 80
		case 'q':
			bits = 64
		}
		if bits > 0 {
			out = append(out, suffixed{base: mnem[:n-1], bits: bits, suffix: mnem[n-1:], x87: true})
		}
	}
	if bits := suffixBits(mnem[n-1]); bits > 0 {
		out = append(out, suffixed{base: mnem[:n-1], bits: bits, suffix: mnem[n-1:]})
	}
	return out
}

// instruction parses an instruction statement: mnemonic (toks[0]) and
// operands. prefix holds the prefix instructions written before it.
func (p *parser) instruction(toks []token, prefixToks []token, start token) {
	t := toks[0]
	if p.sec != nil && p.sec.kind != secText {
		p.errorf(t.col, "an instruction in data section %s: put code in .text", p.sec.name)
		return
	}
	if t.kind != tIdent {
		p.errorf(t.col, "expected an instruction, a directive or a label, found %s", t)
		return
	}
	mnem := mnemonic(t.text)
	opToks, bad := splitOperands(toks[1:], p.opToks)
	p.opToks = opToks[:0]
	if bad > 0 {
		p.errorf(bad, "missing operand")
		return
	}
	if cap(p.opBuf) < len(opToks) {
		p.opBuf = make([]operand, len(opToks)+4)
	}
	ops := p.opPtrs[:0]
	rounding, roundCol := "", 0
	p.here = ""
	for i, ot := range opToks {
		o := &p.opBuf[:len(opToks)][i]
		p.inOperands = true
		parsed := p.parseOperand(o, ot, p.operandText(ot))
		p.inOperands = false
		if !parsed {
			return
		}
		if o.rounding != "" {
			if rounding != "" {
				p.errorf(o.col, "two rounding operands")
				return
			}
			rounding, roundCol = o.rounding, o.col
			continue
		}
		ops = append(ops, o)
	}
	p.opPtrs = ops[:0]
	p.operands(t, mnem, mnemKey{}, ops, rounding, roundCol, prefixToks, p.source(start))
}

// mnemonic is the mnemonic written text: in lower case, without
// objdump's .s.
func mnemonic(text string) string {
	mnem := text
	for i := 0; i < len(mnem); i++ {
		if c := mnem[i]; c >= 'A' && c <= 'Z' {
			mnem = strings.ToLower(mnem)
			break
		}
	}
	if m, ok := strings.CutSuffix(mnem, ".s"); ok {
		// objdump's .s: the other of two encodings of a register move
		// (the store form); the encoder picks one, the same instruction.
		mnem = m
	}
	return mnem
}

// operands goes on with an instruction once its operands are read (ops,
// in AT&T order; a lone rounding operand apart): mnemonic token t, mnem
// as mnemonic returns it (mk: packed, when the reader packed it), the
// prefixes, and the statement's source (p.source of its first token).
func (p *parser) operands(t token, mnem string, mk mnemKey, ops []*operand, rounding string, roundCol int, prefixToks []token, src ir.Source) {
	p.defineHere(src.Pos)
	// A branch to a label.
	if len(ops) == 1 && ops[0].kind == oLabel && !ops[0].star {
		if goOp, ok := branchOp(mnem); ok {
			p.branch(goOp, t, ops[0], prefixToks, src)
			return
		}
	}
	// Intel order: the destination first.
	for i, j := 0, len(ops)-1; i < j; i, j = i+1, j-1 {
		ops[i], ops[j] = ops[j], ops[i]
	}
	for _, o := range ops {
		if o.kind == oLabel {
			at := shownLabel(o.label)
			if o.disp != 0 {
				at += fmt.Sprintf("%+d", o.disp)
			}
			p.errorf(o.col, "%s is an address, not an operand: read memory there with %s(%%rip), get the address with leaq %s(%%rip), %%reg", o.text, at, at)
			return
		}
		if o.star {
			if _, isBranch := branchOp(mnem); !isBranch {
				p.errorf(o.col, "* (indirect) goes only on the target of jmp or call")
				return
			}
		}
	}
	f, name, ops, ok := p.matchCached(mnem, mk, t, ops)
	if !ok {
		return
	}
	for _, pt := range prefixToks {
		w := strings.ToLower(pt.text)
		if w == "lock" {
			if !lockable[name] {
				p.errorf(pt.col, "lock cannot precede %s (only read-modify-write instructions with a memory destination)", t.text)
				return
			}
			if len(ops) == 0 || ops[0].kind != oMem {
				p.errorf(pt.col, "lock needs %s to have a memory destination", t.text)
				return
			}
		}
		p.stmts = append(p.stmts, &ir.Inst{Source: ir.Source{Pos: src.Pos}, Op: prefixes[w]})
	}
	if f == &movabsForm {
		p.stmts = append(p.stmts, &ir.BytesDef{Source: src, Bytes: movabsBytes(ops)})
		return
	}
	if b := f.rawBytes(); b != nil {
		p.stmts = append(p.stmts, &ir.BytesDef{Source: src, Bytes: b})
		return
	}
	if b := vexMove(name, ops); b != nil && rounding == "" {
		p.stmts = append(p.stmts, &ir.BytesDef{Source: src, Bytes: b})
		return
	}
	if name == "fst" && f.goOp.String() == "FMOVD" && ops[0].kind == oReg && ops[0].reg.Reg == ir.F0 {
		// golang-asm encodes FMOVD F0, F0 as fld st0 (d9 c0): fst st0 is dd d0.
		p.stmts = append(p.stmts, &ir.BytesDef{Source: src, Bytes: []byte{0xdd, 0xd0}})
		return
	}
	in, ok := p.build(f, t, ops, rounding, roundCol, src)
	if ok {
		p.stmts = append(p.stmts, in)
	}
}

// branch appends a branch to a label.
func (p *parser) branch(goOp string, t token, o *operand, prefixToks []token, src ir.Source) {
	if len(prefixToks) > 0 {
		p.errorf(prefixToks[0].col, "%s cannot precede %s", prefixToks[0].text, t.text)
		return
	}
	if o.mask != 0 || o.zeroing || o.bcst != 0 {
		p.errorf(o.col, "a branch target takes no decoration")
		return
	}
	in := p.newInst(1)
	in.Source, in.Op = src, goOp
	in.Args = append(in.Args, ir.Operand{Kind: ir.LabelOperand, Sym: o.label, Disp: o.disp})
	p.addRef(in, 0, o.col)
	p.stmts = append(p.stmts, in)
}

// match finds the form of an instruction: its mnemonic as written, then as
// an Intel mnemonic and a size suffix. ops are in Intel order; it returns
// them as the form takes them (a predicate pseudo-mnemonic adds one).
func (p *parser) match(mnem string, t token, ops []*operand) (*form, string, []*operand, bool) {
	name := mnem
	str, isString := "", false
	if len(ops) == 0 {
		str, isString = stringOps[mnem] // else no lookup: it needs no operands
	}
	if isString {
		name = str
	} else if a, ok := attNames[mnem]; ok {
		name = a.intel
		if a.bits > 0 {
			// The memory operand is the source: the last in Intel order.
			for _, o := range ops {
				if o.kind == oMem && o.size == 0 {
					o.size = a.bits
				}
			}
		}
		if strings.HasPrefix(mnem, "movabs") && len(ops) == 2 && ops[0].kind == oReg && ops[1].kind == oImm && ops[0].class == 4 {
			// movabs $imm, %r64: always the 10-byte form.
			return p.movabs(t, ops)
		}
	}
	if (mnem == "xlat" || mnem == "xlatb") && len(ops) == 1 && ops[0].kind == oMem && p.readsNames() && ops[0].base.Name() == "rbx" && ops[0].index.Reg == 0 && ops[0].disp == 0 {
		ops = ops[:0] // xlat %ds:(%rbx): its implicit operand
	}
	if n, ok := p.stringInst(mnem, ops); ok {
		name, ops = n, ops[:0]
	}
	if len(ops) == 1 && (isShift(name) || len(name) > 1 && suffixBits(name[len(name)-1]) > 0 && isShift(name[:len(name)-1])) {
		// rol %eax: by one.
		ops = append(ops, &operand{kind: oImm, imm: 1, col: t.col, text: "$1"})
	}
	name = p.x87Name(name, ops)
	cands := p.fitting(p.cands[:0], formsOf(name), ops)
	if len(cands) > 0 {
		p.cands = cands[:0]
		f, ok := p.pick(mnem, name, t, cands, ops, "")
		return f, name, ops, ok
	}
	// name + suffix.
	var sizeErr string
	readings := suffixReadings(mnem, p.readings[:0])
	p.readings = readings[:0]
	for _, r := range readings {
		base := p.x87Name(r.base, ops)
		fs := formsOf(base)
		if fs.count() == 0 {
			continue
		}
		var set []*operand
		for _, o := range ops {
			if o.kind == oMem && o.size == 0 && !(o.bcst > 0 && r.bits >= 128) {
				o.size = r.bits
				set = append(set, o)
			}
		}
		cands = p.fitting(p.cands[:0], fs, ops)
		p.cands = cands[:0]
		kept := cands[:0]
		for _, f := range cands {
			if r.x87 || suffixAgrees(f, ops, r.bits) {
				kept = append(kept, f)
			}
		}
		if len(kept) > 0 {
			f, ok := p.pick(mnem, base, t, kept, ops, r.suffix)
			return f, base, ops, ok
		}
		for _, o := range set {
			o.size = 0
		}
		if len(set) > 0 && !r.x87 {
			// The suffix sizes the register, not the memory operand
			// (larl (%rbx), %edx; lfsl (%rbx), %edx).
			cands = p.fitting(p.cands[:0], fs, ops)
			p.cands = cands[:0]
			kept = cands[:0]
			for _, f := range cands {
				if suffixAgrees(f, ops, r.bits) && regSized(ops, r.bits) {
					kept = append(kept, f)
				}
			}
			if len(kept) > 0 {
				f, ok := p.pick(mnem, base, t, kept, ops, r.suffix)
				return f, base, ops, ok
			}
		}
		if len(cands) > 0 && sizeErr == "" {
			sizeErr = suffixMismatch(mnem, r, ops)
		}
	}
	if base, pred, ok := pseudoOp(mnem); ok {
		col := t.col
		imm := &operand{kind: oImm, imm: int64(pred), col: col, text: strconv.Itoa(pred)}
		ops = append(ops, imm)
		cands = p.fitting(p.cands[:0], formsOf(base), ops)
		if len(cands) > 0 {
			f, ok := p.pick(mnem, base, t, cands, ops, "")
			return f, base, ops, ok
		}
		ops = ops[:len(ops)-1]
	}
	if len(ops) > 0 && p.readsNames() && implicitOperands(ops) {
		// monitor %rax, %ecx, %edx; mwait %eax, %ecx: the registers the
		// instruction uses anyway.
		for _, n := range []string{name, strings.TrimRight(name, "bwlq")} {
			if cands = p.fitting(p.cands[:0], formsOf(n), nil); len(cands) > 0 {
				f, ok := p.pick(mnem, n, t, cands, nil, "")
				return f, n, nil, ok
			}
		}
	}
	switch {
	case sizeErr != "":
		p.errorf(t.col, "%s", sizeErr)
	case formsOf(name).count() > 0:
		p.errorf(t.col, "%s", noFormMessage(mnem, formsOf(name), ops))
	default:
		for _, r := range readings {
			if fs := formsOf(r.base); fs.count() > 0 {
				p.errorf(t.col, "%s", noFormMessage(mnem, fs, ops))
				return nil, "", nil, false
			}
		}
		p.errorf(t.col, "%s", unknownMnemonic(t.text))
	}
	return nil, "", nil, false
}

// isShift reports whether name is a shift or a rotate, which shifts by
// one with a lone operand (rol %eax).
func isShift(name string) bool {
	switch name {
	case "rcl", "rcr", "rol", "ror", "sal", "sar", "shl", "shr":
		return true
	}
	return false
}

// implicitOperands reports whether every operand is one of the registers
// an instruction without operands uses implicitly (monitor, mwait).
func implicitOperands(ops []*operand) bool {
	for _, o := range ops {
		if o.kind != oReg {
			return false
		}
		switch o.reg.Name() {
		case "rax", "eax", "ecx", "edx", "rcx", "rdx", "ebx", "rbx":
		default:
			return false
		}
	}
	return true
}

// isStringOpBase reports whether base is a string instruction, which
// objdump writes with its implicit operands (movsb %ds:(%rsi),%es:(%rdi);
// lods %ds:(%rsi),%al).
func isStringOpBase(base string) bool {
	switch base {
	case "movs", "cmps", "lods", "stos", "scas", "ins", "outs":
		return true
	}
	return false
}

// stringInst reads a string instruction written with its implicit
// operands: the Intel mnemonic of its size, whose operands are implicit.
func (p *parser) stringInst(mnem string, ops []*operand) (string, bool) {
	if len(ops) == 0 || len(mnem) > 5 {
		return "", false
	}
	base, bits := mnem, 0
	if !isStringOpBase(base) {
		base, bits = mnem[:len(mnem)-1], suffixBits(mnem[len(mnem)-1])
		if !isStringOpBase(base) || bits == 0 || bits > 64 {
			return "", false
		}
	}
	p.readsNames()
	for _, o := range ops {
		switch {
		case o.kind == oReg && o.reg.Reg == ir.DX && o.reg.Class() == "r16" && (base == "ins" || base == "outs"):
		case o.kind == oReg && (o.reg.Reg == ir.AX || o.reg.Reg == ir.AL) && regBits(o.reg.Class()) > 0:
			if bits == 0 {
				bits = regBits(o.reg.Class())
			}
		case o.kind == oMem && o.index.Reg == 0 && o.disp == 0 && o.sym == "" && (o.base.Name() == "rsi" || o.base.Name() == "rdi"):
		default:
			return "", false
		}
	}
	if bits == 0 {
		return "", false
	}
	return base + map[int]string{8: "b", 16: "w", 32: "d", 64: "q"}[bits], true
}

// x87Name applies AT&T's reversed fsub/fsubr and fdiv/fdivr: with a
// destination other than %st, each means the other.
func (p *parser) x87Name(name string, ops []*operand) string {
	if name[0] != 'f' {
		return name
	}
	other, ok := x87Reversed[name]
	if !ok {
		return name
	}
	if strings.HasSuffix(name, "p") {
		return other
	}
	if len(ops) == 2 && ops[0].kind == oReg && ops[0].reg.Class() == "st" && p.readsNames() && ops[0].reg.Reg != ir.F0 {
		return other
	}
	return name
}

// suffixAgrees reports whether a form fits a size suffix: one of its
// sized operands (a general-purpose or vector register, memory) has the
// suffix's size, or it has none.
func suffixAgrees(f *form, ops []*operand, bits int) bool {
	sized := false
	cs := f.classList()
	for i := range cs {
		c := &cs[i]
		b := 0
		switch c.kind {
		case cReg, cLitReg:
			b = c.bits
		case cMemN:
			b = c.bits
		case cBcst:
			if bits >= 128 {
				b = c.bits * c.n
			}
		}
		if b == 0 {
			continue
		}
		sized = true
		if b == bits {
			return true
		}
	}
	return !sized
}

// regSized reports whether a general-purpose register operand has the
// suffix's size.
func regSized(ops []*operand, bits int) bool {
	for _, o := range ops {
		if o.kind == oReg && o.class >= 1 && o.class <= 4 && regBits(o.reg.Class()) == bits {
			return true
		}
	}
	return false
}

// suffixMismatch explains registers of a size the suffix contradicts.
func suffixMismatch(mnem string, r suffixed, ops []*operand) string {
	for i := len(ops) - 1; i >= 0; i-- {
		o := ops[i]
		if bits := regBits(o.reg.Class()); o.kind == oReg && bits > 0 && bits != r.bits {
			return fmt.Sprintf("operand size mismatch: %s is %d-bit, but the %s suffix of %s says %d-bit", o.text, bits, r.suffix, mnem, r.bits)
		}
	}
	return fmt.Sprintf("%s: the %s suffix does not fit these operands", mnem, r.suffix)
}

// pick chooses among the forms that fit: fine when they make the same Go
// instruction; otherwise a memory operand without a size leaves it open.
func (p *parser) pick(mnem, name string, t token, cands []*form, ops []*operand, suffix string) (*form, bool) {
	same := true
	for _, f := range cands[1:] {
		if !sameInst(f, cands[0]) {
			same = false
			break
		}
	}
	if same {
		return cands[0], true
	}
	switch name {
	case "push", "pop", "call", "jmp":
		// 64-bit, as GNU as takes them in 64-bit code.
		for _, f := range cands {
			for _, c := range f.classList() {
				if c.kind == cMemN && c.bits == 64 {
					return f, true
				}
			}
		}
	}
	for i, o := range ops {
		if o.kind != oMem || o.size != 0 {
			continue
		}
		var sizes []int
		for _, f := range cands {
			b := 0
			switch c := f.classList()[i]; c.kind {
			case cMemN, cBcst, cVSIB:
				b = c.bits
			}
			if b > 0 && !slices.Contains(sizes, b) {
				sizes = append(sizes, b)
			}
		}
		if len(sizes) > 1 {
			var words []string
			slices.Sort(sizes)
			for _, b := range sizes {
				if s := suffixFor(name, b); s != "" {
					words = append(words, name+s)
				}
			}
			if len(words) > 1 {
				p.errorf(t.col, "ambiguous operand size for %s %s: write %s", mnem, o.text, orList(words))
				return nil, false
			}
		}
	}
	return cands[0], true
}

// suffixFor is the suffix that says bits for an instruction named name.
func suffixFor(name string, bits int) string {
	if name[0] == 'f' {
		integer := strings.HasPrefix(name, "fi")
		switch {
		case integer && bits == 16, !integer && bits == 32:
			return "s"
		case integer && bits == 32, !integer && bits == 64:
			return "l"
		case integer && bits == 64:
			return "ll"
		case bits == 80:
			return "t"
		}
		return ""
	}
	switch bits {
	case 8:
		return "b"
	case 16:
		return "w"
	case 32:
		return "l"
	case 64:
		return "q"
	case 128:
		return "x"
	case 256:
		return "y"
	}
	return ""
}

func orList(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// noFormMessage lists the forms a mnemonic has (fs), in AT&T order.
func noFormMessage(mnem string, fs *mnemForms, ops []*operand) string {
	var got []string
	for i := len(ops) - 1; i >= 0; i-- {
		got = append(got, ops[i].opClass())
	}
	forms := make([]string, 0, fs.count())
	for _, j := range fs.inTableOrder() {
		var cs []string
		classes := genForms[j].classList()
		for i := len(classes) - 1; i >= 0; i-- {
			cs = append(cs, classes[i].text())
		}
		forms = append(forms, strings.Join(cs, ", "))
	}
	return ir.NoFormMessage(mnem, " (AT&T order)", got, forms)
}

// unknownMnemonic explains an unknown mnemonic, with the closest known
// ones.
func unknownMnemonic(name string) string {
	if s := ir.Suggest(mnemonicNames(), strings.ToLower(name)); len(s) > 0 {
		return fmt.Sprintf("unknown instruction %s (did you mean %s?)", name, strings.Join(s, ", "))
	}
	return fmt.Sprintf("unknown instruction %s", name)
}

// movabsForm is the form match returns for movabs $imm64, %r64: MOVQ,
// which golang-asm encodes in the 10-byte form only when the immediate
// needs it, so the bytes are written out from the operands
// (movabsBytes).
var movabsForm form

// movabs matches movabs $imm64, %r64 (ops in Intel order): movabsForm.
func (p *parser) movabs(t token, ops []*operand) (*form, string, []*operand, bool) {
	if r := ops[0].reg.Reg; r < ir.AX || r > ir.R15 {
		p.errorf(t.col, "movabs needs a 64-bit register")
		return nil, "", nil, false
	}
	return &movabsForm, "mov", ops, true
}

// movabsBytes returns the bytes of movabs $imm64, %r64 (ops in Intel
// order, as movabs matched them).
func movabsBytes(ops []*operand) []byte {
	n := byte(ops[0].reg.Reg - ir.AX)
	rex := byte(0x48)
	if n >= 8 {
		rex |= 1
	}
	b := []byte{rex, 0xb8 + n&7}
	v := uint64(ops[1].imm)
	for i := 0; i < 8; i++ {
		b = append(b, byte(v>>(8*i)))
	}
	return b
}

// newInst returns an instruction with room for n operands, from the
// parser's slabs.
func (p *parser) newInst(n int) *ir.Inst {
	in := &p.insts.Take(1)[0]
	in.Args = p.args.Take(n)[:0]
	return in
}

// build makes the Go instruction of form f with operands ops (Intel
// order) and the decorations.
func (p *parser) build(f *form, t token, ops []*operand, rounding string, roundCol int, src ir.Source) (*ir.Inst, bool) {
	mask, maskCol, zeroing, bcst := 0, t.col, false, false
	for i, o := range ops {
		if o.mask != 0 {
			if i != 0 {
				p.errorf(o.col, "an opmask {%%k%d} goes on the destination (the last operand)", max(o.mask, 0))
				return nil, false
			}
			mask, maskCol = o.mask, o.col
		}
		if o.zeroing {
			if i != 0 {
				p.errorf(o.col, "{z} goes on the destination (the last operand)")
				return nil, false
			}
			zeroing = true
		}
		if o.bcst > 0 {
			bcst = true
		}
	}
	mnem := t.text
	switch {
	case mask < 0:
		p.errorf(maskCol, "%%k0 cannot be an opmask (it means no mask): use %%k1…%%k7")
	case mask > 0 && !f.mask:
		p.errorf(maskCol, "%s does not take an opmask", mnem)
	case mask == 0 && f.maskReq:
		p.errorf(t.col, "%s needs an opmask: write {%%k1}…{%%k7} after its destination", mnem)
	case zeroing && mask == 0:
		p.errorf(t.col, "{z} (zeroing) needs an opmask {%%k1}…{%%k7}")
	case zeroing && !f.zeroing:
		p.errorf(t.col, "%s does not take {z} here", mnem)
	case rounding == "sae" && !f.sae && f.rc:
		p.errorf(roundCol, "%s takes a rounding mode here ({rn-sae}, {rd-sae}, {ru-sae} or {rz-sae}), not {sae}", mnem)
	case rounding == "sae" && !f.sae:
		p.errorf(roundCol, "%s does not take {sae} here", mnem)
	case rounding != "" && rounding != "sae" && !f.rc:
		p.errorf(roundCol, "%s does not take embedded rounding {%s} here", mnem, rounding)
	default:
		goto ok
	}
	return nil, false
ok:
	nst := 0
	if formHasSt[f.id] {
		classes := f.classList()
		for i := range classes {
			if classes[i].kind == cReg && classes[i].id == stClass && ops[i].reg.Reg != ir.F0 {
				nst++
			}
		}
	}
	if nst == 2 {
		p.errorf(t.col, "%s: one of the two x87 registers must be %%st", mnem)
		return nil, false
	}
	args := f.goArgs()
	in := p.newInst(len(args))
	in.Source, in.Op = src, f.goOp.String()
	if mask != 0 || zeroing || bcst || rounding != "" {
		in.Suffix = ir.GoSuffix(rounding, bcst, zeroing)
	}
	if !p.eager {
		// The spelling is made when a message needs it (respell.go).
		for _, a := range args {
			switch a.kind {
			case argMask:
				if mask > 0 {
					in.Args = append(in.Args, ir.RegOp(ir.K0+ir.Reg(mask)))
				}
			case argFixed:
				in.Args = append(in.Args, ir.RegOp(a.reg))
			default:
				o := ops[a.idx]
				// newInst took room for every argument, zeroed (a
				// slab.Make slab): a register or an immediate sets two
				// fields of its slot, without copying a whole operand.
				k := len(in.Args)
				in.Args = in.Args[:k+1]
				switch m := &in.Args[k]; o.kind {
				case oReg:
					m.Kind, m.Reg = ir.RegOperand, o.reg.Reg
				case oImm:
					m.Kind, m.Imm = ir.ImmOperand, o.imm
				default:
					*m = goOperand(o)
				}
				if o.sym != "" {
					p.addRef(in, k, o.col)
				}
			}
		}
		ir.SetSpelling(in, p.lazySpelling())
		return in, true
	}
	sp := p.spelling(t, ops, len(args))
	for _, a := range args {
		switch a.kind {
		case argMask:
			if mask > 0 {
				in.Args = append(in.Args, ir.RegOp(ir.K0+ir.Reg(mask)))
				sp.ArgOp = append(sp.ArgOp, -1)
			}
		case argFixed:
			in.Args = append(in.Args, ir.RegOp(a.reg))
			sp.ArgOp = append(sp.ArgOp, -1)
		default:
			in.Args = append(in.Args, goOperand(ops[a.idx]))
			sp.ArgOp = append(sp.ArgOp, int8(len(ops)-1-a.idx)) // Ops are in AT&T order
			if ops[a.idx].sym != "" {
				p.addRef(in, len(in.Args)-1, ops[a.idx].col)
			}
		}
	}
	ir.SetSpelling(in, sp)
	return in, true
}

// spelling records the instruction as written for the encoder's
// messages: its text, its mnemonic and its operands in AT&T order (ArgOp
// counts in that order).
func (p *parser) spelling(t token, ops []*operand, n int) *ir.Spelling {
	sp := &p.spellings.Take(1)[0]
	sp.Text, sp.Mnem = p.source(t).Text, strings.ToLower(t.text)
	sp.Ops = p.spelledOps.Take(len(ops))
	sp.ArgOp = p.argOps.Take(n)[:0]
	for i, o := range ops {
		// In AT&T order: messages list operands as written.
		k := len(ops) - 1 - i
		sp.Ops[k] = ir.SpelledOperand{Text: o.text, Class: o.opClass()}
		if o.kind == oReg {
			sp.Ops[k].Reg = o.regText
		}
	}
	return sp
}

// goOperand converts operand o to its Go operand.
func goOperand(o *operand) ir.Operand {
	switch o.kind {
	case oReg:
		return ir.Operand{Kind: ir.RegOperand, Reg: o.reg.Reg}
	case oImm:
		return ir.Operand{Kind: ir.ImmOperand, Imm: o.imm}
	}
	m := ir.Operand{Kind: ir.MemOperand, Reg: o.base.Reg, Index: o.index.Reg, Disp: o.disp, Sym: o.sym, Seg: o.seg.Reg}
	if o.index.Reg != 0 {
		m.Scale = o.scale
	}
	m.PCRel = o.rip && o.sym == ""
	return m
}
