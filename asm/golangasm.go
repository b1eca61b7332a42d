package asm

// This file is the only one that talks to golang-asm (the Go toolchain's x86
// encoder). It turns validated instructions into obj.Progs, assembles a run
// of them with span6 under the encoder lock, and hands back bytes and
// relocations per instruction. Everything golang-asm reports, panics on or
// silently drops is turned into an error here or caught before (validate.go).

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"sync"

	"github.com/twitchyliquid64/golang-asm/asm/arch"
	"github.com/twitchyliquid64/golang-asm/obj"
	"github.com/twitchyliquid64/golang-asm/obj/x86"
	"github.com/twitchyliquid64/golang-asm/objabi"
)

// The encoder's process-wide state. golang-asm keeps its instruction tables in
// package variables of obj/x86 (ycover, opindex, …) that are filled on first
// use and are not safe for concurrent use, so every call into it is made with
// encoderMu held. gasmTables is computed once and read-only afterwards.
var (
	encoderMu   sync.Mutex
	tablesOnce  sync.Once
	tablesValue *gasmTables
)

// gasmTables is what golang-asm tells us once per process.
type gasmTables struct {
	arch *arch.Arch
	// ops maps every Go-syntax mnemonic (with the aliases go tool asm
	// accepts: JA, JZ, MOVD, …) to its opcode.
	ops map[string]obj.As
	// branches holds the encodings of the instructions that take a label:
	// JMP, CALL, the conditional jumps, LOOP*, JCXZ* and XBEGIN.
	branches map[obj.As]*branchForm
	// branchByOp indexes branches by opcode&obj.AMask.
	branchByOp []*branchForm
	// mnemonics is every accepted mnemonic, for "did you mean" hints.
	mnemonics []string
	// unclassified holds the registers golang-asm has no operand class for:
	// it treats them as absent and drops them from any instruction without
	// a word (HLT SPB assembles to f4; ADDB SPB, AL ignores SPB).
	unclassified []bool // indexed by Reg
}

// branchForm is how golang-asm encodes a branch to a label: the bytes that
// precede an 8-bit or a 32-bit displacement. A nil slice means the form does
// not exist (LOOP has no near form, CALL and XBEGIN no short form).
type branchForm struct {
	short []byte
	near  []byte
}

func tables() *gasmTables {
	tablesOnce.Do(func() {
		encoderMu.Lock()
		defer encoderMu.Unlock()
		t := &gasmTables{arch: arch.Set("amd64")}
		t.ops = t.arch.Instructions
		// Names newer Go versions use for instructions golang-asm knows by
		// an older name.
		for alias, name := range map[string]string{"MOVBEW": "MOVBEWW", "MOVBEL": "MOVBELL", "MOVBEQ": "MOVBEQQ"} {
			if op, ok := t.ops[name]; ok {
				if _, taken := t.ops[alias]; !taken {
					t.ops[alias] = op
				}
			}
		}
		for name := range t.ops {
			t.mnemonics = append(t.mnemonics, name)
		}
		t.branches = deriveBranchForms(t)
		t.branchByOp = make([]*branchForm, obj.AMask+1)
		for op, f := range t.branches {
			t.branchByOp[op&obj.AMask] = f
		}
		t.unclassified = probeUnclassified(t)
		tablesValue = t
	})
	return tablesValue
}

// newLink returns a fresh golang-asm context whose diagnostics go to diag.
// The caller holds encoderMu.
func newLink(t *gasmTables, diag func(format string, args ...interface{})) *obj.Link {
	ctxt := obj.Linknew(t.arch.LinkArch)
	ctxt.Headtype = objabi.Hlinux
	// IsAsm: no NOP padding of jumps for the Intel jump erratum.
	ctxt.IsAsm = true
	ctxt.DiagFunc = diag
	t.arch.Init(ctxt)
	return ctxt
}

