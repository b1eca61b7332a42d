package ir

// Messages about an instruction, in the syntax it was written in. The
// encoder's checks describe each problem once, through a Speller: an
// instruction written in Go syntax (or made with the Builder) is named by
// its Go mnemonic and Go operands,
//
//	PSHUFD: immediate 0x12c does not fit in 8 bits (0x0..0xff)
//
// one written in Intel syntax by its own text, with its mnemonic and
// operands as the user wrote them:
//
//	pshufd xmm0, xmm1, 300: immediate 300 does not fit in 8 bits (-128..255)

import (
	"fmt"
	"strings"
)

// Spelling is what the Intel front end keeps of an instruction for the
// encoder's messages.
type Spelling struct {
	// Text is the instruction as written, from its mnemonic to the end of
	// its operands: "pshufd xmm0, xmm1, 300".
	Text string
	// Mnem is the mnemonic as written, in lower case.
	Mnem string
	// Ops are the operands as written, in Intel order.
	Ops []SpelledOperand
	// ArgOp is, for each Go operand (Inst.Args), the index in Ops of the
	// Intel operand it came from, or -1 (a fixed register, the opmask, an
	// added predicate).
	ArgOp []int8
	// lazy, when set, makes the instruction's Spelling when a message
	// needs it (LazySpelling): the other fields are then empty.
	lazy func(in *Inst) *Spelling
}

// LazySpelling returns a Spelling that makes the real one of an
// instruction only when a message needs it, with make: one such value
// can stand for many instructions (SetSpelling), which then cost nothing
// for their spelling unless the encoder reports a problem. make must
// return what the front end would have recorded (nil: only the
// instruction's text is known).
func LazySpelling(make func(in *Inst) *Spelling) *Spelling {
	return &Spelling{lazy: make}
}

// SpelledOperand is an Intel operand as written: its text, the Intel name
// of the register it is ("" for another operand), and its class (r64,
// xmm, m32, imm).
type SpelledOperand struct {
	Text, Reg, Class string
}

// op returns the Intel operand Go operand i came from, if any.
func (sp *Spelling) op(i int) (SpelledOperand, bool) {
	if i < len(sp.ArgOp) {
		if k := int(sp.ArgOp[i]); k >= 0 && k < len(sp.Ops) {
			return sp.Ops[k], true
		}
	}
	return SpelledOperand{}, false
}

// Speller names an instruction and its parts in its own syntax.
type Speller struct {
	in    *Inst
	intel *Spelling
}

// Spell returns the Speller of an instruction.
func Spell(in *Inst) Speller { return Speller{in: in, intel: in.spelling} }

// sp returns the instruction's Spelling (nil for Go syntax), made now if
// it is lazy and then kept in the instruction.
func (s Speller) sp() *Spelling {
	sp := s.intel
	if sp == nil || sp.lazy == nil {
		return sp
	}
	if cur := s.in.spelling; cur != nil && cur.lazy == nil {
		return cur // made by an earlier call
	}
	made := sp.lazy(s.in)
	if made == nil || made.lazy != nil {
		made = &Spelling{Text: s.in.Text, Mnem: firstWord(s.in.Text)}
	}
	s.in.spelling = made
	return made
}

// firstWord is the mnemonic of an instruction's text, in lower case.
func firstWord(text string) string {
	w, _, _ := strings.Cut(strings.TrimSpace(text), " ")
	return strings.ToLower(w)
}

// Intel reports whether the instruction was written in Intel syntax.
func (s Speller) Intel() bool { return s.intel != nil }

// Errorf returns "OP: message" for Go syntax and "instruction as written:
// message" for Intel syntax.
func (s Speller) Errorf(format string, args ...any) error {
	return fmt.Errorf("%s: %s", s.what(), fmt.Sprintf(format, args...))
}

// Sentence returns the message as it is for Go syntax, which names the
// instruction itself (with Op), and after the instruction as written for
// Intel syntax.
func (s Speller) Sentence(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if sp := s.sp(); sp != nil {
		return fmt.Errorf("%s: %s", sp.Text, msg)
	}
	return fmt.Errorf("%s", msg)
}

// what is how Errorf names the instruction.
func (s Speller) what() string {
	if sp := s.sp(); sp != nil {
		return sp.Text
	}
	return s.in.Op
}

// Op is the mnemonic: PSHUFD, or pshufd as written.
func (s Speller) Op() string {
	if sp := s.sp(); sp != nil {
		return sp.Mnem
	}
	return s.in.Op
}

// Reg names a register: AX in Go syntax; in Intel syntax the name the
// source wrote for it (eax), or its Intel name.
func (s Speller) Reg(r Reg) string {
	sp := s.sp()
	if sp == nil {
		return r.String()
	}
	for i, a := range s.in.Args {
		if a.Kind == RegOperand && a.Reg == r {
			if o, ok := sp.op(i); ok && o.Reg != "" {
				return o.Reg
			}
		}
	}
	return IntelRegName(r)
}

// Imm writes an integer: in hexadecimal in Go syntax, as go tool asm's
// messages do; in Intel syntax in decimal, unless it is large.
func (s Speller) Imm(v int64) string {
	if s.intel == nil || v < -1<<16 || v > 1<<16 {
		return FmtImm(v)
	}
	return fmt.Sprint(v)
}

// Pick returns goText for Go syntax, intelText for Intel syntax.
func (s Speller) Pick(goText, intelText string) string {
	if s.intel != nil {
		return intelText
	}
	return goText
}

// ImmArg writes immediate operand i (Go order): its value in hexadecimal
// in Go syntax, the operand as written in Intel syntax.
func (s Speller) ImmArg(i int) string {
	if s.intel != nil {
		return s.Arg(i)
	}
	return FmtImm(s.in.Args[i].Imm)
}

// Arg writes operand i (Go order): in Go syntax, $imm, a register or the
// memory operand; in Intel syntax the operand as written.
func (s Speller) Arg(i int) string {
	if sp := s.sp(); sp != nil {
		if o, ok := sp.op(i); ok {
			return o.Text
		}
	}
	a := s.in.Args[i]
	switch a.Kind {
	case RegOperand:
		return s.Reg(a.Reg)
	case ImmOperand:
		if s.intel != nil {
			return s.Imm(a.Imm)
		}
	}
	return FormatOperand(a)
}

// Args describes the kinds of the operands, for "no form takes these":
// ($imm, X1, X0) in Go syntax; in Intel syntax their classes in Intel
// order, (xmm, xmm, imm).
func (s Speller) Args() string {
	sp := s.sp()
	if sp == nil {
		return DescribeArgs(s.in)
	}
	if len(sp.Ops) == 0 {
		return "no operands"
	}
	classes := make([]string, len(sp.Ops))
	for i, o := range sp.Ops {
		classes[i] = o.Class
	}
	return "(" + strings.Join(classes, ", ") + ")"
}
