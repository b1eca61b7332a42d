package intel

// Matching an Intel instruction against the generated form table
// (table_gen.go) and building the Go instruction it stands for.

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/jitrun/jitrun/asm/internal/ir"
)

// intelForm is one line of intelFormTable, compiled. It holds no
// pointers, so that the collector never reads the table's 5,584 forms
// (every collection would otherwise scan their megabyte, as it scans every
// global that holds pointers): its names and lists are numbers of the
// names and lists the forms share (formShared), each kept once.
type intelForm struct {
	word uint16 // the number of its mnemonic (formLists.words[word-1])
	// goName is its Go mnemonic's number ("" for a form that is bytes).
	goName uint16
	// classList and argList number its classes (Intel operands, Intel
	// order) and its Go operands (Go order) as the table's text says them;
	// clsList and goArgList the same lists compiled, for matching and
	// building without parsing a class or an arg per operand.
	classList, argList uint16
	clsList, goArgList uint16
	byteList           uint16 // an instruction golang-asm has no mnemonic for
	mask               bool   // takes {k1}…{k7}
	maskReq            bool   // needs one
	zeroing, rc, sae   bool
	stOps              uint8 // how many classes are st (x87 registers)
}

// formLists are the names and lists intelForms share, numbered: number 0
// of each is the empty name or the nil list, but words, whose number n-1
// is the mnemonic numbered n. formShared reads them from
// data_forms_gen.go.
type formLists struct {
	words   []string
	names   []string
	strs    [][]string
	classes [][]formClass
	args    [][]formArg
	bytes   [][]byte
}

var formShared = formLists{genIntelWords[:], genFormNames[:], genStringLists[:], genClassLists[:], genArgLists[:], genByteLists[:]}

// mnem is f's mnemonic.
func (f *intelForm) mnem() string { return formShared.words[f.word-1] }

// goOp is f's Go mnemonic; "" for a form that is bytes.
func (f *intelForm) goOp() string { return formShared.names[f.goName] }

// classes are f's operand classes as the table says them, Intel order.
func (f *intelForm) classes() []string { return formShared.strs[f.classList] }

// args are f's Go operands as the table says them, Go order.
func (f *intelForm) args() []string { return formShared.strs[f.argList] }

// cls are f's classes compiled.
func (f *intelForm) cls() []formClass { return formShared.classes[f.clsList] }

// goArgs are f's Go operands compiled.
func (f *intelForm) goArgs() []formArg { return formShared.args[f.goArgList] }

// bytes are the bytes of a form golang-asm has no mnemonic for; nil for
// the others.
func (f *intelForm) bytes() []byte { return formShared.bytes[f.byteList] }

// intelTable is the form table: byPacked, bySig and plain are static data
// (data_forms_gen.go), the maps are made by intelForms.
var intelTable = intelTables{byPacked: &genMnemTable, bySig: &genSigTable, plain: &genPlainTables}

// intelTables is the form table as matching reads it.
type intelTables struct {
	// once makes the maps, at the first use of one.
	once   sync.Once
	byMnem map[string][]*intelForm
	// goCond maps an Intel condition code (any spelling: e, z, nae …) to
	// Go's (EQ, CS …), read from the table's setcc forms.
	goCond map[string]string
	names  []string
	// mnems are the mnemonics of the table with what matching needs of
	// them (matchcache.go).
	mnems map[string]*mnemInfo
	// byPacked is mnems for the lookups (lookupMnem), read without once.
	byPacked *mnemTable
	// bySig is the form table matched by signature (matchcache.go), read
	// without once.
	bySig *sigTable
	// plain is the forms as buildPlain reads them (plainform.go), read
	// without once.
	plain *plainTables
}

// mnemInfo is a word an instruction starts with (a mnemonic of the form
// table, or a branch that takes a label): a number of its own, its forms,
// whether one of them fixes an operand (a class =name), so that matching
// reads which register or immediate an operand is, the Go mnemonic of a
// branch to a label ("" for none: intelBranchOp), and whether it starts
// an instruction and nothing else (no directive, prefix or times:
// fastMnemonic).
type mnemInfo struct {
	id     uint16
	forms  []*intelForm
	fixes  bool
	branch string
	plain  bool
}