// deriveBranchForms asks golang-asm how it encodes each branch instruction,
// short and near, by assembling tiny programs: the branch followed by gap
// bytes and then its target. Gaps of 0 and 8 must give the same bytes but
// for a last byte of 0 and 8 (the short form, rel8); a gap of 160 must end
// in a 32-bit 160 (the near form, rel32). Nothing here is typed by hand; the
// tests check the result against the Intel manual.
func deriveBranchForms(t *gasmTables) map[obj.As]*branchForm {
	forms := make(map[obj.As]*branchForm)
	seen := make(map[obj.As]bool)
	for name, as := range t.ops {
		if !t.arch.IsJump(name) || seen[as] {
			continue
		}
		seen[as] = true
		f := &branchForm{}
		if as == obj.ACALL {
			// golang-asm encodes CALL only to a symbol: E8 and a relocation.
			if code, nrel := probeBranch(t, as, 0); nrel == 1 && len(code) == 5 {
				f.near = code[:1]
			}
		} else {
			c0, _ := probeBranch(t, as, 0)
			c8, _ := probeBranch(t, as, 8)
			if n := len(c0); n >= 2 && len(c8) == n && bytes.Equal(c0[:n-1], c8[:n-1]) && c0[n-1] == 0 && c8[n-1] == 8 {
				f.short = c0[:n-1]
			}
			c160, _ := probeBranch(t, as, 160)
			if n := len(c160); n >= 5 && binary.LittleEndian.Uint32(c160[n-4:]) == 160 {
				f.near = c160[:n-4]
			}
		}
		if f.short != nil || f.near != nil {
			forms[as] = f
		}
	}
	return forms
}

// probeBranch assembles "as → target" with gap bytes between them and returns
// the bytes of the branch and the number of relocations, or nil when
// golang-asm reports a problem.
func probeBranch(t *gasmTables, as obj.As, gap int) (code []byte, nrel int) {
	defer func() {
		if recover() != nil {
			code = nil
		}
	}()
	failed := false
	ctxt := newLink(t, func(string, ...interface{}) { failed = true })
	p := ctxt.NewProg()
	p.As = as
	p.To.Type = obj.TYPE_BRANCH
	if as == obj.ACALL {
		p.To.Sym = &obj.LSym{Name: "probe"}
	}
	last := p
	for i := 0; i < gap/8; i++ {
		q := ctxt.NewProg()
		q.As = x86.AQUAD
		q.From = obj.Addr{Type: obj.TYPE_CONST}
		last.Link = q
		last = q
	}
	target := ctxt.NewProg()
	target.As = x86.AINT
	target.From = obj.Addr{Type: obj.TYPE_CONST, Offset: 3}
	last.Link = target
	if as != obj.ACALL {
		p.To.SetTarget(target)
	}
	s := &obj.LSym{Func: &obj.FuncInfo{Text: p}}
	t.arch.Assemble(ctxt, s, ctxt.NewProg)
	if failed || p.Link == nil {
		return nil, 0
	}
	return append([]byte(nil), s.P[:p.Link.Pc]...), len(s.R)
}

// probeUnclassified finds the registers golang-asm silently drops: HLT
// takes no operand, so HLT r assembles exactly when r is classified as
// "no operand".
func probeUnclassified(t *gasmTables) []bool {
	out := make([]bool, x86.MAXREG)
	for _, r := range regByName {
		failed := false
		ctxt := newLink(t, func(string, ...interface{}) { failed = true })
		p := ctxt.NewProg()
		p.As = x86.AHLT
		p.From = obj.Addr{Type: obj.TYPE_REG, Reg: int16(r)}
		s := &obj.LSym{Func: &obj.FuncInfo{Text: p}}
		func() {
			defer func() {
				if recover() != nil {
					failed = true
				}
			}()
			t.arch.Assemble(ctxt, s, ctxt.NewProg)
		}()
		if !failed {
			out[r] = true
		}
	}
	return out
}

// gasmReloc is a reference golang-asm left for a linker: a 4-byte field at
// Off (from the start of the instruction) that must hold
// target + Add - (address of the end of the field).
type gasmReloc struct {
	Off  int
	Add  int64
	Ref  symRef
	Kind objabi.RelocType
}

// encodedInst is one instruction's bytes and references.
type encodedInst struct {
	code   []byte
	relocs []gasmReloc
}

