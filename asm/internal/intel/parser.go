package intel

// The Intel-syntax front end: NASM-style source (and GNU as's
// .intel_syntax noprefix dialect) to IR statements. What it accepts, and
// how its sections are laid out, is listed in asm's package doc (Intel
// syntax).
//
// An instruction is a mnemonic in any case and its operands, destination
// first. forms.go matches it against a table of forms generated from
// the Go assembler's own encoder tests (see asm/internal/inteltab) and builds
// the Go instruction: Go's mnemonic for the operand sizes and its operand
// order. Code in .text becomes the instructions of one function; each
// data section becomes GLOBL symbols, one per label, and their DATA
// (data.go). A name used before its equ or data label is defined takes
// another pass over the source (Parse).

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/jitrun/jitrun/asm/internal/ir"
)

// parser holds the state of one parse.
type parser struct {
	file string
	errs ir.Errors
	// The line being parsed.
	line     int
	lineText string
	stmts    []ir.Stmt
	// sec is the data section being written, nil in .text.
	sec      *intelSection
	sections []*intelSection
	// scope is the last label not starting with '.', for local labels.
	scope string
	// equs, dataLabels and codeLabels are made when a name is first
	// defined (put): a source of instructions alone makes none.
	equs map[string]ival
	// dataLabels are the labels defined in data sections.
	dataLabels map[string]dataLabel
	codeLabels map[string]ir.Pos
	globals    []nameRef
	// refs are the memory operands and branch targets that name a label,
	// resolved when the whole source is read.
	refs []labelRef
	// prev is the previous pass, whose equ and data label values stand in
	// for names used before their definition; forward holds the names not
	// known where they were used.
	prev    *parser
	forward map[string]bool
	// lineStart is the first token of the line (a data line's text starts
	// there, with its labels).
	lineStart itok
	// codeData counts the bytes data directives placed in code.
	codeData int64
	// semicolons makes ';' separate statements (Options.Semicolons).
	semicolons bool
	// library is Options.Library.
	library func(name string) bool
	// scratch holds the buffers a line is parsed in, used again for the
	// next line; mem, the blocks the statements are made of.
	scratch lineScratch
	mem     stmtMemory
	// inOperands is set while an instruction's operands are read: only
	// there do $ and $$ stand for addresses in code. here is then
	// the name of the label defined before the instruction for it
	// (ir.HereLabel), "" while no operand used $; heres counts them.
	inOperands bool
	here       string
	heres      int
	// slowOnly reads every line token by token (tests compare the two
	// ways of reading an instruction: fastpath.go).
	slowOnly bool
	// noCache matches every instruction as matchForm does, not by
	// signature (matchcache.go).
	noCache bool
	// spellLater is set while fastInstruction builds an instruction: it
	// gets the lazy spelling (respell.go), unless eager; lazy is that
	// spelling, made once.
	spellLater, eager bool
	lazy              *ir.Spelling
	// handOver takes the statements read while streaming (ParseFunc),
	// letGo is Options.LetGo; emitted counts those handOver took.
	handOver  func(ir.Stmt) bool
	letGo     func() bool
	streaming bool
	emitted   int
	// fastOps are the plain operands fastInstruction reads.
	fastOps [maxFastOps]plainOp
	// wide is the source from the start of the line being parsed to its
	// end: fastInstruction reads words 8 bytes at a time from it.
	wide string
	// fastText is the text of the statement fastInstruction read (its
	// source, which it knows without looking for a comment), "" for one
	// read token by token.
	fastText string
}

type nameRef struct {
	name string
	pos  ir.Pos
}

type dataLabel struct {
	sec *intelSection
	off int64
	pos ir.Pos
}

// labelRef is an operand that names a label: a MemOperand or a
// LabelOperand whose Sym is resolved at the end.
type labelRef struct {
	op   *ir.Operand
	inst *ir.Inst
	pos  ir.Pos
}

// maxTimesInst bounds the copies times makes of an instruction.
const maxTimesInst = 1 << 16

// maxIntelPasses bounds the passes over a source: a name used before its
// equ or its data label takes a second pass, which sees the values of the
// first; data whose size depends on such names may take more.
const maxIntelPasses = 4

// Options say how Parse reads a source.
type Options struct {
	// Semicolons makes ';' separate statements, as in GNU as, instead of
	// starting a comment ('#' still starts one).
	Semicolons bool
	// Library reports whether a name the source uses but does not define
	// is a routine the encoder links in (asm/lib.go): references to it
	// are left for the encoder, and extern may name it. Nil: none is.
	Library func(name string) bool
	// LetGo, for ParseFunc, asks the taker of the statements to let go of
	// all it was handed (the encoder: encode what waits) and reports
	// whether it did. The parser calls it after handing over a batch
	// whose memory it would use again, when the last statement's emit
	// did not say so. Nil: the memory is used again only when emit says
	// so.
	LetGo func() bool
}

