package asm

//go:generate go run ./internal/regen

import (
	"fmt"
	"runtime"

	"github.com/jitrun/jitrun/asm/internal/ir"
)

// Arg is an instruction operand for the Builder: a Reg (AX, X0, K1, …) or
// an Operand made with Imm, Mem, Sym, L and the other constructors.
type Arg = ir.Arg

// Imm is an integer constant: $v.
func Imm(v int64) Operand { return Operand{Kind: ImmOperand, Imm: v} }

// Float is a floating-point constant: $(f). Scalar SSE and x87 arithmetic
// instructions read it from a constant laid out with the data.
func Float(f float64) Operand { return Operand{Kind: FloatOperand, Float: f} }

// Str is a string constant for Data: $"s".
func Str(s string) Operand { return Operand{Kind: StringOperand, String: s} }

// Mem is memory at disp(base).
func Mem(disp int64, base Reg) Operand { return Operand{Kind: MemOperand, Disp: disp, Reg: base} }

// MemIndex is memory at disp(base)(index*scale); base may be 0 for
// disp(index*scale).
func MemIndex(disp int64, base, index Reg, scale int64) Operand {
	return Operand{Kind: MemOperand, Disp: disp, Reg: base, Index: index, Scale: scale}
}

// RIPRel is memory disp bytes from the end of the instruction, Intel's
// [rip + disp] (Operand.PCRel).
func RIPRel(disp int64) Operand { return Operand{Kind: MemOperand, Disp: disp, PCRel: true} }

// Sym is memory at name+off(SB): a GLOBL or TEXT symbol (or a label) of the
// same program, reached RIP-relatively.
func Sym(name string, off int64) Operand { return Operand{Kind: MemOperand, Sym: name, Disp: off} }

// StaticSym is memory at name<>+off(SB).
func StaticSym(name string, off int64) Operand {
	return Operand{Kind: MemOperand, Sym: name, Static: true, Disp: off}
}

// AddrOf is the address $name+off(SB), for MOVQ $name(SB), R (a LEAQ).
func AddrOf(name string, off int64) Operand { return Operand{Kind: AddrOperand, Sym: name, Disp: off} }

// L is a branch target: a label, or a TEXT symbol, of the same program.
func L(name string) Operand { return Operand{Kind: LabelOperand, Sym: name} }

// RegRange is the register range [lo-hi] of V4FMADDPS and its kin.
func RegRange(lo, hi Reg) Operand { return Operand{Kind: RegListOperand, Reg: lo, RegHi: hi} }

// I returns an instruction as a plain value: I("ADDQ", Imm(1), AX) is
// ADDQ $1, AX. op may carry Go-syntax suffixes: "VADDPD.Z". Operands are in
// Go order, sources first. Its position is the caller's file and line.
func I(op string, args ...Arg) *Inst {
	return newInst(callerPos(2), op, args)
}

func newInst(pos Pos, op string, args []Arg) *Inst {
	in := &Inst{Source: Source{Pos: pos}, Op: op}
	for i := 0; i < len(op); i++ {
		if op[i] == '.' {
			in.Op, in.Suffix = op[:i], op[i+1:]
			break
		}
	}
	in.Args = make([]Operand, len(args))
	for i, a := range args {
		if a != nil {
			in.Args[i] = ir.ArgOperand(a)
		}
	}
	in.Text = ir.FormatInst(in)
	return in
}

// callerPos returns the Go source position skip frames up, so that errors in
// built programs point at the line of Go code that emitted the statement.
func callerPos(skip int) Pos {
	_, file, line, ok := runtime.Caller(skip)
	if !ok {
		return Pos{File: "<builder>"}
	}
	return Pos{File: file, Line: line}
}

// Builder builds a program from Go code: the same statements a source
// would give, the same validation and the same Program. Each method appends
// one statement positioned at the Go line that called it, and returns the
// Builder so calls can be chained. A Builder is not safe for concurrent
// use; the Programs it makes are independent of it.
//
//	b := asm.NewBuilder()
//	b.Text("sum", asm.NOSPLIT)
//	b.Inst("XORL", asm.AX, asm.AX)
//	b.Label("loop")
//	b.Inst("ADDQ", asm.Mem(0, asm.DI), asm.AX)
//	b.Inst("ADDQ", asm.Imm(8), asm.DI)
//	b.Inst("DECQ", asm.SI)
//	b.Inst("JNE", asm.L("loop"))
//	b.Inst("RET")
//	prog, err := b.Assemble()
type Builder struct {
	file  string
	stmts []Stmt
}

// Flags for Builder.Text and Builder.Globl, as textflag.h defines them.
const (
	NOSPLIT = ir.FlagNOSPLIT // 4
	RODATA  = ir.FlagRODATA  // 8
	NOPTR   = ir.FlagNOPTR   // 16
	NOFRAME = ir.FlagNOFRAME // 512
)

// NewBuilder returns an empty Builder.
func NewBuilder() *Builder { return &Builder{file: "<builder>"} }

// SetFile sets the name the Program carries in Program.File.
func (b *Builder) SetFile(name string) *Builder {
	b.file = name
	return b
}