// progBuilder turns validated instructions into golang-asm Progs. Symbol
// references become LSyms that map back to symRefs.
type progBuilder struct {
	t     *gasmTables
	ctxt  *obj.Link
	lsyms map[symRef]*obj.LSym
	refs  map[*obj.LSym]symRef
	// floats collects the float constants that MOVSD $(1.5), X0 and friends
	// read from memory, as go tool asm does; encode lays them out as data.
	floats map[symRef]uint64
	// floatPos is where each float constant was first used.
	floatPos map[symRef]Pos
	// pos is the position of the instruction being converted.
	pos   Pos
	diags []string
	// Progs come from blocks recycled through progBlocks: they are only
	// needed while golang-asm runs, and making 300-byte Progs afresh for
	// every instruction is most of what the garbage collector would do.
	blocks []*progBlock
	used   int // Progs taken from the last block
}

const progBlockSize = 256

type progBlock [progBlockSize]obj.Prog

// progBlocks recycles Prog blocks between encodings (a cache: it holds no
// state that outlives an encoding).
var progBlocks = sync.Pool{New: func() any { return new(progBlock) }}

// newProg returns a zeroed Prog.
func (b *progBuilder) newProg() *obj.Prog {
	if len(b.blocks) == 0 || b.used == progBlockSize {
		b.blocks = append(b.blocks, progBlocks.Get().(*progBlock))
		b.used = 0
	}
	p := &b.blocks[len(b.blocks)-1][b.used]
	b.used++
	p.Ctxt = b.ctxt
	return p
}

// release zeroes the Progs handed out and returns their blocks for reuse.
// Nothing may use a Prog of b afterwards.
func (b *progBuilder) release() {
	for i, blk := range b.blocks {
		n := progBlockSize
		if i == len(b.blocks)-1 {
			n = b.used
		}
		clear(blk[:n])
		progBlocks.Put(blk)
	}
	b.blocks, b.used = nil, 0
}

func newProgBuilder(t *gasmTables) *progBuilder {
	b := &progBuilder{
		t:        t,
		lsyms:    make(map[symRef]*obj.LSym),
		refs:     make(map[*obj.LSym]symRef),
		floats:   make(map[symRef]uint64),
		floatPos: make(map[symRef]Pos),
	}
	encoderMu.Lock()
	b.ctxt = newLink(t, b.diag)
	encoderMu.Unlock()
	return b
}

// diag records a golang-asm diagnostic as a one-line message without the
// Prog dump golang-asm appends (the caller knows the position).
func (b *progBuilder) diag(format string, args ...interface{}) {
	const mark = "\x00"
	for i, a := range args {
		if _, ok := a.(*obj.Prog); ok {
			args[i] = mark
		}
	}
	msg := fmt.Sprintf(format, args...)
	if i := strings.Index(msg, mark); i >= 0 {
		msg = msg[:i]
	}
	msg = strings.TrimRight(msg, " :\t\n")
	msg = strings.TrimPrefix(msg, "asmins: ")
	if msg == "" {
		msg = "invalid instruction"
	}
	b.diags = append(b.diags, msg)
}

func (b *progBuilder) lsym(ref symRef) *obj.LSym {
	if s, ok := b.lsyms[ref]; ok {
		return s
	}
	s := &obj.LSym{Name: ref.Name}
	b.lsyms[ref] = s
	b.refs[s] = ref
	return s
}

// progFix is what golang-asm cannot emit for an instruction and fix adds
// to its bytes afterwards.
type progFix struct {
	// rex forces a REX prefix: SPB (SPL) was given to golang-asm as AH,
	// whose register number it shares; with a REX prefix the number means
	// SPL. golang-asm leaves SPB out of its operand classes (asm6.go,
	// oclass), so it would drop it from the instruction.
	rex bool
	// seg is a segment-override prefix byte (0x64 FS, 0x65 GS) to put in
	// front of the instruction: golang-asm knows one only as the base or
	// index of an operand without a symbol.
	seg byte
}

// pcRelRef is the reference a PC-relative displacement (Operand.PCRel)
// is given to golang-asm as, so that it encodes RIP-relative addressing;
// fix then writes the displacement itself into the field. No source can
// name it.
var pcRelRef = symRef{Name: "$pc"}

