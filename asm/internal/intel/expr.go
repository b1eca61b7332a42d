package intel

// Constant expressions of the Intel front end: integers with the operators
// of NASM and GNU as, names defined with equ, labels, and inside memory
// operands registers with scale factors.

import (
	"fmt"
	"strings"

	"github.com/jitrun/jitrun/asm/internal/ir"
)

// ival is the value of an expression: a constant c, plus at most one
// unresolved label sym, plus (in memory operands) registers times scales.
// When sec is set the value is an address in a data section: the start of
// section sec (by name) plus c.
type ival struct {
	c    int64
	regs []iregTerm
	sym  string // a label, resolved after the whole source is read
	sec  string
	// label, when the value is a data label plus a constant, is that label
	// and labelOff its offset in sec: memory operands refer to the label by
	// name (for messages) and resolve it at the end.
	label    string
	labelOff int64
}

type iregTerm struct {
	reg   ireg
	scale int64
	col   int
}

func (v ival) isConst() bool { return v.sym == "" && v.sec == "" && len(v.regs) == 0 }

// exprParser parses an expression from a token slice.
type exprParser struct {
	p    *parser
	toks []itok
	pos  int
	// depth is how deeply the expression nests (parentheses and unary
	// operators), bounded by maxExprDepth.
	depth int
	// mem allows registers (inside [ ]).
	mem  bool
	err  string
	ecol int
}

func (e *exprParser) peek() itok { return e.toks[e.pos] }
func (e *exprParser) next() itok {
	t := e.toks[e.pos]
	if t.kind != itEOL {
		e.pos++
	}
	return t
}

func (e *exprParser) fail(col int, format string, args ...any) ival {
	if e.err == "" {
		e.err = fmt.Sprintf(format, args...)
		e.ecol = col
	}
	return ival{}
}

func (e *exprParser) isOp(t itok, ops ...string) bool {
	if t.kind != itPunct {
		return false
	}
	for _, o := range ops {
		if t.text == o {
			return true
		}
	}
	return false
}

// binary operator levels, loosest first.
var intelBinaryLevels = [][]string{{"|"}, {"^"}, {"&"}, {"<<", ">>"}, {"+", "-"}, {"*", "/", "%"}}

func (e *exprParser) expr() ival {
	if t := e.peek(); (t.kind == itInt || t.kind == itIdent) && !e.binaryOpAt(e.pos+1) {
		// A lone value, the usual operand: what level(0) gives, without
		// descending through every level of operators to find it.
		if e.depth++; e.depth > maxExprDepth {
			return e.fail(t.col, "expression nested too deeply (more than %d levels of parentheses and signs)", maxExprDepth)
		}
		defer func() { e.depth-- }()
		return e.primary()
	}
	return e.level(0)
}

// binaryOpAt reports whether token i is a binary operator (of any level).
func (e *exprParser) binaryOpAt(i int) bool {
	if i >= len(e.toks) || e.toks[i].kind != itPunct {
		return false
	}
	for _, ops := range intelBinaryLevels {
		for _, o := range ops {
			if e.toks[i].text == o {
				return true
			}
		}
	}
	return false
}

func (e *exprParser) level(n int) ival {
	if n == len(intelBinaryLevels) {
		return e.unary()
	}
	v := e.level(n + 1)
	for e.err == "" && e.isOp(e.peek(), intelBinaryLevels[n]...) {
		op := e.next()
		w := e.level(n + 1)
		if e.err != "" {
			break
		}
		v = e.apply(op, v, w)
	}
	return v
}

// maxExprDepth bounds how deeply an expression nests, so that a hostile
// source cannot exhaust the stack of the parser's recursion.
const maxExprDepth = 1000

func (e *exprParser) unary() ival {
	t := e.peek()
	if e.depth++; e.depth > maxExprDepth {
		return e.fail(t.col, "expression nested too deeply (more than %d levels of parentheses and signs)", maxExprDepth)
	}
	defer func() { e.depth-- }()
	if e.isOp(t, "-", "+", "~", "!") {
		e.next()
		v := e.unary()
		if e.err != "" {
			return v
		}
		switch t.text {
		case "+":
			return v
		case "-":
			if !v.isConst() {
				return e.fail(t.col, "cannot negate a register or an address")
			}
			return ival{c: -v.c}
		case "~":
			if !v.isConst() {
				return e.fail(t.col, "operator ~ needs a constant")
			}
			return ival{c: ^v.c}
		case "!":
			if !v.isConst() {
				return e.fail(t.col, "operator ! needs a constant")
			}
			if v.c == 0 {
				return ival{c: 1}
			}
			return ival{}
		}
	}
	return e.primary()
}

func (e *exprParser) primary() ival {
	t := e.next()
	switch t.kind {
	case itInt:
		return ival{c: t.ival}
	case itString:
		if len(t.text) > 8 {
			return e.fail(t.col, "character constant %s is longer than 8 bytes", t)
		}
		return ival{c: charConst(t.text)}
	case itFloat:
		return e.fail(t.col, "a floating-point number (%s) is only allowed in dd and dq data", t.text)
	case itPunct:
		if t.text == "(" {
			v := e.expr()
			if e.err != "" {
				return v
			}
			if c := e.next(); !e.isOp(c, ")") {
				return e.fail(c.col, "expected ) but found %s", c)
			}
			return v
		}
		if n := e.peek(); t.text == "%" && n.kind == itIdent {
			if r, ok := ir.LookupIntelReg(n.text); ok {
				return e.fail(t.col, "%%%s is AT&T syntax, which jitrun does not read: write %s (Intel syntax puts the destination first)", n.text, r.Name)
			}
		}
		return e.fail(t.col, "expected a value but found %s", t)
	case itEOL:
		return e.fail(t.col, "expected a value at the end of the line")
	}
	// An identifier.
	name := t.text
	if r := lookupReg(name); r.ID != 0 {
		if !e.mem {
			return e.fail(t.col, "register %s cannot be part of an expression here", name)
		}
		return ival{regs: e.p.scratch.regTerms(iregTerm{reg: r, scale: 1, col: t.col})}
	}
	return e.p.nameValue(name, t.col, e)
}

