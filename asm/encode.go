package asm

// The one encoder path every front end shares. encode takes statements in
// the IR, validates them, has golang-asm encode the instructions, and then
// does what a linker would: lays out code (choosing short or near branches
// and padding alignments), places data after the code, and resolves every
// reference PC-relatively. Anything that cannot be resolved that way is an
// error.

import (
	"encoding/binary"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/twitchyliquid64/golang-asm/obj"
	"github.com/twitchyliquid64/golang-asm/objabi"
)

// implicitText is the name of the function a source without TEXT
// directives assembles into when no label names its first byte (see
// implicitName).
const implicitText = "main"

// maxAlign is the largest alignment PCALIGN or data layout uses.
const maxAlign = 4096

// symRef names a symbol as a reference writes it: name(SB) or name<>(SB).
type symRef struct {
	Name   string
	Static bool
}

func (r symRef) String() string {
	if r.Static {
		return r.Name + "<>(SB)"
	}
	return r.Name + "(SB)"
}

// pieceKind says what a piece of code is.
type pieceKind uint8

const (
	pieceCode   pieceKind = iota // fixed bytes (an instruction, BYTE data)
	pieceBranch                  // a branch to a label: short or near
	pieceAlign                   // NOP padding to an alignment
)

// piece is one statement's share of the code. Positions in the code are
// piece indexes: the offset of piece i once laid out (len(pieces) is the end).
type piece struct {
	kind   pieceKind
	stmt   int // index of the statement that made it
	code   []byte
	relocs []pieceReloc
	// pieceBranch
	form   *branchForm
	long   bool
	target target
	// pieceAlign
	align int
	// layout
	off, size int
}

// pieceReloc is a 4-byte PC-relative field at off in a piece that must hold
// target + add - (address of the end of the field).
type pieceReloc struct {
	off    int
	add    int64
	target target
}

// target is a resolved position: a code position (piece index) or a data
// symbol, plus an offset.
type target struct {
	data  int // index in encoder.data, or -1 for a code position
	piece int
	add   int64
}

// funcScope is one TEXT block: its symbol and its labels.
type funcScope struct {
	ref      symRef
	def      *TextDef
	stmt     int
	start    int // piece index of the first byte
	end      int // piece index after the last byte
	labels   map[string]int
	labelPos map[string]Pos
	hasCall  bool
	// The frame go tool asm gives the function: bpSize is 8 when it saves
	// BP, local the bytes it reserves below (see prologue).
	bpSize, local int64
}

// dataSym is a GLOBL symbol or a float constant.
type dataSym struct {
	ref   symRef
	def   *GloblDef
	kind  SymbolKind
	bytes []byte
	// align is the alignment GLOBL asked for, 0 for the default.
	align int
	// filled is the end of the last DATA written, to reject overlaps.
	filled int64
	off    int
	pos    Pos // where it was declared (or first used, for a float constant)
}

// pendingRef is a reference to resolve once every label is known.
type pendingRef struct {
	piece int
	reloc int // index in piece.relocs, or -1 for a branch target
	fn    int
	op    Operand
	ref   symRef
}

type encoder struct {
	file   string
	stmts  []Stmt
	t      *gasmTables
	b      *progBuilder
	errs   errorSink
	funcs  []*funcScope
	texts  map[symRef]int
	data   []*dataSym
	datas  map[symRef]int
	pieces []piece
	insts  []int // piece index of each instruction, for N(PC) targets
	refs   []pendingRef
	// stmtFunc is the function each statement belongs to (-1: none).
	stmtFunc []int
	codeLen  int
}

// encode assembles statements into a Program. file names the source in
// positions. It never panics and never returns bytes golang-asm got wrong:
// every problem is an error in the returned sink, and then the Program is
// nil.
func encode(file string, stmts []Stmt) (*Program, *errorSink) {
	e := &encoder{
		file:  file,
		stmts: stmts,
		t:     tables(),
		texts: make(map[symRef]int),
		datas: make(map[symRef]int),
	}
	e.b = newProgBuilder(e.t)
	e.declare()
	e.build()
	e.b.release()
	e.resolve()
	if e.errs.len() > 0 {
		return nil, &e.errs
	}
	e.layout()
	p := e.emit()
	if e.errs.len() > 0 {
		return nil, &e.errs
	}
	return p, &e.errs
}