// prog converts one instruction. The instruction has been validated, so
// every operand kind here is one the encoder can take; op is its opcode.
func (b *progBuilder) prog(in *Inst, op obj.As) (*obj.Prog, progFix, error) {
	var fix progFix
	for i := range in.Args {
		a := &in.Args[i]
		switch {
		case a.Kind == RegOperand && a.Reg == x86.REG_SPB:
			fix.rex = true
		case a.Kind == MemOperand && a.Seg == x86.REG_FS:
			fix.seg = 0x64
		case a.Kind == MemOperand && a.Seg == x86.REG_GS:
			fix.seg = 0x65
		}
	}
	p := b.newProg()
	p.As = op
	if in.Suffix != "" {
		if err := x86.ParseSuffix(p, in.Suffix); err != nil {
			return nil, fix, fmt.Errorf("%s: bad suffix .%s: %v", in.Op, in.Suffix, err)
		}
	}
	args := in.Args
	switch n := len(args); n {
	case 0:
	case 1:
		if b.t.arch.UnaryDst[op] || op == obj.ARET || isJumpOp(b.t, op) {
			p.To = b.addr(&args[0])
		} else {
			p.From = b.addr(&args[0])
		}
	default:
		p.From = b.addr(&args[0])
		if n > 2 {
			p.RestArgs = make([]obj.Addr, n-2)
			for i := range p.RestArgs {
				p.RestArgs[i] = b.addr(&args[i+1])
			}
		}
		p.To = b.addr(&args[n-1])
	}
	b.edit(p)
	return p, fix, nil
}

func isJumpOp(t *gasmTables, op obj.As) bool { return t.branch(op) != nil }

// branch returns the branch encodings of op, or nil if op is no branch.
func (t *gasmTables) branch(op obj.As) *branchForm { return t.branchByOp[op&obj.AMask] }

// edit applies the rewrites go tool asm makes before encoding (obj6
// progedit), except the TLS ones, whose inputs validation rejects.
func (b *progBuilder) edit(p *obj.Prog) {
	// CMPPS X1, X0, 4: a bare number as the predicate means $4.
	switch p.As {
	case x86.ACMPPD, x86.ACMPPS, x86.ACMPSD, x86.ACMPSS:
		if p.To.Type == obj.TYPE_MEM && p.To.Name == obj.NAME_NONE && p.To.Reg == x86.REG_NONE && p.To.Index == x86.REG_NONE && p.To.Sym == nil {
			p.To.Type = obj.TYPE_CONST
		}
	}
	// MOVQ $x(SB), AX and MOVQ $8(SP), AX load an address: LEAQ.
	if p.From.Type == obj.TYPE_ADDR {
		switch p.As {
		case x86.AMOVL:
			p.As = x86.ALEAL
			p.From.Type = obj.TYPE_MEM
		case x86.AMOVQ:
			p.As = x86.ALEAQ
			p.From.Type = obj.TYPE_MEM
		}
	}
	if p.From.Type != obj.TYPE_FCONST {
		return
	}
	f := p.From.Val.(float64)
	switch p.As {
	case x86.AMOVSS, x86.AMOVSD:
		// MOVSS $(0.0), X3 becomes XORPS X3, X3 (only +0: -0 has a sign bit).
		if math.Float64bits(f) == 0 && p.To.Type == obj.TYPE_REG && x86.REG_X0 <= p.To.Reg && p.To.Reg <= x86.REG_X15 {
			p.As = x86.AXORPS
			p.From = p.To
			return
		}
	}
	var ref symRef
	var bits uint64
	if floatWidth(p.As) == 4 {
		bits = uint64(math.Float32bits(float32(f)))
		ref = symRef{Name: fmt.Sprintf("$f32.%08x", bits)}
	} else {
		bits = math.Float64bits(f)
		ref = symRef{Name: fmt.Sprintf("$f64.%016x", bits)}
	}
	if _, ok := b.floats[ref]; !ok {
		b.floats[ref] = bits
		b.floatPos[ref] = b.pos
	}
	p.From = obj.Addr{Type: obj.TYPE_MEM, Name: obj.NAME_EXTERN, Sym: b.lsym(ref)}
}

