package gosyntax

// The Go-syntax parser: preprocessed statements to IR statements. It reads
// the operand grammar of `go tool asm` for amd64:
//
//	AX  X0  Y31  Z7  K1  AL  AH  R8B          registers
//	$42  $-1  $0x10  $'a'  $(1<<4)  $~0      integer constants
//	$1.5  $(-2.0)  $"text"                    float and string constants
//	8(SP)  -8(BP)(CX*4)  (AX)(BX*1)  8(X4*1)  memory
//	0x1000                                    memory at an absolute address
//	name+8(SB)  name<>(SB)  $name(SB)         symbols (RIP-relative)
//	label  name(SB)  2(PC)                    branch targets
//	*name(SB)                                 indirect branch through memory
//	[Z0-Z3]                                   register ranges
//
// and the directives TEXT, GLOBL, DATA, PCALIGN, PCDATA and FUNCDATA (the
// last two are accepted and ignored: they describe Go stack maps).

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jitrun/jitrun/asm/internal/ir"
	"github.com/jitrun/jitrun/asm/internal/slab"
)

// ParseFunc parses Go-syntax assembly and hands each statement it could
// read to emit, in order, as soon as it is read (those of plain lines a
// batch at a time). emit returns true when the caller has let go of every
// statement handed to it so far: the parser then uses their memory again
// for the statements it reads next. letGo, if not nil, asks the caller
// to let go of them all and reports whether it did: the parser calls it
// after a batch when emit did not say so.
func ParseFunc(file string, src []byte, emit func(ir.Stmt) bool, letGo func() bool) *ir.Errors {
	return parse(file, src, readMode{fast: true, window: minWindow}, emit, letGo)
}

// readMode says how parse reads a source: plain lines straight from
// their text (plainLines) when fast is set, token by token otherwise; the
// lexer through windows of at least window bytes (window.go).
type readMode struct {
	fast   bool
	window int
}

// parse is ParseFunc, reading src as mode says.
func parse(file string, src []byte, mode readMode, emit func(ir.Stmt) bool, letGo func() bool) *ir.Errors {
	var errs ir.Errors
	p := newParser(file, &errs, emit)
	p.letGo = letGo
	var pp *preproc
	pp = newPreproc(file, src, &errs, true, func(st stmtToks) {
		if errs.Full() {
			return
		}
		p.src = pp.lx.src // the tokens' offsets are in the lexer's window
		p.handOver(p.statement(st, p.out[:0]))
	})
	pp.lx.minWindow = mode.window
	if mode.fast {
		pp.plain = func() bool { return p.plainLines(pp) }
	}
	pp.run()
	return &errs
}

// newParser returns a parser of file that reports its errors in errs
// and hands its statements to emit.
func newParser(file string, errs *ir.Errors, emit func(ir.Stmt) bool) *parser {
	return &parser{file: file, errs: errs, emit: emit, regs: registers(), insts: slab.MakeUncleared[ir.Inst](slabFirst, maxInstBlock), args: slab.MakeUncleared[ir.Operand](slabFirst, maxArgBlock)}
}

// handOver hands statements to p.emit (those read from one statement's
// tokens, or a batch of plain lines'), and uses the memory of the
// instructions again once it has let go of them: when emit says so, or
// after a whole batch, when p.letGo does.
func (p *parser) handOver(stmts []ir.Stmt) {
	free := false
	for i, s := range stmts {
		free = p.emit(s)
		stmts[i] = nil
	}
	p.out = stmts[:0]
	if free || len(stmts) >= ir.HandOverBatch && p.letGo != nil && p.letGo() {
		// The slots newInst holds are in the blocks used again.
		p.freeInsts, p.freeArgs = nil, nil
		p.insts.Reuse()
		p.args.Reuse()
	}
}