// Parse parses Intel-syntax assembly. It returns the statements it could
// read even when there are errors, so that the encoder can look for more.
func Parse(file string, src []byte, opts Options) ([]ir.Stmt, *ir.Errors) {
	return parse(file, src, opts, readMode{})
}

// readMode says which shortcuts a parse leaves out (tests compare the
// statements read with them and without).
type readMode struct {
	// slowOnly reads every line token by token (fastpath.go).
	slowOnly bool
	// noCache matches every instruction against the form table
	// (matchcache.go).
	noCache bool
}

// parse is Parse, reading in mode.
func parse(file string, src []byte, opts Options, mode readMode) ([]ir.Stmt, *ir.Errors) {
	var prev *parser
	// A statement a line, as a rule: the statements' slice is made once.
	lines := bytes.Count(src, []byte("\n")) + 1
	text := string(src) // one copy for every pass: statements keep slices of it
	for pass := 1; ; pass++ {
		p := newParser(file, opts, mode, prev, lines, lines)
		p.run(text)
		if !p.needsPass() || pass == maxIntelPasses || (prev != nil && p.sameValues(prev)) {
			return p.stmts, &p.errs
		}
		p.forget()
		prev = p
	}
}

// newParser returns the parser of one pass of a source of lines lines,
// with room for stmts statements; prev is the previous pass.
func newParser(file string, opts Options, mode readMode, prev *parser, lines, stmts int) *parser {
	return &parser{
		stmts:      make([]ir.Stmt, 0, stmts),
		file:       file,
		mem:        newStmtMemory(lines),
		prev:       prev,
		semicolons: opts.Semicolons,
		library:    opts.Library,
		slowOnly:   mode.slowOnly,
		noCache:    mode.noCache,
	}
}

// needsPass reports whether another pass could read the source
// differently: whether a name used before its definition turned out to be
// an equ or a data label, whose value a pass that knows it uses. (A code
// label has no value here: the encoder places it.)
func (p *parser) needsPass() bool {
	for name := range p.forward {
		if _, ok := p.equs[name]; ok {
			return true
		}
		if _, ok := p.dataLabels[name]; ok {
			return true
		}
	}
	return false
}

// forget drops what the next pass does not read of this one (all but its
// equ and data label values), so that two passes do not hold two copies of
// the program.
func (p *parser) forget() {
	p.stmts, p.refs, p.globals = nil, nil, nil
	for _, s := range p.sections {
		s.lines = nil
	}
}

// sameValues reports whether two passes gave every equ and data label the
// same value.
func (p *parser) sameValues(q *parser) bool {
	if len(p.equs) != len(q.equs) || len(p.dataLabels) != len(q.dataLabels) {
		return false
	}
	for k, v := range p.equs {
		w, ok := q.equs[k]
		if !ok || v.c != w.c || v.sec != w.sec {
			return false
		}
	}
	for k, v := range p.dataLabels {
		w, ok := q.dataLabels[k]
		if !ok || v.off != w.off || v.sec.name != w.sec.name {
			return false
		}
	}
	return true
}

// run parses the whole source once.
func (p *parser) run(text string) {
	for n := 1; len(text) > 0 || n == 1; n++ {
		var line string
		p.wide = text
		// strings.Cut, without its two calls before IndexByte's.
		if k := strings.IndexByte(text, '\n'); k >= 0 {
			line, text = text[:k], text[k+1:]
		} else {
			line, text = text, ""
		}
		p.line = n
		if p.semicolons {
			// Each statement is parsed on its own, with the columns of
			// the line.
			for _, seg := range splitStatements(line) {
				p.lineText = line[:seg[1]]
				if seg[0] > 0 && p.proseAfterSemicolon(p.lineText, seg[0]) {
					continue
				}
				p.parseLine(p.lineText, seg[0])
			}
		} else {
			p.lineText = line
			p.parseLine(line, 0)
		}
		// A batch at a time (ir.HandOverBatch); Parse streams nothing.
		if p.streaming && len(p.stmts) >= ir.HandOverBatch {
			p.deliver()
		}
		if p.errs.Full() {
			break
		}
		if len(text) == 0 {
			break
		}
	}
	p.finish()
}

// proseAfterSemicolon reports (and reports as an error) a statement after
// a ';' that starts with a word that is no mnemonic, directive or label: a
// NASM comment, which Options.Semicolons reads as a statement.
func (p *parser) proseAfterSemicolon(line string, start int) bool {
	toks, _, _, msg := lexIntelLine(line[start:])
	if msg != "" || toks[0].kind != itIdent {
		return false
	}
	w := strings.ToLower(toks[0].text)
	if toks[1].kind == itPunct && toks[1].text == ":" || toks[1].kind == itIdent && strings.EqualFold(toks[1].text, "equ") {
		return false // a label or a constant
	}
	if IsStatementWord(w) || w == "times" || w[0] == '.' && isIntelDirective(w) {
		return false
	}
	p.errorf(start+toks[0].col, "%s; here ';' separates statements, as in GNU as (a comment starts with '#')", unknownIntelMnemonic(toks[0].text))
	return true
}