func (e *encoder) errorf(stmt int, format string, args ...any) {
	e.errs.add(e.stmts[stmt].Src().Pos, format, args...)
}

// declare collects TEXT and GLOBL symbols, so that references may come
// before definitions, and assigns each statement to its function.
func (e *encoder) declare() {
	hasText := false
	for _, st := range e.stmts {
		if _, ok := st.(*TextDef); ok {
			hasText = true
			break
		}
	}
	e.stmtFunc = make([]int, len(e.stmts))
	cur := -1
	if !hasText {
		for _, st := range e.stmts {
			switch st.(type) {
			case *Inst, *LabelDef, *BytesDef, *AlignDef:
				cur = 0
			}
		}
		if cur == 0 {
			e.funcs = append(e.funcs, &funcScope{ref: symRef{Name: e.implicitName()}, stmt: -1, labels: map[string]int{}, labelPos: map[string]Pos{}})
		}
	}
	for i, st := range e.stmts {
		switch s := st.(type) {
		case *TextDef:
			ref := symRef{s.Name, s.Static}
			jText, dupText := e.texts[ref]
			jData, dupData := e.datas[ref]
			switch {
			case s.broken:
				// Reported by the front end.
				if s.Name != "" && !dupText && !dupData {
					e.texts[ref] = len(e.funcs)
				}
			case s.Name == "":
				e.errorf(i, "TEXT needs a symbol name")
			case dupText:
				e.errorf(i, "TEXT %s redefined (first defined at %s)", ref, e.funcs[jText].def.Pos)
			case dupData:
				e.errorf(i, "TEXT %s: the name is a GLOBL symbol (at %s)", ref, e.data[jData].def.Pos)
			default:
				e.texts[ref] = len(e.funcs)
			}
			cur = len(e.funcs)
			e.funcs = append(e.funcs, &funcScope{ref: ref, def: s, stmt: i, labels: map[string]int{}, labelPos: map[string]Pos{}})
		case *GloblDef:
			ref := symRef{s.Name, s.Static}
			switch j, dup := e.datas[ref]; {
			case s.broken && (s.Name == "" || dup || s.Size < 0 || s.Size > 1<<30):
				// Reported by the front end.
			case s.Name == "":
				e.errorf(i, "GLOBL needs a symbol name")
			case dup:
				e.errorf(i, "GLOBL %s redefined (first declared at %s)", ref, e.data[j].def.Pos)
			case s.Size < 0 || s.Size > 1<<30:
				e.errorf(i, "GLOBL %s: size %d is not between 0 and 1<<30", ref, s.Size)
			case s.Align < 0 || s.Align > maxAlign || s.Align&(s.Align-1) != 0:
				e.errorf(i, "GLOBL %s: alignment %d is not a power of two between 1 and %d", ref, s.Align, maxAlign)
			default:
				if j, ok := e.texts[ref]; ok && !s.broken {
					e.errorf(i, "GLOBL %s: the name is a TEXT symbol (at %s)", ref, e.funcs[j].def.Pos)
					break
				}
				kind := SymData
				if s.Flags&obj.RODATA != 0 {
					kind = SymRodata
				}
				e.datas[ref] = len(e.data)
				e.data = append(e.data, &dataSym{ref: ref, def: s, kind: kind, bytes: make([]byte, s.Size), align: int(s.Align), pos: s.Pos})
			}
		case *Inst, *LabelDef, *BytesDef, *AlignDef:
			if cur < 0 {
				e.errorf(i, "%s outside a TEXT block: put it after a TEXT directive", stmtWhat(st))
			}
		}
		e.stmtFunc[i] = cur
		if in, ok := st.(*Inst); ok && cur >= 0 && in.Op == "CALL" {
			e.funcs[cur].hasCall = true
		}
	}
	for _, f := range e.funcs {
		if f.def != nil && !f.def.broken {
			e.frame(f)
		}
	}
}

