package intel

// The form table compiled for matching: each operand class and Go
// argument of a form is parsed once, when the table is read, so that
// matching an operand is a few comparisons and building an instruction
// parses nothing. classMatches, on a class as written, is the
// definition; formClass.matches gives the same answer (TestFormClassMatches).

import (
	"strconv"
	"strings"

	"github.com/jitrun/jitrun/asm/internal/ir"
)

// memRule is what a class asks of a memory operand.
type memRule uint8

const (
	memNone  memRule = iota // no memory operand fits
	memAny                  // m: any size, no vector index, no broadcast
	memBits                 // m8…m512: that size or none written
	memVSIB                 // vm32x…vm64z: a vector index of that kind
	memBcast                // b32:16: a {1toN} broadcast of that element size
)

// formClass is one operand class of a form, compiled.
type formClass struct {
	// lit is a fixed operand (=name): a register named litName, or the
	// immediate litImm when litImmOK.
	lit      bool
	litName  string
	litImm   int64
	litImmOK bool
	// reg is the register class a register operand must have ("" for none
	// but the class itself: a register's class is never empty).
	reg string
	// imm: an immediate fits.
	imm bool
	// mem, bits, index and bcst: what a memory operand must be.
	mem    memRule
	bits   int
	index  byte // memVSIB: the first letter of the index class (x, y, z)
	bcst   int  // memBcast: N of {1toN}
	bcstOK bool
	// The class in the codes of an operand signature (fitsCode): the
	// register class, memory size, broadcast and vector index codes, or
	// one no operand has (noCode) when the class has none.
	regCode, sizeCode, bcstCode, vsibCode uint64
}

// noCode is a code no operand's signature holds.
const noCode = 1 << 8

// compileClass compiles a class as classMatches reads it.
func compileClass(class string) formClass {
	c := compileClassOnly(class)
	c.regCode, c.sizeCode, c.bcstCode, c.vsibCode = noCode, noCode, noCode, noCode
	if c.lit {
		return c
	}
	if code := regClassCode(c.reg); code != 0 {
		c.regCode = code
	}
	if code := sizeCode(c.bits); code >= 0 {
		c.sizeCode = uint64(code)
	}
	if code := bcstCode(c.bcst); code > 0 && c.bcstOK {
		c.bcstCode = uint64(code)
	}
	switch c.index {
	case 'x':
		c.vsibCode = 1
	case 'y':
		c.vsibCode = 2
	case 'z':
		c.vsibCode = 3
	}
	return c
}

// compileClassOnly is compileClass without the codes.
func compileClassOnly(class string) formClass {
	if lit, ok := strings.CutPrefix(class, "="); ok {
		c := formClass{lit: true, litName: lit}
		if v, err := strconv.ParseInt(lit, 10, 64); err == nil && strconv.FormatInt(v, 10) == lit {
			c.litImm, c.litImmOK = v, true
		}
		return c
	}
	c := formClass{reg: class, imm: class == "imm"}
	switch {
	case strings.HasPrefix(class, "vm"):
		c.mem = memVSIB
		c.bits, _ = strconv.Atoi(class[2 : len(class)-1])
		c.index = class[len(class)-1]
	case strings.HasPrefix(class, "b"):
		elt, n, ok := strings.Cut(class[1:], ":")
		if !ok {
			break
		}
		c.mem = memBcast
		c.bits, _ = strconv.Atoi(elt)
		if v, err := strconv.Atoi(n); err == nil && strconv.Itoa(v) == n {
			c.bcst, c.bcstOK = v, true
		}
	case class == "m":
		c.mem = memAny
	case strings.HasPrefix(class, "m") && class != "mm":
		c.mem = memBits
		c.bits, _ = strconv.Atoi(class[1:])
	}
	return c
}

// matches reports whether an operand fits the class: classMatches.
func (c *formClass) matches(o *intelOperand) bool {
	if c.lit {
		switch o.kind {
		case iopReg:
			return o.reg.Name() == c.litName || canonicalRegName(o.reg) == c.litName
		case iopImm:
			return c.litImmOK && o.imm == c.litImm
		}
		return false
	}
	// The register classes by their codes (regClassCode, the operands'
	// ClassCode: TestRegClassCodes), not by name: matching every form of
	// a mnemonic looked each register's class up again (TestClassCodes
	// compares the two).
	switch o.kind {
	case iopReg:
		return uint64(o.reg.Code) == c.regCode
	case iopImm:
		return c.imm
	case iopMem:
		vsibCode := uint64(vsibCodes[o.index.Code&15]) // 0: no vector index
		sized := o.size == 0 || o.size == c.bits
		vsib := vsibCode != 0
		switch c.mem {
		case memVSIB:
			return vsib && o.bcst == 0 && c.vsibCode == vsibCode && sized
		case memBcast:
			return !vsib && o.bcst != 0 && c.bcstOK && o.bcst == c.bcst && sized
		case memAny:
			return !vsib && o.bcst == 0
		case memBits:
			return !vsib && o.bcst == 0 && sized
		}
	}
	return false
}

// fitsCode reports whether an operand whose signature code (opSignature)
// is code fits the class: matches, read from the code. A fixed class
// (=name) reads more than the code holds: fitsCode is not for those.
func (c *formClass) fitsCode(code uint64) bool {
	switch code & 3 {
	case 1:
		return code>>2&15 == c.regCode
	case 3:
		return c.imm
	case 2:
		size, bcst, vsib := code>>2&15, code>>6&7, code>>9&3
		sized := size == 0 || size == c.sizeCode
		switch c.mem {
		case memVSIB:
			return vsib != 0 && bcst == 0 && vsib == c.vsibCode && sized
		case memBcast:
			return vsib == 0 && bcst != 0 && bcst == c.bcstCode && sized
		case memAny:
			return vsib == 0 && bcst == 0
		case memBits:
			return vsib == 0 && bcst == 0 && sized
		}
	}
	return false
}

// argKind is what a Go argument of a form is.
type argKind uint8

const (
	argOperand    argKind = iota // the Intel operand op
	argOpmask                    // the opmask, when one is written
	argFixed                     // the fixed register reg
	argBadFixed                  // =NAME that names no register: an error
	argBadOperand                // an operand index that is no number: an error
)

// formArg is one Go argument of a form, compiled; text is as written.
type formArg struct {
	kind argKind
	op   int
	reg  ir.Reg
	text string
}

// compileArg compiles an arg as buildInst reads it.
func compileArg(a string) formArg {
	switch {
	case a == "k":
		return formArg{kind: argOpmask, text: a}
	case strings.HasPrefix(a, "="):
		r, ok := ir.LookupReg(a[1:])
		if !ok {
			return formArg{kind: argBadFixed, text: a}
		}
		return formArg{kind: argFixed, reg: r, text: a}
	}
	i, err := strconv.Atoi(a)
	if err != nil {
		return formArg{kind: argBadOperand, text: a}
	}
	return formArg{kind: argOperand, op: i, text: a}
}