type parser struct {
	file string
	// src is the lexer's window (window.go) the current statement's tokens
	// come from.
	src   string
	errs  *ir.Errors
	emit  func(ir.Stmt) bool
	letGo func() bool // may be nil (ParseFunc)
	out   []ir.Stmt   // the statements of one statement's tokens, reused
	opBuf [][]token
	// plainSyms are the symbols of the instruction plainLines reads,
	// reused; texts holds the texts and names it hands over, copied from
	// the source (appended to only, so that the strings made of it never
	// change), textBuf is where it writes one first, textRoom is how
	// much of the source is left from the line it reads, and regs is
	// registers(), the table it looks registers up in.
	plainSyms []plainSym
	texts     []byte
	textBuf   []byte
	textRoom  int
	regs      *regTable
	// partial is the TEXT or GLOBL being parsed. When the rest of its line
	// has an error, it still goes into the statements, marked broken, so
	// that the statements after it are not reported as outside a TEXT
	// block or as using an undefined symbol.
	partial ir.Stmt
	// Instructions and their operands are allocated in blocks, which are
	// used again once the consumer of the statements lets go of them.
	insts slab.Slab[ir.Inst]
	args  slab.Slab[ir.Operand]
	// freeInsts and freeArgs are what newInst took from the slabs and
	// has not handed out yet.
	freeInsts []ir.Inst
	freeArgs  []ir.Operand
}

// The most instructions and operands in a block of the parser's slabs.
// The blocks grow from 8 to these; small ones fit what a consumer holds
// before it lets go (the encoder: 512 instructions, about 1,000
// operands) with little unused: 64 and 128 allocate 5% less per
// assembly of amd64enc.s than 256 and 512.
// slabFirst is the size of their first blocks (slab.Make's).
const (
	slabFirst    = 8
	maxInstBlock = 64
	maxArgBlock  = 128
)

// newInst returns a zeroed Inst with room for n operands. The slabs are
// not cleared when their blocks are used again: the Inst is written
// whole here, and whoever fills its operands writes each whole.
func (p *parser) newInst(n int) *ir.Inst {
	if n > len(p.freeArgs) {
		p.freeArgs = p.args.Take(max(n, argChunk))
	}
	args := p.freeArgs[:0:n]
	p.freeArgs = p.freeArgs[n:]
	in := p.instSlot()
	*in = ir.Inst{Args: args}
	return in
}

// instSlot returns the slot of an instruction, as it was left
// (unwritten, or an earlier statement's).
func (p *parser) instSlot() *ir.Inst {
	if len(p.freeInsts) == 0 {
		p.freeInsts = p.insts.Take(instChunk)
	}
	in := &p.freeInsts[0]
	p.freeInsts = p.freeInsts[1:]
	return in
}

// moreArgs starts a new chunk of operand slots for an instruction whose
// first n operands were read into the last n slots of the chunk, which
// has no more: they are copied to the new chunk's first.
func (p *parser) moreArgs(n int) {
	fresh := p.args.Take(argChunk)
	copy(fresh, p.freeArgs[:n])
	p.freeArgs = fresh
}

// The instructions and operands newInst takes from the slabs at once,
// and then hands out one instruction and its operands at a time (a call
// of the slab's Take for each costs more than the rest of newInst).
// argChunk holds more operands than a plain instruction has
// (maxPlainOperands).
const (
	instChunk = 8
	argChunk  = 16
)

// parseError is an error at a token, raised by the operand parser's helpers
// and recovered per statement.
type parseError struct {
	at  token
	msg string
}

func (p *parser) pos(t token) ir.Pos {
	return ir.Pos{File: p.file, Line: int(t.line), Col: int(t.col)}
}

func (p *parser) source(toks []token) ir.Source {
	return ir.Source{Pos: p.pos(toks[0]), Text: tokenText(p.src, toks)}
}