// implicitName names the function of a source without TEXT directives:
// the label at its first byte, if its name is an identifier in both
// syntaxes (letters, digits and _) that no data symbol has; otherwise
// main, or main1, main2, … when the source uses main. So a label of the
// implicit function has its name only when it gave the name: emit leaves
// that label out of Program.Labels, as the symbol already names its byte.
func (e *encoder) implicitName() string {
	used := map[string]bool{} // every label and data symbol
	data := map[string]bool{} // the data symbols
	first := ""
	atStart := true
	for _, st := range e.stmts {
		switch s := st.(type) {
		case *LabelDef:
			used[s.Name] = true
			if atStart && first == "" && isPlainIdent(s.Name) {
				first = s.Name
			}
		case *GloblDef:
			used[s.Name] = true
			data[s.Name] = true
		case *Inst, *BytesDef:
			atStart = false
		}
	}
	if first != "" && !data[first] {
		return first
	}
	name := implicitText
	for n := 1; used[name]; n++ {
		name = implicitText + strconv.Itoa(n)
	}
	return name
}

// isPlainIdent reports whether s is a name both syntaxes read: an ASCII
// letter or _, then letters, digits and _.
func isPlainIdent(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && '0' <= c && c <= '9') {
			return false
		}
	}
	return s != ""
}

// frame decides the prologue and epilogue go tool asm gives a TEXT block
// (cmd/internal/obj/x86 preprocess, Go 1.26): unless NOFRAME, a function
// with a frame or a CALL saves BP (PUSHQ BP; MOVQ SP, BP) and then reserves
// its frame (SUBQ $frame, SP); every RET first undoes both. A function that
// is not NOSPLIT gets a stack-growth check calling the Go runtime, which
// jitrun code cannot have: that is an error unless the function is a leaf
// with a small frame (go tool asm marks those NOSPLIT itself).
func (e *encoder) frame(f *funcScope) {
	d := f.def
	frame := max(d.Frame, 0)
	if d.Flags&obj.NOFRAME == 0 && (frame != 0 || f.hasCall) {
		f.bpSize = 8
	}
	f.local = frame
	const stackSmall = 128
	if d.Flags&obj.NOSPLIT == 0 && (f.hasCall || frame+f.bpSize >= stackSmall) {
		e.errorf(f.stmt, "TEXT %s: a function that is not NOSPLIT gets a stack-growth check calling the Go runtime, which jitrun code cannot have: add NOSPLIT", f.ref)
	}
	if (frame+f.bpSize)%8 != 0 {
		e.errorf(f.stmt, "TEXT %s: unaligned stack size %d: the frame must be a multiple of 8", f.ref, frame)
	}
	if frame > 1<<30 {
		e.errorf(f.stmt, "TEXT %s: frame size %d is too large", f.ref, frame)
	}
}

// prologue returns the instructions go tool asm puts at the start of f.
func (f *funcScope) prologue(src Source) []*Inst {
	var out []*Inst
	if f.bpSize > 0 {
		out = append(out, synth(src, "PUSHQ", BP.asOperand()), synth(src, "MOVQ", SP.asOperand(), BP.asOperand()))
	}
	if f.local != 0 {
		out = append(out, adjSP(src, f.local))
	}
	return out
}

// epilogue returns the instructions go tool asm puts before each RET of f.
func (f *funcScope) epilogue(src Source) []*Inst {
	var out []*Inst
	if f.local != 0 {
		out = append(out, adjSP(src, -f.local))
	}
	if f.bpSize > 0 {
		out = append(out, synth(src, "POPQ", BP.asOperand()))
	}
	return out
}

// adjSP is ADJSP $v as obj/x86 expands it: SUBQ $v, SP, or ADDQ $-v, SP
// when that has the shorter immediate (v == 0x80 or v < 0, v != -0x80).
func adjSP(src Source, v int64) *Inst {
	if v == 0x80 || v < 0 && v != -0x80 {
		return synth(src, "ADDQ", Imm(-v), SP.asOperand())
	}
	return synth(src, "SUBQ", Imm(v), SP.asOperand())
}

// synth makes an instruction the encoder adds, attributed to src's line.
func synth(src Source, op string, args ...Operand) *Inst {
	return &Inst{Source: src, Op: op, Args: args}
}

func stmtWhat(st Stmt) string {
	switch s := st.(type) {
	case *Inst:
		return "instruction " + s.Op
	case *LabelDef:
		return "label " + s.Name
	case *BytesDef:
		return "data bytes"
	case *AlignDef:
		return "alignment"
	}
	return "statement"
}

