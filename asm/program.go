package asm

import "sort"

// Program is the result of assembling one source: machine code followed by
// data, and the maps that tie every byte back to the source.
//
// Code is position independent: every reference from code to a symbol or
// label in the same Program is PC-relative, so Code can be copied to any
// address and run there.
//
// Code is laid out in up to three sections (Sections), as a loader lays
// out an executable, each part on pages of its own:
//
//	[0, text end)                        .text: the code of every function
//	[RodataStart(), rodata end)          .rodata: read-only data (RODATA, Intel .rodata, float constants)
//	[WritableStart(), len(Code))         .data: writable data (GLOBL without RODATA, Intel .data and .bss)
//
// The read-only data and the writable data each start at a multiple of
// SectionAlign (a page), so a loader that places Code at a page-aligned
// address can map the code read+execute, the read-only data read-only and
// the writable data read+write, no data page ever executable (W^X per
// page; LoadLayout gives the offsets execmem.LoadOptions takes), and every
// PC-relative reference from the code into either part still holds, since
// the whole of Code keeps its layout. INT3 (0xCC) fills the code's last
// page up to the data; zeros fill the data pages between symbols and
// sections. Uninitialised writable data (Intel .bss, parts of a GLOBL no
// DATA writes) is zero in Code. A part the program lacks takes no room:
// without writable data WritableStart() == len(Code), without read-only
// data RodataStart() == WritableStart().
type Program struct {
	// File is the source name used in positions ("<expr>" for -e sources).
	File string
	// Code is the code of every TEXT block in source order, then (from
	// RodataStart) the read-only data, then (from WritableStart) the
	// writable data, each symbol aligned as its GLOBL asks (by default as
	// its size requires).
	Code []byte
	// Sections are the text, read-only data and writable data sections
	// that hold symbols, in order of their offsets.
	Sections []Section
	// Symbols are the TEXT and GLOBL symbols, sorted by Offset.
	Symbols []Symbol
	// Labels are the code labels (name: lines), sorted by Offset, but the
	// one that names a source's implicit function, which is its symbol
	// (see the package doc). Intel-syntax data labels are symbols.
	Labels []Label
	// Lines maps source lines to the bytes they produced, sorted by Offset.
	// A source line that produced no bytes (a label, a directive) is absent.
	Lines []Line

	libGuard int // 1 + the offset of the INT3 before the linked I/O library; 0 without it
}

// LibraryGuard returns the offset of the INT3 that separates the
// program's own code from the I/O library linked after it (see Library),
// and false when no routine was linked. Code that runs past its end stops
// there, as it stops in the INT3 padding after the code of a program
// without the library.
func (p *Program) LibraryGuard() (int, bool) {
	return p.libGuard - 1, p.libGuard > 0
}

// SymbolKind says what a symbol holds.
type SymbolKind uint8

const (
	// SymText is a function: a TEXT block, or the implicit block of a
	// source that has no TEXT directive (named after its first label, or
	// main).
	SymText SymbolKind = iota + 1
	// SymData is writable data: a GLOBL symbol without RODATA, an Intel
	// .data or .bss label. It is laid out in the writable section, from
	// Program.WritableStart, which a loader maps read+write.
	SymData
	// SymRodata is read-only data: a GLOBL symbol declared RODATA, an
	// Intel .rodata label, a float constant. It is laid out in the
	// read-only section, from Program.RodataStart, which a loader maps
	// read-only.
	SymRodata
)

func (k SymbolKind) String() string {
	switch k {
	case SymText:
		return "text"
	case SymData:
		return "data"
	case SymRodata:
		return "rodata"
	}
	return "unknown"
}

// SectionName is the name of the section that holds symbols of the kind:
// ".text", ".rodata" or ".data" (Intel's .bss is part of .data).
func (k SymbolKind) SectionName() string {
	switch k {
	case SymData:
		return ".data"
	case SymRodata:
		return ".rodata"
	}
	return ".text"
}

// SectionAlign is the alignment of the read-only data and of the writable
// data in Program.Code: a page, so that each can be mapped with its own
// protection.
const SectionAlign = 4096

