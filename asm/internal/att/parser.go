package att

// The parser: statements, labels and local labels, and the names
// instructions and data refer to, checked once the whole source is read.

import (
	"strconv"
	"strings"

	"github.com/jitrun/jitrun/asm/internal/ir"
	"github.com/jitrun/jitrun/asm/internal/slab"
)

// Options say how Parse reads a source.
type Options struct {
	// Library reports whether a name the source uses but does not define
	// is a routine the encoder links in (asm/lib.go): a call to it is left
	// for the encoder. Nil: none is.
	Library func(name string) bool
	// LetGo, for ParseFunc, asks the taker of the statements to let go of
	// all it was handed (the encoder: encode what waits) and reports
	// whether it did. The parser calls it after handing over a batch,
	// when the last statement's emit did not say so. Nil: the memory is
	// used again only when emit says so.
	LetGo func() bool
}

// parser holds the state of one parse.
type parser struct {
	file     string
	errs     ir.Errors
	line     int
	lineText string
	// stmtEnd is the byte offset in lineText where the statement's text
	// ends (comments excluded).
	stmtEnd int
	lx      lexer
	stmts   []ir.Stmt
	// sec is the section being written; text is the code.
	sec      *section
	text     *section
	sections []*section
	stack    []*section // .pushsection
	previous *section   // .previous
	equs     map[string]int64
	// Labels: where each was defined; data labels also in their section.
	codeLabels map[string]ir.Pos
	dataLabels map[string]dataLabel
	// local counts the definitions of each numeric local label (1:).
	local map[string]int
	// refs are the operands that name a label, checked at the end.
	refs []ref
	// Delivery (ParseFunc): stmts holds the statements read and not yet
	// handed over (to ParseFunc's emit). An instruction naming a label
	// not defined yet is held, with every statement after it, until the
	// label is (waiting counts such references by name, waitingRefs in
	// all): one never defined is marked broken at the end, before the
	// encoder sees it. letGo is Options.LetGo.
	handOver    func(ir.Stmt) bool
	letGo       func() bool
	waiting     map[string]int
	waitingRefs int
	// Scratch for an instruction's operands, reused.
	opToks   [][]token
	opBuf    []operand
	opPtrs   []*operand
	cands    []*form
	readings []suffixed
	// regEntries are the registers by number (knownRegister).
	regEntries *[256]regEntry
	// The matches remembered (matchcache.go), the scratch their keys are
	// made in, and the operands a remembered match adds.
	matches     map[string]*matchEntry
	sigs        sigTable // the matches under signatures that pack (packSig)
	matchesHint int      // the room to make in sigs
	entries     slab.Slab[matchEntry]
	matchKeyBuf []byte
	fineKeyBuf  []byte
	keyBlock    strings.Builder // the keys' bytes (keyString)
	extraOps    [maxCachedExtras]operand
	// namesRead says how much more of the operands than their
	// signature match read (readsLitRegs, readsAll).
	namesRead uint8
	// Slabs the instructions and their spellings are allocated from.
	insts      slab.Slab[ir.Inst]
	args       slab.Slab[ir.Operand]
	spellings  slab.Slab[ir.Spelling]
	spelledOps slab.Slab[ir.SpelledOperand]
	argOps     slab.Slab[int8]
	library    func(string) bool
	// inOperands is set while an instruction's operands are read: only
	// there does . stand for the current address. here is then the name
	// of the label defined before the instruction for it (ir.HereLabel),
	// "" while no operand used .; heres counts them.
	inOperands bool
	here       string
	heres      int
	// Spellings (respell.go): an instruction's spelling is made when the
	// encoder has something to say about it, by reading its text again
	// with the constants defined then (equLog). book stands for the
	// spellings of the instructions read since the last constant; eager
	// makes them at once instead (the reading again does).
	equLog *equNode
	book   *ir.Spelling
	eager  bool
	// respelling says the parser reads one instruction again (respell).
	respelling bool
	// slowOnly makes the parser read every line token by token, without
	// fastInstruction (tests compare the two).
	slowOnly bool
	// noSigTable makes the parser match every signature itself, without
	// the generated table (genSigSlots; tests compare the two).
	noSigTable bool
}

type dataLabel struct {
	sec *section
	off int64
	pos ir.Pos
}

// ref is an operand that names a label: argument arg of inst (nil for a
// label difference in data), at pos; text is the name as written when it
// differs (1f).
type ref struct {
	name string
	inst *ir.Inst
	pos  ir.Pos
	text string
}

// maxLocalLabel bounds the numbers of local labels (1: … ).
const maxLocalLabel = 1 << 20

