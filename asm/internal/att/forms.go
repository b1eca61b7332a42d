package att

// The form table, the Intel front end's generated table (intel.FormTable)
// in a shape that matches fast: each operand class pre-parsed, each Go
// operand pre-resolved, at build time (data_forms_gen.go).

import (
	"slices"
	"strings"
	"sync"

	"github.com/jitrun/jitrun/asm/internal/ir"
)

type classKind uint8

const (
	cReg    classKind = iota + 1 // a register of a class: id
	cImm                         // an immediate
	cMem                         // memory of any size
	cMemN                        // memory of bits
	cVSIB                        // vector-indexed memory: bits per element, index class id
	cBcst                        // broadcast memory: element bits, n
	cLitReg                      // a fixed register: name
	cLitImm                      // a fixed immediate: imm
)

// class is one operand class of a form. It holds no pointer (its texts
// are numbers into the table's), so the garbage collector never reads
// the table's classes.
type class struct {
	kind classKind
	id   uint8 // cReg: register class; cVSIB: index class
	// lit is, for cLitReg, the fixed register: its index in
	// genLitNames.
	lit uint8
	// textID is the class as written, for messages: its index in
	// genClassTexts.
	textID uint16
	bits   int
	n      int
	imm    int64
}

// text is the class as written.
func (c *class) text() string { return genClassTexts[c.textID].String() }

// argKind says where a Go operand comes from.
type argKind uint8

const (
	argOp    argKind = iota + 1 // Intel operand idx
	argMask                     // the opmask, when there is one
	argFixed                    // a fixed register
)

type goArg struct {
	kind argKind
	idx  int
	reg  ir.Reg
}

// The form table is generated data that holds no pointer
// (data_forms_gen.go), so that it lies outside what the garbage
// collector scans: every process's start-up and every collection would
// otherwise read its 1.2 MB. Its names are texts of one string
// (genText), its lists spans of flat arrays (genClasses, genArgs,
// genBytes), and the forms of a mnemonic ranges of the array of forms.

// text is one of the names of genText: its offset and length.
type text struct {
	off uint16
	n   uint8
}

// String returns the name.
func (t text) String() string { return genText[t.off : int(t.off)+int(t.n)] }

// span is a list in one of the flat arrays: its offset and length.
type span struct {
	off uint16
	n   uint8
}

// form is one line of the table.
type form struct {
	id   uint16 // its index in genForms
	mnem text
	// goOp is the Go mnemonic; empty for a form that is bytes.
	goOp    text
	classes span // of genClasses, Intel order (classList)
	args    span // of genArgs (goArgs)
	bytes   span // of genBytes, a form that is bytes (rawBytes)
	mask    bool
	maskReq bool
	zeroing bool
	rc      bool
	sae     bool
	// lit is what match reads of the operands to fit a fixed register
	// (readsLitRegs) or immediate (readsAll) among its classes: 0 when
	// none is.
	lit uint8
}

// classList returns the classes of f's operands, in Intel order.
func (f *form) classList() []class {
	lo, hi := int(f.classes.off), int(f.classes.off)+int(f.classes.n)
	return genClasses[lo:hi:hi]
}

// goArgs returns where the operands of f's Go instruction come from.
func (f *form) goArgs() []goArg {
	lo, hi := int(f.args.off), int(f.args.off)+int(f.args.n)
	return genArgs[lo:hi:hi]
}

// rawBytes returns the bytes of a form that is bytes, nil for a form
// that is a Go instruction.
func (f *form) rawBytes() []byte {
	if f.goOp.n > 0 {
		return nil
	}
	lo, hi := int(f.bytes.off), int(f.bytes.off)+int(f.bytes.n)
	return genBytes[lo:hi:hi]
}

// regClasses are the register classes, by id (1 up).
var regClasses = []string{"", "r8", "r16", "r32", "r64", "xmm", "ymm", "zmm", "k", "mm", "st", "sreg", "cr", "dr", "rip", "bnd", "tmm"}

// regClassIDs maps a register class to its id.
var regClassIDs = func() map[string]uint8 {
	m := make(map[string]uint8, len(regClasses))
	for i, c := range regClasses {
		m[c] = uint8(i)
	}
	return m
}()

// stClass is the id of the x87 register class.
var stClass = regClassIDs["st"]

// formHasSt says, by index in genForms, whether a form has an operand of
// the x87 register class (read-only once made).
var formHasSt = func() []bool {
	has := make([]bool, len(genForms))
	for i := range genForms {
		for _, c := range genForms[i].classList() {
			if c.kind == cReg && c.id == stClass {
				has[i] = true
			}
		}
	}
	return has
}()

func regClassID(c string) uint8 { return regClassIDs[c] }

var table formTables

// formTables is what the form table's users read besides the
// generated arrays, made once (forms).
type formTables struct {
	once sync.Once
	// cond maps a condition code (e, z, nae, …) to Go's (EQ, CS, …).
	cond map[string]string
	regs []string
}

// forms reads the table, once.
//
//go:generate go test -run ^TestFormsGenerated$ -generate .
func forms() {
	table.once.Do(loadForms)
}