//go:generate go test -run ^TestFormsGenerated$ -generate .

func intelForms() {
	intelTable.once.Do(buildIntelForms)
}

// buildIntelForms makes the maps of intelTable from data_forms_gen.go,
// where go generate put the forms of intelFormTable (table_gen.go)
// grouped by mnemonic with their classes and Go operands compiled, the
// mnemonics' table and the signature table (TestFormsGenerated).
func buildIntelForms() {
	intelTable.byMnem = make(map[string][]*intelForm, len(genIntelNames))
	intelTable.mnems = make(map[string]*mnemInfo, len(genIntelWords))
	for i, name := range genIntelWords {
		info := &genIntelMnems[i]
		intelTable.mnems[name] = info
		if info.forms != nil {
			intelTable.byMnem[name] = info.forms
		}
	}
	intelTable.names = genIntelNames[:]
	intelTable.goCond = map[string]string{}
	for _, name := range intelTable.names {
		if cc, ok := strings.CutPrefix(name, "set"); ok {
			for _, f := range intelTable.byMnem[name] {
				if goCC, ok := strings.CutPrefix(f.goOp(), "SET"); ok {
					intelTable.goCond[cc] = goCC
				}
			}
		}
	}
}

// fitting returns the forms whose operand classes ops fit.
func fitting(forms []*intelForm, ops []*intelOperand) []*intelForm {
	return fittingInto(nil, forms, ops)
}

// fittingInto is fitting appending to out[:0].
func fittingInto(out []*intelForm, forms []*intelForm, ops []*intelOperand) []*intelForm {
	return ir.Fitting(out[:0], forms, ops)
}

// Arity is how many operands f takes (ir.Form).
func (f *intelForm) Arity() int { return len(f.cls()) }

// Fits reports whether o fits f's i-th class (ir.Form).
func (f *intelForm) Fits(i int, o *intelOperand) bool { return f.cls()[i].matches(o) }

// sizeMismatch explains general-purpose registers of different sizes
// where the instruction takes them all of one size (mov eax, rbx): it
// names each register's size and the spellings of one size the
// instruction takes. It returns "" when that is not what is wrong.
func sizeMismatch(mnem string, forms []*intelForm, ops []*intelOperand) string {
	var parts []string
	var sizes []int
	for _, o := range ops {
		if bits := gprBits(o); bits > 0 {
			parts = append(parts, fmt.Sprintf("%s is %d-bit", o.text, bits))
			if !slices.Contains(sizes, bits) {
				sizes = append(sizes, bits)
			}
		}
	}
	if len(sizes) < 2 {
		return ""
	}
	slices.Sort(sizes)
	var fixes []string
	for _, bits := range sizes {
		alt, texts := make([]*intelOperand, len(ops)), make([]string, len(ops))
		for i, o := range ops {
			alt[i], texts[i] = o, o.text
			if gprBits(o) == 0 {
				continue
			}
			r, ok := ir.IntelGPR(o.reg.Reg, bits)
			if !ok {
				alt = nil
				break
			}
			alt[i] = &intelOperand{kind: iopReg, reg: lookupReg(r.Name), col: o.col, text: r.Name}
			texts[i] = r.Name
		}
		if alt != nil && len(fitting(forms, alt)) > 0 {
			fixes = append(fixes, mnem+" "+strings.Join(texts, ", "))
		}
	}
	if len(fixes) == 0 {
		return ""
	}
	return fmt.Sprintf("operand sizes differ: %s; write %s", strings.Join(parts, ", "), orList(fixes))
}

// gprBits is the size of a general-purpose register operand, 0 for any
// other operand.
func gprBits(o *intelOperand) int {
	if o.kind != iopReg {
		return 0
	}
	switch o.reg.Class() {
	case "r8", "r16", "r32", "r64":
		return regBits[o.reg.Class()]
	}
	return 0
}