// floatWidth returns the size of the memory constant a float immediate of op
// becomes (4 or 8), or 0 when op takes no float immediate.
func floatWidth(op obj.As) int {
	switch op {
	case x86.AMOVSS, x86.AFMOVF, x86.AFADDF, x86.AFSUBF, x86.AFSUBRF, x86.AFMULF,
		x86.AFDIVF, x86.AFDIVRF, x86.AFCOMF, x86.AFCOMFP, x86.AADDSS, x86.ASUBSS,
		x86.AMULSS, x86.ADIVSS, x86.ACOMISS, x86.AUCOMISS:
		return 4
	case x86.AMOVSD, x86.AFMOVD, x86.AFADDD, x86.AFSUBD, x86.AFSUBRD, x86.AFMULD,
		x86.AFDIVD, x86.AFDIVRD, x86.AFCOMD, x86.AFCOMDP, x86.AADDSD, x86.ASUBSD,
		x86.AMULSD, x86.ADIVSD, x86.ACOMISD, x86.AUCOMISD:
		return 8
	}
	return 0
}

// addr converts a validated operand.
func (b *progBuilder) addr(o *Operand) obj.Addr {
	switch o.Kind {
	case RegOperand:
		if o.Reg == x86.REG_SPB {
			return obj.Addr{Type: obj.TYPE_REG, Reg: x86.REG_AH} // see progFix.rex
		}
		return obj.Addr{Type: obj.TYPE_REG, Reg: int16(o.Reg)}
	case ImmOperand:
		return obj.Addr{Type: obj.TYPE_CONST, Offset: o.Imm}
	case FloatOperand:
		return obj.Addr{Type: obj.TYPE_FCONST, Val: o.Float}
	case MemOperand, AddrOperand:
		a := obj.Addr{Type: obj.TYPE_MEM, Reg: int16(o.Reg), Index: int16(o.Index), Scale: int16(o.Scale), Offset: o.Disp}
		if o.Kind == AddrOperand {
			a.Type = obj.TYPE_ADDR
		}
		if o.Index == 0 {
			a.Scale = 0
		}
		switch {
		case o.Sym != "":
			a.Name = obj.NAME_EXTERN
			if o.Static {
				a.Name = obj.NAME_STATIC
			}
			a.Sym = b.lsym(symRef{Name: o.Sym, Static: o.Static})
		case o.PCRel:
			a.Name = obj.NAME_EXTERN
			a.Sym = b.lsym(pcRelRef)
		}
		return a
	case RegListOperand:
		return obj.Addr{Type: obj.TYPE_REGLIST, Offset: x86.EncodeRegisterRange(int16(o.Reg), int16(o.RegHi))}
	}
	return obj.Addr{}
}

// assemble encodes progs as one straight-line block (no branches to labels
// among them) and splits the result per instruction. ok is false when
// golang-asm reported a problem or panicked: the caller then assembles the
// instructions one by one to find out which.
func (b *progBuilder) assemble(progs []*obj.Prog) (out []encodedInst, ok bool) {
	if len(progs) == 0 {
		return nil, true
	}
	for i := 0; i+1 < len(progs); i++ {
		progs[i].Link = progs[i+1]
	}
	progs[len(progs)-1].Link = nil
	b.diags = b.diags[:0]
	s := &obj.LSym{Func: &obj.FuncInfo{Text: progs[0]}}
	if !b.span(s) || len(b.diags) > 0 {
		return nil, false
	}
	out = make([]encodedInst, len(progs))
	r := 0
	for i, p := range progs {
		end := int64(len(s.P))
		if i+1 < len(progs) {
			end = progs[i+1].Pc
		}
		if p.Pc > end || end > int64(len(s.P)) {
			return nil, false
		}
		e := &out[i]
		e.code = s.P[p.Pc:end:end]
		for ; r < len(s.R) && int64(s.R[r].Off) < end; r++ {
			rel := &s.R[r]
			if rel.Siz == 0 {
				continue // a marker for the linker (R_CALLIND), no bytes to fill
			}
			e.relocs = append(e.relocs, gasmReloc{
				Off:  int(int64(rel.Off) - p.Pc),
				Add:  rel.Add,
				Ref:  b.refs[rel.Sym],
				Kind: rel.Type,
			})
		}
	}
	return out, true
}

