package disasm

import (
	"bytes"
	"fmt"

	"golang.org/x/arch/x86/x86asm"
)

// item is one row before formatting: n bytes at off, as data, or as the
// decoding of the bytes at off, or when note is set, as bytes that are
// not an instruction for that reason. Items are small: the formatting
// decodes the bytes again rather than keep every x86asm.Inst.
type item struct {
	off, n int
	data   bool
	note   string
}

// sweep cuts the code into items: a linear sweep that restarts at every
// stop (symbol, label, source line, region change, mark). It also returns
// the addresses the instructions refer to, for nameTargets.
func (b *block) sweep() (items []item, refs []uint64) {
	for off := 0; off < len(b.code); {
		next := b.nextStop(off)
		if b.isData(off) {
			for _, n := range dataChunks(next - off) {
				items = append(items, item{off: off, n: n, data: true})
				off += n
			}
			continue
		}
		// An instruction that would reach into data runs over the stop
		// where the data starts.
		d := decodeCut(b.code[off:min(off+maxInstLen, len(b.code))], "the code")
		if d.n > next-off {
			d = bad(1, "an instruction of %d bytes here would run over %s at %#x", d.n, b.stopWhy[next], b.base+uint64(next))
		}
		if d.ok {
			refs = append(refs, targets(d.inst, b.base+uint64(off))...)
		}
		items = append(items, item{off: off, n: d.n, note: d.note})
		off += d.n
	}
	return items, refs
}

// decodeCut decodes the instruction at the start of src, where src holds
// every byte there is to read (whose names them: "the code"). Bytes that
// do not decode, but would with more after them, get a note saying that
// the instruction was cut short.
func decodeCut(src []byte, whose string) decoded {
	d := decodeAt(src)
	if !d.ok && d.fixed == nil && len(src) < maxInstLen {
		padded := make([]byte, maxInstLen)
		copy(padded, src)
		if whole := decodeAt(padded); (whole.ok || whole.fixed != nil) && whole.n > len(src) {
			d.note = fmt.Sprintf("truncated: an instruction of %d bytes starts here, and %s ends after %d", whole.n, whose, len(src))
		}
	}
	return d
}

// dataChunks splits n bytes of data into rows of 8 bytes, then 4, 2 and 1
// for the tail, so that each row is one value of a data directive.
func dataChunks(n int) []int {
	var chunks []int
	for _, size := range []int{8, 4, 2, 1} {
		for n >= size && (size == 8 || n&size != 0) {
			chunks = append(chunks, size)
			n -= size
		}
	}
	return chunks
}

// rows sweeps the code, names the branch targets that have no name, and
// formats every item.
func (b *block) rows() []Row {
	items, refs := b.sweep()
	b.nameTargets(items, refs)
	rows := make([]Row, 0, len(items)+1)
	for _, it := range items {
		rows = append(rows, b.row(it))
	}
	if ns := b.names[len(b.code)]; len(ns) > 0 {
		// Labels at the very end: an end row carries them.
		end := Row{Addr: b.base + uint64(len(b.code)), Offset: len(b.code)}
		end.Symbol, end.SymOffset = b.symbolColumn(len(b.code))
		for _, nm := range ns {
			end.Labels = append(end.Labels, nm.text)
		}
		rows = append(rows, end)
	}
	return rows
}

// nameTargets gives a loc_ADDR label to every in-block branch target or
// RIP-relative address that starts a row, has no symbol or label, and lies
// in no symbol (where sym+off names it). With names for them, the text
// stays right when an assembler lays the code out differently (a shorter
// encoding of a padding NOP before a target).
func (b *block) nameTargets(items []item, refs []uint64) {
	starts := map[int]bool{}
	for _, it := range items {
		starts[it.off] = true
	}
	taken := map[string]bool{}
	for _, ns := range b.names {
		for _, nm := range ns {
			taken[nm.text] = true
		}
	}
	made := false
	for _, t := range refs {
		off := t - b.base
		if off >= uint64(len(b.code)) || !starts[int(off)] || len(b.names[int(off)]) > 0 {
			continue
		}
		if _, in := b.symbolAt(int(off)); in {
			continue
		}
		text := fmt.Sprintf("loc_%x", t)
		for taken[text] {
			text += "_"
		}
		taken[text] = true
		b.addName(int(off), name{text: text, kind: madeName, unique: true})
		made = true
	}
	if made {
		b.sortStops()
	}
}

// row formats one item.
func (b *block) row(it item) Row {
	r := Row{
		Addr:   b.base + uint64(it.off),
		Offset: it.off,
		Bytes:  bytes.Clone(b.code[it.off : it.off+it.n]),
		Data:   it.data,
		Marked: b.mark >= it.off && b.mark < it.off+it.n,
	}
	r.Symbol, r.SymOffset = b.symbolColumn(it.off)
	for _, nm := range b.names[it.off] {
		r.Labels = append(r.Labels, nm.text)
	}
	switch {
	case it.data:
		r.Text = dataText(b.syntax, r.Bytes)
	case it.note != "":
		r.Bad, r.Note = true, it.note
		r.Text = bytesText(b.syntax, r.Bytes)
	default:
		// The same bytes as in the sweep: the same decoding.
		b.describe(&r, decodeAt(b.code[it.off:min(it.off+maxInstLen, len(b.code))]), it.off)
	}
	if b.source {
		if l, ok := b.prog.LineAt(it.off); ok {
			r.Pos, r.Source = l.Pos, l.Text
		}
	}
	return r
}

// describe sets r's Text, and Target for an instruction that refers to
// an address, from d, the decoding of r.Bytes at offset off, and Asm and
// Note when an assembler would not make r.Bytes of the Text; or marks r
// Bad, with the reason in its Note, when d is no instruction or does not
// print.
func (b *block) describe(r *Row, d decoded, off int) {
	if d.ok || d.fixed != nil {
		if text, ok := b.format(d, r.Bytes, off); ok {
			r.Text = text
			if d.ok {
				r.Target, r.HasTarget = target(d.inst, b.base+uint64(off))
			}
			if note := b.bytesNote(d, r.Bytes); note != "" {
				r.Note, r.Asm = note, asmBytes(b.syntax, r.Bytes, text)
			}
			return
		}
		d.note = "the decoder could not print this instruction"
	}
	r.Bad, r.Note = true, d.note
	r.Text = bytesText(b.syntax, r.Bytes)
}

// symbolColumn returns the nearest name at or before off and the distance
// to it, or "" and off.
func (b *block) symbolColumn(off int) (string, int) {
	if nm, at, ok := b.nearest(off); ok {
		return nm.text, off - at
	}
	return "", off
}

// targets returns the branch targets and RIP-relative addresses of inst
// at pc that the printers can name.
func targets(inst x86asm.Inst, pc uint64) []uint64 {
	var ts []uint64
	for _, a := range inst.Args {
		switch a := a.(type) {
		case x86asm.Rel:
			ts = append(ts, pc+uint64(inst.Len)+uint64(int64(a)))
		case x86asm.Mem:
			if namedRIP(a) {
				ts = append(ts, pc+uint64(inst.Len)+uint64(a.Disp))
			}
		}
	}
	return ts
}

// namedRIP reports whether a is a RIP-relative operand that x86asm's
// printers name through the symbol lookup (see its memArgToSymbol).
func namedRIP(a x86asm.Mem) bool {
	return a.Base == x86asm.RIP && a.Segment == 0 && a.Disp != 0 && a.Index == 0 && a.Scale == 0
}
