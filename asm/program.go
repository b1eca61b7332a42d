package asm

import "sort"

// Program is the result of assembling one source: machine code followed by
// data, and the maps that tie every byte back to the source.
//
// Code is position independent: every reference from code to a symbol or
// label in the same Program is PC-relative, so Code can be copied to any
// address and run there.
type Program struct {
	// File is the source name used in positions ("<expr>" for -e sources).
	File string
	// Code is the code of every TEXT block in source order, followed by
	// the data of every GLOBL symbol (each aligned as its size requires).
	Code []byte
	// Symbols are the TEXT and GLOBL symbols, sorted by Offset.
	Symbols []Symbol
	// Labels are the code labels (name: lines), sorted by Offset, but the
	// one that names a source's implicit function, which is its symbol
	// (see the package doc). Intel-syntax data labels are symbols.
	Labels []Label
	// Lines maps source lines to the bytes they produced, sorted by Offset.
	// A source line that produced no bytes (a label, a directive) is absent.
	Lines []Line
}

// SymbolKind says what a symbol holds.
type SymbolKind uint8

const (
	// SymText is a function: a TEXT block, or the implicit block of a
	// source that has no TEXT directive (named after its first label, or
	// main).
	SymText SymbolKind = iota + 1
	// SymData is a GLOBL symbol that is writable in a linked Go binary.
	// jitrun places all data next to the code, so it is read-only at run
	// time whatever its flags.
	SymData
	// SymRodata is a GLOBL symbol declared RODATA.
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