// Parse parses AT&T-syntax assembly. It returns the statements it could
// read even when there are errors, so that the encoder can look for more.
func Parse(file string, src []byte, opts Options) ([]ir.Stmt, *ir.Errors) {
	p := newParser(file, src, opts, false, len(src)/16+8)
	p.run(string(src))
	return p.stmts, &p.errs
}

// ParseFunc parses AT&T-syntax assembly and hands the statements it could
// read to emit, in order, as gosyntax.ParseFunc does: a batch at a time
// as they are read (ir.HandOverBatch), except that an instruction naming
// a label the source has not defined yet waits, with the statements after
// it, for the definition (or the end, which marks it broken). emit (or
// Options.LetGo, called after a batch) returns true when the caller has
// let go of every statement handed to it so far: the parser then uses the
// memory of their instructions again.
func ParseFunc(file string, src []byte, opts Options, emit func(ir.Stmt) bool) *ir.Errors {
	p := newParser(file, src, opts, false, 64)
	p.handOver, p.letGo = emit, opts.LetGo
	p.run(string(src))
	p.deliver(true)
	return &p.errs
}

// parse is Parse, with the instructions' spellings made at once when
// eager.
func parse(file string, src []byte, opts Options, eager bool) ([]ir.Stmt, *ir.Errors) {
	p := newParser(file, src, opts, eager, len(src)/16+8)
	p.run(string(src))
	return p.stmts, &p.errs
}

// newParser returns a parser of src with room for stmts statements.
func newParser(file string, src []byte, opts Options, eager bool, stmts int) *parser {
	p := &parser{
		eager:      eager,
		file:       file,
		equs:       map[string]int64{},
		codeLabels: map[string]ir.Pos{},
		dataLabels: map[string]dataLabel{},
		local:      map[string]int{},
		library:    opts.Library,
		stmts:      make([]ir.Stmt, 0, stmts),
		insts:      slab.Make[ir.Inst](256),
		args:       slab.Make[ir.Operand](512),
		spellings:  slab.Make[ir.Spelling](256),
		spelledOps: slab.Make[ir.SpelledOperand](512),
		argOps:     slab.Make[int8](1024),
		// About one instruction in forty of a long source (of about 32
		// bytes a line) has a signature the generated table does not
		// hold (240 of amd64enc.s's 9,985 in AT&T syntax, 203 of the
		// corpus's 10,052): sigs holds those, and grows past the hint.
		matchesHint: min(len(src)/(32*40), maxMatches),
		entries:     slab.Make[matchEntry](256),
		regEntries:  regEntries(),
	}
	p.text = &section{name: ".text", kind: secText}
	p.sec = p.text
	return p
}

// deliver hands the statements read to emit (ParseFunc) a batch at a
// time (ir.HandOverBatch), or all when all is set, unless an instruction
// among them waits for a label; when emit says it let go of them all, or
// LetGo does, the instructions' memory is used again.
func (p *parser) deliver(all bool) {
	if p.handOver == nil || p.waitingRefs > 0 || len(p.stmts) == 0 || !all && len(p.stmts) < ir.HandOverBatch {
		return
	}
	free := false
	for i, st := range p.stmts {
		free = p.handOver(st)
		p.stmts[i] = nil
	}
	p.stmts = p.stmts[:0]
	if free || p.letGo != nil && p.letGo() {
		p.insts.Reuse()
		p.args.Reuse()
	}
}

func (p *parser) pos(col int) ir.Pos { return ir.Pos{File: p.file, Line: p.line, Col: col} }

func (p *parser) errorf(col int, format string, args ...any) {
	p.errs.Add(p.pos(col), format, args...)
}

// source is the Source of a statement starting at token t.
func (p *parser) source(t token) ir.Source {
	start, end := t.col-1, p.stmtEnd
	if start > end || end > len(p.lineText) {
		return ir.Source{Pos: p.pos(t.col)}
	}
	return ir.Source{Pos: p.pos(t.col), Text: strings.TrimSpace(p.lineText[start:end])}
}

// operandText is the source text of an operand's tokens (which end with
// the tEOL at the comma or the statement's end).
func (p *parser) operandText(toks []token) string {
	start := toks[0].col - 1
	end := toks[len(toks)-1].col - 1
	if last := toks[len(toks)-1]; last.kind == tEOL && int(last.val) < end && int(last.val) > start {
		end = int(last.val)
	}
	if start < 0 || end > len(p.lineText) || start > end {
		return ""
	}
	return strings.TrimSpace(p.lineText[start:end])
}