// splitStatements returns the bounds [start, end) of the statements of a
// line, split at the semicolons outside quotes and before a # comment
// (Options.Semicolons).
func splitStatements(line string) [][2]int {
	end := len(line)
	if i := unquotedIndex(line, "#"); i >= 0 {
		end = i
	}
	var out [][2]int
	start := 0
	for {
		i := unquotedIndex(line[start:end], ";")
		if i < 0 {
			// The last statement runs to the end of the line, comment
			// included: the lexer drops it.
			return append(out, [2]int{start, len(line)})
		}
		out = append(out, [2]int{start, start + i})
		start += i + 1
	}
}

func (p *parser) pos(col int) ir.Pos { return ir.Pos{File: p.file, Line: p.line, Col: col} }

func (p *parser) errorf(col int, format string, args ...any) {
	p.errs.Add(p.pos(col), format, args...)
}

// source is the Source of a statement starting at toks[0].
func (p *parser) source(t itok) ir.Source {
	text := p.lineText
	if t.col-1 <= len(text) {
		text = text[t.col-1:]
	}
	if i := commentStart(text); i >= 0 {
		text = text[:i]
	}
	return ir.Source{Pos: p.pos(t.col), Text: strings.TrimSpace(text)}
}

// commentStart returns the index of the comment in a line, or -1:
// unquotedIndex(s, ";#"), written out (it runs twice for every line).
func commentStart(s string) int {
	var q byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case q != 0:
			if c == q {
				q = 0
			}
		case c == '\'' || c == '"' || c == '`':
			q = c
		case c == ';' || c == '#':
			return i
		}
	}
	return -1
}

// unquotedIndex returns the index of the first byte of s outside quotes
// ('…', "…", `…`) that is one of chars, or -1.
func unquotedIndex(s, chars string) int {
	var q byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case q != 0:
			if c == q {
				q = 0
			}
		case c == '\'' || c == '"' || c == '`':
			q = c
		case strings.IndexByte(chars, c) >= 0:
			return i
		}
	}
	return -1
}

// parseLine parses one source line, or the statement of a line that
// starts at byte start: labels, then a directive or an instruction.
func (p *parser) parseLine(line string, start int) {
	p.scratch.reset()
	if start == 0 && p.fastInstruction(line, p.wide) {
		return
	}
	p.scratch.reset()
	toks, _, errCol, errMsg := lexIntelLineInto(p.scratch.toks, line[start:])
	p.scratch.toks = toks[:0]
	if errMsg != "" {
		p.errorf(start+errCol, "%s", errMsg)
		return
	}
	if start > 0 {
		for i := range toks {
			toks[i].col += start
		}
	}
	p.lineStart = toks[0]
	// [bits 64], [section .data], [default rel]: NASM's primitive forms.
	if toks[0].kind == itPunct && toks[0].text == "[" && len(toks) > 2 && toks[1].kind == itIdent {
		if w := strings.ToLower(toks[1].text); w == "bits" || w == "section" || w == "segment" || w == "default" || w == "global" || w == "extern" {
			last := len(toks) - 2
			if toks[last].kind != itPunct || toks[last].text != "]" {
				p.errorf(toks[0].col, "missing ] after [%s", toks[1].text)
				return
			}
			toks = append(toks[1:last:last], toks[len(toks)-1])
		}
	}
	for {
		t := toks[0]
		if t.kind == itEOL {
			return
		}
		if t.kind == itPunct && t.text == "%" && toks[1].kind == itIdent {
			p.errorf(t.col, "%%%s: NASM's preprocessor (%%define, %%macro, %%include …) is not supported; use equ for constants", toks[1].text)
			return
		}
		if t.kind != itIdent {
			p.errorf(t.col, "expected a label, an instruction or a directive, found %s", t)
			return
		}
		// name equ value / name: equ value
		k := 1
		if toks[k].kind == itPunct && toks[k].text == ":" {
			k++
		}
		if toks[k].kind == itIdent && strings.EqualFold(toks[k].text, "equ") {
			p.equ(t, toks[k+1:])
			return
		}
		if toks[1].kind == itPunct && toks[1].text == ":" {
			p.label(t)
			toks = toks[2:]
			continue
		}
		break
	}
	p.statement(toks)
}

// statement parses a directive or an instruction (no labels before it).
func (p *parser) statement(toks []itok) {
	t := toks[0]
	word := lowerWord(t.text)
	if word == "times" {
		p.times(toks)
		return
	}
	if p.directive(word, toks) {
		return
	}
	p.instruction(toks, 1, toks[0])
}