// statement parses one statement and appends what it defines.
func (p *parser) statement(st stmtToks, out []ir.Stmt) (result []ir.Stmt) {
	toks := st.toks
	// Labels: name: [statement]
	for len(toks) >= 2 && toks[0].kind == tokIdent && toks[1].is(":") {
		out = append(out, &ir.LabelDef{Source: p.source(toks[:2]), Name: toks[0].text})
		toks = toks[2:]
	}
	if len(toks) == 0 {
		return out
	}
	defer func() {
		if r := recover(); r != nil {
			pe, ok := r.(parseError)
			if !ok {
				panic(r)
			}
			p.errs.Add(p.pos(pe.at), "%s", pe.msg)
			result = out
			if p.partial != nil {
				result = append(result, p.partial)
			}
		}
	}()
	p.partial = nil
	head := toks[0]
	if head.kind != tokIdent {
		fail(head, "expected an instruction or a label, found %s", describeTok(head))
	}
	// The mnemonic and its .SUFFIX parts.
	op := head.text
	var suffix []string
	i := 1
	for i+1 < len(toks) && toks[i].is(".") && toks[i].off == toks[i-1].end && toks[i+1].kind == tokIdent {
		suffix = append(suffix, toks[i+1].text)
		i += 2
	}
	if i < len(toks) && toks[i].is(".") {
		fail(toks[i], "bad suffix after %s", op)
	}
	operands := p.splitOperands(toks[i:])
	src := p.source(toks)
	if st.orig != nil && len(toks) == len(st.toks) {
		src.Text = tokenText(p.src, st.orig)
	}
	switch op {
	case "TEXT":
		return append(out, p.text(src, head, operands))
	case "GLOBL":
		return append(out, p.globl(src, head, operands))
	case "DATA":
		return append(out, p.data(src, head, operands))
	case "PCALIGN":
		if len(operands) != 1 {
			fail(head, "PCALIGN takes one operand: PCALIGN $16")
		}
		return append(out, &ir.AlignDef{Source: src, Align: p.immediate(operands[0], "PCALIGN")})
	case "PCDATA", "FUNCDATA":
		// Go stack-map metadata: meaningless here, accepted for copied code.
		if len(operands) != 2 {
			fail(head, "%s takes two operands", op)
		}
		return out
	}
	in := p.newInst(len(operands))
	in.Source, in.Op = src, op
	if len(suffix) > 0 {
		in.Suffix = strings.Join(suffix, ".")
	}
	jump := isJumpName(op)
	for _, opd := range operands {
		in.Args = append(in.Args, p.operand(opd, jump))
	}
	return append(out, in)
}

// isJumpName reports whether a mnemonic takes a branch target, as go tool
// asm decides it.
func isJumpName(op string) bool {
	return op != "" && op[0] == 'J' || op == "CALL" || strings.HasPrefix(op, "LOOP") || op == "XBEGIN"
}

func fail(at token, format string, args ...any) {
	panic(parseError{at: at, msg: fmt.Sprintf(format, args...)})
}

func describeTok(t token) string {
	switch t.kind {
	case tokEOF:
		return "end of statement"
	case tokString:
		return "string " + t.text
	case tokChar:
		return "character " + t.text
	}
	return strconv.Quote(t.text)
}

// splitOperands splits at commas outside parentheses and brackets. The
// result is only valid until the next call.
func (p *parser) splitOperands(toks []token) [][]token {
	if len(toks) == 0 {
		return nil
	}
	out := p.opBuf[:0]
	depth, start := 0, 0
	for i := range toks {
		t := &toks[i]
		if t.kind != tokPunct || len(t.text) != 1 {
			continue
		}
		switch t.text[0] {
		case '(', '[':
			depth++
		case ')', ']':
			depth--
		case ',':
			if depth == 0 {
				if i == start {
					fail(*t, "missing operand before ','")
				}
				out = append(out, toks[start:i])
				start = i + 1
			}
		}
	}
	if start == len(toks) {
		fail(toks[len(toks)-1], "missing operand after ','")
	}
	out = append(out, toks[start:])
	p.opBuf = out
	return out
}

// cursor walks the tokens of one operand.
type cursor struct {
	toks []token
	i    int
	end  token // a token positioned after the operand, for messages
	// depth is how deeply the expression being read nests (parentheses
	// and unary operators), bounded by maxExprDepth.
	depth int
}

func newCursor(toks []token) *cursor {
	last := toks[len(toks)-1]
	return &cursor{toks: toks, end: token{kind: tokEOF, line: last.line, col: last.col + int32(utf8.RuneCountInString(last.text))}}
}

func (c *cursor) peek() token {
	if c.i < len(c.toks) {
		return c.toks[c.i]
	}
	return c.end
}

func (c *cursor) peekAt(k int) token {
	if c.i+k < len(c.toks) {
		return c.toks[c.i+k]
	}
	return c.end
}

func (c *cursor) next() token {
	t := c.peek()
	if c.i < len(c.toks) {
		c.i++
	}
	return t
}

func (c *cursor) done() bool { return c.i >= len(c.toks) }

// maxExprDepth bounds how deeply an expression nests, so that a hostile
// source cannot exhaust the stack of the parser's recursion.
const maxExprDepth = 1000