// run parses the whole source.
func (p *parser) run(text string) {
	for n := 1; ; n++ {
		wide := text // the line and the source after it
		line, rest, more := strings.Cut(text, "\n")
		text = rest
		p.line, p.lineText = n, line
		if p.fastInstruction(line, wide) {
			p.deliver(false)
			if !more || p.errs.Full() {
				break
			}
			continue
		}
		base := 0
		for {
			toks, next, err := p.lx.lex(line[base:], base)
			if err != nil {
				p.errorf(err.col, "%s", err.msg)
				break
			}
			p.stmtEnd = int(toks[len(toks)-1].val)
			p.statement(toks)
			p.deliver(false)
			if next < 0 || p.errs.Full() {
				break
			}
			base += next
		}
		if !more || p.errs.Full() {
			break
		}
	}
	if p.lx.inBlock && !p.errs.Full() {
		p.errorf(1, "unterminated /* comment")
	}
	p.finish()
}

// statement parses one statement: labels, then a directive, an assignment
// or an instruction.
func (p *parser) statement(toks []token) {
	for {
		t := toks[0]
		if t.kind == tEOL {
			return
		}
		if (t.kind == tIdent || t.kind == tInt) && toks[1].is(":") {
			p.label(t)
			toks = toks[2:]
			continue
		}
		break
	}
	if toks[0].is("{") && toks[1].kind == tIdent && toks[2].is("}") {
		switch toks[1].text {
		case "evex", "vex", "vex3":
			// An encoding hint: the encoder picks the encoding (the
			// same instruction).
			toks = toks[3:]
		}
	}
	t := toks[0]
	if t.kind != tIdent {
		p.errorf(t.col, "expected an instruction, a directive or a label, found %s", t)
		return
	}
	if toks[1].is("=") {
		p.assign(t, toks[2:])
		return
	}
	if t.text[0] == '.' {
		p.directive(t, toks)
		return
	}
	var pre []token
	for toks[0].kind == tIdent && maybePrefix(toks[0].text) && prefixes[strings.ToLower(toks[0].text)] != "" {
		pre = append(pre, toks[0])
		toks = toks[1:]
	}
	if toks[0].kind == tEOL {
		// A prefix alone (rep; movsb): GNU as applies it to what follows,
		// which the encoder does for a prefix instruction.
		for _, pt := range pre {
			p.stmts = append(p.stmts, &ir.Inst{Source: p.source(pt), Op: prefixes[strings.ToLower(pt.text)]})
		}
		return
	}
	p.instruction(toks, pre, t)
}

// maybePrefix reports whether w may be a prefix (lock, rep…): a cheap
// test before the map.
func maybePrefix(w string) bool {
	c := w[0] | 0x20
	return (c == 'l' || c == 'r') && len(w) <= 5
}

// label defines a label here: a name, or a number (a local label).
func (p *parser) label(t token) {
	name := t.text
	if t.kind == tInt {
		if t.val < 0 || t.val > maxLocalLabel || !allDigits(t.text) {
			p.errorf(t.col, "local label %s: want a decimal number up to %d", t.text, maxLocalLabel)
			return
		}
		key := strconv.FormatInt(t.val, 10)
		p.local[key]++
		name = localName(key, p.local[key])
	}
	if prev, ok := p.definedAt(name); ok {
		p.errorf(t.col, "label %s redefined (first defined at %s)", name, prev)
		return
	}
	if _, ok := p.equs[name]; ok {
		p.errorf(t.col, "%s is a constant (.set) and cannot be a label too", name)
		return
	}
	if p.sec.kind != secText {
		s := p.sec
		if s.kind == secIgnored {
			return
		}
		p.dataLabels[name] = dataLabel{sec: s, off: s.size, pos: p.pos(t.col)}
		p.defined(name)
		s.labels = append(s.labels, name)
		s.offsets = append(s.offsets, s.size)
		s.labelPos = append(s.labelPos, p.pos(t.col))
		return
	}
	p.codeLabels[name] = p.pos(t.col)
	p.defined(name)
	p.stmts = append(p.stmts, &ir.LabelDef{Source: ir.Source{Pos: p.pos(t.col), Text: t.text + ":"}, Name: name})
}

// localName is the name of the nth definition of local label key: one no
// source can write (GNU as names them .L1^B2 the same way).
func localName(key string, n int) string { return key + "\u00b7" + strconv.Itoa(n) }

