package asm

//go:generate go run ./internal/intelgen

// The Intel-syntax front end: NASM-style source (and GNU as's
// .intel_syntax noprefix dialect) to IR statements.
//
// An instruction is a mnemonic in any case and its operands, destination
// first. intel_forms.go matches it against a table of forms generated from
// the Go assembler's own encoder tests (see internal/inteltab) and builds
// the Go instruction: Go's mnemonic for the operand sizes and its operand
// order. What it accepts:
//
//	rax eax ax al ah r8 r8d r8w r8b spl  registers by their Intel names
//	xmm0-31 ymm0-31 zmm0-31 k0-7 mm0-7 st0-7 st(1)
//	42 0x2a 2ah 0b101 101b 0o17 17q 'a'  numbers, any constant expression
//	[base + index*scale + disp]           memory, terms in any order
//	[rip + disp] [rel label] [label]      RIP-relative (labels always are)
//	byte word dword qword tbyte xmmword ymmword zmmword [ptr]   sizes
//	oword yword zword mmword fword tword                          (NASM names)
//	zmm1{k1}{z}  [rax]{1to16}  {rn-sae} {rd-sae} {ru-sae} {rz-sae} {sae}
//	lock rep repe repz repne repnz        prefixes
//	jmp/jcc/call/loop/jrcxz/xbegin label  branches (short or near: the
//	                                      encoder picks)
//	vcmpltps, cmpeqsd, vpcmpltud …        predicate pseudo-mnemonics
//
// Directives (with or without a leading dot where GNU as has one):
//
//	name:  .local:                        labels (.local is scoped to the
//	                                      label before it: main.local)
//	name equ expr   .equ/.set name, expr  constants
//	section .text|.data|.rodata|.bss      (segment, .text, .data, .section)
//	db dw dd dq, .byte .word .long .quad .ascii .asciz .string .zero
//	resb resw resd resq, times N …, align N, .p2align, .balign
//	global/.globl name                    accepted (names must be defined)
//	extern name                           an error: there is no linker
//	bits 64, [bits 64], default rel, .intel_syntax noprefix
//	.type .size .file .ident .cfi_*       accepted and ignored
//
// Code in .text becomes the instructions of one function (labels are
// labels in it). Each data section becomes one GLOBL symbol laid out after
// the code, in the order written, so that NASM's contiguous data stays
// contiguous: the symbol is named after the section's first label (or the
// section, .data, when data comes before any label), and the other labels
// are offsets into it, reachable as [rel name] and listed in no symbol
// table. A numeric [rip + n] is relative to the end of its instruction,
// which a label named ..rip.LINE.COL marks (Program.Labels lists it). A
// name used before its equ or data label is defined takes a second pass.
// A data section holds at most 64 MiB, data in code 16 MiB, and times
// repeats an instruction at most 65536 times.

import (
	"fmt"
	"strings"
)

// intelParser holds the state of one parse.
type intelParser struct {
	file string
	errs errorSink
	// The line being parsed.
	line     int
	lineText string
	stmts    []Stmt
	// sec is the data section being written, nil in .text.
	sec      *intelSection
	sections []*intelSection
	// scope is the last label not starting with '.', for local labels.
	scope string
	equs  map[string]ival
	// dataLabels are the labels defined in data sections.
	dataLabels map[string]dataLabel
	codeLabels map[string]Pos
	globals    []nameRef
	// refs are the memory operands and branch targets that name a label,
	// resolved when the whole source is read.
	refs []labelRef
	// prev is the previous pass, whose equ and data label values stand in
	// for names used before their definition; forward is set when a name
	// was not known where it was used.
	prev    *intelParser
	forward bool
	// lineStart is the first token of the line (a data line's text starts
	// there, with its labels).
	lineStart itok
	// codeData counts the bytes data directives placed in code.
	codeData int64
}

type nameRef struct {
	name string
	pos  Pos
}

type dataLabel struct {
	sec *intelSection
	off int64
	pos Pos
}

// labelRef is an operand that names a label: a MemOperand or a
// LabelOperand whose Sym is resolved at the end.
type labelRef struct {
	op  *Operand
	pos Pos
}

// maxTimesInst bounds the copies times makes of an instruction.
const maxTimesInst = 1 << 16

