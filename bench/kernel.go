package bench

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jitrun/jitrun/asm"
)

// Kernel is code to measure: a body that the measuring loop repeats, and
// optional set-up code.
//
// Body is one copy of the kernel: instructions, labels (renamed in each copy),
// and GLOBL/DATA constants it reads (laid out once, after the code). It may
// use every register except RSP, which points at the harness's frame (push
// and pop are fine, moving it is not), and R15, which counts the loop. It
// may refer only to labels and data it defines itself, and must not define
// TEXT.
//
// Init runs once before each timed region, after every register but RDI has
// been zeroed; RDI holds the scratch buffer (Options.BufferSize), or 0. The
// registers and flags it leaves are the ones the first copy of the body
// sees. Without Init the body starts with every register zero.
type Kernel struct {
	// Name names the kernel in results. Empty: "kernel", or "kernelN" for
	// the Nth of several.
	Name string
	Body []asm.Stmt
	Init []asm.Stmt
}

// ParseKernel parses a kernel body and optional init code from source text
// in Go or Intel syntax (syntax asm.SyntaxAuto detects it from file and the
// text). file names the body in error positions, and the init code is named
// file+" (init)". Errors are an asm.ErrorList.
func ParseKernel(name, file string, body, init []byte, syntax asm.Syntax) (Kernel, error) {
	k := Kernel{Name: name}
	var err error
	if k.Body, err = asm.Parse(file, body, syntax); err != nil {
		return Kernel{}, err
	}
	if len(init) > 0 {
		if k.Init, err = asm.Parse(file+" (init)", init, syntax); err != nil {
			return Kernel{}, err
		}
	}
	return k, nil
}

// ErrEmptyKernel is what errors.Is finds in the error of Measure for a
// kernel whose body has no instruction: bad input, like an assembly error.
var ErrEmptyKernel = errors.New("bench: a kernel has no instructions")

// emptyKernelError names the empty kernel and is ErrEmptyKernel.
type emptyKernelError struct{ name string }

func (e *emptyKernelError) Error() string {
	return fmt.Sprintf("bench: kernel %q has no instructions", e.name)
}

func (e *emptyKernelError) Is(target error) bool { return target == ErrEmptyKernel }

// kernelCode is a checked kernel, split for the harness.
type kernelCode struct {
	body  []asm.Stmt // instructions and labels, copied U times
	init  []asm.Stmt
	data  []asm.Stmt // GLOBL and DATA of body and init, laid out once
	insts int        // instructions in one copy of the body
	stmts []asm.Stmt // every statement of body and init, as given
}

// sourceLine returns the position and text of the kernel's statements on
// the source line at pos (the position of one of the measuring code's
// lines): the statement itself when it is alone on its line. ok is false
// when the line is not the kernel's.
func (c *kernelCode) sourceLine(pos asm.Pos) (at asm.Pos, text string, ok bool) {
	var texts []string
	for _, st := range c.stmts {
		p := st.Src().Pos
		if p.File != pos.File || p.Line != pos.Line {
			continue
		}
		if _, isInst := st.(*asm.Inst); !isInst {
			continue
		}
		if !ok {
			at, ok = p, true
		}
		texts = append(texts, st.Src().Text)
	}
	if len(texts) > 1 {
		at.Col = pos.Col
	}
	return at, strings.Join(texts, "; "), ok
}

// checkKernel validates k and splits it.
func checkKernel(k Kernel) (*kernelCode, error) {
	c := &kernelCode{}
	var errs asm.ErrorList
	globals := map[string]bool{}
	for _, st := range append(append([]asm.Stmt(nil), k.Body...), k.Init...) {
		if g, ok := st.(*asm.GloblDef); ok {
			globals[g.Name] = true
		}
	}
	body, data, e := splitFragment(k.Body, "kernel", true, globals)
	errs = append(errs, e...)
	init, idata, e := splitFragment(k.Init, "init code", false, globals)
	errs = append(errs, e...)
	c.body, c.init, c.data = body, init, append(data, idata...)
	c.stmts = append(append([]asm.Stmt(nil), k.Body...), k.Init...)
	for _, s := range body {
		if _, ok := s.(*asm.Inst); ok {
			c.insts++
		}
	}
	if c.insts == 0 && len(errs) == 0 {
		return nil, &emptyKernelError{name: k.Name}
	}
	if len(errs) > 0 {
		if len(errs) > asm.MaxErrors {
			errs = errs[:asm.MaxErrors]
		}
		return nil, errs
	}
	return c, nil
}

// splitFragment separates the instructions and labels of a fragment from its
// GLOBL and DATA statements, and checks that it leaves RSP (and, for the
// kernel body, R15) alone and refers only to its own labels and to the data
// of the kernel (globals).
func splitFragment(stmts []asm.Stmt, what string, body bool, globals map[string]bool) (code, data []asm.Stmt, errs asm.ErrorList) {
	defined := map[string]bool{}
	for name := range globals {
		defined[name] = true
	}
	calls := false
	for _, st := range stmts {
		switch s := st.(type) {
		case *asm.LabelDef:
			defined[s.Name] = true
		case *asm.Inst:
			calls = calls || s.Op == "CALL"
		}
	}
	for _, st := range stmts {
		pos := st.Src().Pos
		switch s := st.(type) {
		case *asm.TextDef:
			errs = append(errs, &asm.Error{Pos: pos, Msg: fmt.Sprintf("the %s is a sequence of instructions, not a function: remove the TEXT directive", what)})
		case *asm.GloblDef, *asm.DataDef:
			data = append(data, st)
		case *asm.Inst:
			if returnOps[s.Op] && !calls {
				where := "before each timed region"
				if body {
					where = "in the measuring loop"
				}
				errs = append(errs, &asm.Error{Pos: pos, Msg: fmt.Sprintf("the %s must not %s: it runs inline %s, not as a function, so %s would return into the harness (return only from a CALL of the %s's own)", what, s.Op, where, s.Op, what)})
			}
			for _, a := range s.Args {
				if msg := reservedUse(a, body); msg != "" {
					errs = append(errs, &asm.Error{Pos: pos, Msg: fmt.Sprintf("the %s may not use %s", what, msg)})
				}
				switch a.Kind {
				case asm.LabelOperand, asm.MemOperand, asm.AddrOperand:
					if a.Sym != "" && !defined[a.Sym] {
						errs = append(errs, &asm.Error{Pos: pos, Msg: fmt.Sprintf("the %s refers to %s, which it does not define (it is assembled on its own, inside the measuring loop)", what, a.Sym)})
					}
				}
			}
			code = append(code, st)
		default:
			code = append(code, st)
		}
	}
	return code, data, errs
}

// returnOps are the instructions that return from a function: a fragment
// may use them only to return from a CALL of its own.
var returnOps = map[string]bool{"RET": true, "RETFW": true, "RETFL": true, "RETFQ": true, "IRETW": true, "IRETL": true, "IRETQ": true}

// reservedUse says what is wrong when operand a names a register the harness
// owns: RSP always, R15 in the kernel body.
func reservedUse(a asm.Operand, body bool) string {
	if a.Kind != asm.RegOperand {
		return ""
	}
	switch a.Reg {
	case asm.SP, asm.SPB:
		return "RSP as an operand: it points at the measuring harness's frame (PUSH and POP are fine)"
	case asm.R15, asm.R15B:
		if body {
			return "R15: it counts the iterations of the measuring loop"
		}
	}
	return ""
}