// classMatches reports whether an operand fits a form's operand class.
func classMatches(class string, o *intelOperand) bool {
	if lit, ok := strings.CutPrefix(class, "="); ok {
		switch o.kind {
		case iopReg:
			return o.reg.Name() == lit || canonicalRegName(o.reg) == lit
		case iopImm:
			return strconv.FormatInt(o.imm, 10) == lit
		}
		return false
	}
	switch o.kind {
	case iopReg:
		return o.reg.Class() == class
	case iopImm:
		return class == "imm"
	case iopMem:
		vsib := o.index.Class() == "xmm" || o.index.Class() == "ymm" || o.index.Class() == "zmm"
		switch {
		case strings.HasPrefix(class, "vm"):
			if !vsib || o.bcst > 0 {
				return false
			}
			bits, _ := strconv.Atoi(class[2 : len(class)-1])
			return class[len(class)-1] == o.index.Class()[0] && (o.size == 0 || o.size == bits)
		case strings.HasPrefix(class, "b"):
			elt, n, ok := strings.Cut(class[1:], ":")
			if !ok || vsib || o.bcst == 0 {
				return false
			}
			bits, _ := strconv.Atoi(elt)
			return strconv.Itoa(o.bcst) == n && (o.size == 0 || o.size == bits)
		case class == "m":
			return !vsib && o.bcst == 0
		case strings.HasPrefix(class, "m") && class != "mm":
			if vsib || o.bcst > 0 {
				return false
			}
			bits, _ := strconv.Atoi(class[1:])
			return o.size == 0 || o.size == bits
		}
	}
	return false
}

// canonicalRegName is the name a fixed-register class uses: the 64-, 32-,
// 16- or 8-bit name as written, st0 for st.
func canonicalRegName(r ireg) string {
	if r.Code == ir.IntelST {
		if n := int(r.Reg - ir.F0); n >= 0 && n < len(stNames) {
			return stNames[n]
		}
		return "st" + strconv.Itoa(int(r.Reg-ir.F0))
	}
	return r.Name()
}

var stNames = [...]string{"st0", "st1", "st2", "st3", "st4", "st5", "st6", "st7"}

// matchForm finds the form of mnem that takes ops. It reports every
// problem as an error at the instruction.
func (p *parser) matchForm(mnem string, col int, ops []*intelOperand) (*intelForm, bool) {
	intelForms()
	return p.matchFormOf(mnem, intelTable.byMnem[mnem], col, ops)
}

// matchFormOf is matchForm of the forms of mnem.
func (p *parser) matchFormOf(mnem string, forms []*intelForm, col int, ops []*intelOperand) (*intelForm, bool) {
	if len(forms) == 0 {
		p.errorf(col, "%s", unknownIntelMnemonic(mnem))
		return nil, false
	}
	cands := fittingInto(p.scratch.cands, forms, ops)
	p.scratch.cands = cands[:0]
	if len(cands) == 0 {
		msgCol, msg := noFormMessage(mnem, forms, ops)
		if msgCol == 0 {
			msgCol = col
		}
		p.errorf(msgCol, "%s", msg)
		return nil, false
	}
	return p.pickForm(mnem, cands, ops)
}

// pickForm picks among the forms of mnem that ops fit (one at least).
func (p *parser) pickForm(mnem string, cands []*intelForm, ops []*intelOperand) (*intelForm, bool) {
	f, open, words := pickOf(cands, len(ops), func(i int) bool { return ops[i].kind == iopMem && ops[i].size == 0 })
	if open >= 0 {
		o := ops[open]
		p.errorf(o.col, "ambiguous operand size for %s: write %s before %s", mnem, orList(words), o.text)
		return nil, false
	}
	return f, true
}