// enter enters one more level of an expression at t (a parenthesis, a
// sign); the caller leaves it with c.depth--.
func (c *cursor) enter(t token) {
	c.depth++
	if c.depth > maxExprDepth {
		fail(t, "expression nested too deeply (more than %d levels of parentheses and signs)", maxExprDepth)
	}
}

// nestedFactor parses the factor after a sign at t, one level deeper.
func (c *cursor) nestedFactor(t token) uint64 {
	c.enter(t)
	v := factor(c)
	c.depth--
	return v
}

// nestedFloat parses the float constant after a sign or a parenthesis at
// t, one level deeper.
func (c *cursor) nestedFloat(t token) float64 {
	c.enter(t)
	v := floatExpr(c)
	c.depth--
	return v
}

func (c *cursor) expect(punct string) token {
	t := c.next()
	if !t.is(punct) {
		fail(t, "expected %q, found %s", punct, describeTok(t))
	}
	return t
}

func (c *cursor) mustEnd() {
	if !c.done() {
		fail(c.peek(), "unexpected %s after operand", describeTok(c.peek()))
	}
}

// pseudo-registers of Go assembly.
func isPseudoReg(name string) bool {
	return name == "SB" || name == "FP" || name == "PC"
}

// pseudoRegMessage explains a pseudo-register used on its own.
func pseudoRegMessage(name string) string {
	switch name {
	case "FP":
		return "FP is the Go assembler's argument-frame pseudo-register (name+8(FP) is an argument of a Go function), which only the Go toolchain can provide: jitrun code gets its arguments in registers, integers in DI, SI, DX, CX, R8, R9 and floats in X0-X7"
	case "SB":
		return "SB is the Go assembler's static-base pseudo-register: it only appears as name(SB), a TEXT or GLOBL symbol of this source (MOVQ name(SB), AX reads it; LEAQ name(SB), AX takes its address)"
	case "PC":
		return "PC is the Go assembler's program-counter pseudo-register: it only appears as N(PC), a branch target N instructions away (JMP 2(PC)); to branch, use a label"
	}
	return name + " is a pseudo-register"
}

// isSegReg reports whether r is a segment register.
func isSegReg(r ir.Reg) bool {
	switch r {
	case ir.CS, ir.DS, ir.ES, ir.FS, ir.GS, ir.SS:
		return true
	}
	return false
}

func isRegName(name string) bool {
	_, ok := ir.LookupReg(name)
	return ok
}

// operand parses one operand.
func (p *parser) operand(toks []token, jump bool) ir.Operand {
	c := newCursor(toks)
	prefix := ""
	if t := c.peek(); t.is("$") || t.is("*") {
		prefix = t.text
		c.next()
		if c.done() {
			fail(t, "missing operand after %s", t.text)
		}
	}
	first := c.peek()
	var firstReg ir.Reg
	firstIsReg := false
	if first.kind == tokIdent {
		firstReg, firstIsReg = ir.LookupReg(first.text)
	}
	switch {
	case first.is("["):
		if prefix != "" {
			fail(first, "a register range cannot take %s", prefix)
		}
		return p.regList(c)
	case firstIsReg:
		c.next()
		if prefix != "" {
			fail(first, "register %s cannot take %s", first.text, prefix)
		}
		if c.peek().is("(") {
			fail(c.peek(), "a register cannot be followed by an address: write the offset first, as 8(%s)", first.text)
		}
		c.mustEnd()
		return ir.Operand{Kind: ir.RegOperand, Reg: firstReg}
	case first.kind == tokIdent && !isPseudoReg(first.text):
		return p.symbolOperand(c, prefix, jump)
	case first.kind == tokString:
		c.next()
		if prefix != "$" {
			fail(first, "a string constant must be an immediate: $%s", first.text)
		}
		s, err := strconv.Unquote(first.text)
		if err != nil {
			fail(first, "bad string %s", first.text)
		}
		c.mustEnd()
		return ir.Operand{Kind: ir.StringOperand, String: s}
	}
	if hasFloat(c.toks[c.i:]) {
		if prefix != "$" {
			fail(first, "a floating-point constant must be an immediate: $%s", tokenText(p.src, c.toks[c.i:]))
		}
		f := floatExpr(c)
		c.mustEnd()
		return ir.Operand{Kind: ir.FloatOperand, Float: f}
	}
	// An offset expression, unless the operand starts with (register).
	var disp int64
	if !(first.is("(") && (isRegName(c.peekAt(1).text) || isPseudoReg(c.peekAt(1).text))) {
		disp = int64(expr(c))
		if c.done() {
			switch prefix {
			case "$":
				return ir.Operand{Kind: ir.ImmOperand, Imm: disp}
			case "*":
				fail(first, "indirect through a constant is not an operand")
			}
			// A bare number is memory at an absolute address, as in go tool
			// asm (MOVQ 0x1000, AX); CMPPS takes it as its predicate.
			return ir.Operand{Kind: ir.MemOperand, Disp: disp}
		}
	}
	return p.indirect(c, prefix, disp, jump)
}