// maxIntelPasses bounds the passes over a source: a name used before its
// equ or its data label takes a second pass, which sees the values of the
// first; data whose size depends on such names may take more.
const maxIntelPasses = 4

// parseIntel parses Intel-syntax assembly.
func parseIntel(file string, src []byte) ([]Stmt, ErrorList) {
	var prev *intelParser
	for pass := 1; ; pass++ {
		p := &intelParser{
			file:       file,
			equs:       map[string]ival{},
			dataLabels: map[string]dataLabel{},
			codeLabels: map[string]Pos{},
			prev:       prev,
		}
		p.run(src)
		if !p.forward || pass == maxIntelPasses || (prev != nil && p.sameValues(prev)) {
			if p.errs.len() > 0 {
				return nil, p.errs.list()
			}
			return p.stmts, nil
		}
		prev = p
	}
}

// sameValues reports whether two passes gave every equ and data label the
// same value.
func (p *intelParser) sameValues(q *intelParser) bool {
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
func (p *intelParser) run(src []byte) {
	text := string(src)
	for n := 1; len(text) > 0 || n == 1; n++ {
		var line string
		line, text, _ = strings.Cut(text, "\n")
		p.line, p.lineText = n, line
		p.parseLine(line)
		if p.errs.full() {
			break
		}
		if len(text) == 0 {
			break
		}
	}
	p.finish()
}

func (p *intelParser) pos(col int) Pos { return Pos{File: p.file, Line: p.line, Col: col} }

func (p *intelParser) errorf(col int, format string, args ...any) {
	p.errs.add(p.pos(col), format, args...)
}

// source is the Source of a statement starting at toks[0].
func (p *intelParser) source(t itok) Source {
	text := p.lineText
	if t.col-1 <= len(text) {
		text = text[t.col-1:]
	}
	if i := commentStart(text); i >= 0 {
		text = text[:i]
	}
	return Source{Pos: p.pos(t.col), Text: strings.TrimSpace(text)}
}

// commentStart returns the index of the comment in a line, or -1.
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

// parseLine parses one source line: labels, then a directive or an
// instruction.
func (p *intelParser) parseLine(line string) {
	toks, _, errCol, errMsg := lexIntelLine(line)
	if errMsg != "" {
		p.errorf(errCol, "%s", errMsg)
		return
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
func (p *intelParser) statement(toks []itok) {
	t := toks[0]
	word := strings.ToLower(t.text)
	if word == "times" {
		p.times(toks)
		return
	}
	if p.directive(word, toks) {
		return
	}
	p.instruction(toks, 1)
}

// times repeats the statement after it: times N db 0, times 4 nop.
func (p *intelParser) times(toks []itok) {
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
	p.instruction(rest, int(v.c))
}

// label defines a label at the current position.
func (p *intelParser) label(t itok) {
	name := t.text
	if _, ok := lookupIntelReg(name); ok {
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
		p.dataLabels[full] = dataLabel{sec: p.sec, off: p.sec.size, pos: p.pos(t.col)}
		p.sec.labels = append(p.sec.labels, full)
		p.sec.offsets = append(p.sec.offsets, p.sec.size)
		return
	}
	p.codeLabels[full] = p.pos(t.col)
	p.stmts = append(p.stmts, &LabelDef{Source: Source{Pos: p.pos(t.col), Text: name + ":"}, Name: full})
}

// qualify gives a local label (.x) its full name (scope.x).
func (p *intelParser) qualify(name string) string {
	if strings.HasPrefix(name, ".") && !strings.HasPrefix(name, "..") {
		return p.scope + name
	}
	return name
}

func (p *intelParser) definedAt(name string) (Pos, bool) {
	if at, ok := p.codeLabels[name]; ok {
		return at, true
	}
	if d, ok := p.dataLabels[name]; ok {
		return d.pos, true
	}
	if _, ok := p.equs[name]; ok {
		return Pos{}, true
	}
	return Pos{}, false
}

// equ defines a constant.
func (p *intelParser) equ(name itok, toks []itok) {
	full := p.qualify(name.text)
	if _, ok := lookupIntelReg(full); ok {
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
	p.equs[full] = v
}

// nameValue is the value of a name in an expression: an equ constant, a
// data label defined above, the current position ($, $$ in data), or a
// label to resolve later.
func (p *intelParser) nameValue(name string, col int, e *exprParser) ival {
	switch name {
	case "$", "$$":
		if p.sec == nil {
			return e.fail(col, "%s (the current address) is only known in data sections; in code, use a label", name)
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
	p.forward = true
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
	var out [][]itok
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
						return nil, t.col
					}
					out = append(out, append(toks[start:i:i], itok{kind: itEOL, col: t.col}))
					start = i + 1
				}
			}
		}
		if t.kind == itEOL {
			if i == start {
				if len(out) > 0 {
					return nil, t.col
				}
				return nil, 0
			}
			out = append(out, append(toks[start:i:i], itok{kind: itEOL, col: t.col}))
			break
		}
	}
	return out, 0
}

// prefixes maps the Intel prefix words to Go's prefix instructions.
var intelPrefixes = map[string]string{
	"lock": "LOCK", "rep": "REP", "repe": "REP", "repz": "REP", "repne": "REPN", "repnz": "REPN",
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

// instruction parses an instruction and appends it count times.
func (p *intelParser) instruction(toks []itok, count int) {
	var prefixes []itok
	for toks[0].kind == itIdent && intelPrefixes[strings.ToLower(toks[0].text)] != "" {
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
	mnem := strings.ToLower(t.text)
	src := p.source(t)
	if len(prefixes) > 0 {
		src = p.source(prefixes[0])
	}
	opToks, badComma := splitOperands(toks[1:])
	if badComma > 0 {
		p.errorf(badComma, "missing operand")
		return
	}
	if len(opToks) == 1 && len(opToks[0]) > 1 && opToks[0][0].kind == itPunct && opToks[0][0].text == ":" {
		p.errorf(opToks[0][0].col, "a label needs to start the line (%s:)", t.text)
		return
	}
	var ops []*intelOperand
	rounding, roundCol := "", 0
	for _, ot := range opToks {
		if ot[0].kind == itDecor && ot[1].kind == itEOL {
			// A rounding operand: vaddps zmm0, zmm1, zmm2, {rn-sae}.
			d := ot[0].text
			if d != "rn-sae" && d != "rd-sae" && d != "ru-sae" && d != "rz-sae" && d != "sae" {
				p.errorf(ot[0].col, "%s cannot stand alone as an operand (only {rn-sae}, {rd-sae}, {ru-sae}, {rz-sae} and {sae} can)", ot[0])
				return
			}
			if rounding != "" {
				p.errorf(ot[0].col, "two rounding operands")
				return
			}
			rounding, roundCol = d, ot[0].col
			continue
		}
		text := operandText(p.lineText, ot)
		o, ok := p.parseOperand(ot, text)
		if !ok {
			return
		}
		if o.rounding != "" {
			if rounding != "" {
				p.errorf(o.col, "two rounding operands")
				return
			}
			rounding, roundCol = o.rounding, o.col
		}
		ops = append(ops, o)
	}
	mnem, ops = p.pseudoOp(mnem, ops)
	for _, pt := range prefixes {
		pw := strings.ToLower(pt.text)
		if pw == "lock" && !lockable[mnem] {
			p.errorf(pt.col, "lock cannot precede %s (only read-modify-write instructions with a memory destination)", mnem)
			return
		}
		if pw == "lock" && (len(ops) == 0 || ops[0].kind != iopMem) {
			p.errorf(pt.col, "lock needs %s to have a memory destination", mnem)
			return
		}
	}
	var insts []Stmt
	for _, pt := range prefixes {
		// The line's text goes with the instruction (the line map joins the
		// texts of the statements of a line).
		insts = append(insts, &Inst{Source: Source{Pos: src.Pos}, Op: intelPrefixes[strings.ToLower(pt.text)]})
	}
	body, ok := p.buildInstruction(mnem, t, ops, rounding, roundCol)
	if !ok {
		return
	}
	for _, st := range body {
		switch s := st.(type) {
		case *Inst:
			s.Source = src
		case *BytesDef:
			s.Source = src
		case *LabelDef:
			s.Source = Source{Pos: src.Pos}
		}
	}
	insts = append(insts, body...)
	for i := 0; i < count; i++ {
		for _, st := range insts {
			p.stmts = append(p.stmts, p.copyStmt(st, i))
		}
	}
}

// copyStmt returns st for the first copy (n == 0) and a fresh copy after
// (times N): operands naming labels are registered once per copy.
func (p *intelParser) copyStmt(st Stmt, n int) Stmt {
	switch s := st.(type) {
	case *Inst:
		c := *s
		if n > 0 {
			c.Args = append([]Operand(nil), s.Args...)
			// The line map shows the line's text once, not once a copy.
			c.Text = ""
		}
		for i := range c.Args {
			a := &c.Args[i]
			switch {
			case strings.HasPrefix(a.Sym, ripLabelPrefix):
				if n > 0 {
					a.Sym = fmt.Sprintf("%s.%d", a.Sym, n)
				}
			case a.Sym != "":
				p.refs = append(p.refs, labelRef{op: a, pos: s.Pos})
			}
		}
		return &c
	case *LabelDef:
		c := *s
		if n > 0 {
			// A [rip + n] label in a repeated instruction: one per copy.
			c.Name = fmt.Sprintf("%s.%d", s.Name, n)
		}
		return &c
	}
	return st
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

// ripLabelPrefix starts the names of the labels made for [rip + n]
// (..rip.LINE.COL): a name this front end reads back (a listing shows it),
// global like every name starting with "..", and one no source is likely
// to define (if one does, the label is reported as redefined).
const ripLabelPrefix = "..rip."

// buildInstruction turns a parsed instruction into statements: the
// instruction, and after it the label a [rip + n] operand is relative to.
func (p *intelParser) buildInstruction(mnem string, t itok, ops []*intelOperand, rounding string, roundCol int) ([]Stmt, bool) {
	if goOp, ok := p.branchOp(mnem); ok && len(ops) == 1 && (ops[0].kind == iopLabel || ops[0].kind == iopImm) {
		o := ops[0]
		if o.kind == iopImm || o.label == "" {
			p.errorf(o.col, "%s %s: a numeric branch target needs a linker; branch to a label", mnem, o.text)
			return nil, false
		}
		if o.mask != 0 || o.zeroing || o.bcst != 0 || rounding != "" {
			p.errorf(o.col, "a branch target takes no decoration")
			return nil, false
		}
		in := &Inst{Op: goOp, Args: []Operand{{Kind: LabelOperand, Sym: o.label, Disp: o.imm}}}
		return []Stmt{in}, true
	}
	for _, o := range ops {
		if o.kind == iopImm && o.size != 0 && o.size != 64 && (mnem == "push" || mnem == "pop") {
			p.errorf(o.col, "%s %s: only 64-bit pushes of an immediate are supported (write %s %d)", mnem, o.sizeWord, mnem, o.imm)
			return nil, false
		}
		if o.kind == iopLabel {
			name := o.label
			p.errorf(o.col, "%s is an address, not a constant: read memory there with [rel %s], get the address with lea reg, [rel %s]", o.text, name, name)
			return nil, false
		}
	}
	f, ok := p.matchIntelForm(mnem, t.col, ops)
	if !ok {
		return nil, false
	}
	if f.bytes != nil {
		return []Stmt{&BytesDef{Bytes: append([]byte(nil), f.bytes...)}}, true
	}
	in, ok := p.buildInst(f, mnem, t.col, ops, rounding, roundCol)
	if !ok {
		return nil, false
	}
	out := []Stmt{in}
	for _, o := range ops {
		if !o.rip || o.sym != "" {
			continue
		}
		// [rip + n]: relative to the end of this instruction, which a label
		// right after it marks.
		name := fmt.Sprintf("%s%d.%d", ripLabelPrefix, p.line, o.col)
		for j := range in.Args {
			a := &in.Args[j]
			if a.Kind == MemOperand && a.Reg == 0 && a.Index == 0 && a.Sym == "" && a.Disp == o.disp {
				a.Sym = name
			}
		}
		out = append(out, &LabelDef{Name: name})
	}
	return out, true
}

// branchOp returns the Go mnemonic of a branch that takes a label.
func (p *intelParser) branchOp(mnem string) (string, bool) {
	if op, ok := intelBranches[mnem]; ok {
		return op, true
	}
	if cc, ok := strings.CutPrefix(mnem, "j"); ok {
		intelForms()
		if goCC, ok := intelTable.goCond[cc]; ok {
			return "J" + goCC, true
		}
	}
	return "", false
}

// cmpPredicates are the comparison predicates of cmpps and vcmpps, by
// value (the first 8 for SSE).
var cmpPredicates = []string{
	"eq", "lt", "le", "unord", "neq", "nlt", "nle", "ord",
	"eq_uq", "nge", "ngt", "false", "neq_oq", "ge", "gt", "true",
	"eq_os", "lt_oq", "le_oq", "unord_s", "neq_us", "nlt_uq", "nle_uq", "ord_s",
	"eq_us", "nge_uq", "ngt_uq", "false_os", "neq_os", "ge_oq", "gt_oq", "true_us",
}

// cmpPredicateAliases are other names of the first eight predicates.
var cmpPredicateAliases = map[string]int{
	"eq_oq": 0, "lt_os": 1, "le_os": 2, "unord_q": 3, "neq_uq": 4, "nlt_us": 5, "nle_us": 6, "ord_q": 7,
}

// vpcmpPredicates are the predicates of vpcmp{b,w,d,q,ub,uw,ud,uq}.
var vpcmpPredicates = map[string]int{"eq": 0, "lt": 1, "le": 2, "false": 3, "neq": 4, "nlt": 5, "nle": 6, "true": 7}

// pseudoOp rewrites the predicate pseudo-mnemonics (vcmpltps x, y, z is
// vcmpps x, y, z, 1; vpcmpltud k, x, y is vpcmpud k, x, y, 1).
func (p *intelParser) pseudoOp(mnem string, ops []*intelOperand) (string, []*intelOperand) {
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
	for _, pre := range []string{"vcmp", "cmp"} {
		rest, ok := strings.CutPrefix(mnem, pre)
		if !ok || len(rest) < 3 {
			continue
		}
		typ := rest[len(rest)-2:]
		if typ != "ps" && typ != "pd" && typ != "ss" && typ != "sd" {
			continue
		}
		pred := rest[:len(rest)-2]
		n := -1
		for i, name := range cmpPredicates {
			if name == pred {
				n = i
			}
		}
		if v, ok := cmpPredicateAliases[pred]; ok {
			n = v
		}
		if n < 0 || (pre == "cmp" && n >= 8) {
			continue
		}
		return withImm(pre+typ, n)
	}
	if rest, ok := strings.CutPrefix(mnem, "vpcmp"); ok {
		for pred, v := range vpcmpPredicates {
			typ, ok := strings.CutPrefix(rest, pred)
			if !ok {
				continue
			}
			switch typ {
			case "b", "w", "d", "q", "ub", "uw", "ud", "uq":
				return withImm("vpcmp"+typ, v)
			}
		}
	}
	return mnem, ops
}

// finish resolves the labels operands name, checks global names, and
// appends the data sections.
func (p *intelParser) finish() {
	for _, r := range p.refs {
		name := r.op.Sym
		if d, ok := p.dataLabels[name]; ok {
			if d.off >= d.sec.size {
				p.errs.add(r.pos, "label %s marks no data (nothing follows it in %s)", name, d.sec.name)
				continue
			}
			r.op.Sym = d.sec.symbol()
			r.op.Disp += d.off
			continue
		}
		if _, ok := p.codeLabels[name]; ok {
			continue
		}
		if _, ok := p.equs[name]; ok {
			p.errs.add(r.pos, "%s is a constant (equ), not a label", name)
			continue
		}
		if d := p.sectionByName(name); d != nil {
			if r.op.Disp >= d.size {
				p.errs.add(r.pos, "this address is past the data in %s (a label there marks no data)", d.name)
				continue
			}
			r.op.Sym = d.symbol()
			continue
		}
		p.errs.add(r.pos, "undefined label %s", name)
	}
	for _, g := range p.globals {
		if _, ok := p.definedAt(g.name); !ok {
			p.errs.add(g.pos, "global %s: no label %s in this source", g.name, g.name)
		}
	}
	p.emitData()
}