// times repeats the statement after it: times N db 0, times 4 nop.
func (p *parser) times(toks []itok) {
	e := &exprParser{p: p, toks: toks[1:]}
	v := e.expr()
	if e.err != "" {
		p.errorf(e.ecol, "%s", e.err)
		return
	}
	if !v.isConst() {
		p.errorf(toks[0].col, "times needs a constant count")
		return
	}
	rest := toks[1+e.pos:]
	switch {
	case v.c < 0:
		p.errorf(toks[0].col, "times count %d is negative", v.c)
		return
	case v.c > maxDataSize:
		p.errorf(toks[0].col, "times count %d is above %d", v.c, maxDataSize)
		return
	case rest[0].kind != itIdent:
		p.errorf(rest[0].col, "times needs an instruction or data after its count")
		return
	}
	word := strings.ToLower(rest[0].text)
	if dataWidth(word) > 0 || isIntelDataDirective(word) {
		p.data(word, rest, v.c)
		return
	}
	if word == "times" || isIntelDirective(word) {
		p.errorf(rest[0].col, "times cannot repeat %s", rest[0].text)
		return
	}
	if v.c > maxTimesInst {
		p.errorf(toks[0].col, "times %d: at most %d copies of an instruction", v.c, maxTimesInst)
		return
	}
	p.instruction(rest, int(v.c), toks[0])
}

// label defines a label at the current position.
func (p *parser) label(t itok) {
	name := t.text
	if _, ok := ir.LookupIntelReg(name); ok {
		p.errorf(t.col, "%s is a register name and cannot be a label", name)
		return
	}
	if isIntelKeyword(name) {
		p.errorf(t.col, "%s is a keyword and cannot be a label", name)
		return
	}
	full := p.qualify(name)
	if !strings.HasPrefix(name, ".") {
		p.scope = name
	}
	if prev, ok := p.definedAt(full); ok {
		p.errorf(t.col, "label %s redefined (first defined at %s)", full, prev)
		return
	}
	if p.sec != nil {
		put(&p.dataLabels, full, dataLabel{sec: p.sec, off: p.sec.size, pos: p.pos(t.col)})
		p.sec.labels = append(p.sec.labels, full)
		p.sec.offsets = append(p.sec.offsets, p.sec.size)
		p.sec.labelPos = append(p.sec.labelPos, p.pos(t.col))
		return
	}
	put(&p.codeLabels, full, p.pos(t.col))
	p.stmts = append(p.stmts, &ir.LabelDef{Source: ir.Source{Pos: p.pos(t.col), Text: name + ":"}, Name: full})
}

// qualify gives a local label (.x) its full name (scope.x).
func (p *parser) qualify(name string) string {
	if strings.HasPrefix(name, ".") && !strings.HasPrefix(name, "..") {
		return p.scope + name
	}
	return name
}

func (p *parser) definedAt(name string) (ir.Pos, bool) {
	if at, ok := p.codeLabels[name]; ok {
		return at, true
	}
	if d, ok := p.dataLabels[name]; ok {
		return d.pos, true
	}
	if _, ok := p.equs[name]; ok {
		return ir.Pos{}, true
	}
	return ir.Pos{}, false
}

// equ defines a constant.
func (p *parser) equ(name itok, toks []itok) {
	full := p.qualify(name.text)
	if _, ok := ir.LookupIntelReg(full); ok {
		p.errorf(name.col, "%s is a register name", full)
		return
	}
	if at, ok := p.definedAt(full); ok {
		if at.Line > 0 {
			p.errorf(name.col, "%s redefined (first defined at %s)", full, at)
		} else {
			p.errorf(name.col, "%s redefined", full)
		}
		return
	}
	if toks[0].kind == itEOL {
		p.errorf(name.col, "equ needs a value")
		return
	}
	e := &exprParser{p: p, toks: toks}
	v := e.expr()
	if e.err != "" {
		p.errorf(e.ecol, "%s", e.err)
		return
	}
	if e.peek().kind != itEOL {
		p.errorf(e.peek().col, "unexpected %s after the value", e.peek())
		return
	}
	if !v.isConst() && !(v.sec != "" && v.sym == "" && len(v.regs) == 0) {
		p.errorf(toks[0].col, "equ needs a constant (or an address in a data section defined above)")
		return
	}
	put(&p.equs, full, v)
}

