package x86enc

import (
	"fmt"
	"math"
	"strings"

	"github.com/jitrun/jitrun/asm/internal/ir"
	"github.com/twitchyliquid64/golang-asm/obj"
	"github.com/twitchyliquid64/golang-asm/obj/x86"
	"github.com/twitchyliquid64/golang-asm/objabi"
)

// gasmReloc is a reference golang-asm left for a linker: a 4-byte field at
// Off (from the start of the instruction) that must hold
// target + Add - (address of the end of the field).
type gasmReloc struct {
	Off  int
	Add  int64
	Ref  ir.SymRef
	Kind objabi.RelocType
}

// encodedInst is one instruction's bytes and references.
type encodedInst struct {
	code   []byte
	relocs []gasmReloc
}

// progBuilder turns validated instructions into golang-asm Progs. Symbol
// references become LSyms that map back to SymRefs.
type progBuilder struct {
	t     *gasmTables
	ctxt  *obj.Link
	lsyms map[ir.SymRef]*obj.LSym
	refs  map[*obj.LSym]ir.SymRef
	// floats collects the float constants that MOVSD $(1.5), X0 and friends
	// read from memory, as go tool asm does; the layout places them with
	// the read-only data (Batch.Floats).
	floats map[ir.SymRef]uint64
	// floatPos is where each float constant was first used.
	floatPos map[ir.SymRef]ir.Pos
	diags    []string
	// Progs come from blocks the builder keeps (and its Batch with it,
	// from one assembly to the next): they are only needed while
	// golang-asm runs, and making 200-byte Progs afresh for every
	// instruction is most of what the garbage collector would do. used
	// counts the Progs handed out since the last reset; maxUsed is the
	// most used has reached since the last release (kept by reset).
	blocks  []*progBlock
	used    int
	maxUsed int
	// restArgs hands out the operands past the second of the Progs
	// (Prog.RestArgs), until the next reset, from one block.
	restArgs []obj.Addr
	// sym and fn are what assemble gives golang-asm to encode, reused.
	sym obj.LSym
	fn  obj.FuncInfo
	// gasmRelocs holds the references of the instructions the last
	// assemble encoded (encodedInst.relocs), until the next one.
	gasmRelocs []gasmReloc
}

const progBlockSize = 256

type progBlock [progBlockSize]obj.Prog

// newProg returns a zeroed Prog. It is zeroed here, as it is handed out,
// rather than when the last one of its place was done with: the memory
// is then written once, while in cache.
func (b *progBuilder) newProg() *obj.Prog {
	if b.used == len(b.blocks)*progBlockSize {
		b.blocks = append(b.blocks, new(progBlock))
	}
	used := uint(b.used) // unsigned: the block and place are a shift and a mask
	p := &b.blocks[used/progBlockSize][used%progBlockSize]
	b.used++
	*p = obj.Prog{Ctxt: b.ctxt}
	return p
}

// reset lets the Progs handed out since the last reset be handed out
// again. Nothing may use one of them afterwards.
func (b *progBuilder) reset() {
	b.maxUsed = max(b.maxUsed, b.used)
	b.used = 0
	b.restArgs = b.restArgs[:0]
}

// release resets b to what newProgBuilder returns, but for the capacity
// of its buffers (b is reused with its Batch: batches).
func (b *progBuilder) release() {
	b.reset()
	for i := 0; i < b.maxUsed; i += progBlockSize {
		// What the Progs point to is the assembly's, not to be kept.
		clear(b.blocks[i/progBlockSize][:min(progBlockSize, b.maxUsed-i)])
	}
	b.maxUsed = 0
	clear(b.lsyms)
	clear(b.refs)
	clear(b.floats)
	clear(b.floatPos)
	b.diags = b.diags[:0]
	clear(b.gasmRelocs[:cap(b.gasmRelocs)])
	clear(b.sym.R[:cap(b.sym.R)]) // the LSyms of the last run's references
	b.sym, b.fn = obj.LSym{R: b.sym.R[:0]}, obj.FuncInfo{}
	b.gasmRelocs = b.gasmRelocs[:0]
	b.ctxt.Errors = 0
}