// span runs golang-asm's assembler on s with the encoder lock held and
// reports whether it returned normally.
func (b *progBuilder) span(s *obj.LSym) (ok bool) {
	encoderMu.Lock()
	defer encoderMu.Unlock()
	defer func() {
		if r := recover(); r != nil {
			b.diags = append(b.diags, fmt.Sprintf("the encoder failed on this instruction (%v)", r))
			ok = false
		}
	}()
	b.t.arch.Assemble(b.ctxt, s, b.ctxt.NewProg)
	return true
}

// assembleOne encodes a single instruction and returns its bytes, or the
// problem golang-asm reported.
func (b *progBuilder) assembleOne(p *obj.Prog) (encodedInst, string) {
	p.Link = nil
	out, ok := b.assemble([]*obj.Prog{p})
	if !ok {
		msg := "invalid instruction"
		if len(b.diags) > 0 {
			msg = b.diags[0]
		}
		return encodedInst{}, msg
	}
	return out[0], ""
}

// fix applies what progFix asks for to an instruction golang-asm encoded,
// and writes the displacements of PC-relative operands. It returns the
// bytes and the references left for the layout.
func (enc encodedInst) fix(f progFix) (encodedInst, error) {
	if !f.rex && f.seg == 0 && !hasPCRel(enc.relocs) {
		return enc, nil
	}
	if f.rex {
		// Like golang-asm's own REX placement (asm6.go, asmins): after the
		// legacy prefixes, before the opcode.
		np := 0
		for np < len(enc.code) && isLegacyPrefix(enc.code[np]) {
			np++
		}
		if np < len(enc.code) {
			switch c := enc.code[np]; {
			case c == 0xC4 || c == 0xC5 || c == 0x62:
				return enc, fmt.Errorf("SPB (SPL) needs a REX prefix, which a VEX or EVEX instruction cannot have")
			case c&0xF0 != 0x40:
				enc = enc.insert(np, 0x40)
			}
		}
	}
	if f.seg != 0 {
		enc = enc.insert(0, f.seg)
	}
	var relocs []gasmReloc
	for _, r := range enc.relocs {
		if r.Ref != pcRelRef {
			relocs = append(relocs, r)
			continue
		}
		// The field holds the displacement from the end of the
		// instruction: golang-asm's addend is that minus the bytes after
		// the field.
		v := r.Add + int64(len(enc.code)-(r.Off+4))
		if v < math.MinInt32 || v > math.MaxInt32 {
			return enc, fmt.Errorf("displacement %d does not fit in 32 bits", v)
		}
		binary.LittleEndian.PutUint32(enc.code[r.Off:], uint32(int32(v)))
	}
	enc.relocs = relocs
	return enc, nil
}

func hasPCRel(relocs []gasmReloc) bool {
	for _, r := range relocs {
		if r.Ref == pcRelRef {
			return true
		}
	}
	return false
}

// insert returns the instruction with byte c inserted at offset i, its
// references moved with the bytes after it.
func (enc encodedInst) insert(i int, c byte) encodedInst {
	code := make([]byte, 0, len(enc.code)+1)
	code = append(append(append(code, enc.code[:i]...), c), enc.code[i:]...)
	relocs := make([]gasmReloc, len(enc.relocs))
	for k, r := range enc.relocs {
		if r.Off >= i {
			r.Off++
		}
		relocs[k] = r
	}
	return encodedInst{code: code, relocs: relocs}
}

// isLegacyPrefix reports whether c is a legacy prefix byte: operand and
// address size, REP/REPNE, LOCK, or a segment override.
func isLegacyPrefix(c byte) bool {
	switch c {
	case 0x66, 0x67, 0xF2, 0xF3, 0xF0, 0x2E, 0x36, 0x3E, 0x26, 0x64, 0x65:
		return true
	}
	return false
}
