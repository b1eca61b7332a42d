package ir

// Source ties a statement to the text it came from. Pos is the position of
// the statement's first token; Text is the statement's source text
// (trimmed, comments removed) as listings and the line map show it.
type Source struct {
	Pos  Pos
	Text string
}

// Stmt is one statement of a program: *Inst, *LabelDef, *TextDef,
// *DataDef, *GloblDef, *BytesDef or *AlignDef.
type Stmt interface {
	Src() Source
}

// Inst is one machine instruction.
type Inst struct {
	Source
	// Op is the mnemonic as `go tool asm` spells it (ADDQ, VPADDD, JEQ).
	Op string
	// Suffix holds the Go-syntax instruction suffixes, dot-separated and
	// without the leading dot: "Z", "BCST", "RN_SAE", "RN_SAE.Z", "SAE.Z".
	// Empty when there are none.
	Suffix string
	// Args are the operands in Go order (sources first, destination last).
	// AVX-512 opmask registers (K1…K7) are ordinary operands, placed where
	// Go syntax places them (before the destination).
	Args []Operand
	// broken marks an instruction whose operands the front end could not
	// resolve (and reported): the encoder leaves it out (SetBroken).
	broken bool
	// spelling is how an instruction of an Intel-syntax source was
	// written, for messages (SetSpelling); nil for Go syntax and the
	// Builder.
	spelling *Spelling
}

// LabelDef defines a code label at the current position: `name:`.
type LabelDef struct {
	Source
	Name string
}

// TextDef starts a function: TEXT name(SB), FLAGS, $frame-args.
type TextDef struct {
	Source
	Name   string // without "·" prefix, "<>" or "(SB)"
	Static bool   // name<>(SB)
	Flags  int64  // textflag.h bits (NOSPLIT, NOFRAME, …)
	Frame  int64  // local frame size ($frame)
	Args   int64  // argument size (-args), or -1 when not given
	// broken marks a TEXT whose line had an error: it still opens a
	// function, so that what follows is not reported again, and the
	// encoder reports nothing about it.
	broken bool
}

// GloblDef declares a data symbol: GLOBL name(SB), FLAGS, $size. Data
// symbols are laid out after the code: the read-only ones (RODATA) first,
// then, from a page boundary, the writable ones, each group in the order
// declared and each symbol at the next multiple of its alignment.
type GloblDef struct {
	Source
	Name   string
	Static bool
	Flags  int64 // textflag.h bits (RODATA, NOPTR, …)
	Size   int64
	// Align is the symbol's alignment in bytes, a power of two up to
	// 4096. Zero means the default: the largest power of two not above
	// Size, at most 64 (what Go syntax, which cannot say it, gets). Align 1
	// places the symbol right after the one declared before it.
	Align int64
	// broken marks a GLOBL whose line had an error: references to it
	// and DATA for it are not reported again.
	broken bool
}

// DataDef initialises bytes of a data symbol:
// DATA name+Off(SB)/Width, $value. Value is an ImmOperand, a FloatOperand
// or a StringOperand.
type DataDef struct {
	Source
	Name   string
	Static bool
	Off    int64
	Width  int64
	Value  Operand
}

// BytesDef places raw bytes in the code at the current position (the Intel
// front end's db/dw/dd/dq in a text section).
type BytesDef struct {
	Source
	Bytes []byte
}

// AlignDef pads the code with NOPs (in text) to a multiple of Align bytes,
// a power of two.
type AlignDef struct {
	Source
	Align int64
}

func (s *Inst) Src() Source     { return s.Source }
func (s *LabelDef) Src() Source { return s.Source }
func (s *TextDef) Src() Source  { return s.Source }
func (s *GloblDef) Src() Source { return s.Source }
func (s *DataDef) Src() Source  { return s.Source }
func (s *BytesDef) Src() Source { return s.Source }
func (s *AlignDef) Src() Source { return s.Source }

// SetBroken marks (or unmarks) a statement whose line had an error its
// front end reported: an Inst the encoder leaves out, a TEXT or GLOBL it
// keeps only so that what refers to it is not reported again. Other
// statements cannot be broken.
func SetBroken(st Stmt, broken bool) {
	switch s := st.(type) {
	case *Inst:
		s.broken = broken
	case *TextDef:
		s.broken = broken
	case *GloblDef:
		s.broken = broken
	}
}

// ClearBroken unmarks an instruction (SetBroken(in, false)): a parser
// that makes an instruction in the memory of an earlier one starts so.
func ClearBroken(in *Inst) { in.broken = false }

// IsBroken reports whether SetBroken marked st.
func IsBroken(st Stmt) bool {
	switch s := st.(type) {
	case *Inst:
		return s.broken
	case *TextDef:
		return s.broken
	case *GloblDef:
		return s.broken
	}
	return false
}

// SetSpelling records how an Intel-syntax instruction was written.
func SetSpelling(in *Inst, sp *Spelling) {
	// A parser that makes instructions in the memory of earlier ones
	// with one shared spelling (LazySpelling) writes no pointer, and so
	// needs no write barrier, for most.
	if in.spelling != sp {
		in.spelling = sp
	}
}

// SpellingOf returns how an Intel-syntax (or AT&T-syntax) instruction
// was written, made now if it was recorded lazily (LazySpelling), or nil
// for one written in Go syntax or made with the Builder.
func SpellingOf(in *Inst) *Spelling { return Spell(in).sp() }

// SymRef names a symbol as a reference writes it: name(SB) or
// name<>(SB).
type SymRef struct {
	Name   string
	Static bool
}

func (r SymRef) String() string {
	if r.Static {
		return r.Name + "<>(SB)"
	}
	return r.Name + "(SB)"
}

// Flags of TextDef and GloblDef, as textflag.h defines them: the ones the
// encoder reads.
const (
	FlagNOSPLIT = 4
	FlagRODATA  = 8
	FlagNOPTR   = 16
	FlagNOFRAME = 512
)

// MaxAlign is the largest alignment PCALIGN, an Intel align directive or
// GloblDef.Align may ask for: a page.
const MaxAlign = 4096

// DefaultAlign is the alignment of a data symbol that does not ask for
// one: the largest power of two not above its size, at most 64.
func DefaultAlign(size int64) int64 {
	a := int64(1)
	for a < 64 && a*2 <= size {
		a *= 2
	}
	return a
}