// build turns statements into pieces and has golang-asm encode the
// instructions.
func (e *encoder) build() {
	progs := make([]pendingProg, 0, len(e.stmts))
	e.pieces = make([]piece, 0, len(e.stmts)+8)
	for i, st := range e.stmts {
		if e.errs.full() {
			return
		}
		fn := e.stmtFunc[i]
		switch s := st.(type) {
		case *TextDef:
			if fn >= 0 {
				f := e.funcs[fn]
				f.start = len(e.pieces)
				for _, in := range f.prologue(s.Source) {
					progs = e.inst(i, fn, in, progs)
				}
			}
		case *LabelDef:
			if fn < 0 {
				continue
			}
			f := e.funcs[fn]
			if s.Name == "" {
				e.errorf(i, "label needs a name")
			} else if at, dup := f.labelPos[s.Name]; dup {
				e.errorf(i, "label %s redefined (first defined at %s)", s.Name, at)
			} else {
				f.labels[s.Name] = len(e.pieces)
				f.labelPos[s.Name] = s.Pos
			}
		case *BytesDef:
			if fn >= 0 && len(s.Bytes) > 0 {
				e.pieces = append(e.pieces, piece{kind: pieceCode, stmt: i, code: s.Bytes})
			}
		case *AlignDef:
			if s.Align < 1 || s.Align > maxAlign || s.Align&(s.Align-1) != 0 {
				e.errorf(i, "alignment %d is not a power of two between 1 and %d", s.Align, maxAlign)
				continue
			}
			if fn >= 0 {
				e.pieces = append(e.pieces, piece{kind: pieceAlign, stmt: i, align: int(s.Align)})
			}
		case *Inst:
			if fn < 0 || s.broken {
				continue
			}
			e.insts = append(e.insts, len(e.pieces))
			if s.Op == "RET" {
				for _, in := range e.funcs[fn].epilogue(s.Source) {
					progs = e.inst(i, fn, in, progs)
				}
			}
			progs = e.inst(i, fn, s, progs)
		case *DataDef:
			e.dataDef(i, s)
		}
	}
	for _, f := range e.funcs {
		f.end = len(e.pieces)
	}
	for i := range e.funcs {
		if i+1 < len(e.funcs) {
			e.funcs[i].end = e.funcs[i+1].start
		}
	}

	// Encode every instruction in one golang-asm run: encodings do not
	// depend on position. When that run fails, encode them one at a time to
	// find which failed.
	list := make([]*obj.Prog, len(progs))
	for i := range progs {
		list[i] = progs[i].prog
	}
	out, ok := e.b.assemble(list)
	if !ok {
		out = make([]encodedInst, len(progs))
		for i, pd := range progs {
			enc, msg := e.b.assembleOne(pd.prog)
			if msg != "" {
				var err error
				if enc, err = e.explain(pd, msg); err != nil {
					e.errorf(pd.stmt, "%v", err)
					continue
				}
			}
			out[i] = enc
		}
	}
	for i, pd := range progs {
		enc := out[i]
		if enc.code == nil {
			continue // reported above
		}
		in := pd.inst
		enc, err := enc.fix(pd.fix)
		if err != nil {
			e.errorf(pd.stmt, "%v", spell(in).errorf("%v", err))
			continue
		}
		if err := checkEncoded(in, enc.code); err != nil {
			e.errorf(pd.stmt, "%v", err)
			continue
		}
		pc := &e.pieces[pd.piece]
		pc.code = enc.code
		for _, r := range enc.relocs {
			if r.Ref.Name == "" || r.Kind != objabi.R_PCREL {
				e.errorf(pd.stmt, "%v", spell(in).errorf("this reference needs a linker (relocation %v); only PC-relative references to symbols of the same source work", r.Kind))
				continue
			}
			pc.relocs = append(pc.relocs, pieceReloc{off: r.Off, add: r.Add})
			e.refs = append(e.refs, pendingRef{piece: pd.piece, reloc: len(pc.relocs) - 1, fn: e.stmtFunc[pd.stmt], ref: r.Ref})
		}
	}
	// Float constants the instructions read (MOVSD $(1.5), X0).
	var floats []symRef
	for ref := range e.b.floats {
		floats = append(floats, ref)
	}
	sort.Slice(floats, func(i, j int) bool { return floats[i].Name < floats[j].Name })
	for _, ref := range floats {
		bits := e.b.floats[ref]
		d := &dataSym{ref: ref, kind: SymRodata, pos: e.b.floatPos[ref]}
		if strings.HasPrefix(ref.Name, "$f32.") {
			d.bytes = binary.LittleEndian.AppendUint32(nil, uint32(bits))
		} else {
			d.bytes = binary.LittleEndian.AppendUint64(nil, bits)
		}
		e.datas[ref] = len(e.data)
		e.data = append(e.data, d)
	}
}

