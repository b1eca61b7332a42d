package explain

import (
	"bytes"
	"fmt"

	"github.com/jitrun/jitrun/asm"
	"github.com/jitrun/jitrun/disasm"
	"github.com/jitrun/jitrun/execmem"
	"github.com/jitrun/jitrun/trampoline"
)

// Context is what is known of a call besides how it ended: the code and
// where it was loaded, its names, and the files the user mapped. The zero
// Context knows nothing but the memory map. A Context is for one
// goroutine at a time (it caches /proc/self/maps).
type Context struct {
	Code    []byte       // the code as loaded (nil: unknown)
	Base    uint64       // its address
	Cap     int          // bytes mapped for it: INT3 padding fills [len(Code), Cap)
	Program *asm.Program // its names and source lines, when it came from source
	Syntax  asm.Syntax   // the syntax instructions are shown in
	Files   []File       // memory the user mapped beside it (jitrun run --map)

	// Maps reads the memory map; nil means execmem.Maps.
	Maps func() ([]execmem.Region, error)

	regions    []execmem.Region
	regionsErr error
	haveMaps   bool
}

// File is a file the user mapped for the call.
type File struct {
	Name string
	Addr uint64 // where it is mapped
	Len  int    // bytes mapped (whole pages)
	Size int    // bytes of the file
}

// OffsetOf returns addr's offset in the code, if it lies in it.
func (c *Context) OffsetOf(addr uint64) (int, bool) {
	if addr >= c.Base && addr-c.Base < uint64(len(c.Code)) {
		return int(addr - c.Base), true
	}
	return 0, false
}

// InPadding reports whether addr lies in the INT3 bytes that fill the
// code's last page after it.
func (c *Context) InPadding(addr uint64) bool {
	end := c.Base + uint64(len(c.Code))
	return addr >= end && addr < c.Base+uint64(c.Cap)
}

// atLibraryGuard reports whether addr is the INT3 between the program's
// code and the I/O library linked after it (asm.Program.LibraryGuard).
func (c *Context) atLibraryGuard(addr uint64) bool {
	if c.Program == nil || addr < c.Base {
		return false
	}
	g, ok := c.Program.LibraryGuard()
	return ok && addr-c.Base == uint64(g)
}

// SymOff names an offset in the code: the nearest label or symbol at or
// before it (a label wins over the symbol it starts), "name+0x12"; "+0x12"
// for code without names.
func (c *Context) SymOff(off int) string {
	best, bestOff := "", -1
	if p := c.Program; p != nil {
		for _, s := range p.Symbols {
			if s.Offset <= off && s.Offset > bestOff {
				best, bestOff = SymbolName(s), s.Offset
			}
		}
		for _, l := range p.Labels {
			if l.Offset <= off && l.Offset >= bestOff {
				best, bestOff = l.Name, l.Offset
			}
		}
	}
	if bestOff < 0 {
		return fmt.Sprintf("+%#x", off)
	}
	return fmt.Sprintf("%s+%#x", best, off-bestOff)
}

// SymbolName is a symbol's name as the source wrote it: name<> for a
// file-local Go symbol.
func SymbolName(s asm.Symbol) string {
	if s.Static {
		return s.Name + "<>"
	}
	return s.Name
}

// ShortWhere is "+0x7 (f+0x7)" for an address in the code, "+0x20 (past
// the end of the code)" in its padding, the address itself outside it.
func (c *Context) ShortWhere(addr uint64) string {
	off, ok := c.OffsetOf(addr)
	if !ok {
		if c.InPadding(addr) {
			return fmt.Sprintf("+%#x (past the end of the code)", addr-c.Base)
		}
		return fmt.Sprintf("%#x (outside the code)", addr)
	}
	s := fmt.Sprintf("+%#x", off)
	if so := c.SymOff(off); so != s {
		s += " (" + so + ")"
	}
	return s
}

// Region returns the /proc/self/maps line that holds addr.
func (c *Context) Region(addr uint64) (execmem.Region, bool) {
	if !c.haveMaps {
		maps := c.Maps
		if maps == nil {
			maps = execmem.Maps
		}
		c.regions, c.regionsErr = maps()
		c.haveMaps = true
	}
	if c.regionsErr != nil {
		return execmem.Region{}, false
	}
	return execmem.FindRegion(c.regions, uintptr(addr))
}

