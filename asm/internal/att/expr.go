package att

// Constant expressions: integers, .set/.equ constants, and labels, with
// GNU as's operators and precedences (highest first): unary - ~ + !;
// * / % << >>; | & ^; + -. A label may appear only added to or
// subtracted from a constant, or as the difference of two labels
// (.long .L3-.L4), which the encoder computes once it has laid out the
// code.

import (
	"fmt"
	"slices"
	"strconv"
)

// value is an expression's value: c, plus the address of label sym (when
// set), minus the address of label sub (when set).
type value struct {
	c        int64
	sym, sub string
}

func (v value) isConst() bool { return v.sym == "" && v.sub == "" }

// exprParser reads an expression from toks starting at pos. The first
// error stops it: err and its column.
type exprParser struct {
	p    *parser
	toks []token
	pos  int
	err  string
	ecol int
	// memStop makes a '(' that starts a memory reference ((%rax), (,%rcx,8))
	// end the expression instead of grouping.
	memStop bool
	depth   int
}

// maxDepth bounds the nesting of parentheses and signs, which the parser
// follows by recursion.
const maxDepth = 1000

func (e *exprParser) peek() token { return e.toks[e.pos] }

func (e *exprParser) fail(col int, format string, args ...any) value {
	if e.err == "" {
		e.err, e.ecol = fmt.Sprintf(format, args...), col
	}
	return value{}
}

// startsMem reports whether the '(' at pos starts a memory reference.
func (e *exprParser) startsMem() bool {
	if !e.memStop || !e.toks[e.pos].is("(") {
		return false
	}
	n := e.toks[e.pos+1]
	return n.kind == tReg || n.is(",")
}

func (e *exprParser) expr() value {
	// A lone number or name, the common case, without the levels.
	if t := e.toks[e.pos]; t.kind == tInt || t.kind == tIdent && t.text != "." {
		if n := e.toks[e.pos+1]; n.kind == tEOL || n.is(",") || n.is("(") && e.memStop {
			if t.kind == tInt {
				e.pos++
				return value{c: t.val}
			}
		}
	}
	return e.level(0)
}

// binary operators by precedence level, lowest first.
var levels = [][]string{{"+", "-"}, {"|", "&", "^"}, {"*", "/", "%", "<<", ">>"}}

func (e *exprParser) level(n int) value {
	if n == len(levels) {
		return e.unary()
	}
	v := e.level(n + 1)
	for e.err == "" {
		t := e.peek()
		if t.kind != tPunct || !slices.Contains(levels[n], t.text) {
			return v
		}
		e.pos++
		w := e.level(n + 1)
		if e.err != "" {
			return v
		}
		v = e.combine(t, v, w)
	}
	return v
}

func (e *exprParser) combine(op token, a, b value) value {
	switch op.text {
	case "+":
		if a.sym != "" && b.sym != "" || a.sub != "" && b.sub != "" {
			return e.fail(op.col, "cannot add two addresses")
		}
		if b.sym != "" {
			a.sym = b.sym
		}
		if b.sub != "" {
			a.sub = b.sub
		}
		a.c += b.c
		return a
	case "-":
		if b.sub != "" || b.sym != "" && (a.sub != "" || a.sym == "" && b.sym != "") {
			if a.sym == "" && b.sym != "" {
				return e.fail(op.col, "cannot subtract an address from a constant")
			}
			return e.fail(op.col, "an expression may subtract one address from another, no more")
		}
		if b.sym != "" {
			a.sub = b.sym
		}
		a.c -= b.c
		return a
	}
	if !a.isConst() || !b.isConst() {
		return e.fail(op.col, "%s needs constants, not addresses", op.text)
	}
	switch op.text {
	case "*":
		a.c *= b.c
	case "/", "%":
		if b.c == 0 {
			return e.fail(op.col, "division by zero")
		}
		if op.text == "/" {
			a.c /= b.c
		} else {
			a.c %= b.c
		}
	case "<<":
		a.c = a.c << uint64(b.c&63)
	case ">>":
		a.c = a.c >> uint64(b.c&63)
	case "|":
		a.c |= b.c
	case "&":
		a.c &= b.c
	case "^":
		a.c ^= b.c
	}
	return a
}

func (e *exprParser) unary() value {
	t := e.peek()
	if e.depth++; e.depth > maxDepth {
		return e.fail(t.col, "expression nested too deeply (more than %d levels of parentheses and signs)", maxDepth)
	}
	defer func() { e.depth-- }()
	switch {
	case t.is("-"), t.is("~"), t.is("+"), t.is("!"):
		e.pos++
		v := e.unary()
		if e.err != "" {
			return v
		}
		if !v.isConst() && t.text != "+" {
			return e.fail(t.col, "%s needs a constant, not an address", t.text)
		}
		switch t.text {
		case "-":
			v.c = -v.c
		case "~":
			v.c = ^v.c
		case "!":
			if v.c == 0 {
				v.c = 1
			} else {
				v.c = 0
			}
		}
		return v
	case t.kind == tInt:
		e.pos++
		return value{c: t.val}
	case t.kind == tLocal:
		e.pos++
		name, msg := e.p.localRef(t.text)
		if msg != "" {
			return e.fail(t.col, "%s", msg)
		}
		return value{sym: name}
	case t.kind == tIdent:
		e.pos++
		if t.text == "." {
			if !e.p.inOperands {
				return e.fail(t.col, ". (the current address) is only supported in an instruction's operands (jmp ., .+8(%%rip)): use a label")
			}
			return value{sym: e.p.hereLabel()}
		}
		if c, ok := e.p.equs[t.text]; ok {
			return value{c: c}
		}
		if e.peek().is("@") {
			// sym@PLT: a call through the PLT is a direct call here.
			at := e.toks[e.pos+1]
			if at.kind == tIdent && (at.text == "PLT" || at.text == "plt") {
				e.pos += 2
			} else {
				return e.fail(e.peek().col, "%s@%s needs a linker (the GOT, TLS); jitrun code reaches only its own labels, PC-relative: %s(%%rip)", t.text, at.text, t.text)
			}
		}
		return value{sym: t.text}
	case t.is("("):
		if e.startsMem() {
			return e.fail(t.col, "missing value")
		}
		e.pos++
		v := e.level(0)
		if e.err != "" {
			return v
		}
		if !e.peek().is(")") {
			return e.fail(e.peek().col, "missing ) (found %s)", e.peek())
		}
		e.pos++
		return v
	case t.kind == tReg:
		return e.fail(t.col, "register %%%s in an expression", t.text)
	case t.kind == tFloat:
		return e.fail(t.col, "floating-point number %s where an integer belongs", t.text)
	case t.kind == tEOL:
		return e.fail(t.col, "missing value")
	}
	return e.fail(t.col, "unexpected %s in an expression", t)
}

// fmtValue formats a value for messages.
func fmtValue(v value) string {
	s := ""
	if v.sym != "" {
		s = shownLabel(v.sym)
	}
	if v.sub != "" {
		s += "-" + shownLabel(v.sub)
	}
	if v.c != 0 || s == "" {
		if s != "" && v.c > 0 {
			s += "+"
		}
		s += strconv.FormatInt(v.c, 10)
	}
	return s
}