// pendingProg is an instruction waiting for golang-asm.
type pendingProg struct {
	piece int
	stmt  int
	inst  *Inst
	op    obj.As
	prog  *obj.Prog
	fix   progFix
}

// inst validates one instruction of statement i (the statement itself, or
// one the encoder adds for it) and appends its piece.
func (e *encoder) inst(i, fn int, s *Inst, progs []pendingProg) []pendingProg {
	if s.Op == "NOP" && len(s.Args) == 0 {
		// go tool asm's NOP is a zero-byte pseudo-instruction; here it is
		// the one-byte NOP a reader of the source expects.
		e.pieces = append(e.pieces, piece{kind: pieceCode, stmt: i, code: []byte{0x90}})
		return progs
	}
	op, err := checkInst(e.t, s)
	if err != nil {
		e.errorf(i, "%v", err)
		return progs
	}
	if f := e.t.branch(op); f != nil && len(s.Args) == 1 && s.Args[0].Kind == LabelOperand {
		e.refs = append(e.refs, pendingRef{piece: len(e.pieces), reloc: -1, fn: fn, op: s.Args[0]})
		e.pieces = append(e.pieces, piece{kind: pieceBranch, stmt: i, form: f})
		return progs
	}
	if op == obj.ARET && len(s.Args) == 1 && s.Args[0].Kind == ImmOperand {
		// RET $n (C2 iw): go tool asm has no such form, golang-asm no
		// encoding. checkInst has checked that n fits in 16 bits.
		n := uint16(s.Args[0].Imm)
		e.pieces = append(e.pieces, piece{kind: pieceCode, stmt: i, code: []byte{0xC2, byte(n), byte(n >> 8)}})
		return progs
	}
	e.b.pos = s.Pos
	p, fix, err := e.b.prog(s, op)
	if err != nil {
		e.errorf(i, "%v", err)
		return progs
	}
	e.pieces = append(e.pieces, piece{kind: pieceCode, stmt: i})
	return append(progs, pendingProg{piece: len(e.pieces) - 1, stmt: i, inst: s, op: op, prog: p, fix: fix})
}

// dataDef writes one DATA statement into its symbol.
func (e *encoder) dataDef(i int, s *DataDef) {
	ref := symRef{s.Name, s.Static}
	j, ok := e.datas[ref]
	if !ok {
		other := symRef{s.Name, !s.Static}
		if _, ok := e.datas[other]; ok {
			e.errorf(i, "DATA for %s, which no GLOBL declares (GLOBL declares %s)", ref, other)
		} else {
			e.errorf(i, "DATA for %s, which no GLOBL declares", ref)
		}
		return
	}
	d := e.data[j]
	if d.def != nil && d.def.broken {
		return // its size is unknown: the front end reported its line
	}
	size := int64(len(d.bytes))
	if s.Width <= 0 || s.Off < 0 || s.Off > size || s.Width > size-s.Off {
		e.errorf(i, "DATA %s+%d/%d is outside the %d bytes GLOBL declares", ref, s.Off, s.Width, size)
		return
	}
	if s.Off < d.filled {
		e.errorf(i, "DATA %s+%d/%d overlaps an earlier DATA for the same symbol (write offsets in increasing order)", ref, s.Off, s.Width)
		return
	}
	dst := d.bytes[s.Off : s.Off+s.Width]
	switch v := s.Value; v.Kind {
	case ImmOperand:
		switch s.Width {
		case 1, 2, 4, 8:
		default:
			e.errorf(i, "DATA %s: an integer needs width 1, 2, 4 or 8, not %d", ref, s.Width)
			return
		}
		if bits := 8 * s.Width; bits < 64 && (v.Imm < -1<<(bits-1) || v.Imm > 1<<bits-1) {
			e.errorf(i, "DATA %s: %s does not fit in %d bytes", ref, fmtImm(v.Imm), s.Width)
			return
		}
		var buf [8]byte
		binary.LittleEndian.PutUint64(buf[:], uint64(v.Imm))
		copy(dst, buf[:s.Width])
	case FloatOperand:
		switch s.Width {
		case 4:
			binary.LittleEndian.PutUint32(dst, math.Float32bits(float32(v.Float)))
		case 8:
			binary.LittleEndian.PutUint64(dst, math.Float64bits(v.Float))
		default:
			e.errorf(i, "DATA %s: a float needs width 4 or 8, not %d", ref, s.Width)
			return
		}
	case StringOperand:
		if int64(len(v.String)) > s.Width {
			e.errorf(i, "DATA %s: string of %d bytes does not fit in width %d", ref, len(v.String), s.Width)
			return
		}
		copy(dst, v.String)
	case AddrOperand, MemOperand:
		e.errorf(i, "DATA %s: an address in data needs a linker (jitrun code is position independent); compute it at run time with LEAQ", ref)
		return
	default:
		e.errorf(i, "DATA %s: the value must be a constant: $integer, $float or $\"string\"", ref)
		return
	}
	d.filled = s.Off + s.Width
}