// loadForms makes table from data_forms_gen.go, where go generate put
// the forms of the form table (intel.FormTable) with their classes and
// Go operands parsed, grouped by mnemonic and by number of operands
// (TestFormsGenerated): the condition codes of the set instructions.
func loadForms() {
	table.cond = map[string]string{}
	for i := range genMnems {
		mf := &genMnems[i]
		if cc, ok := strings.CutPrefix(mf.name.String(), "set"); ok {
			for j := mf.first; j < mf.end; j++ {
				if goCC, ok := strings.CutPrefix(genForms[j].goOp.String(), "SET"); ok {
					table.cond[cc] = goCC
				}
			}
		}
	}
	table.regs = []string{"rax", "eax", "ax", "al", "rcx", "ecx", "cl", "rdx", "edx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "xmm0", "ymm0", "zmm0", "k1", "st", "rip", "fs", "gs"}
}

// regNames are the register names an unknown register's suggestions are
// picked from.
func regNames() []string {
	forms()
	return table.regs
}

// mnemonicNames are the names an unknown mnemonic's suggestions are
// picked from: the mnemonics of the table and the AT&T names
// (attNames), sorted. Only a message needs them.
func mnemonicNames() []string {
	names := make([]string, 0, len(genMnems)+len(attNames))
	for i := range genMnems {
		names = append(names, genMnems[i].name.String())
	}
	for name := range attNames {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// litRegName is the fixed register i of the forms' classes (class.lit).
func litRegName(i int) string { return genLitNames[i].String() }

// regBits is the size of a register class's registers (0 for classes
// that are no operand size: st, sreg, k …).
func regBits(c string) int {
	switch c {
	case "r8":
		return 8
	case "r16":
		return 16
	case "r32":
		return 32
	case "r64":
		return 64
	case "xmm":
		return 128
	case "ymm":
		return 256
	case "zmm":
		return 512
	}
	return 0
}

// mnemForms are the forms of a mnemonic: genForms[first:end], ordered by
// their number of operands, in table order for each number;
// genOrder[first:end] lists them in table order.
type mnemForms struct {
	name       text
	first, end uint16
	// byN bounds the forms of each number of operands: those of n are
	// genForms[byN[n]:byN[n+1]] (and their kinds genKinds[…], side by
	// side: what fitting looks through first).
	byN [7]uint16
	// lit is, by number of operands, the most fitting reads of the
	// operands beyond their signature (the forms' lit).
	lit [6]uint8
}

// count is the number of forms of mf.
func (mf *mnemForms) count() int { return int(mf.end) - int(mf.first) }

// inTableOrder returns the forms of mf in table order, as indices in
// genForms.
func (mf *mnemForms) inTableOrder() []uint16 {
	return genOrder[mf.first:mf.end:mf.end]
}

// noForms is the mnemForms of a name the table does not have.
var noForms = &mnemForms{}

// formsOf returns the forms of a mnemonic. genMnemIndex is a hash table
// of the mnemonics that go generate made (open addressing: a name is in
// the first slot from mnemHash(name) on that is empty or holds it), so
// that no process makes a map of them.
func formsOf(name string) *mnemForms {
	mask := uint32(len(genMnemIndex) - 1)
	for h := mnemHash(name) & mask; ; h = (h + 1) & mask {
		i := genMnemIndex[h]
		if i == 0 {
			return noForms
		}
		if mf := &genMnems[i-1]; mf.name.String() == name {
			return mf
		}
	}
}

// mnemHash is the FNV-1a hash of a mnemonic (genMnemIndex).
func mnemHash(name string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(name); i++ {
		h ^= uint32(name[i])
		h *= 16777619
	}
	return h
}

// fits reports whether operand o fits class c.
func (c *class) fits(o *operand) bool {
	switch c.kind {
	case cReg:
		return o.kind == oReg && o.class == c.id
	case cImm:
		return o.kind == oImm
	case cLitReg:
		return o.kind == oReg && o.reg.Name() == litRegName(int(c.lit))
	case cLitImm:
		return o.kind == oImm && o.imm == c.imm
	}
	if o.kind != oMem {
		return false
	}
	vsib := o.indexClass >= 5 && o.indexClass <= 7 // xmm ymm zmm
	switch c.kind {
	case cMem:
		return !vsib && o.bcst == 0
	case cMemN:
		return !vsib && o.bcst == 0 && (o.size == 0 || o.size == c.bits)
	case cVSIB:
		return vsib && o.bcst == 0 && o.indexClass == c.id && (o.size == 0 || o.size == c.bits)
	case cBcst:
		return !vsib && o.bcst == c.n && (o.size == 0 || o.size == c.bits)
	}
	return false
}

// fitting appends to out the forms of mf whose classes ops (Intel
// order) fit, in table order.
func (p *parser) fitting(out []*form, mf *mnemForms, ops []*operand) []*form {
	n := len(ops)
	if n >= len(mf.lit) {
		return out
	}
	p.namesRead = max(p.namesRead, mf.lit[n]) // a fixed register or immediate
	kinds := opKinds(ops)
	lo, hi := int(mf.byN[n]), int(mf.byN[n+1])
	for j, k := range genKinds[lo:hi] {
		if k != kinds {
			continue // a quick no: a register where the form has memory …
		}
		f := &genForms[lo+j]
		cs := f.classList()
		ok := true
		for i, o := range ops {
			if !cs[i].fits(o) {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, f)
		}
	}
	return out
}

// opKinds packs the kinds of ops, four bits each: what a form's kinds
// must be for the operands to fit it.
func opKinds(ops []*operand) uint32 {
	k := uint32(0)
	for i, o := range ops {
		k |= uint32(o.kind) << (4 * i)
	}
	return k
}

// classKinds packs the operand kinds a form's classes take, as opKinds
// does.
func classKinds(cs []class) uint32 {
	k := uint32(0)
	for i, c := range cs {
		o := oMem
		switch c.kind {
		case cReg, cLitReg:
			o = oReg
		case cImm, cLitImm:
			o = oImm
		}
		k |= uint32(o) << (4 * i)
	}
	return k
}

// sameInst reports whether two forms make the same Go instruction.
func sameInst(a, b *form) bool {
	return a.goOp.String() == b.goOp.String() && slices.Equal(a.goArgs(), b.goArgs()) && string(a.rawBytes()) == string(b.rawBytes())
}