// nameValue is the value of a name in an expression: an equ constant, a
// data label defined above, the current position ($, $$ in data), or a
// label to resolve later.
func (p *parser) nameValue(name string, col int, e *exprParser) ival {
	switch name {
	case "$", "$$":
		if p.sec == nil && name == "$" && p.inOperands {
			// The start of this instruction: a label defined before it.
			if p.here == "" {
				p.heres++
				p.here = ir.HereLabel(p.heres)
			}
			return ival{sym: p.here}
		}
		if p.sec == nil && name == "$$" && p.inOperands {
			// The start of .text, the first byte of the code: a label
			// finish defines before the first statement.
			put(&p.codeLabels, codeStart, p.pos(col))
			return ival{sym: codeStart}
		}
		if p.sec == nil && name == "$$" {
			return e.fail(col, "$$ (the start of the section) is only known in data sections and in an instruction's operands (jmp $$, [rel $$+8]); here, use a label")
		}
		if p.sec == nil {
			return e.fail(col, "$ (the current address) is only known in data sections and in an instruction's operands (jmp $, [rel $+8]); here, use a label")
		}
		if name == "$$" {
			return ival{sec: p.sec.name}
		}
		return ival{sec: p.sec.name, c: p.sec.size}
	}
	if isIntelKeyword(name) {
		return e.fail(col, "unexpected %s", name)
	}
	full := p.qualify(name)
	if v, ok := p.equs[full]; ok {
		return v
	}
	if d, ok := p.dataLabels[full]; ok {
		return ival{sec: d.sec.name, c: d.off, label: full, labelOff: d.off}
	}
	if p.forward == nil {
		p.forward = map[string]bool{}
	}
	p.forward[full] = true
	// What this statement and the next make may be read otherwise by
	// another pass, or wait for a label: they are handed over at the
	// end (stream.go).
	p.streaming = false
	if p.prev != nil {
		if v, ok := p.prev.equs[full]; ok {
			return v
		}
		if d, ok := p.prev.dataLabels[full]; ok {
			return ival{sec: d.sec.name, c: d.off, label: full, labelOff: d.off}
		}
	}
	return ival{sym: full}
}

// splitOperands splits an instruction's operand tokens at top-level
// commas. Each operand's tokens end with an itEOL.
func splitOperands(toks []itok) ([][]itok, int) {
	out, _, col := splitOperandsInto(nil, nil, toks)
	return out, col
}

// splitOperands is splitOperands in the line's buffers.
func (s *lineScratch) splitOperands(toks []itok) ([][]itok, int) {
	out, buf, col := splitOperandsInto(s.opToks, s.opRuns, toks)
	s.opToks = buf[:0]
	if out != nil {
		s.opRuns = out[:0]
	}
	return out, col
}

// splitOperandsInto is splitOperands with the operands' tokens in buf[:0]
// and the operands in out[:0] (grown as needed), which it returns.
func splitOperandsInto(buf []itok, out [][]itok, toks []itok) (_ [][]itok, _ []itok, badComma int) {
	out = out[:0]
	buf = buf[:0]
	if cap(buf) < len(toks)+8 {
		// Room for every token and an itEOL per operand: the runs do not
		// move once cut.
		buf = make([]itok, 0, 2*len(toks)+8)
	}
	run := func(from, to int, col int) []itok {
		if len(buf)+to-from+1 > cap(buf) {
			buf = make([]itok, 0, 2*len(toks)+8)
		}
		k := len(buf)
		buf = append(append(buf, toks[from:to]...), itok{kind: itEOL, col: col})
		return buf[k:len(buf):len(buf)]
	}
	depth := 0
	start := 0
	for i, t := range toks {
		if t.kind == itPunct {
			switch t.text {
			case "[", "(":
				depth++
			case "]", ")":
				depth--
			case ",":
				if depth == 0 {
					if i == start {
						return nil, buf, t.col
					}
					out = append(out, run(start, i, t.col))
					start = i + 1
				}
			}
		}
		if t.kind == itEOL {
			if i == start {
				if len(out) > 0 {
					return nil, buf, t.col
				}
				return nil, buf, 0
			}
			out = append(out, run(start, i, t.col))
			break
		}
	}
	return out, buf, 0
}

// intelPrefix returns the Go prefix instruction of an Intel prefix word
// (lower case), "" for a word that is none.
func intelPrefix(w string) string {
	switch w {
	case "lock":
		return "LOCK"
	case "rep", "repe", "repz":
		return "REP"
	case "repne", "repnz":
		return "REPN"
	}
	return ""
}

// intelBranches are the branch mnemonics besides jcc, by their Go names.
var intelBranches = map[string]string{
	"jmp": "JMP", "call": "CALL", "loop": "LOOP", "loope": "LOOPEQ", "loopz": "LOOPEQ",
	"loopne": "LOOPNE", "loopnz": "LOOPNE", "jrcxz": "JCXZQ", "jecxz": "JCXZL", "xbegin": "XBEGIN",
}

// lockable are the instructions a lock prefix may precede (with a memory
// destination).
var lockable = map[string]bool{
	"add": true, "adc": true, "and": true, "btc": true, "btr": true, "bts": true, "cmpxchg": true,
	"cmpxchg8b": true, "cmpxchg16b": true, "dec": true, "inc": true, "neg": true, "not": true,
	"or": true, "sbb": true, "sub": true, "xor": true, "xadd": true, "xchg": true,
}