// Inst appends an instruction: b.Inst("MOVQ", asm.Imm(1), asm.AX).
func (b *Builder) Inst(op string, args ...Arg) *Builder {
	b.stmts = append(b.stmts, newInst(callerPos(2), op, args))
	return b
}

// Label defines a label at the current position.
func (b *Builder) Label(name string) *Builder {
	b.stmts = append(b.stmts, &LabelDef{Source: Source{Pos: callerPos(2), Text: name + ":"}, Name: name})
	return b
}

// Text starts a function: TEXT name(SB), flags, $0. With NOSPLIT|NOFRAME
// the function is exactly the instructions given; without NOFRAME, a
// function containing a CALL gets go tool asm's BP prologue and epilogue,
// and without NOSPLIT such a function is an error (see the package doc).
func (b *Builder) Text(name string, flags int64) *Builder {
	b.stmts = append(b.stmts, &TextDef{Source: Source{Pos: callerPos(2), Text: fmt.Sprintf("TEXT %s(SB), %d, $0", name, flags)}, Name: name, Flags: flags, Args: -1})
	return b
}

// Globl declares a data symbol of size bytes: GLOBL name(SB), flags, $size.
func (b *Builder) Globl(name string, flags, size int64) *Builder {
	b.stmts = append(b.stmts, &GloblDef{Source: Source{Pos: callerPos(2), Text: fmt.Sprintf("GLOBL %s(SB), %d, $%d", name, flags, size)}, Name: name, Flags: flags, Size: size})
	return b
}

// Data initialises width bytes of a data symbol at off with value (Imm,
// Float or Str): DATA name+off(SB)/width, $value.
func (b *Builder) Data(name string, off, width int64, value Operand) *Builder {
	b.stmts = append(b.stmts, &DataDef{Source: Source{Pos: callerPos(2), Text: fmt.Sprintf("DATA %s+%d(SB)/%d, %s", name, off, width, ir.FormatOperand(value))}, Name: name, Off: off, Width: width, Value: value})
	return b
}

// Bytes places raw bytes in the code.
func (b *Builder) Bytes(p []byte) *Builder {
	b.stmts = append(b.stmts, &BytesDef{Source: Source{Pos: callerPos(2), Text: fmt.Sprintf("BYTES % x", p)}, Bytes: append([]byte(nil), p...)})
	return b
}

// Align pads the code with NOPs to a multiple of n bytes (a power of two).
func (b *Builder) Align(n int64) *Builder {
	b.stmts = append(b.stmts, &AlignDef{Source: Source{Pos: callerPos(2), Text: fmt.Sprintf("PCALIGN $%d", n)}, Align: n})
	return b
}

// Append appends statements as they are: instructions made with I, or
// statements from Parse.
func (b *Builder) Append(stmts ...Stmt) *Builder {
	b.stmts = append(b.stmts, stmts...)
	return b
}

// AppendSource parses src (see Parse) and appends its statements, which
// keep their positions in file.
func (b *Builder) AppendSource(file string, src []byte, syntax Syntax) error {
	stmts, err := Parse(file, src, syntax)
	if err != nil {
		return err
	}
	b.stmts = append(b.stmts, stmts...)
	return nil
}

// AppendCopy appends a fragment whose labels are renamed by adding suffix to
// each, with every reference to them, so that the same fragment can be
// appended many times (an unrolled loop of a kernel, one suffix per copy).
// N(PC) targets are relative and stay as they are. The fragment must not
// define TEXT, GLOBL or DATA: a second copy of those would collide, and
// AppendCopy returns an error naming the statement instead.
func (b *Builder) AppendCopy(stmts []Stmt, suffix string) error {
	labels := make(map[string]bool)
	for _, st := range stmts {
		switch s := st.(type) {
		case *LabelDef:
			labels[s.Name] = true
		case *TextDef, *GloblDef, *DataDef:
			return ErrorList{{Pos: st.Src().Pos, Msg: "a fragment appended with AppendCopy cannot define TEXT, GLOBL or DATA (copies would collide)"}}
		}
	}
	for _, st := range stmts {
		switch s := st.(type) {
		case *LabelDef:
			c := *s
			c.Name += suffix
			b.stmts = append(b.stmts, &c)
		case *Inst:
			c := *s
			c.Args = append([]Operand(nil), s.Args...)
			for i := range c.Args {
				a := &c.Args[i]
				switch a.Kind {
				case LabelOperand, MemOperand, AddrOperand:
					if a.Sym != "" && !a.Static && labels[a.Sym] {
						a.Sym += suffix
					}
				}
			}
			b.stmts = append(b.stmts, &c)
		default:
			b.stmts = append(b.stmts, st)
		}
	}
	return nil
}

// Stmts returns the statements appended so far.
func (b *Builder) Stmts() []Stmt { return b.stmts }

// Len returns the number of statements appended so far.
func (b *Builder) Len() int { return len(b.stmts) }

// Assemble validates and encodes the statements into a Program. The error,
// if any, is an ErrorList positioned at the Go lines (or source lines, for
// appended sources) that made the statements.
func (b *Builder) Assemble() (*Program, error) {
	p, errs := encode(b.file, b.stmts)
	if errs.Len() > 0 {
		return nil, errs.List()
	}
	return p, nil
}
