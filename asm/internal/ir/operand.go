package ir

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
	// LabelDiffOperand is a DataDef value only: the distance from label
	// String to label Sym, plus Disp (the AT&T front end's .long .L3-.L4,
	// gcc's position-independent jump tables), which the encoder computes
	// once it has laid out the code and data.
	LabelDiffOperand
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

// WithSeg returns the memory operand with a segment override, FS or GS:
// Mem(0x28, 0).WithSeg(FS) is 0x28(FS), Intel's fs:[0x28].
func (o Operand) WithSeg(seg Reg) Operand {
	o.Seg = seg
	return o
}

// Arg is an instruction operand for the Builder: a Reg (AX, X0, K1, …) or
// an Operand made with Imm, Mem, Sym, L and the other constructors.
type Arg interface {
	asOperand() Operand
}

func (r Reg) asOperand() Operand     { return Operand{Kind: RegOperand, Reg: r} }
func (o Operand) asOperand() Operand { return o }

// ArgOperand returns the Operand an Arg stands for.
func ArgOperand(a Arg) Operand { return a.asOperand() }

// RegOp is the operand that names register r.
func RegOp(r Reg) Operand { return Operand{Kind: RegOperand, Reg: r} }

// ImmOp is the integer constant $v.
func ImmOp(v int64) Operand { return Operand{Kind: ImmOperand, Imm: v} }