// instruction parses an instruction and appends it count times. start is
// the statement's first token (times, a prefix or the mnemonic): its
// source text starts there.
func (p *parser) instruction(toks []itok, count int, start itok) {
	var prefixes []itok
	for toks[0].kind == itIdent && intelPrefix(lowerWord(toks[0].text)) != "" {
		prefixes = append(prefixes, toks[0])
		toks = toks[1:]
	}
	t := toks[0]
	if p.sec != nil {
		p.errorf(t.col, "an instruction in data section %s: put code in section .text", p.sec.name)
		return
	}
	if t.kind != itIdent {
		if len(prefixes) > 0 && t.kind == itEOL {
			p.errorf(prefixes[0].col, "prefix %s needs an instruction after it", prefixes[0].text)
			return
		}
		p.errorf(t.col, "expected an instruction, found %s", t)
		return
	}
	p.here, p.inOperands = "", true
	ops, rounding, roundCol, ok := p.instructionOperands(t, toks[1:])
	p.inOperands = false
	if !ok {
		return
	}
	p.instructionOf(prefixes, t, lowerWord(t.text), nil, ops, rounding, roundCol, count, start)
}

// instructionOf appends count copies of the instruction whose prefixes,
// mnemonic t, operands and rounding operand were read (token by token,
// or at once by fastInstruction). start is the statement's first token.
// info is the mnemonic's mnemInfo when the caller looked it up, nil when
// it did not. mnem is t's text in lower case.
func (p *parser) instructionOf(prefixes []itok, t itok, mnem string, info *mnemInfo, ops []*intelOperand, rounding string, roundCol, count int, start itok) {
	if info == nil || len(info.forms) == 0 {
		mnem, ops = pseudoOp(mnem, ops)
		info = lookupMnem(mnem)
	}
	if !p.checkPrefixes(prefixes, mnem, ops) {
		return
	}
	src := ir.Source{Pos: p.pos(start.col), Text: p.fastText}
	if p.fastText == "" {
		src = p.source(start)
	}
	var pre []ir.Stmt
	for _, pt := range prefixes {
		// The line's text goes with the instruction (the line map joins the
		// texts of the statements of a line).
		pre = append(pre, &ir.Inst{Source: ir.Source{Pos: src.Pos}, Op: intelPrefix(strings.ToLower(pt.text))})
	}
	body, ok := p.buildInstruction(mnem, info, t, ops, rounding, roundCol)
	if !ok {
		return
	}
	switch s := body.(type) {
	case *ir.Inst:
		s.Source = src
		if p.spellLater {
			break // spelled from its text, when a message needs it
		}
		if sp := ir.SpellingOf(s); sp != nil {
			// As written: the text from the mnemonic on, and the
			// mnemonic before pseudoOp rewrote it.
			sp.Text = src.Text
			if t.col != start.col {
				sp.Text = p.source(t).Text
			}
			sp.Mnem = lowerWord(t.text)
		}
	case *ir.BytesDef:
		s.Source = src
	}
	for i := 0; i < count; i++ {
		here := p.hereLabel(src.Pos, i)
		for _, st := range pre {
			p.stmts = append(p.stmts, p.copyStmt(st, i))
		}
		c := p.copyStmt(body, i)
		if in, ok := c.(*ir.Inst); ok && here != p.here {
			for k := range in.Args {
				if in.Args[k].Sym == p.here {
					in.Args[k].Sym = here
				}
			}
		}
		p.stmts = append(p.stmts, c)
	}
}

// hereLabel defines the label that $ in the operands of an instruction
// stands for, before copy n of it (times), and returns its name: the
// first copy's is p.here, each later copy has one of its own. It defines
// none when no operand used $.
func (p *parser) hereLabel(at ir.Pos, n int) string {
	if p.here == "" {
		return ""
	}
	name := p.here
	if n > 0 {
		p.heres++
		name = ir.HereLabel(p.heres)
	}
	put(&p.codeLabels, name, at)
	p.stmts = append(p.stmts, &ir.LabelDef{Source: ir.Source{Pos: at}, Name: name})
	return name
}

// shownLabel is a label's name as messages show it: $ for the current
// address.
func shownLabel(name string) string {
	if name == codeStart {
		return "$$"
	}
	if ir.IsHereLabel(name) {
		return "$"
	}
	return name
}

// lowerWord is strings.ToLower for a word that is usually lower case
// already (and then is its own result, allocated nowhere).
func lowerWord(w string) string {
	for i := 0; i < len(w); i++ {
		if c := w[i]; c >= 'A' && c <= 'Z' || c >= 0x80 {
			return strings.ToLower(w)
		}
	}
	return w
}

