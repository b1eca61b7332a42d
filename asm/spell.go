package asm

// Messages about an instruction, in the syntax it was written in. The
// checks (validate.go) and the encoder describe each problem once, through
// a speller: an instruction written in Go syntax (or made with the
// Builder) is named by its Go mnemonic and Go operands,
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

// intelSpelling is what the Intel front end keeps of an instruction for
// the encoder's messages.
type intelSpelling struct {
	// text is the instruction as written, from its mnemonic to the end of
	// its operands: "pshufd xmm0, xmm1, 300".
	text string
	// mnem is the mnemonic as written, in lower case.
	mnem string
	// ops are the operands as written, in Intel order; regs the Intel
	// name of each register operand ("" for the others); classes their
	// classes (r64, xmm, m32, imm: intelOperand.class).
	ops, regs, classes []string
	// argOp is, for each Go operand (Inst.Args), the Intel operand it
	// came from, or -1 (a fixed register, the opmask, an added predicate).
	argOp []int
}

// spellingOf records Intel operands as written; the Intel front end adds
// the instruction's text, its mnemonic and argOp.
func spellingOf(ops []*intelOperand) *intelSpelling {
	sp := &intelSpelling{}
	for _, o := range ops {
		sp.ops = append(sp.ops, o.text)
		sp.classes = append(sp.classes, o.class())
		name := ""
		if o.kind == iopReg {
			name = o.reg.name
		}
		sp.regs = append(sp.regs, name)
	}
	return sp
}

// speller names an instruction and its parts in its own syntax.
type speller struct {
	in    *Inst
	intel *intelSpelling
}

func spell(in *Inst) speller { return speller{in: in, intel: in.intel} }

// errorf returns "OP: message" for Go syntax and "instruction as written:
// message" for Intel syntax.
func (s speller) errorf(format string, args ...any) error {
	return fmt.Errorf("%s: %s", s.what(), fmt.Sprintf(format, args...))
}

// sentence returns the message as it is for Go syntax, which names the
// instruction itself (with s.op()), and after the instruction as written
// for Intel syntax.
func (s speller) sentence(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if s.intel != nil {
		return fmt.Errorf("%s: %s", s.intel.text, msg)
	}
	return fmt.Errorf("%s", msg)
}

// what is how errorf names the instruction.
func (s speller) what() string {
	if s.intel != nil {
		return s.intel.text
	}
	return s.in.Op
}

// op is the mnemonic: PSHUFD, or pshufd as written.
func (s speller) op() string {
	if s.intel != nil {
		return s.intel.mnem
	}
	return s.in.Op
}

// reg names a register: AX in Go syntax; in Intel syntax the name the
// source wrote for it (eax), or its Intel name.
func (s speller) reg(r Reg) string {
	if s.intel == nil {
		return r.String()
	}
	for i, a := range s.in.Args {
		if a.Kind == RegOperand && a.Reg == r && i < len(s.intel.argOp) {
			if k := s.intel.argOp[i]; k >= 0 && k < len(s.intel.regs) && s.intel.regs[k] != "" {
				return s.intel.regs[k]
			}
		}
	}
	return intelRegName(r)
}

// imm writes an integer: in hexadecimal in Go syntax, as go tool asm's
// messages do; in Intel syntax in decimal, unless it is large.
func (s speller) imm(v int64) string {
	if s.intel == nil || v < -1<<16 || v > 1<<16 {
		return fmtImm(v)
	}
	return fmt.Sprint(v)
}

// pick returns goText for Go syntax, intelText for Intel syntax.
func (s speller) pick(goText, intelText string) string {
	if s.intel != nil {
		return intelText
	}
	return goText
}

// immArg writes immediate operand i (Go order): its value in hexadecimal
// in Go syntax, the operand as written in Intel syntax.
func (s speller) immArg(i int) string {
	if s.intel != nil {
		return s.arg(i)
	}
	return fmtImm(s.in.Args[i].Imm)
}

// arg writes operand i (Go order): in Go syntax, $imm, a register or the
// memory operand; in Intel syntax the operand as written.
func (s speller) arg(i int) string {
	if s.intel != nil && i < len(s.intel.argOp) {
		if k := s.intel.argOp[i]; k >= 0 && k < len(s.intel.ops) {
			return s.intel.ops[k]
		}
	}
	a := s.in.Args[i]
	switch a.Kind {
	case RegOperand:
		return s.reg(a.Reg)
	case ImmOperand:
		if s.intel != nil {
			return s.imm(a.Imm)
		}
	}
	return formatOperand(a)
}

// args describes the kinds of the operands, for "no form takes these":
// ($imm, X1, X0) in Go syntax; in Intel syntax their classes in Intel
// order, (xmm, xmm, imm).
func (s speller) args() string {
	if s.intel == nil {
		return describeArgs(s.in)
	}
	if len(s.intel.classes) == 0 {
		return "no operands"
	}
	return "(" + strings.Join(s.intel.classes, ", ") + ")"
}

// intelRegName is the Intel name of a register, the 64-bit one for a
// general-purpose register.
func intelRegName(r Reg) string {
	intelRegs.once.Do(buildIntelRegs)
	best := ""
	for name, x := range intelRegs.byName {
		if x.reg != r || x.name != name {
			continue
		}
		// Prefer the 64-bit name, then the shortest, then the first in
		// order (for a stable choice among aliases).
		if best == "" || x.class == "r64" && intelRegs.byName[best].class != "r64" ||
			(x.class == "r64") == (intelRegs.byName[best].class == "r64") && (len(name) < len(best) || len(name) == len(best) && name < best) {
			best = name
		}
	}
	if best == "" {
		return strings.ToLower(r.String())
	}
	return best
}