// pickOf is pickForm's choice among cands (one at least) for n operands,
// of which unsized tells those that are memory without a size: the form,
// or the first operand whose size is left open (-1 for none) with the
// size keywords it could have.
func pickOf(cands []*intelForm, n int, unsized func(i int) bool) (*intelForm, int, []string) {
	if len(cands) == 1 {
		return cands[0], -1, nil
	}
	// Several forms fit: fine when they are the same Go instruction;
	// otherwise a memory operand without a size leaves it open.
	same := true
	for _, f := range cands[1:] {
		if f.goOp() != cands[0].goOp() || !slices.Equal(f.args(), cands[0].args()) || string(f.bytes()) != string(cands[0].bytes()) {
			same = false
		}
	}
	if same {
		return cands[0], -1, nil
	}
	for i := range n {
		if !unsized(i) {
			continue
		}
		if words := sizeWords(cands, i); len(words) > 1 {
			return nil, i, words
		}
	}
	// Otherwise prefer the first in table order (the decoder's own spelling
	// comes before aliases).
	return cands[0], -1, nil
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

// sizeWords returns the size keywords of operand i of forms, smallest
// first.
func sizeWords(forms []*intelForm, i int) []string {
	var bits []int
	seen := map[int]bool{}
	for _, f := range forms {
		b := ir.IntelClassBits(f.classes()[i])
		if sizeWordFor(b) != "" && !seen[b] {
			seen[b] = true
			bits = append(bits, b)
		}
	}
	sort.Ints(bits)
	var words []string
	for _, b := range bits {
		words = append(words, sizeWordFor(b))
	}
	return words
}

// noFormMessage explains why no form fits, and where: a size keyword that
// does not match (at that operand), or the forms the mnemonic has (col 0:
// at the instruction).
func noFormMessage(mnem string, forms []*intelForm, ops []*intelOperand) (int, string) {
	var got []string
	for _, o := range ops {
		got = append(got, o.class())
	}
	// A size keyword that is the only thing wrong.
	for i, o := range ops {
		if o.kind != iopMem || o.size == 0 {
			continue
		}
		saved := o.size
		o.size = 0
		fits := fitting(forms, ops)
		o.size = saved
		if want := sizeWords(fits, i); len(want) > 0 {
			return o.col, fmt.Sprintf("operand size mismatch for %s: %s is %s; %s takes %s here", mnem, o.text, o.sizeWord, mnem, orList(want))
		}
	}
	if msg := sizeMismatch(mnem, forms, ops); msg != "" {
		return 0, msg
	}
	list := make([]string, 0, len(forms))
	for _, f := range forms {
		list = append(list, strings.Join(f.classes(), ", "))
	}
	return 0, ir.NoFormMessage(mnem, "", got, list)
}

// isIntelMnemonic reports whether w (lower case) is a mnemonic of the form
// table or a predicate pseudo-mnemonic (vcmpltps).
func isIntelMnemonic(w string) bool {
	intelForms()
	if _, ok := intelTable.byMnem[w]; ok {
		return true
	}
	base, _ := pseudoOp(w, nil)
	return base != w
}

// unknownIntelMnemonic explains an unknown mnemonic, with the closest
// known ones.
func unknownIntelMnemonic(name string) string {
	intelForms()
	if s := ir.Suggest(intelTable.names, name); len(s) > 0 {
		return fmt.Sprintf("unknown instruction %s (did you mean %s?)", name, strings.Join(s, ", "))
	}
	return fmt.Sprintf("unknown instruction %s", name)
}

// goOperand converts Intel operand o to its Go operand.
func goOperand(o *intelOperand) ir.Operand {
	var m ir.Operand
	writeGoOperand(&m, o)
	return m
}

// writeGoOperand writes the Go operand of o into m, whose memory may
// hold an earlier operand (stmtMemory.inst): every field, a string only
// when it changes (a string written is a pointer written, with a write
// barrier while the collector marks: the usual operand writes none).
func writeGoOperand(m *ir.Operand, o *intelOperand) {
	var (
		kind             ir.OperandKind
		reg, index, seg  ir.Reg
		scale, disp, imm int64
		sym              string
		pcRel            bool
	)
	switch o.kind {
	case iopReg:
		kind, reg = ir.RegOperand, o.reg.Reg
	case iopImm:
		kind, imm = ir.ImmOperand, o.imm
	default:
		kind, reg, index, disp, seg, sym = ir.MemOperand, o.base.Reg, o.index.Reg, o.disp, o.seg.Reg, o.sym
		if index != 0 {
			scale = o.scale
		}
		// [rip + n]: n bytes from the end of the instruction.
		pcRel = o.rip && o.sym == ""
	}
	setOperand(m, kind, reg, index, seg, scale, disp, imm, sym, pcRel)
}

// writeRegOperand writes the register operand r into m as
// writeGoOperand does.
func writeRegOperand(m *ir.Operand, r ir.Reg) {
	setOperand(m, ir.RegOperand, r, 0, 0, 0, 0, 0, "", false)
}

// setOperand writes every field of m, whose memory may hold an earlier
// operand: the one place that knows ir.Operand's fields for the writers
// above (TestDirtyOperandWriters). A string is written only when it
// changes: a string written is a pointer written, with a write barrier
// while the collector marks, and the usual operand writes none.
func setOperand(m *ir.Operand, kind ir.OperandKind, reg, index, seg ir.Reg, scale, disp, imm int64, sym string, pcRel bool) {
	if m.Sym != sym {
		m.Sym = sym
	}
	if m.String != "" {
		m.String = ""
	}
	m.Kind, m.Reg, m.RegHi, m.Index, m.Scale, m.Disp = kind, reg, 0, index, scale, disp
	m.Static, m.PCRel, m.Seg, m.Imm, m.Float = false, pcRel, seg, imm, 0
}

// addRegArg appends the register operand r to in's operands, in place
// when there is room.
func addRegArg(in *ir.Inst, r ir.Reg) {
	if k := len(in.Args); k < cap(in.Args) {
		in.Args = in.Args[:k+1]
		writeRegOperand(&in.Args[k], r)
		return
	}
	in.Args = append(in.Args, ir.RegOp(r))
}

// buildInst makes the Go instruction of form f with Intel operands ops and
// the decorations of the instruction.
func (p *parser) buildInst(f *intelForm, mnem string, col int, ops []*intelOperand, rounding string, roundCol int) (*ir.Inst, bool) {
	d, ok := p.decorations(ops, col)
	if !ok {
		return nil, false
	}
	// checkDecorations has nothing to say of an instruction without
	// decorations, of a form that needs none.
	if (d.mask != 0 || d.zeroing || rounding != "" || f.maskReq) && !p.checkDecorations(f, mnem, col, d, rounding, roundCol) {
		return nil, false
	}
	if f.stOps == 2 {
		if st := stOperands(f, ops); st[0].reg.Reg != ir.F0 && st[1].reg.Reg != ir.F0 {
			p.errorf(st[0].col, "%s: one of the two x87 registers must be st0", mnem)
			return nil, false
		}
	}
	goArgs := f.goArgs()
	in := p.mem.inst(len(goArgs))
	in.Op, in.Suffix = f.goOp(), ir.GoSuffix(rounding, d.bcst, d.zeroing)
	var sp *ir.Spelling
	if p.spellLater {
		ir.SetSpelling(in, p.lazySpelling())
	} else {
		sp = p.spellingOf(ops, len(goArgs))
		ir.SetSpelling(in, sp)
	}
	for _, a := range goArgs {
		switch a.kind {
		case argOpmask:
			if d.mask > 0 {
				addRegArg(in, opmaskRegs[d.mask])
				if sp != nil {
					sp.ArgOp = append(sp.ArgOp, -1)
				}
			}
		case argFixed:
			addRegArg(in, a.reg)
			if sp != nil {
				sp.ArgOp = append(sp.ArgOp, -1)
			}
		case argBadFixed:
			p.errorf(col, "internal error: bad fixed register %s in the form table", a.text)
			return nil, false
		default:
			i := a.op
			if a.kind == argBadOperand || i < 0 || i >= len(ops) {
				p.errorf(col, "internal error: bad operand %s in the form table", a.text)
				return nil, false
			}
			if k := len(in.Args); k < cap(in.Args) {
				// In place.
				in.Args = in.Args[:k+1]
				writeGoOperand(&in.Args[k], ops[i])
			} else {
				in.Args = append(in.Args, goOperand(ops[i]))
			}
			if sp != nil {
				sp.ArgOp = append(sp.ArgOp, int8(i))
			}
		}
	}
	return in, true
}

// opmaskNames are the Go names of the opmask registers, by number, and
// opmaskRegs the registers (read-only once made).
var (
	opmaskNames = [...]string{"K0", "K1", "K2", "K3", "K4", "K5", "K6", "K7"}
	opmaskRegs  = func() (regs [len(opmaskNames)]ir.Reg) {
		for i, name := range opmaskNames {
			regs[i], _ = ir.LookupReg(name)
		}
		return regs
	}()
)

// decor is the AVX-512 decorations of an instruction's operands: the
// opmask register number (-1 for {k0}, 0 for none) and where it was
// written, {z}, and a {1toN} broadcast.
type decor struct {
	mask, maskCol int
	zeroing, bcst bool
}

// decorations collects the decorations of ops; an opmask and {z} go on
// the first operand only.
func (p *parser) decorations(ops []*intelOperand, col int) (decor, bool) {
	d := decor{maskCol: col}
	for i, o := range ops {
		if o.mask != 0 {
			if i != 0 {
				p.errorf(o.col, "an opmask {k%d} goes on the first operand", max(o.mask, 0))
				return d, false
			}
			d.mask, d.maskCol = o.mask, o.col
		}
		if o.zeroing {
			if i != 0 {
				p.errorf(o.col, "{z} goes on the first operand")
				return d, false
			}
			d.zeroing = true
		}
		if o.bcst > 0 {
			d.bcst = true
		}
	}
	return d, true
}

// checkDecorations checks the decorations and the rounding operand against
// what form f takes.
func (p *parser) checkDecorations(f *intelForm, mnem string, col int, d decor, rounding string, roundCol int) bool {
	switch {
	case d.mask < 0:
		p.errorf(d.maskCol, "k0 cannot be an opmask (it means no mask): use k1…k7")
	case d.mask > 0 && !f.mask:
		p.errorf(d.maskCol, "%s does not take an opmask", mnem)
	case d.mask == 0 && f.maskReq:
		p.errorf(col, "%s needs an opmask: write {k1}…{k7} after its first operand", mnem)
	case d.zeroing && d.mask == 0:
		p.errorf(col, "{z} (zeroing) needs an opmask {k1}…{k7}")
	case d.zeroing && !f.zeroing:
		p.errorf(col, "%s does not take {z} here", mnem)
	case rounding == "sae" && !f.sae && f.rc:
		// With EVEX.b set, an instruction that rounds reads the vector
		// length bits as the rounding mode: {sae} alone has no encoding.
		p.errorf(roundCol, "%s takes a rounding mode here ({rn-sae}, {rd-sae}, {ru-sae} or {rz-sae}), not {sae}", mnem)
	case rounding == "sae" && !f.sae:
		p.errorf(roundCol, "%s does not take {sae} here", mnem)
	case rounding != "" && rounding != "sae" && !f.rc:
		p.errorf(roundCol, "%s does not take embedded rounding {%s} here", mnem, rounding)
	default:
		return true
	}
	return false
}

// stOperands returns the operands of a form's st classes.
func stOperands(f *intelForm, ops []*intelOperand) []*intelOperand {
	var out []*intelOperand
	for i, c := range f.classes() {
		if c == "st" {
			out = append(out, ops[i])
		}
	}
	return out
}

// spellingOf records Intel operands as written, with room for n Go
// operands; the parser adds the instruction's text and its mnemonic.
func spellingOf(ops []*intelOperand, n int) *ir.Spelling {
	sp := &ir.Spelling{Ops: make([]ir.SpelledOperand, len(ops)), ArgOp: make([]int8, 0, n)}
	fillSpelling(sp, ops)
	return sp
}

// spellingOf is spellingOf in the parse's blocks.
func (p *parser) spellingOf(ops []*intelOperand, n int) *ir.Spelling {
	sp := &p.mem.spellings.Take(1)[0]
	sp.Ops = p.mem.spelled.Take(len(ops))
	sp.ArgOp = p.mem.argOps.Take(n)[:0]
	fillSpelling(sp, ops)
	return sp
}

// fillSpelling writes the operands of a spelling.
func fillSpelling(sp *ir.Spelling, ops []*intelOperand) {
	for i, o := range ops {
		sp.Ops[i] = ir.SpelledOperand{Text: o.text, Class: o.class()}
		if o.kind == iopReg {
			sp.Ops[i].Reg = o.reg.Name()
		}
	}
}