// instructionOperands parses the operands of the instruction whose
// mnemonic is t, and its rounding operand ({rn-sae} alone, or written on
// an operand as objdump does).
func (p *parser) instructionOperands(t itok, toks []itok) (ops []*intelOperand, rounding string, roundCol int, ok bool) {
	opToks, badComma := p.scratch.splitOperands(toks)
	if badComma > 0 {
		p.errorf(badComma, "missing operand")
		return nil, "", 0, false
	}
	if len(opToks) == 1 && len(opToks[0]) > 1 && opToks[0][0].kind == itPunct && opToks[0][0].text == ":" {
		p.errorf(opToks[0][0].col, "a label needs to start the line (%s:)", t.text)
		return nil, "", 0, false
	}
	setRounding := func(d string, col int) bool {
		if rounding != "" {
			p.errorf(col, "two rounding operands")
			return false
		}
		rounding, roundCol = d, col
		return true
	}
	for _, ot := range opToks {
		if ot[0].kind == itDecor && ot[1].kind == itEOL {
			// A rounding operand: vaddps zmm0, zmm1, zmm2, {rn-sae}.
			d := ot[0].text
			if d != "rn-sae" && d != "rd-sae" && d != "ru-sae" && d != "rz-sae" && d != "sae" {
				p.errorf(ot[0].col, "%s cannot stand alone as an operand (only {rn-sae}, {rd-sae}, {ru-sae}, {rz-sae} and {sae} can)", ot[0])
				return nil, "", 0, false
			}
			if !setRounding(d, ot[0].col) {
				return nil, "", 0, false
			}
			continue
		}
		o, ok := p.parseOperand(ot, operandText(p.lineText, ot))
		if !ok || o.rounding != "" && !setRounding(o.rounding, o.col) {
			return nil, "", 0, false
		}
		if ops == nil {
			ops = p.scratch.ops[:0]
		}
		ops = append(ops, o)
	}
	if ops != nil {
		p.scratch.ops = ops[:0]
	}
	return ops, rounding, roundCol, true
}

// checkPrefixes checks that a lock prefix precedes a read-modify-write
// instruction with a memory destination.
func (p *parser) checkPrefixes(prefixes []itok, mnem string, ops []*intelOperand) bool {
	for _, pt := range prefixes {
		if !strings.EqualFold(pt.text, "lock") {
			continue
		}
		if !lockable[mnem] {
			p.errorf(pt.col, "lock cannot precede %s (only read-modify-write instructions with a memory destination)", mnem)
			return false
		}
		if len(ops) == 0 || ops[0].kind != iopMem {
			p.errorf(pt.col, "lock needs %s to have a memory destination", mnem)
			return false
		}
	}
	return true
}

// copyStmt returns st for the first copy (n == 0) and a fresh copy after
// (times N): operands naming labels are registered once per copy.
func (p *parser) copyStmt(st ir.Stmt, n int) ir.Stmt {
	s, ok := st.(*ir.Inst)
	if !ok {
		return st
	}
	c := s
	if n > 0 {
		cp := *s
		cp.Args = append([]ir.Operand(nil), s.Args...)
		c = &cp
	}
	for i := range c.Args {
		if a := &c.Args[i]; a.Sym != "" {
			p.refs = append(p.refs, labelRef{op: a, inst: c, pos: s.Pos})
		}
	}
	return c
}

// operandText returns the source text of an operand's tokens.
func operandText(line string, toks []itok) string {
	start := toks[0].col - 1
	end := toks[len(toks)-1].col - 1
	if start < 0 || end > len(line) || start > end {
		return ""
	}
	return strings.TrimSpace(line[start:end])
}

// buildInstruction turns a parsed instruction into its statement: an
// instruction, or the bytes of one golang-asm has no mnemonic for.
func (p *parser) buildInstruction(mnem string, info *mnemInfo, t itok, ops []*intelOperand, rounding string, roundCol int) (ir.Stmt, bool) {
	if info != nil && info.branch != "" && len(ops) == 1 && (ops[0].kind == iopLabel || ops[0].kind == iopImm) {
		o := ops[0]
		if o.kind == iopImm || o.label == "" {
			p.errorf(o.col, "%s %s: a numeric branch target needs a linker; branch to a label", mnem, o.text)
			return nil, false
		}
		if o.mask != 0 || o.zeroing || o.bcst != 0 || rounding != "" {
			p.errorf(o.col, "a branch target takes no decoration")
			return nil, false
		}
		in := p.mem.inst(1)
		in.Op = info.branch
		in.Args = append(in.Args, ir.Operand{Kind: ir.LabelOperand, Sym: o.label, Disp: o.imm})
		sp := p.spellingOf(ops, 1)
		sp.ArgOp = append(sp.ArgOp, 0)
		ir.SetSpelling(in, sp)
		return in, true
	}
	for _, o := range ops {
		if o.kind == iopImm && o.size != 0 && o.size != 64 && (mnem == "push" || mnem == "pop") {
			p.errorf(o.col, "%s %s: only 64-bit pushes of an immediate are supported (write %s %d)", mnem, o.sizeWord, mnem, o.imm)
			return nil, false
		}
		if o.kind == iopLabel {
			at := shownLabel(o.label)
			if o.imm != 0 {
				at += fmt.Sprintf("%+d", o.imm)
			}
			p.errorf(o.col, "%s is an address, not a constant: read memory there with [rel %s], get the address with lea reg, [rel %s]", o.text, at, at)
			return nil, false
		}
	}
	f, ok := p.matchIntelForm(mnem, info, t.col, ops)
	if !ok {
		return nil, false
	}
	if f.goOp() == "FMOVD" && mnem == "fst" && ops[0].kind == iopReg && ops[0].reg.Reg == ir.F0 {
		// golang-asm encodes FMOVD F0, F0 as fld st0 (d9 c0): fst st0 is
		// dd d0.
		return &ir.BytesDef{Bytes: []byte{0xdd, 0xd0}}, true
	}
	if b := f.bytes(); b != nil {
		return &ir.BytesDef{Bytes: append([]byte(nil), b...)}, true
	}
	in, ok := p.buildInst(f, mnem, t.col, ops, rounding, roundCol)
	if !ok {
		return nil, false
	}
	return in, true
}

