package asm

import "github.com/jitrun/jitrun/asm/internal/ir"

// layout places the pieces: branches start short and grow to near forms
// until every displacement fits (they never shrink, so this ends), and
// alignment pieces pad to their boundary. Data follows the code
// (placeData). A program over MaxProgramSize is an error (checkSize).
func (e *encoder) layout() {
	for {
		e.placeCode()
		e.placeData()
		if !e.growBranches() {
			break
		}
	}
	e.checkSize()
}

// checkSize reports a program larger than MaxProgramSize, at the line of
// the code, or the data symbol, that passes the limit.
func (e *encoder) checkSize() {
	if e.end <= MaxProgramSize {
		return
	}
	if e.codeLen > MaxProgramSize {
		for i := range e.pieces {
			if pc := &e.pieces[i]; pc.off+pc.size > MaxProgramSize {
				e.errorf(e.lineMap.lines[pc.line].Pos, "the code is %d bytes long, more than the %d (1 GiB) a program may hold (MaxProgramSize); it passes the limit here", e.codeLen, MaxProgramSize)
				return
			}
		}
	}
	for _, d := range e.data {
		if end := d.off + d.size; end > MaxProgramSize {
			what := "GLOBL " + d.ref.String()
			if d.def == nil {
				what = "a floating-point constant"
			}
			e.errorf(d.pos, "%s ends at %d bytes, more than the %d (1 GiB) a program may hold (MaxProgramSize)", what, end, MaxProgramSize)
			return
		}
	}
}

// placeCode gives every piece its offset and size under the current
// branch forms.
func (e *encoder) placeCode() {
	off := 0
	for i := range e.pieces {
		pc := &e.pieces[i]
		pc.off = off
		switch pc.kind {
		case pieceBranch:
			pc.size = e.branches[pc.ref].length()
		case piecePad:
			pc.size = padLength(pc.ref, off)
		}
		off += pc.size
	}
	e.codeLen = off
}

// growBranches makes near every short branch whose target is out of its
// reach, and reports whether it changed any.
func (e *encoder) growBranches() bool {
	grew := false
	for _, b := range e.branches {
		if b.near {
			continue
		}
		pc := &e.pieces[b.at]
		if b.form.Short == nil {
			b.near, grew = true, true
			continue
		}
		d := e.position(b.target) - int64(pc.off+pc.size)
		if (d < -128 || d > 127) && b.form.Near != nil {
			b.near, grew = true, true
		}
	}
	return grew
}

// placeData places the data symbols after the code, each group on pages
// of its own: from the next multiple of SectionAlign the read-only ones
// (RODATA, Intel .rodata, float constants), then from the next multiple
// of SectionAlign the writable ones, each group in the order declared and
// each symbol aligned as its GLOBL asks, by default to the largest power
// of two not above its size (at most 64). A group the program lacks takes
// no room: its start is where the next one starts.
func (e *encoder) placeData() {
	off := e.codeLen
	e.rodataStart = -1
	for _, d := range e.data {
		if d.kind == SymData {
			continue
		}
		if e.rodataStart < 0 {
			off = alignUp(off, SectionAlign)
			e.rodataStart = off
		}
		off = d.place(off)
	}
	e.writableStart = -1
	for _, d := range e.data {
		if d.kind != SymData {
			continue
		}
		if e.writableStart < 0 {
			off = alignUp(off, SectionAlign)
			e.writableStart = off
		}
		off = d.place(off)
	}
	if e.writableStart < 0 {
		e.writableStart = off // no writable data: it would start at the end
	}
	if e.rodataStart < 0 {
		e.rodataStart = e.writableStart // no read-only data
	}
	e.end = off
}

// place gives the symbol its offset, the first multiple of its alignment
// at or after off, and returns its end.
func (d *dataSym) place(off int) int {
	a := d.align
	if a == 0 {
		a = int(ir.DefaultAlign(int64(d.size)))
	}
	d.off = alignUp(off, a)
	return d.off + d.size
}

// alignUp rounds off up to a multiple of a, a power of two.
func alignUp(off, a int) int { return (off + a - 1) &^ (a - 1) }

// position returns the offset of a target under the current layout.
func (e *encoder) position(t target) int64 {
	if t.data != nil {
		return int64(t.data.off) + t.add
	}
	if int(t.piece) >= len(e.pieces) {
		return int64(e.codeLen) + t.add
	}
	return int64(e.pieces[t.piece].off) + t.add
}