// indirect parses (reg), (reg)(index*scale), (index*scale) and N(PC) after
// an offset.
func (p *parser) indirect(c *cursor, prefix string, disp int64, jump bool) ir.Operand {
	open := c.expect("(")
	t := c.next()
	var r ir.Reg
	isReg := false
	if t.kind == tokIdent {
		r, isReg = ir.LookupReg(t.text)
	}
	if !isReg && (t.kind != tokIdent || !isPseudoReg(t.text)) {
		fail(t, "expected a register after '(', found %s", describeTok(t))
	}
	switch t.text {
	case "PC":
		c.expect(")")
		c.mustEnd()
		if prefix != "" || !jump {
			fail(t, "N(PC) is a branch target: it works only with jumps")
		}
		return ir.Operand{Kind: ir.LabelOperand, Disp: disp}
	case "SB":
		fail(t, "(SB) needs a symbol name: name(SB)")
	case "FP":
		fail(t, "(FP) needs an argument name, and argument references are not supported: jitrun code gets its arguments in registers (DI, SI, DX, CX, R8, R9)")
	}
	o := ir.Operand{Kind: ir.MemOperand, Disp: disp}
	if prefix == "$" {
		o.Kind = ir.AddrOperand
	} else if prefix == "*" {
		fail(open, "* (indirect) applies to symbols only: *name(SB)")
	}
	if isSegReg(r) {
		// off(FS): FS-relative memory at an absolute offset, as go tool
		// asm writes it (off(base)(FS*1) adds a base).
		o.Seg = r
		c.expect(")")
		if c.peek().is("(") {
			fail(c.peek(), "%s as a base takes no index: write off(base)(%s*1) for %s-relative memory at a base register (go tool asm has no syntax for a segment, a base and an index together)", t.text, t.text, t.text)
		}
		c.mustEnd()
		return o
	}
	if c.peek().is("*") {
		// (index*scale) with no base.
		c.next()
		o.Index, o.Scale = r, p.scale(c)
		c.expect(")")
		c.mustEnd()
		return o
	}
	o.Reg = r
	c.expect(")")
	if c.peek().is("(") {
		p.index(c, &o)
	}
	c.mustEnd()
	return o
}

// index parses (index*scale).
func (p *parser) index(c *cursor, o *ir.Operand) {
	c.expect("(")
	t := c.next()
	if t.kind != tokIdent || !isRegName(t.text) {
		fail(t, "expected an index register, found %s", describeTok(t))
	}
	o.Index, _ = ir.LookupReg(t.text)
	if !c.peek().is("*") {
		fail(c.peek(), "index register %s needs a scale: (%s*1)", t.text, t.text)
	}
	c.next()
	o.Scale = p.scale(c)
	c.expect(")")
	if isSegReg(o.Index) {
		// off(base)(FS*1): a segment override, as go tool asm writes it.
		if o.Scale != 1 {
			fail(t, "segment override (%s*%d) needs scale 1: (%s*1)", t.text, o.Scale, t.text)
		}
		o.Seg, o.Index, o.Scale = o.Index, 0, 0
	}
}

func (p *parser) scale(c *cursor) int64 {
	t := c.next()
	if t.kind != tokInt {
		fail(t, "expected a scale (1, 2, 4 or 8), found %s", describeTok(t))
	}
	v, err := strconv.ParseUint(t.text, 0, 64)
	if err != nil || (v != 1 && v != 2 && v != 4 && v != 8) {
		fail(t, "scale %s is not 1, 2, 4 or 8", t.text)
	}
	return int64(v)
}

