package asm

import (
	"strings"

	"github.com/jitrun/jitrun/asm/internal/ir"
)

// resolve binds every branch and PC-relative reference to its target.
func (e *encoder) resolve() {
	for _, b := range e.branches {
		if t, ok := e.branchTarget(b); ok {
			b.target = t
		}
	}
	for i := range e.relocs {
		r := &e.relocs[i]
		if t, ok := e.symbolTarget(r.pos, r.fn, r.sym); ok {
			t.add = r.add
			r.target = t
		}
	}
}

// branchTarget resolves a branch's LabelOperand: N(PC), a label of the
// function, or a symbol of the source.
func (e *encoder) branchTarget(b *branch) (target, bool) {
	pos, op := b.inst.Pos, b.op
	if op.Sym == "" {
		// N(PC): the Nth instruction from this one.
		k := e.instIndex(b.at) + int(op.Disp)
		if k < 0 || k >= e.instLimit(b.at) {
			e.errorf(pos, "branch target %d(PC) is outside the program", op.Disp)
			return target{}, false
		}
		return target{piece: e.insts[k]}, true
	}
	if !op.Static && b.fn != noFunc {
		if at, ok := e.funcs[b.fn].labels[op.Sym]; ok {
			return target{piece: at, add: op.Disp}, true
		}
	}
	t, ok := e.symbolTarget(pos, b.fn, ir.SymRef{Name: op.Sym, Static: op.Static})
	t.add += op.Disp
	return t, ok
}

// symbolTarget resolves a reference to a symbol, or to a label of the
// function when no symbol has the name (Intel's [rel label]).
func (e *encoder) symbolTarget(pos ir.Pos, fn funcID, ref ir.SymRef) (target, bool) {
	if j, ok := e.texts[ref]; ok {
		return target{piece: e.funcs[j].start}, true
	}
	if d, ok := e.datas[ref]; ok {
		return target{data: d}, true
	}
	if !ref.Static && fn != noFunc {
		if at, ok := e.funcs[fn].labels[ref.Name]; ok {
			return target{piece: at}, true
		}
	}
	other := ir.SymRef{Name: ref.Name, Static: !ref.Static}
	_, isText := e.texts[other]
	_, isData := e.datas[other]
	if isText || isData {
		e.errorf(pos, "undefined: %s (the source defines %s)", ref, other)
	} else if strings.HasPrefix(ref.Name, "runtime.") || strings.Contains(ref.Name, "·") {
		e.errorf(pos, "undefined: %s: code assembled by jitrun cannot reach Go symbols (there is no linker)", ref)
	} else {
		e.errorf(pos, "undefined: %s is not a label, TEXT or GLOBL symbol of this source, nor a routine of jitrun's I/O library (jitrun help lib)", ref.Name)
	}
	return target{}, false
}