// localRef resolves a reference to a local label (1b, 1f).
func (p *parser) localRef(text string) (string, string) {
	key := strings.TrimLeft(text[:len(text)-1], "0")
	if key == "" {
		key = "0"
	}
	n := p.local[key]
	if p.respelling {
		// Reading an instruction again for its spelling: the label's
		// name does not change it, and the labels before it are not
		// known.
		n = max(n, 1)
	}
	if text[len(text)-1] == 'b' {
		if n == 0 {
			return "", text + ": no local label " + key + ": before it"
		}
		return localName(key, n), ""
	}
	return localName(key, n+1), ""
}

func (p *parser) definedAt(name string) (ir.Pos, bool) {
	if at, ok := p.codeLabels[name]; ok {
		return at, true
	}
	if d, ok := p.dataLabels[name]; ok {
		return d.pos, true
	}
	return ir.Pos{}, false
}

// assign defines a constant: name = expr (as .set does).
func (p *parser) assign(name token, toks []token) {
	p.setConst(name, toks)
}

func (p *parser) setConst(name token, toks []token) {
	if _, ok := p.definedAt(name.text); ok {
		p.errorf(name.col, "%s is a label and cannot be a constant too", name.text)
		return
	}
	if toks[0].kind == tEOL {
		p.errorf(name.col, "%s needs a value", name.text)
		return
	}
	e := exprParser{p: p, toks: toks}
	v := e.expr()
	if e.err != "" {
		p.errorf(e.ecol, "%s", e.err)
		return
	}
	if t := e.peek(); t.kind != tEOL {
		p.errorf(t.col, "unexpected %s after the value", t)
		return
	}
	if !v.isConst() {
		p.errorf(toks[0].col, "%s = %s: a constant must be a number here (labels have no address until the code is laid out)", name.text, fmtValue(v))
		return
	}
	p.equs[name.text] = v.c
	p.equLog = &equNode{name: name.text, val: v.c, prev: p.equLog}
	p.book = nil // the instructions after it read with the new value
}

// addRef records that argument arg of in names a label.
func (p *parser) addRef(in *ir.Inst, arg int, col int) {
	name := in.Args[arg].Sym
	p.refs = append(p.refs, ref{name: name, inst: in, pos: p.pos(col)})
	if _, ok := p.definedAt(name); p.handOver != nil && !ok && !p.isLibrary(name) {
		// finish marks in broken unless the label comes: it waits.
		if p.waiting == nil {
			p.waiting = map[string]int{}
		}
		p.waiting[name]++
		p.waitingRefs++
	}
}

// defined notes that label name is defined now: the instructions that
// wait for it no longer do.
func (p *parser) defined(name string) {
	if n, ok := p.waiting[name]; ok {
		p.waitingRefs -= n
		delete(p.waiting, name)
	}
}

// isLibrary reports whether name is a routine of the library.
func (p *parser) isLibrary(name string) bool { return p.library != nil && p.library(name) }

// finish checks the names the code and data refer to and appends the
// data sections.
func (p *parser) finish() {
	for _, r := range p.refs {
		if _, ok := p.definedAt(r.name); ok {
			continue
		}
		if r.inst != nil && p.isLibrary(r.name) {
			continue // the encoder links it (asm/lib.go)
		}
		what := r.name
		if k, n, ok := strings.Cut(r.name, "\u00b7"); ok {
			what = k + "f (local label " + k + ":, definition " + n + ")"
			p.errs.Add(r.pos, "undefined local label %sf: no label %s: after it", k, k)
			if r.inst != nil {
				ir.SetBroken(r.inst, true)
			}
			continue
		}
		switch {
		case r.inst != nil && r.inst.Op == "CALL":
			p.errs.Add(r.pos, "undefined label %s: there is no linker, so code can call only labels of its own source and the routines of jitrun's I/O library (jitrun help lib)", what)
		default:
			p.errs.Add(r.pos, "undefined label %s", what)
		}
		if r.inst != nil {
			ir.SetBroken(r.inst, true)
		}
	}
	p.emitData()
	p.waitingRefs = 0 // marked broken, or defined
}

// hereLabel is the name of the label that . in the operands of the
// instruction being read stands for: its start.
func (p *parser) hereLabel() string {
	if p.here == "" {
		p.heres++
		p.here = ir.HereLabel(p.heres)
	}
	return p.here
}

// defineHere defines the label of hereLabel, if an operand used it, at
// the start of the instruction.
func (p *parser) defineHere(at ir.Pos) {
	if p.here != "" {
		p.codeLabels[p.here] = at
		p.stmts = append(p.stmts, &ir.LabelDef{Source: ir.Source{Pos: at}, Name: p.here})
	}
}

// shownLabel is a label's name as messages show it: . for the current
// address.
func shownLabel(name string) string {
	if ir.IsHereLabel(name) {
		return "."
	}
	return name
}