// symbolOperand parses name[<>][±offset](SB)[(index*scale)], a label, or
// name±offset(FP|SP) (rejected).
func (p *parser) symbolOperand(c *cursor, prefix string, jump bool) ir.Operand {
	nameTok := c.next()
	name := symbolName(nameTok.text)
	static := false
	if c.peek().is("<") {
		c.next()
		t := c.next()
		switch {
		case t.is(">"):
			static = true
		case t.kind == tokIdent && (t.text == "ABI0" || t.text == "ABIInternal"):
			c.expect(">")
		default:
			fail(t, "expected <> after %s", nameTok.text)
		}
	}
	var off int64
	if t := c.peek(); t.is("+") || t.is("-") {
		off = int64(expr(c))
	}
	if c.done() {
		if r, ok := ir.LookupIntelReg(nameTok.text); ok && r.Reg != 0 && !static && off == 0 && prefix == "" && !jump {
			fail(nameTok, "%s is an Intel register name: Go syntax writes %s, with the operand size in the mnemonic (this source is read as Go syntax)", nameTok.text, r.Reg)
		}
		if prefix == "" && jump && !static && off == 0 {
			return ir.Operand{Kind: ir.LabelOperand, Sym: name}
		}
		if prefix == "$" && !static && off == 0 {
			fail(nameTok, "undefined: %s (a constant needs a #define; the address of a symbol is $%s(SB))", nameTok.text, nameTok.text)
		}
		fail(nameTok, "missing addressing mode for symbol %s: write %s(SB)", nameTok.text, nameTok.text)
	}
	c.expect("(")
	reg := c.next()
	c.expect(")")
	switch reg.text {
	case "SB":
	case "FP":
		fail(nameTok, "%s is a Go argument slot; argument references are not supported: jitrun code gets its arguments in registers (DI, SI, DX, CX, R8, R9)", tokenText(p.src, c.toks[:c.i]))
	case "SP":
		fail(nameTok, "%s names a slot of a Go frame (pseudo-SP), which jitrun code does not have: use an offset from the hardware SP without a name, as 8(SP)", tokenText(p.src, c.toks[:c.i]))
	case "PC":
		fail(nameTok, "%s is not an operand: branch to a label, or to N(PC)", tokenText(p.src, c.toks[:c.i]))
	default:
		fail(reg, "expected (SB) after symbol %s, found (%s)", nameTok.text, reg.text)
	}
	o := ir.Operand{Kind: ir.MemOperand, Sym: name, Static: static, Disp: off}
	switch prefix {
	case "$":
		o.Kind = ir.AddrOperand
	case "":
		if jump && c.done() {
			o.Kind = ir.LabelOperand
		}
	}
	if c.peek().is("(") {
		p.index(c, &o)
	}
	c.mustEnd()
	return o
}

// symbolName turns a Go assembly symbol name into the name it has in a Go
// binary: ·foo is foo, pkg·foo is pkg.foo, a∕b·c is a/b.c.
func symbolName(s string) string {
	s = strings.TrimPrefix(s, "·")
	if strings.ContainsAny(s, "·∕") {
		s = strings.NewReplacer("·", ".", "∕", "/").Replace(s)
	}
	return s
}

// regList parses [Z0-Z3].
func (p *parser) regList(c *cursor) ir.Operand {
	c.expect("[")
	lo := c.next()
	c.expect("-")
	hi := c.next()
	c.expect("]")
	c.mustEnd()
	rlo, ok1 := ir.LookupReg(lo.text)
	rhi, ok2 := ir.LookupReg(hi.text)
	if lo.kind != tokIdent || !ok1 {
		fail(lo, "expected a register, found %s", describeTok(lo))
	}
	if hi.kind != tokIdent || !ok2 {
		fail(hi, "expected a register, found %s", describeTok(hi))
	}
	return ir.Operand{Kind: ir.RegListOperand, Reg: rlo, RegHi: rhi}
}

func hasFloat(toks []token) bool {
	for _, t := range toks {
		if t.kind == tokFloat {
			return true
		}
	}
	return false
}