// Where says where an address lies: in the code, in its read-only or
// writable data (.rodata, .data), in the padding after it (the zeros of
// the last data page, when the program ends in data), on the call's stack
// or in its guard regions (f, when not nil, gives the stack), in a mapped
// file, or in whatever /proc/self/maps says.
func (c *Context) Where(addr uint64, f *trampoline.Fault) string {
	s := c.knownPlace(addr, f)
	if s == "" && addr < uint64(execmem.PageSize()) {
		return "in no mapping: the first page is never mapped (a null pointer?)"
	}
	reg, ok := c.Region(addr)
	switch {
	case s == "" && !ok:
		return "in no mapping"
	case s == "":
		what := "an anonymous"
		if reg.Path != "" {
			what = "a"
		}
		s = fmt.Sprintf("in %s %s mapping %#x-%#x", what, ProtLetters(reg), reg.Start, reg.End)
		if reg.Path != "" {
			s += " " + reg.Path
		}
		return s
	case ok:
		return s + ", mapped " + ProtLetters(reg)
	}
	return s
}

// knownPlace names the places a call knows of itself, or "".
func (c *Context) knownPlace(addr uint64, f *trampoline.Fault) string {
	if off, ok := c.OffsetOf(addr); ok {
		if sec, ok := c.SectionOf(off); ok && sec.Kind != asm.SymText {
			return "in " + sec.Name + " (" + c.SymOff(off) + ")"
		}
		return "in the code (" + c.SymOff(off) + ")"
	}
	switch {
	case c.InPadding(addr) && c.endsInData():
		return fmt.Sprintf("past the end of the data, in its last page (%d bytes of code and data)", len(c.Code))
	case c.InPadding(addr):
		return fmt.Sprintf("in the INT3 padding after the code (%d bytes)", len(c.Code))
	case f != nil && inRange(addr, f.GuardLow):
		return "in the guard region below the call's stack"
	case f != nil && inRange(addr, f.GuardHigh):
		return "in the guard region above the call's stack"
	case f != nil && addr >= uint64(f.GuardLow[1]) && addr < uint64(f.GuardHigh[0]):
		return "on the call's stack"
	}
	for _, m := range c.Files {
		if addr >= m.Addr && addr < m.Addr+uint64(m.Len) {
			if off := addr - m.Addr; off < uint64(m.Size) {
				return fmt.Sprintf("in the mapped file %s (byte %#x)", m.Name, off)
			}
			return fmt.Sprintf("past the end of the mapped file %s (%d bytes), in its last page", m.Name, m.Size)
		}
	}
	return ""
}

// inRange reports whether addr lies in the range [r[0], r[1]) (a guard
// region).
func inRange(addr uint64, r [2]uintptr) bool { return addr >= uint64(r[0]) && addr < uint64(r[1]) }

// ProtLetters is a region's protection as /proc/self/maps shows it: r-xp.
func ProtLetters(reg execmem.Region) string {
	if reg.Shared {
		return reg.Prot.String() + "s"
	}
	return reg.Prot.String() + "p"
}

// Instruction returns the text of the instruction at pc in the code, or
// "" outside it.
func (c *Context) Instruction(pc uint64) string {
	if _, ok := c.OffsetOf(pc); !ok {
		return ""
	}
	row, err := disasm.At(c.Code, pc, c.ListingOptions())
	if err != nil {
		return ""
	}
	return row.Text
}

// ListingOptions are the disasm options for the code.
func (c *Context) ListingOptions() disasm.Options {
	return disasm.Options{Syntax: c.Syntax, Base: c.Base, Program: c.Program, Source: c.Program != nil}
}

// FaultPC is the address of the instruction that faulted: the PC; for a
// breakpoint the INT3 (cc, or cd 03) that ends just before it; for a
// refused system call the SYSCALL (0f 05) or INT 0x80 (cd 80) before it,
// when those bytes are in the code.
func (c *Context) FaultPC(f *trampoline.Fault) uint64 {
	pc := uint64(f.PC)
	// after reports whether the code holds one of insts just before pc.
	after := func(insts ...string) bool {
		for _, inst := range insts {
			off, ok := c.OffsetOf(pc - uint64(len(inst)))
			if ok && pc >= uint64(len(inst)) && bytes.HasPrefix(c.Code[off:], []byte(inst)) {
				return true
			}
		}
		return false
	}
	switch {
	case f.Syscall != nil && after("\x0f\x05", "\xcd\x80"):
		return pc - 2
	case f.Syscall != nil || f.Signal != sigTRAP || f.Trap != 3:
		return pc
	case after("\xcd\x03"):
		return pc - 2
	case after("\xcc") || c.InPadding(pc-1):
		return pc - 1
	}
	return pc
}