// IsStatementWord reports whether w (lower case) is a word an Intel
// statement starts with: a mnemonic, a branch, a prefix, or a directive
// written without a dot (NASM's).
func IsStatementWord(w string) bool {
	_, branch := intelBranchOp(w)
	return branch || intelPrefix(w) != "" || isNASMDirective(w) || isIntelMnemonic(w)
}

// intelBranchOp returns the Go mnemonic of a branch that takes a label.
func intelBranchOp(mnem string) (string, bool) {
	if info := lookupMnem(mnem); info != nil && info.branch != "" {
		return info.branch, true
	}
	return "", false
}

// pseudoOp rewrites the predicate pseudo-mnemonics (vcmpltps x, y, z is
// vcmpps x, y, z, 1; vpcmpltud k, x, y is vpcmpud k, x, y, 1).
func pseudoOp(mnem string, ops []*intelOperand) (string, []*intelOperand) {
	intelForms()
	if _, known := intelTable.byMnem[mnem]; known {
		return mnem, ops
	}
	withImm := func(base string, v int) (string, []*intelOperand) {
		col := 0
		if len(ops) > 0 {
			col = ops[len(ops)-1].col
		}
		return base, append(ops, &intelOperand{kind: iopImm, imm: int64(v), col: col, text: fmt.Sprint(v)})
	}
	if base, pred, ok := ir.CmpPseudoOp(mnem); ok {
		return withImm(base, pred)
	}
	return mnem, ops
}

// isLibrary reports whether name is a routine of the library
// (Options.Library).
func (p *parser) isLibrary(name string) bool { return p.library != nil && p.library(name) }

// codeStart is the label $$ in code stands for: the start of .text.
var codeStart = ir.HereLabel(0)

// finish resolves the labels operands name, checks global names, and
// appends the data sections.
func (p *parser) finish() {
	if at, ok := p.codeLabels[codeStart]; ok {
		if len(p.stmts) > 0 {
			at = p.stmts[0].Src().Pos // the line the code starts on, for the line map
		}
		p.stmts = slices.Insert(p.stmts, 0, ir.Stmt(&ir.LabelDef{Source: ir.Source{Pos: at}, Name: codeStart}))
	}
	for _, r := range p.refs {
		name := r.op.Sym
		if _, ok := p.dataLabels[name]; ok {
			continue // a GLOBL symbol of its own (emitData)
		}
		if _, ok := p.codeLabels[name]; ok {
			continue
		}
		if _, ok := p.equs[name]; ok {
			p.errs.Add(r.pos, "%s is a constant (equ), not a label", name)
			ir.SetBroken(r.inst, true)
			continue
		}
		if d := p.sectionByName(name); d != nil {
			// An address in a section with no label ($$ + n): an offset
			// from its first symbol, which the others follow.
			if syms := d.symbols(); len(syms) > 0 {
				r.op.Sym = syms[0].Name
				continue
			}
			p.errs.Add(r.pos, "section %s holds nothing to address", d.name)
			ir.SetBroken(r.inst, true)
			continue
		}
		if p.isLibrary(name) {
			continue // the encoder links it (asm/lib.go)
		}
		if r.op.Kind == ir.LabelOperand && r.inst.Op == "CALL" {
			p.errs.Add(r.pos, "undefined label %s: there is no linker, so code can call only labels of its own source and the routines of jitrun's I/O library (jitrun help lib)", name)
		} else {
			p.errs.Add(r.pos, "undefined label %s", name)
		}
		ir.SetBroken(r.inst, true)
	}
	for _, g := range p.globals {
		if _, ok := p.definedAt(g.name); !ok {
			p.errs.Add(g.pos, "global %s: no label %s in this source", g.name, g.name)
		}
	}
	p.emitData()
}

// put sets (*m)[k] = v, making the map on first use.
func put[K comparable, V any](m *map[K]V, k K, v V) {
	if *m == nil {
		*m = map[K]V{}
	}
	(*m)[k] = v
}