// resolve binds every branch target and symbol reference.
func (e *encoder) resolve() {
	for _, r := range e.refs {
		pc := &e.pieces[r.piece]
		if r.reloc < 0 {
			t, ok := e.branchTarget(r)
			if ok {
				pc.target = t
			}
			continue
		}
		t, ok := e.symbolTarget(pc.stmt, r.fn, r.ref)
		if ok {
			pc.relocs[r.reloc].target = target{data: t.data, piece: t.piece, add: pc.relocs[r.reloc].add}
		}
	}
}

// branchTarget resolves a LabelOperand: N(PC), a label of the function, or
// a symbol of the source.
func (e *encoder) branchTarget(r pendingRef) (target, bool) {
	stmt := e.pieces[r.piece].stmt
	op := r.op
	if op.Sym == "" {
		// N(PC): the Nth instruction from this one.
		k := sort.SearchInts(e.insts, r.piece) + int(op.Disp)
		if k < 0 || k >= len(e.insts) {
			e.errorf(stmt, "branch target %d(PC) is outside the program", op.Disp)
			return target{}, false
		}
		return target{data: -1, piece: e.insts[k]}, true
	}
	if !op.Static && r.fn >= 0 {
		if at, ok := e.funcs[r.fn].labels[op.Sym]; ok {
			return target{data: -1, piece: at, add: op.Disp}, true
		}
	}
	t, ok := e.symbolTarget(stmt, r.fn, symRef{op.Sym, op.Static})
	t.add += op.Disp
	return t, ok
}

// symbolTarget resolves a reference to a symbol, or to a label of the
// function when no symbol has the name (Intel's [rel label]).
func (e *encoder) symbolTarget(stmt, fn int, ref symRef) (target, bool) {
	if j, ok := e.texts[ref]; ok {
		return target{data: -1, piece: e.funcs[j].start}, true
	}
	if j, ok := e.datas[ref]; ok {
		return target{data: j}, true
	}
	if !ref.Static && fn >= 0 {
		if at, ok := e.funcs[fn].labels[ref.Name]; ok {
			return target{data: -1, piece: at}, true
		}
	}
	other := symRef{ref.Name, !ref.Static}
	_, isText := e.texts[other]
	_, isData := e.datas[other]
	if isText || isData {
		e.errorf(stmt, "undefined: %s (the source defines %s)", ref, other)
	} else if strings.HasPrefix(ref.Name, "runtime.") || strings.Contains(ref.Name, "·") {
		e.errorf(stmt, "undefined: %s: code assembled by jitrun cannot reach Go symbols (there is no linker)", ref)
	} else {
		e.errorf(stmt, "undefined: %s is not a label, TEXT or GLOBL symbol of this source", ref.Name)
	}
	return target{}, false
}

// position returns the offset of a target under the current layout.
func (e *encoder) position(t target) int64 {
	if t.data >= 0 {
		return int64(e.data[t.data].off) + t.add
	}
	if t.piece >= len(e.pieces) {
		return int64(e.codeLen) + t.add
	}
	return int64(e.pieces[t.piece].off) + t.add
}

