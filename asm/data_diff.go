package asm

import (
	"encoding/binary"
	"math"

	"github.com/jitrun/jitrun/asm/internal/ir"
)

// Label differences in data (ir.LabelDiffOperand): .long .L3-.L4, the
// entries of gcc's position-independent jump tables, which hold the
// distance from the table to a code label. Both labels are looked up in
// the whole program (a data table names code labels, which belong to a
// function), once the layout has given them their offsets.

// labelPosition returns the offset of a TEXT or GLOBL symbol, or of a code
// label of any function, by name.
func (e *encoder) labelPosition(name string) (int64, bool) {
	ref := ir.SymRef{Name: name}
	if j, ok := e.texts[ref]; ok {
		return e.position(target{piece: e.funcs[j].start}), true
	}
	if d, ok := e.datas[ref]; ok {
		return int64(d.off), true
	}
	for _, f := range e.funcs {
		if at, ok := f.labels[name]; ok {
			return e.position(target{piece: at}), true
		}
	}
	return 0, false
}

// putLabelDiff writes a DATA label difference into dst, its width.
func (e *encoder) putLabelDiff(dst []byte, d *ir.DataDef) {
	v := d.Value
	a, okA := e.labelPosition(v.Sym)
	b, okB := e.labelPosition(v.String)
	switch {
	case !okA:
		e.errorf(d.Pos, "undefined: %s is not a label or symbol of this source", v.Sym)
		return
	case !okB:
		e.errorf(d.Pos, "undefined: %s is not a label or symbol of this source", v.String)
		return
	}
	diff := a - b + v.Disp
	if len(dst) == 4 {
		if diff < math.MinInt32 || diff > math.MaxInt32 {
			e.errorf(d.Pos, "%s-%s is %d, which does not fit in 4 bytes", v.Sym, v.String, diff)
			return
		}
		binary.LittleEndian.PutUint32(dst, uint32(int32(diff)))
		return
	}
	binary.LittleEndian.PutUint64(dst, uint64(diff))
}