func newProgBuilder(t *gasmTables) *progBuilder {
	b := &progBuilder{
		t:        t,
		lsyms:    make(map[ir.SymRef]*obj.LSym),
		refs:     make(map[*obj.LSym]ir.SymRef),
		floats:   make(map[ir.SymRef]uint64),
		floatPos: make(map[ir.SymRef]ir.Pos),
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

func (b *progBuilder) lsym(ref ir.SymRef) *obj.LSym {
	if s, ok := b.lsyms[ref]; ok {
		return s
	}
	s := &obj.LSym{Name: ref.Name}
	b.lsyms[ref] = s
	b.refs[s] = ref
	return s
}

// progFix is what golang-asm cannot emit for an instruction and fix adds
// to its bytes afterwards. checkInst finds it on its way through the
// operands (instFacts.fix).
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
var pcRelRef = ir.SymRef{Name: "$pc"}

// segPrefix is the segment-override prefix byte of FS or GS, 0 for any
// other register.
func segPrefix(seg ir.Reg) byte {
	switch seg {
	case x86.REG_FS:
		return 0x64
	case x86.REG_GS:
		return 0x65
	}
	return 0
}

// prog converts one instruction. The instruction has been validated, so
// every operand kind here is one the encoder can take; op is its opcode.
func (b *progBuilder) prog(in *ir.Inst, op obj.As) (*obj.Prog, error) {
	p := b.newProg()
	p.As = op
	if in.Suffix != "" {
		if err := x86.ParseSuffix(p, in.Suffix); err != nil {
			return nil, fmt.Errorf("%s: bad suffix .%s: %v", in.Op, in.Suffix, err)
		}
	}
	args := in.Args
	switch n := len(args); n {
	case 0:
	case 1:
		if b.t.arch.UnaryDst[op] || op == obj.ARET || isJumpOp(b.t, op) {
			b.setAddr(&p.To, &args[0])
		} else {
			b.setAddr(&p.From, &args[0])
		}
	default:
		b.setAddr(&p.From, &args[0])
		if n > 2 {
			p.RestArgs = b.takeRestArgs(n - 2)
			for i := range p.RestArgs {
				b.setAddr(&p.RestArgs[i], &args[i+1])
			}
		}
		b.setAddr(&p.To, &args[n-1])
	}
	if p.To.Type == obj.TYPE_MEM || p.From.Type == obj.TYPE_ADDR || p.From.Type == obj.TYPE_FCONST {
		b.edit(p, in.Pos) // edit rewrites only Progs with one of these operands
	}
	// golang-asm's first step for an instruction, done by table
	// (operandClasses).
	p.Ft, p.Tt = b.t.classes.of(&p.From), b.t.classes.of(&p.To)
	return p, nil
}

// takeRestArgs returns n operands for a Prog's RestArgs, valid until the
// next reset.
func (b *progBuilder) takeRestArgs(n int) []obj.Addr {
	if len(b.restArgs)+n > cap(b.restArgs) {
		// A new block; the Progs keep the old one until the reset.
		b.restArgs = make([]obj.Addr, 0, max(2*cap(b.restArgs), 64, n))
	}
	k := len(b.restArgs)
	b.restArgs = b.restArgs[:k+n]
	clear(b.restArgs[k : k+n]) // reset keeps what the last Progs held
	return b.restArgs[k : k+n : k+n]
}

func isJumpOp(t *gasmTables, op obj.As) bool { return t.branch(op) != nil }

// branch returns the branch encodings of op, or nil if op is no branch.
func (t *gasmTables) branch(op obj.As) *BranchForm { return t.branchByOp[op&obj.AMask] }

// edit applies the rewrites go tool asm makes before encoding (obj6
// progedit), except the TLS ones, whose inputs validation rejects. pos
// is the instruction's, where a float constant it reads is first used.
// Only a Prog whose To is memory, or whose From is an address or a float
// constant, has anything to rewrite: prog calls edit for those alone.
func (b *progBuilder) edit(p *obj.Prog, pos ir.Pos) {
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
	var ref ir.SymRef
	var bits uint64
	if floatWidth(p.As) == 4 {
		bits = uint64(math.Float32bits(float32(f)))
		ref = ir.SymRef{Name: fmt.Sprintf("$f32.%08x", bits)}
	} else {
		bits = math.Float64bits(f)
		ref = ir.SymRef{Name: fmt.Sprintf("$f64.%016x", bits)}
	}
	if _, ok := b.floats[ref]; !ok {
		b.floats[ref] = bits
		b.floatPos[ref] = pos
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

// setAddr converts a validated operand into a, which is zero. It sets
// the fields one by one: a Prog lives in the heap, and copying a whole
// Addr into it would copy its pointer fields with write barriers.
func (b *progBuilder) setAddr(a *obj.Addr, o *ir.Operand) {
	switch o.Kind {
	case ir.RegOperand:
		a.Type = obj.TYPE_REG
		a.Reg = int16(o.Reg)
		if o.Reg == x86.REG_SPB {
			a.Reg = x86.REG_AH // see progFix.rex
		}
	case ir.ImmOperand:
		a.Type = obj.TYPE_CONST
		a.Offset = o.Imm
	case ir.FloatOperand:
		a.Type = obj.TYPE_FCONST
		a.Val = o.Float
	case ir.MemOperand, ir.AddrOperand:
		a.Type = obj.TYPE_MEM
		if o.Kind == ir.AddrOperand {
			a.Type = obj.TYPE_ADDR
		}
		a.Reg, a.Index, a.Offset = int16(o.Reg), int16(o.Index), o.Disp
		if o.Index != 0 {
			a.Scale = int16(o.Scale)
		}
		switch {
		case o.Sym != "":
			a.Name = obj.NAME_EXTERN
			if o.Static {
				a.Name = obj.NAME_STATIC
			}
			a.Sym = b.lsym(ir.SymRef{Name: o.Sym, Static: o.Static})
		case o.PCRel:
			a.Name = obj.NAME_EXTERN
			a.Sym = b.lsym(pcRelRef)
		}
	case ir.RegListOperand:
		a.Type = obj.TYPE_REGLIST
		a.Offset = x86.EncodeRegisterRange(int16(o.Reg), int16(o.RegHi))
	}
}