// floatExpr parses a float constant: ±, parentheses, a literal.
func floatExpr(c *cursor) float64 {
	t := c.next()
	switch {
	case t.is("("):
		v := c.nestedFloat(t)
		c.expect(")")
		return v
	case t.is("+"):
		return c.nestedFloat(t)
	case t.is("-"):
		return -c.nestedFloat(t)
	case t.kind == tokFloat || t.kind == tokInt:
		v, err := strconv.ParseFloat(t.text, 64)
		if err != nil && !(math.IsInf(v, 0) && strings.Contains(err.Error(), "range")) {
			fail(t, "bad floating-point constant %s", t.text)
		}
		if math.IsInf(v, 0) {
			fail(t, "floating-point constant %s is out of range", t.text)
		}
		return v
	}
	fail(t, "unexpected %s in floating-point constant", describeTok(t))
	return 0
}

// expr evaluates an integer constant expression with go tool asm's
// operators, in 64-bit unsigned arithmetic:
//
//	expr   = term { ("+" | "-" | "|" | "^") term }
//	term   = factor { ("*" | "/" | "%" | "<<" | ">>" | "&") factor }
//	factor = integer | 'c' | ("+" | "-" | "~") factor | "(" expr ")"
func expr(c *cursor) uint64 {
	v := term(c)
	for {
		switch t := c.peek(); {
		case t.is("+"):
			c.next()
			v += term(c)
		case t.is("-"):
			c.next()
			v -= term(c)
		case t.is("|"):
			c.next()
			v |= term(c)
		case t.is("^"):
			c.next()
			v ^= term(c)
		default:
			return v
		}
	}
}

func term(c *cursor) uint64 {
	v := factor(c)
	for {
		t := c.peek()
		if t.kind != tokPunct {
			return v
		}
		switch t.text {
		case "*":
			c.next()
			v *= factor(c)
		case "/", "%":
			c.next()
			d := factor(c)
			if d == 0 {
				fail(t, "division by zero")
			}
			if int64(v) < 0 {
				fail(t, "division of a value with the high bit set")
			}
			if t.text == "/" {
				v /= d
			} else {
				v %= d
			}
		case "<<", ">>":
			c.next()
			s := factor(c)
			if s >= 64 {
				fail(t, "shift count %d is too large", int64(s))
			}
			if t.text == "<<" {
				v <<= s
			} else {
				if int64(v) < 0 {
					fail(t, "right shift of a value with the high bit set")
				}
				v >>= s
			}
		case "&":
			c.next()
			v &= factor(c)
		default:
			return v
		}
	}
}

func factor(c *cursor) uint64 {
	t := c.next()
	switch {
	case t.kind == tokInt:
		v, err := strconv.ParseUint(t.text, 0, 64)
		if err != nil {
			if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
				fail(t, "integer constant %s does not fit in 64 bits", t.text)
			}
			fail(t, "bad integer constant %s", t.text)
		}
		return v
	case t.kind == tokChar:
		s, err := strconv.Unquote(t.text)
		r, size := utf8.DecodeRuneInString(s)
		if err != nil || size != len(s) || r == utf8.RuneError && size <= 1 {
			fail(t, "bad character constant %s", t.text)
		}
		return uint64(r)
	case t.is("+"):
		return c.nestedFactor(t)
	case t.is("-"):
		return -c.nestedFactor(t)
	case t.is("~"):
		return ^c.nestedFactor(t)
	case t.is("("):
		c.enter(t)
		v := expr(c)
		c.depth--
		c.expect(")")
		return v
	case t.kind == tokIdent && isPseudoReg(t.text):
		fail(t, "%s", pseudoRegMessage(t.text))
	case t.kind == tokIdent:
		fail(t, "undefined: %s (a constant needs a #define)", t.text)
	}
	fail(t, "unexpected %s in constant expression", describeTok(t))
	return 0
}

// immediate evaluates a $constant operand of a directive.
func (p *parser) immediate(toks []token, what string) int64 {
	c := newCursor(toks)
	if !c.peek().is("$") {
		fail(c.peek(), "%s needs an immediate constant ($value)", what)
	}
	c.next()
	v := int64(expr(c))
	c.mustEnd()
	return v
}

// integer evaluates a flags operand (NOSPLIT|NOFRAME), which has no $.
func (p *parser) integer(toks []token) int64 {
	c := newCursor(toks)
	v := int64(expr(c))
	c.mustEnd()
	return v
}

