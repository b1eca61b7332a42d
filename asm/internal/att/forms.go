package att

// The form table, read once from the Intel front end's generated table
// (intel.FormTable) into a shape that matches fast: each operand class
// pre-parsed, each Go operand pre-resolved.

import (
	"encoding/hex"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/jitrun/jitrun/asm/internal/intel"
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
	// table.litNames.
	lit uint8
	// textID is the class as written, for messages: its index in
	// table.classTexts.
	textID uint16
	bits   int
	n      int
	imm    int64
}

// name is the fixed register of a cLitReg class.
func (c *class) name() string { return table.litNames[c.lit] }

// text is the class as written.
func (c *class) text() string { return table.classTexts[c.textID] }

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

// form is one line of the table.
type form struct {
	mnem    string
	classes []class // Intel order
	goOp    string
	args    []goArg
	mask    bool
	maskReq bool
	zeroing bool
	rc      bool
	sae     bool
	bytes   []byte
	// lit is what match reads of the operands to fit a fixed register
	// (readsLitRegs) or immediate (readsAll) among its classes: 0 when
	// none is.
	lit uint8
	// kinds are the operand kinds the classes take (classKinds).
	kinds uint32
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

func regClassID(c string) uint8 { return regClassIDs[c] }

var table struct {
	once   sync.Once
	byMnem map[string]*mnemForms
	names  []string
	// cond maps a condition code (e, z, nae, …) to Go's (EQ, CS, …).
	cond map[string]string
	regs []string
	// litNames are the registers forms fix (=al, =cl, =xmm0 …).
	litNames []string
	// classTexts are the classes as written (r64, m32, =al …).
	classTexts []string
}

// tableChunk is how many forms, classes or Go operands the table
// allocates at once: the forms lie together (fitting reads them in
// turn), in few objects.
const tableChunk = 1024

// carve returns n elements at the end of *chunk, which it replaces by a
// new chunk when there is no room.
func carve[T any](chunk *[]T, n int) []T {
	if cap(*chunk)-len(*chunk) < n {
		*chunk = make([]T, 0, max(tableChunk, n))
	}
	start := len(*chunk)
	*chunk = (*chunk)[:start+n]
	return (*chunk)[start : start+n : start+n]
}

// forms reads the table, once.
func forms() {
	table.once.Do(loadForms)
}

func loadForms() {
	m := map[string][]*form{}
	var formChunk []form
	var classChunk []class
	var argChunk []goArg
	texts := map[string]uint16{}
	for _, line := range strings.Split(intel.FormTable(), "\n") {
		fields := strings.Fields(line)
		if len(fields) != 5 {
			continue
		}
		f := &carve(&formChunk, 1)[0]
		f.mnem = fields[0]
		if fields[1] != "-" {
			cs := strings.Split(fields[1], ",")
			f.classes = carve(&classChunk, len(cs))
			for i, c := range cs {
				f.classes[i] = parseClass(c, texts)
				switch f.classes[i].kind {
				case cLitReg:
					f.lit = max(f.lit, readsLitRegs)
				case cLitImm:
					f.lit = readsAll
				}
			}
		}
		if h, ok := strings.CutPrefix(fields[2], "#"); ok {
			b, err := hex.DecodeString(h)
			if err != nil {
				continue
			}
			f.bytes = b
		} else {
			f.goOp = fields[2]
		}
		if fields[3] != "-" {
			ok := true
			as := strings.Split(fields[3], ",")
			f.args = carve(&argChunk, len(as))
			for j, a := range as {
				switch {
				case a == "k":
					f.args[j] = goArg{kind: argMask}
				case strings.HasPrefix(a, "="):
					r, found := ir.LookupReg(a[1:])
					ok = ok && found
					f.args[j] = goArg{kind: argFixed, reg: r}
				default:
					i, err := strconv.Atoi(a)
					ok = ok && err == nil && i >= 0 && i < len(f.classes)
					f.args[j] = goArg{kind: argOp, idx: i}
				}
			}
			if !ok {
				continue // the table is checked (TestIntelTable): never here
			}
		}
		for _, c := range fields[4] {
			switch c {
			case 'k':
				f.mask = true
			case 'K':
				f.mask, f.maskReq = true, true
			case 'z':
				f.zeroing = true
			case 'r':
				f.rc = true
			case 's':
				f.sae = true
			}
		}
		m[f.mnem] = append(m[f.mnem], f)
	}
	table.byMnem = make(map[string]*mnemForms, len(m))
	for name, fs := range m {
		mf := &mnemForms{all: fs}
		for _, f := range fs {
			f.kinds = classKinds(f.classes)
			if n := len(f.classes); n < len(mf.byN) {
				mf.byN[n] = append(mf.byN[n], f)
				mf.lit[n] = max(mf.lit[n], f.lit)
			}
		}
		table.byMnem[name] = mf
	}
	table.cond = map[string]string{}
	for name, fs := range m {
		table.names = append(table.names, name)
		if cc, ok := strings.CutPrefix(name, "set"); ok {
			for _, f := range fs {
				if goCC, ok := strings.CutPrefix(f.goOp, "SET"); ok {
					table.cond[cc] = goCC
				}
			}
		}
	}
	for name := range attNames {
		table.names = append(table.names, name) // movzbl, cltq … as suggestions too
	}
	sort.Strings(table.names)
	for _, n := range []string{"rax", "eax", "ax", "al", "rcx", "ecx", "cl", "rdx", "edx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "xmm0", "ymm0", "zmm0", "k1", "st", "rip", "fs", "gs"} {
		table.regs = append(table.regs, n)
	}
}

// regNames are the register names an unknown register's suggestions are
// picked from.
func regNames() []string {
	forms()
	return table.regs
}

// parseClass reads an operand class of the table (see intel.FormTable);
// texts numbers the classes as written, the first time it sees each, in
// table.classTexts; a fixed register is numbered in table.litNames.
func parseClass(c string, texts map[string]uint16) class {
	id, ok := texts[c]
	if !ok {
		id = uint16(len(table.classTexts))
		texts[c] = id
		table.classTexts = append(table.classTexts, c)
	}
	cl := class{textID: id}
	if lit, ok := strings.CutPrefix(c, "="); ok {
		if v, err := strconv.ParseInt(lit, 10, 64); err == nil {
			cl.kind, cl.imm = cLitImm, v
			return cl
		}
		i := slices.Index(table.litNames, lit)
		if i < 0 {
			i = len(table.litNames)
			table.litNames = append(table.litNames, lit)
		}
		cl.kind, cl.lit = cLitReg, uint8(i)
		if r, ok := ir.LookupIntelReg(lit); ok {
			cl.bits = regBits(r.Class)
		}
		return cl
	}
	switch {
	case c == "imm":
		cl.kind = cImm
	case c == "m":
		cl.kind = cMem
	case strings.HasPrefix(c, "vm"):
		cl.kind = cVSIB
		cl.bits, _ = strconv.Atoi(c[2 : len(c)-1])
		cl.id = regClassID(string(c[len(c)-1]) + "mm")
	case strings.HasPrefix(c, "b") && strings.Contains(c, ":"):
		elt, n, _ := strings.Cut(c[1:], ":")
		cl.kind = cBcst
		cl.bits, _ = strconv.Atoi(elt)
		cl.n, _ = strconv.Atoi(n)
	case strings.HasPrefix(c, "m") && c != "mm":
		cl.kind = cMemN
		cl.bits, _ = strconv.Atoi(c[1:])
	default:
		cl.kind, cl.id = cReg, regClassID(c)
		cl.bits = regBits(c)
	}
	return cl
}

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

// mnemForms are the forms of a mnemonic, all of them in table order and
// by their number of operands (what matching looks through).
type mnemForms struct {
	all []*form
	byN [6][]*form
	// lit is, by number of operands, the most fitting reads of the
	// operands beyond their signature (the forms' lit).
	lit [6]uint8
}

// noForms is the mnemForms of a name the table does not have.
var noForms = &mnemForms{}

// formsOf returns the forms of a mnemonic.
func formsOf(name string) *mnemForms {
	if mf, ok := table.byMnem[name]; ok {
		return mf
	}
	return noForms
}

// fits reports whether operand o fits class c.
func (c *class) fits(o *operand) bool {
	switch c.kind {
	case cReg:
		return o.kind == oReg && o.class == c.id
	case cImm:
		return o.kind == oImm
	case cLitReg:
		return o.kind == oReg && o.reg.Name == c.name()
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
	if n >= len(mf.byN) {
		return out
	}
	p.namesRead = max(p.namesRead, mf.lit[n]) // a fixed register or immediate
	kinds := opKinds(ops)
	for _, f := range mf.byN[n] {
		if f.kinds != kinds {
			continue // a quick no: a register where the form has memory …
		}
		ok := true
		for i, o := range ops {
			if !f.classes[i].fits(o) {
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
	if a.goOp != b.goOp || len(a.args) != len(b.args) || string(a.bytes) != string(b.bytes) {
		return false
	}
	for i := range a.args {
		if a.args[i] != b.args[i] {
			return false
		}
	}
	return true
}