// layout places the pieces: branches start short and grow to near forms
// until every displacement fits (they never shrink, so this ends), and
// alignment pieces pad to their boundary. Data follows the code.
func (e *encoder) layout() {
	for {
		off := 0
		for i := range e.pieces {
			pc := &e.pieces[i]
			pc.off = off
			switch pc.kind {
			case pieceCode:
				pc.size = len(pc.code)
			case pieceBranch:
				if pc.long {
					pc.size = len(pc.form.near) + 4
				} else {
					pc.size = len(pc.form.short) + 1
				}
			case pieceAlign:
				pc.size = (pc.align - off%pc.align) % pc.align
			}
			off += pc.size
		}
		e.codeLen = off
		e.layoutData()
		grew := false
		for i := range e.pieces {
			pc := &e.pieces[i]
			if pc.kind != pieceBranch || pc.long {
				continue
			}
			if pc.form.short == nil {
				pc.long = true
				grew = true
				continue
			}
			d := e.position(pc.target) - int64(pc.off+pc.size)
			if (d < -128 || d > 127) && pc.form.near != nil {
				pc.long = true
				grew = true
			}
		}
		if !grew {
			return
		}
	}
}

// defaultAlign is the alignment of a data symbol that does not ask for
// one: the largest power of two not above its size, at most 64.
func defaultAlign(size int64) int64 {
	a := int64(1)
	for a < 64 && a*2 <= size {
		a *= 2
	}
	return a
}

// layoutData places data symbols after the code in the order they were
// declared, each aligned as its GLOBL asks, by default to the largest power
// of two not above its size (at most 64).
func (e *encoder) layoutData() {
	off := e.codeLen
	for _, d := range e.data {
		a := d.align
		if a == 0 {
			a = int(defaultAlign(int64(len(d.bytes))))
		}
		off = (off + a - 1) &^ (a - 1)
		d.off = off
		off += len(d.bytes)
	}
}

// emit writes the code and data and builds the Program.
func (e *encoder) emit() *Program {
	end := e.codeLen
	if n := len(e.data); n > 0 {
		end = e.data[n-1].off + len(e.data[n-1].bytes)
	}
	code := make([]byte, end)
	for i := e.codeLen; i < end; i++ {
		code[i] = 0xCC // INT3 between the code and the data
	}
	for i := range e.pieces {
		pc := &e.pieces[i]
		dst := code[pc.off : pc.off+pc.size]
		switch pc.kind {
		case pieceCode:
			copy(dst, pc.code)
			for _, r := range pc.relocs {
				v := e.position(r.target) - int64(pc.off+r.off+4)
				if v < math.MinInt32 || v > math.MaxInt32 {
					e.errorf(pc.stmt, "reference out of 32-bit range")
					continue
				}
				binary.LittleEndian.PutUint32(dst[r.off:], uint32(int32(v)))
			}
		case pieceBranch:
			d := e.position(pc.target) - int64(pc.off+pc.size)
			if pc.long {
				n := copy(dst, pc.form.near)
				if d < math.MinInt32 || d > math.MaxInt32 {
					e.errorf(pc.stmt, "branch target out of 32-bit range")
					continue
				}
				binary.LittleEndian.PutUint32(dst[n:], uint32(int32(d)))
			} else {
				n := copy(dst, pc.form.short)
				if d < -128 || d > 127 {
					e.errorf(pc.stmt, "%v", spell(e.stmts[pc.stmt].(*Inst)).errorf("target is %d bytes away; this instruction reaches only -128..127", d))
					continue
				}
				dst[n] = byte(int8(d))
			}
		case pieceAlign:
			fillNOP(dst)
		}
	}
	for _, d := range e.data {
		copy(code[d.off:], d.bytes)
	}

	p := &Program{File: e.file, Code: code}
	for _, f := range e.funcs {
		start := int(e.position(target{data: -1, piece: f.start}))
		endOff := int(e.position(target{data: -1, piece: f.end}))
		s := Symbol{Name: f.ref.Name, Static: f.ref.Static, Kind: SymText, Offset: start, Size: endOff - start}
		if f.def != nil {
			s.Pos = f.def.Pos
		} else {
			s.Pos = Pos{File: e.file, Line: 1, Col: 1}
		}
		p.Symbols = append(p.Symbols, s)
		for name, at := range f.labels {
			if f.def == nil && name == f.ref.Name {
				continue // the label that named the implicit function (implicitName)
			}
			fn := f.ref.Name
			p.Labels = append(p.Labels, Label{Name: name, Func: fn, Offset: int(e.position(target{data: -1, piece: at})), Pos: f.labelPos[name]})
		}
	}
	for _, d := range e.data {
		p.Symbols = append(p.Symbols, Symbol{Name: d.ref.Name, Static: d.ref.Static, Kind: d.kind, Offset: d.off, Size: len(d.bytes), Pos: d.pos})
	}
	sort.SliceStable(p.Symbols, func(i, j int) bool { return p.Symbols[i].Offset < p.Symbols[j].Offset })
	sort.Slice(p.Labels, func(i, j int) bool {
		a, b := p.Labels[i], p.Labels[j]
		if a.Offset != b.Offset {
			return a.Offset < b.Offset
		}
		return a.Pos.Line < b.Pos.Line || a.Pos.Line == b.Pos.Line && a.Pos.Col < b.Pos.Col
	})
	p.Lines = e.lines()
	return p
}