// MaxProgramSize is the largest Program.Code the assembler lays out, code
// and data: 1 GiB, the size of the largest GLOBL. A source whose data
// symbols together, or whose code and data, would take more is an error
// that says so, found before the bytes are allocated: a short source can
// ask for any number of large symbols or alignments.
const MaxProgramSize = 1 << 30

// Section is a run of Program.Code that holds one kind of symbols: from the
// first byte of its first symbol to the last byte of its last (.text: from
// offset 0 to the end of the code; .data: from Program.WritableStart, with
// its zeros). Name is ".text", ".rodata" or ".data"; Kind is SymText (code,
// mapped read+execute), SymRodata (read-only data, mapped read-only, from
// a multiple of SectionAlign) or SymData (writable data, mapped
// read+write, from a multiple of SectionAlign).
type Section struct {
	Name   string
	Kind   SymbolKind
	Offset int
	Size   int
}

// RodataStart returns the offset of the read-only data in Code, a multiple
// of SectionAlign; WritableStart() when there is none. A loader maps Code
// before it read+execute and from it to WritableStart() read-only.
func (p *Program) RodataStart() int {
	for _, s := range p.Sections {
		if s.Kind == SymRodata {
			return s.Offset
		}
	}
	return p.WritableStart()
}

// WritableStart returns the offset of the writable data in Code, a multiple
// of SectionAlign; len(Code) when there is none. A loader maps Code from it
// read+write.
func (p *Program) WritableStart() int {
	for _, s := range p.Sections {
		if s.Kind == SymData {
			return s.Offset
		}
	}
	return len(p.Code)
}

// LoadLayout returns where the read-only data and the writable data start
// in Code, as execmem.LoadOptions takes them (Readonly, Writable): each a
// multiple of SectionAlign, or 0 for a part the program lacks. A part that
// starts at offset 0 (a program without code) is 0 too: a loader then maps
// it with the code.
func (p *Program) LoadLayout() (readonly, writable int) {
	if ro := p.RodataStart(); ro < p.WritableStart() {
		readonly = ro
	}
	if w := p.WritableStart(); w < len(p.Code) {
		writable = w
	}
	return readonly, writable
}

// Symbol is a TEXT or GLOBL symbol laid out in Program.Code.
type Symbol struct {
	Name   string // as written, without "<>" or "(SB)"
	Static bool   // written name<>(SB): file-local in Go assembly
	Kind   SymbolKind
	Offset int // offset of the first byte in Program.Code
	Size   int // bytes; for TEXT, the code length of the block
	Pos    Pos // where it was declared
}

// Label is a code label. Labels are scoped to their TEXT block, as in Go
// assembly: two functions may each have a label "loop".
type Label struct {
	Name   string
	Func   string // the TEXT symbol the label belongs to
	Offset int
	Pos    Pos
}

// Line is one source line and the bytes it produced.
type Line struct {
	Pos    Pos    // file, line and column of the line's first token
	Offset int    // offset in Program.Code
	Len    int    // number of bytes
	Text   string // the source text of the line, trimmed, comments removed
}

// Symbol returns the symbol with the given name.
func (p *Program) Symbol(name string) (Symbol, bool) {
	for _, s := range p.Symbols {
		if s.Name == name {
			return s, true
		}
	}
	return Symbol{}, false
}

// Lookup returns the offset of a symbol or a label with the given name.
// Symbols take precedence over labels.
func (p *Program) Lookup(name string) (int, bool) {
	if s, ok := p.Symbol(name); ok {
		return s.Offset, true
	}
	for _, l := range p.Labels {
		if l.Name == name {
			return l.Offset, true
		}
	}
	return 0, false
}

// LineAt returns the source line whose bytes contain offset.
func (p *Program) LineAt(offset int) (Line, bool) {
	i := sort.Search(len(p.Lines), func(i int) bool {
		return p.Lines[i].Offset+p.Lines[i].Len > offset
	})
	if i < len(p.Lines) && p.Lines[i].Offset <= offset {
		return p.Lines[i], true
	}
	return Line{}, false
}

// SymbolAt returns the symbol whose bytes contain offset.
func (p *Program) SymbolAt(offset int) (Symbol, bool) {
	for _, s := range p.Symbols {
		if s.Offset <= offset && offset < s.Offset+s.Size {
			return s, true
		}
	}
	return Symbol{}, false
}
