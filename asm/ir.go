package asm

import "github.com/jitrun/jitrun/asm/internal/ir"

// The statement IR every front end produces and the encoder consumes. The
// types are defined in internal/ir, which the stages share; these are
// their public names. Operands are always in Go order: sources first,
// destination last (ADDQ $1, AX adds 1 to AX); the Intel front end
// reverses its operands.

// Source ties a statement to the text it came from. Pos is the position of
// the statement's first token; Text is the statement's source text
// (trimmed, comments removed) as listings and the line map show it.
type Source = ir.Source

// Stmt is one statement of a program: *Inst, *LabelDef, *TextDef,
// *DataDef, *GloblDef, *BytesDef or *AlignDef. Its method Src returns the
// statement's Source.
type Stmt = ir.Stmt

// Inst is one machine instruction: Op, the mnemonic as `go tool asm`
// spells it (ADDQ, VPADDD, JEQ); Suffix, the Go-syntax suffixes without
// the leading dot ("Z", "BCST", "RN_SAE.Z"); Args, the operands in Go
// order, AVX-512 opmask registers where Go syntax places them (before the
// destination).
type Inst = ir.Inst

// LabelDef defines a code label at the current position: `name:`.
type LabelDef = ir.LabelDef

// TextDef starts a function: TEXT name(SB), FLAGS, $frame-args. Name is
// without "·", "<>" or "(SB)"; Static is name<>(SB); Flags are textflag.h
// bits; Frame is the local frame size; Args the argument size, or -1.
type TextDef = ir.TextDef

// GloblDef declares a data symbol: GLOBL name(SB), FLAGS, $size. Align is
// its alignment, a power of two up to 4096; zero means the default, the
// largest power of two not above Size, at most 64. RODATA symbols are laid
// out after the code, from the next multiple of SectionAlign; the others
// are writable, after the read-only data from the next multiple of
// SectionAlign (see Program).
type GloblDef = ir.GloblDef

// DataDef initialises bytes of a data symbol:
// DATA name+Off(SB)/Width, $value. Value is an ImmOperand, a FloatOperand
// or a StringOperand.
type DataDef = ir.DataDef

// BytesDef places raw bytes in the code at the current position (the Intel
// front end's db/dw/dd/dq in a text section).
type BytesDef = ir.BytesDef

// AlignDef pads the code with NOPs to a multiple of Align bytes, a power
// of two.
type AlignDef = ir.AlignDef

// OperandKind says which fields of an Operand are meaningful.
type OperandKind = ir.OperandKind

// The operand kinds; see the fields of Operand.
const (
	// RegOperand is a register: Reg.
	RegOperand = ir.RegOperand
	// ImmOperand is an integer constant ($42): Imm.
	ImmOperand = ir.ImmOperand
	// FloatOperand is a floating-point constant ($(1.5)): Float.
	FloatOperand = ir.FloatOperand
	// StringOperand is a string constant ($"abc"), DATA only: String.
	StringOperand = ir.StringOperand
	// MemOperand is a memory reference Disp(Base)(Index*Scale), or, when
	// Sym is set, Sym+Disp(SB) (PC-relative to a symbol or label of the
	// same program), or, when PCRel is set, Disp bytes from the end of the
	// instruction (Intel's [rip + Disp]). Seg adds a segment override.
	MemOperand = ir.MemOperand
	// AddrOperand is the address of a memory reference, $Sym+Disp(SB) or
	// $Disp(Base): the fields are as for MemOperand.
	AddrOperand = ir.AddrOperand
	// LabelOperand is a branch target: a label or a TEXT symbol of the
	// same program, by name (Sym), plus Disp bytes. With Sym empty it is
	// Go's N(PC): the instruction Disp instructions from this one.
	LabelOperand = ir.LabelOperand
	// RegListOperand is a register range [Reg-RegHi] (V4FMADDPS and kin).
	RegListOperand = ir.RegListOperand
)

// Operand is one instruction operand as a plain value; Kind says which of
// its fields (Reg, RegHi, Index, Scale, Disp, Sym, Static, PCRel, Seg,
// Imm, Float, String) are meaningful. Its method WithSeg returns a memory
// operand with a segment override, FS or GS: Mem(0x28, 0).WithSeg(FS) is
// 0x28(FS), Intel's fs:[0x28].
type Operand = ir.Operand

// Reg is an x86-64 register by its Go-syntax identity (AX, R8, X3, Y7, Z31,
// K1, …). Widths of general-purpose registers are implied by the mnemonic
// in Go syntax (ADDL AX, BX adds EAX to EBX), so there is one Reg per
// architectural register, plus AL…R15B and AH…BH for byte registers.
// The zero Reg means "no register"; String gives the Go-syntax name.
type Reg = ir.Reg

// LookupReg returns the register with the given Go-syntax name (AX, R8,
// X0, Y31, Z7, K1, AL, R8B, AH, …); names are case-sensitive, as in
// `go tool asm`.
func LookupReg(name string) (Reg, bool) { return ir.LookupReg(name) }

// Pos is a position in a source: file name, 1-based line and 1-based
// column (in bytes).
type Pos = ir.Pos

// Error is one problem in a source, at a position.
type Error = ir.Error

// MaxErrors is how many errors one assembly collects before it stops.
const MaxErrors = ir.MaxErrors

// ErrorList is every problem found in one pass over a source, in source
// order, at most MaxErrors of them (the last one then says "too many
// errors"). Assemble returns an ErrorList as its error when the source has
// problems; use errors.As to get at the individual positions.
type ErrorList = ir.ErrorList
