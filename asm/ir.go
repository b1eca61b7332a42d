package asm

// This file defines the intermediate representation shared by every front
// end (Go-syntax text, Intel-syntax text, the Builder) and consumed by the
// one encoder path. Front ends never touch golang-asm; the encoder never
// sees text. Every value here is a plain value: a front end builds a
// []Stmt and hands it to the encoder, which validates and lays it out.
//
// Operands are always in Go order: sources first, destination last
// (ADDQ $1, AX adds 1 to AX). The Intel front end reverses its operands
// before building an Inst.

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
	// resolve (and reported): the encoder leaves it out.
	broken bool
	// intel is how an instruction of an Intel-syntax source was written,
	// for messages (spell.go); nil for Go syntax and the Builder.
	intel *intelSpelling
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
// symbols are laid out after the code in the order they are declared, each
// at the next multiple of its alignment.
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

// OperandKind says which fields of an Operand are meaningful.
type OperandKind uint8

const (
	// RegOperand is a register: Reg.
	RegOperand OperandKind = iota + 1
	// ImmOperand is an integer constant ($42): Imm.
	ImmOperand
	// FloatOperand is a floating-point constant ($(1.5)): Float.
	FloatOperand
	// StringOperand is a string constant ($"abc"), DATA only: String.
	StringOperand
	// MemOperand is a memory reference Disp(Base)(Index*Scale), or, when
	// Sym is set, Sym+Disp(SB) (PC-relative to a symbol or label of the
	// same program; Base and Index must then be zero), or, when PCRel is
	// set, Disp bytes from the end of the instruction (Intel's
	// [rip + Disp]). Seg adds a segment override: FS or GS.
	MemOperand
	// AddrOperand is the address of a memory reference, $Sym+Disp(SB) or
	// $Disp(Base): the fields are as for MemOperand.
	AddrOperand
	// LabelOperand is a branch target: a label or a TEXT symbol of the
	// same program, by name (Sym), plus Disp bytes. With Sym empty it is
	// Go's N(PC): the instruction Disp instructions from this one.
	LabelOperand
	// RegListOperand is a register range [Reg-RegHi] (V4FMADDPS and kin).
	RegListOperand
)

// Operand is one instruction operand as a plain value.
type Operand struct {
	Kind   OperandKind
	Reg    Reg     // RegOperand: the register; Mem/AddrOperand: the base (0 for none); RegListOperand: the first register
	RegHi  Reg     // RegListOperand: the last register
	Index  Reg     // Mem/AddrOperand: the index register (0 for none)
	Scale  int64   // Mem/AddrOperand: 1, 2, 4 or 8 when Index is set
	Disp   int64   // Mem/AddrOperand: displacement (or offset from Sym)
	Sym    string  // Mem/AddrOperand: symbol or label name (PC-relative); LabelOperand: the target
	Static bool    // Sym was written name<>(SB)
	PCRel  bool    // Mem/AddrOperand: Disp is relative to the end of this instruction (Reg, Index and Sym are zero)
	Seg    Reg     // MemOperand: a segment override, FS or GS (0 for none): Go's 8(FS) and 8(AX)(FS*1), Intel's fs:[rax+8]
	Imm    int64   // ImmOperand
	Float  float64 // FloatOperand
	String string  // StringOperand
}