// lines builds the line map: each source line that produced code, with the
// text of its statements, then each DATA line at its bytes.
//
// The code statements of one source line are consecutive. Their texts are
// joined with "; " (a label's with a space), once each: statements that
// repeat the previous one's position and text (the copies times makes, the
// prologue instructions attributed to a TEXT line) add nothing. The texts
// are joined once per line, so the cost is linear in the statements.
func (e *encoder) lines() []Line {
	group := make([]int32, len(e.stmts))
	firstPos := make([]Pos, 0, len(e.stmts))
	texts := make([]string, 0, len(e.stmts))
	// A line with several texts is joined in b; multi says b holds the
	// text of the current line.
	var b strings.Builder
	multi := false
	flush := func() {
		if multi {
			texts[len(texts)-1] = b.String()
			multi = false
		}
	}
	var prev Source // the last statement whose text was kept
	for i, st := range e.stmts {
		switch st.(type) {
		case *GloblDef, *DataDef:
			continue // data: its lines are below
		}
		src := st.Src()
		n := len(firstPos)
		if n == 0 || firstPos[n-1].Line != src.Pos.Line || firstPos[n-1].File != src.Pos.File {
			flush()
			firstPos = append(firstPos, src.Pos)
			texts = append(texts, "")
			n++
			prev = Source{}
		}
		group[i] = int32(n - 1)
		if src.Text == "" || src.Pos == prev.Pos && src.Text == prev.Text {
			continue
		}
		if texts[n-1] == "" {
			texts[n-1] = src.Text // the line's first text
		} else {
			if !multi {
				b.Reset()
				b.WriteString(texts[n-1])
				multi = true
			}
			if strings.HasSuffix(prev.Text, ":") {
				b.WriteByte(' ')
			} else {
				b.WriteString("; ")
			}
			b.WriteString(src.Text)
		}
		prev = src
	}
	flush()
	out := make([]Line, 0, len(firstPos))
	last := int32(-1)
	for i := range e.pieces {
		pc := &e.pieces[i]
		if pc.size == 0 {
			continue
		}
		g := group[pc.stmt]
		if n := len(out); n > 0 && g == last && out[n-1].Offset+out[n-1].Len == pc.off {
			out[n-1].Len += pc.size
			continue
		}
		last = g
		out = append(out, Line{Pos: firstPos[g], Offset: pc.off, Len: pc.size, Text: texts[g]})
	}
	var data []Line
	for i, st := range e.stmts {
		s, ok := st.(*DataDef)
		if !ok {
			continue
		}
		j, ok := e.datas[symRef{s.Name, s.Static}]
		if !ok {
			continue
		}
		data = append(data, Line{Pos: s.Pos, Offset: e.data[j].off + int(s.Off), Len: int(s.Width), Text: e.stmts[i].Src().Text})
	}
	sort.SliceStable(data, func(i, j int) bool { return data[i].Offset < data[j].Offset })
	return append(out, data...)
}

// fillNOP fills padding with the recommended multi-byte NOPs (Intel SDM
// vol. 2B, NOP, table 4-12), the longest first.
func fillNOP(b []byte) {
	for len(b) > 0 {
		n := min(len(b), len(nops))
		copy(b, nops[n-1])
		b = b[n:]
	}
}

var nops = [][]byte{
	{0x90},
	{0x66, 0x90},
	{0x0F, 0x1F, 0x00},
	{0x0F, 0x1F, 0x40, 0x00},
	{0x0F, 0x1F, 0x44, 0x00, 0x00},
	{0x66, 0x0F, 0x1F, 0x44, 0x00, 0x00},
	{0x0F, 0x1F, 0x80, 0x00, 0x00, 0x00, 0x00},
	{0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00},
	{0x66, 0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00},
}