// symbolDef parses the name(SB) operand of TEXT and GLOBL (and the
// name+off(SB) of DATA).
func (p *parser) symbolDef(toks []token, head token, allowOffset bool) (name string, static bool, off int64) {
	c := newCursor(toks)
	t := c.next()
	if t.kind != tokIdent || isRegName(t.text) || isPseudoReg(t.text) {
		fail(t, "%s needs a symbol: name(SB)", head.text)
	}
	o := p.symbolOperand(&cursor{toks: toks, end: c.end}, "", false)
	if o.Kind != ir.MemOperand || o.Index != 0 {
		fail(t, "%s needs a symbol: name(SB)", head.text)
	}
	if o.Disp != 0 && !allowOffset {
		fail(t, "%s symbol cannot have an offset", head.text)
	}
	return o.Sym, o.Static, o.Disp
}

// text parses TEXT name(SB), [flags,] $frame[-args].
func (p *parser) text(src ir.Source, head token, ops [][]token) ir.Stmt {
	d := &ir.TextDef{Source: src, Args: -1}
	ir.SetBroken(d, true)
	p.partial = d
	if len(ops) != 2 && len(ops) != 3 {
		fail(head, "TEXT takes two or three operands: TEXT name(SB), NOSPLIT, $0")
	}
	d.Name, d.Static, _ = p.symbolDef(ops[0], head, false)
	name := d.Name
	if len(ops) == 3 {
		d.Flags = p.integer(ops[1])
	}
	// $frame-args: two numbers, not a subtraction.
	c := newCursor(ops[len(ops)-1])
	if !c.peek().is("$") {
		fail(c.peek(), "TEXT %s: frame size must be an immediate constant: $0", name)
	}
	c.next()
	neg := false
	if c.peek().is("-") {
		neg = true
		c.next()
	}
	t := c.next()
	if t.kind != tokInt {
		fail(t, "TEXT %s: frame size must be an integer", name)
	}
	d.Frame = atoi(t)
	if neg {
		d.Frame = -d.Frame
	}
	if !c.done() {
		c.expect("-")
		t := c.next()
		if t.kind != tokInt {
			fail(t, "TEXT %s: argument size must be of the form $frame-args", name)
		}
		d.Args = atoi(t)
		c.mustEnd()
	}
	ir.SetBroken(d, false)
	return d
}

func atoi(t token) int64 {
	v, err := strconv.ParseInt(t.text, 0, 64)
	if err != nil || v > 1<<40 {
		fail(t, "bad size %s", t.text)
	}
	return v
}

// globl parses GLOBL name(SB), [flags,] $size.
func (p *parser) globl(src ir.Source, head token, ops [][]token) ir.Stmt {
	if len(ops) != 2 && len(ops) != 3 {
		fail(head, "GLOBL takes two or three operands: GLOBL name(SB), RODATA, $8")
	}
	name, static, _ := p.symbolDef(ops[0], head, false)
	d := &ir.GloblDef{Source: src, Name: name, Static: static}
	ir.SetBroken(d, true)
	p.partial = d
	if len(ops) == 3 {
		d.Flags = p.integer(ops[1])
	}
	d.Size = p.immediate(ops[len(ops)-1], "GLOBL size")
	ir.SetBroken(d, false)
	return d
}

// data parses DATA name+off(SB)/width, value.
func (p *parser) data(src ir.Source, head token, ops [][]token) ir.Stmt {
	if len(ops) != 2 {
		fail(head, "DATA takes two operands: DATA name+0(SB)/8, $value")
	}
	first := ops[0]
	n := len(first)
	if n < 3 || !first[n-2].is("/") || first[n-1].kind != tokInt {
		fail(first[n-1], "DATA needs a width: name+0(SB)/8")
	}
	name, static, off := p.symbolDef(first[:n-2], head, true)
	d := &ir.DataDef{Source: src, Name: name, Static: static, Off: off, Width: atoi(first[n-1])}
	v := p.operand(ops[1], false)
	switch v.Kind {
	case ir.ImmOperand, ir.FloatOperand, ir.StringOperand, ir.AddrOperand:
	default:
		fail(ops[1][0], "DATA value must be a constant: $integer, $float or $\"string\"")
	}
	d.Value = v
	return d
}
