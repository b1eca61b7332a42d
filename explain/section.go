package explain

import (
	"github.com/jitrun/jitrun/asm"
	"github.com/jitrun/jitrun/trampoline"
)

// Section is the part of a program an offset of its code lies in, as a
// loader maps it (asm.Program.LoadLayout): the code (.text, read+exec) up
// to the read-only data, the read-only data (.rodata, read-only) up to the
// writable data, the writable data (.data, read+write) to the end. Name is
// ".text", ".rodata" or ".data"; Kind the asm.SymbolKind of its symbols.
type Section struct {
	Name string
	Kind asm.SymbolKind
}

// SectionOf returns the section of the program that holds offset off of
// the code; ok is false for code without a Program, or off outside it.
func (c *Context) SectionOf(off int) (Section, bool) {
	p := c.Program
	if p == nil || off < 0 || off >= len(p.Code) {
		return Section{}, false
	}
	switch {
	case off >= p.WritableStart():
		return sectionOf(asm.SymData), true
	case off >= p.RodataStart():
		return sectionOf(asm.SymRodata), true
	}
	return sectionOf(asm.SymText), true
}

// sectionOf is the section of symbols of kind k.
func sectionOf(k asm.SymbolKind) Section { return Section{k.SectionName(), k} }

// endsInData reports whether the program's code ends in data pages, whose
// bytes past the end are zeros, not INT3.
func (c *Context) endsInData() bool {
	p := c.Program
	return p != nil && len(p.Code) > 0 && p.RodataStart() < len(p.Code)
}

// dataName names the data at offset off of the code: the symbol that holds
// it (counter, table<>), or its section when no symbol does (.rodata).
func (c *Context) dataName(off int, sec Section) string {
	if s, ok := c.Program.SymbolAt(off); ok && s.Kind != asm.SymText {
		return SymbolName(s)
	}
	return sec.Name
}

// sectionWords says what a page fault on the program's data was: a write
// to its read-only data ("write to read-only data (counter); declare it
// in .data to write it"), or an instruction fetch from its read-only or
// writable data (or the zeros past its end, in its last page), which is
// never executable (NX). It is "" for any other fault.
func (c *Context) sectionWords(f *trampoline.Fault) string {
	pf, ok := f.PageFault()
	if !ok || f.Signal != sigSEGV || f.Code != 2 {
		return ""
	}
	var sec Section
	var name string
	if off, in := c.OffsetOf(uint64(f.Addr)); in {
		if sec, ok = c.SectionOf(off); ok {
			name = c.dataName(off, sec)
		}
	} else if ok = c.InPadding(uint64(f.Addr)) && c.endsInData(); ok {
		// Past the end, in the last data page: its zeros.
		sec, _ = c.SectionOf(len(c.Code) - 1)
		name = sec.Name
	}
	if !ok || sec.Kind == asm.SymText {
		return ""
	}
	switch {
	case pf.InstructionFetch() && sec.Kind == asm.SymRodata:
		return "instruction fetch from read-only data (" + name + "), which is never executable (NX)"
	case pf.InstructionFetch():
		return "instruction fetch from writable data (" + name + "), which is never executable (NX)"
	case pf.Write() && sec.Kind == asm.SymRodata:
		if c.Syntax == asm.SyntaxGo {
			return "write to read-only data (" + name + "); declare it in .data (GLOBL without RODATA) to write it"
		}
		return "write to read-only data (" + name + "); declare it in .data to write it"
	}
	return ""
}
