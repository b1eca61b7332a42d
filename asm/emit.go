package asm

import (
	"cmp"
	"encoding/binary"
	"math"
	"slices"

	"github.com/jitrun/jitrun/asm/internal/ir"
)

// emit writes the code and data and builds the Program.
func (e *encoder) emit() *Program {
	code := make([]byte, e.end)
	for i := e.codeLen; i < e.rodataStart; i++ {
		code[i] = 0xCC // INT3 from the end of the code to the data's first page; zeros within the data
	}
	for i := 0; i < len(e.pieces); i++ {
		pc := &e.pieces[i]
		if pc.kind == pieceCode {
			// The code pieces that follow whose bytes follow in e.code
			// too (most: instructions are encoded in order) are copied
			// with this one, in one copy.
			from, to := pc.ref, pc.ref+pc.size // the run's bytes in e.code
			for i+1 < len(e.pieces) {
				nx := &e.pieces[i+1]
				if nx.kind != pieceCode || nx.ref != to || nx.off != pc.off+(to-from) {
					break
				}
				to += nx.size
				i++
			}
			copy(code[pc.off:], e.code[from:to])
			continue
		}
		dst := code[pc.off : pc.off+pc.size]
		switch pc.kind {
		case pieceBytes:
			copy(dst, e.blobs[pc.ref])
		case pieceBranch:
			e.branches[pc.ref].write(e, pc, dst)
		case piecePad:
			fillNOP(dst)
		}
	}
	for _, r := range e.relocs {
		pc := &e.pieces[r.at]
		v := e.position(r.target) - int64(pc.off+r.off+4)
		if v < math.MinInt32 || v > math.MaxInt32 {
			e.errorf(r.pos, "reference out of 32-bit range")
			continue
		}
		binary.LittleEndian.PutUint32(code[pc.off+r.off:], uint32(int32(v)))
	}
	for _, d := range e.data {
		copy(code[d.off:], d.bytes) // float constants
		clear(code[d.off+len(d.bytes) : d.off+d.size])
	}
	for _, w := range e.dataWrites {
		off := w.sym.off + int(w.def.Off)
		if w.def.Value.Kind == ir.LabelDiffOperand {
			e.putLabelDiff(code[off:off+int(w.def.Width)], w.def)
			continue
		}
		putValue(code[off:off+int(w.def.Width)], w.def.Value)
	}
	p := &Program{File: e.file, Code: code, Symbols: e.symbols(), Labels: e.labels(), Sections: e.sections()}
	if e.libGuard > 0 {
		p.libGuard = e.pieces[e.libGuard-1].off + 1
	}
	p.Lines = e.lines()
	return p
}

// write writes the branch, laid out as pc, into dst.
func (b *branch) write(e *encoder, pc *piece, dst []byte) {
	d := e.position(b.target) - int64(pc.off+pc.size)
	if b.near {
		n := copy(dst, b.form.Near)
		if d < math.MinInt32 || d > math.MaxInt32 {
			e.errorf(b.inst.Pos, "branch target out of 32-bit range")
			return
		}
		binary.LittleEndian.PutUint32(dst[n:], uint32(int32(d)))
		return
	}
	n := copy(dst, b.form.Short)
	if d < -128 || d > 127 {
		e.errorf(b.inst.Pos, "%v", ir.Spell(&b.inst).Errorf("target is %d bytes away; this instruction reaches only -128..127", d))
		return
	}
	dst[n] = byte(int8(d))
}

// codeOffset is the offset of a position in the code.
func (e *encoder) codeOffset(at pieceID) int { return int(e.position(target{piece: at})) }

// symbols lists the functions and data symbols, sorted by offset.
func (e *encoder) symbols() []Symbol {
	out := make([]Symbol, 0, len(e.funcs)+len(e.data))
	for _, f := range e.funcs {
		start := e.codeOffset(f.start)
		s := Symbol{Name: f.ref.Name, Static: f.ref.Static, Kind: SymText, Offset: start, Size: e.codeOffset(f.end) - start}
		if f.def != nil {
			s.Pos = f.def.Pos
		} else {
			s.Pos = Pos{File: e.file, Line: 1, Col: 1}
		}
		out = append(out, s)
	}
	for _, d := range e.data {
		out = append(out, Symbol{Name: d.ref.Name, Static: d.ref.Static, Kind: d.kind, Offset: d.off, Size: d.size, Pos: d.pos})
	}
	slices.SortStableFunc(out, func(a, b Symbol) int { return cmp.Compare(a.Offset, b.Offset) })
	return out
}

// labels lists the code labels, sorted by offset, then by position.
func (e *encoder) labels() []Label {
	var out []Label
	for _, f := range e.funcs {
		for name, at := range f.labels {
			if f.def == nil && name == f.ref.Name {
				continue // the label that named the implicit function (implicitName)
			}
			if ir.IsHereLabel(name) {
				continue // the current address ($, .) of an instruction, not the source's
			}
			out = append(out, Label{Name: name, Func: f.ref.Name, Offset: e.codeOffset(at), Pos: f.labelPos[name]})
		}
	}
	slices.SortFunc(out, func(a, b Label) int {
		return cmp.Or(cmp.Compare(a.Offset, b.Offset), cmp.Compare(a.Pos.Line, b.Pos.Line), cmp.Compare(a.Pos.Col, b.Pos.Col))
	})
	return out
}

// sections lists the text, read-only data and writable data sections that
// hold symbols: each spans its symbols, from the first byte of the first to
// the last byte of the last (the read-only one from rodataStart, the
// writable one from writableStart).
func (e *encoder) sections() []Section {
	var out []Section
	if len(e.funcs) > 0 {
		out = append(out, Section{Name: SymText.SectionName(), Kind: SymText, Offset: 0, Size: e.codeLen})
	}
	ro, roEnd, rw := -1, 0, false
	for _, d := range e.data {
		switch {
		case d.kind == SymData:
			rw = true
		case ro < 0:
			ro = e.rodataStart
			fallthrough
		default:
			roEnd = d.off + d.size
		}
	}
	if ro >= 0 {
		out = append(out, Section{Name: SymRodata.SectionName(), Kind: SymRodata, Offset: ro, Size: roEnd - ro})
	}
	if rw {
		out = append(out, Section{Name: SymData.SectionName(), Kind: SymData, Offset: e.writableStart, Size: e.end - e.writableStart})
	}
	return out
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