// apply evaluates a binary operator.
func (e *exprParser) apply(op itok, a, b ival) ival {
	switch op.text {
	case "+":
		if (a.sym != "" || a.sec != "") && (b.sym != "" || b.sec != "") {
			return e.fail(op.col, "cannot add two addresses")
		}
		out := ival{c: a.c + b.c, regs: e.joinRegs(a.regs, b.regs), sym: a.sym + b.sym, sec: a.sec, label: a.label, labelOff: a.labelOff}
		if b.sec != "" {
			out.sec, out.label, out.labelOff = b.sec, b.label, b.labelOff
		}
		return out
	case "-":
		switch {
		case len(b.regs) > 0:
			return e.fail(op.col, "cannot subtract a register")
		case b.sec != "" && a.sec == b.sec:
			return ival{c: a.c - b.c, regs: a.regs}
		case b.sym != "" && a.sym == b.sym:
			return ival{c: a.c - b.c, regs: a.regs}
		case b.sec != "" || b.sym != "":
			return e.fail(op.col, "the distance between two labels is only known here when both are in the same data section and defined above this line")
		}
		return ival{c: a.c - b.c, regs: a.regs, sym: a.sym, sec: a.sec, label: a.label, labelOff: a.labelOff}
	case "*":
		switch {
		case a.isConst() && b.isConst():
			return ival{c: a.c * b.c}
		case a.isConst() && b.sym == "" && b.sec == "" && b.c == 0:
			return e.scaleRegs(b, a.c)
		case b.isConst() && a.sym == "" && a.sec == "" && a.c == 0:
			return e.scaleRegs(a, b.c)
		}
		return e.fail(op.col, "operator * needs a constant on one side (and a lone register or a constant on the other)")
	}
	if !a.isConst() || !b.isConst() {
		return e.fail(op.col, "operator %s needs constants", op.text)
	}
	switch op.text {
	case "/", "%":
		if b.c == 0 {
			return e.fail(op.col, "division by zero")
		}
		if b.c == -1 {
			if op.text == "/" {
				return ival{c: -a.c}
			}
			return ival{}
		}
		if op.text == "/" {
			return ival{c: a.c / b.c}
		}
		return ival{c: a.c % b.c}
	case "<<":
		if b.c < 0 || b.c > 63 {
			return ival{}
		}
		return ival{c: a.c << uint(b.c)}
	case ">>":
		if b.c < 0 || b.c > 63 {
			return ival{}
		}
		return ival{c: int64(uint64(a.c) >> uint(b.c))}
	case "&":
		return ival{c: a.c & b.c}
	case "|":
		return ival{c: a.c | b.c}
	case "^":
		return ival{c: a.c ^ b.c}
	}
	return e.fail(op.col, "unknown operator %s", op.text)
}

// scaleRegs returns v's registers times k (v has nothing else).
func (e *exprParser) scaleRegs(v ival, k int64) ival {
	out := ival{}
	if len(v.regs) > 0 {
		out.regs = e.p.scratch.regTerms(v.regs...)
		for i := range out.regs {
			out.regs[i].scale *= k
		}
	}
	return out
}

// joinRegs returns the register terms of a and then b. Values share their
// terms (none is changed in place), so one side alone is returned as is.
func (e *exprParser) joinRegs(a, b []iregTerm) []iregTerm {
	switch {
	case len(b) == 0:
		return a
	case len(a) == 0:
		return b
	}
	return e.p.scratch.regTerms2(a, b)
}

// evalConst parses a whole constant expression from toks (to itEOL or
// to a stop token) and returns its value and the index after it.
func (p *parser) evalConst(toks []itok, what string) (int64, int, bool) {
	e := &exprParser{p: p, toks: toks}
	v := e.expr()
	if e.err != "" {
		p.errorf(e.ecol, "%s", e.err)
		return 0, e.pos, false
	}
	if !v.isConst() {
		col := toks[0].col
		if v.sym != "" || v.sec != "" {
			p.errorf(col, "%s must be a constant, not an address (addresses are only known when the code is placed)", what)
		} else {
			p.errorf(col, "%s must be a constant", what)
		}
		return 0, e.pos, false
	}
	return v.c, e.pos, true
}

// isIntelKeyword reports whether a name is reserved in operands.
func isIntelKeyword(name string) bool {
	switch strings.ToLower(name) {
	case "byte", "word", "dword", "fword", "qword", "tbyte", "tword", "oword", "xmmword",
		"yword", "ymmword", "zword", "zmmword", "mmword", "ptr", "rel", "abs", "short", "near", "far", "offset":
		return true
	}
	return false
}

// IsReserved reports whether name is an Intel-syntax register name or
// operand keyword (ptr, dword, short, …), in any case: a word that cannot
// name a label or symbol in the Intel front end.
func IsReserved(name string) bool {
	_, isReg := ir.LookupIntelReg(name)
	return isReg || isIntelKeyword(name)
}
