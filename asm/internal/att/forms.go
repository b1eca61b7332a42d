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

// loadForms reads the table into table. It reads the text by index, not
// by splitting it into lines and fields; puts the forms in one slice; and
// parses each distinct list of classes or Go operands once, the forms
// with the same list sharing it (the table is read-only).
func loadForms() {
	text := intel.FormTable()
	forms := make([]form, 0, strings.Count(text, "\n")+1)
	texts := map[string]uint16{}
	var classChunk []class
	var argChunk []goArg
	// classLists and argLists are the lists parsed, by their text.
	type classList struct {
		classes []class
		lit     uint8
		kinds   uint32
	}
	type argList struct {
		args []goArg
		// ok: every fixed register and operand index reads; maxOp is
		// the largest operand index (-1 for none).
		ok    bool
		maxOp int
	}
	classLists := make(map[string]classList, 512)
	argLists := make(map[string]argList, 32)
	var fields [5]string
	for rest := text; rest != ""; {
		line := rest
		if i := strings.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			rest = ""
		}
		if !intel.FormFields(line, &fields) {
			continue
		}
		forms = append(forms, form{mnem: fields[0]})
		f := &forms[len(forms)-1]
		if fields[1] != "-" {
			cl, ok := classLists[fields[1]]
			if !ok {
				cl.classes = carve(&classChunk, strings.Count(fields[1], ",")+1)
				for i, c := range commaFields(fields[1], len(cl.classes)) {
					cl.classes[i] = parseClass(c, texts)
					switch cl.classes[i].kind {
					case cLitReg:
						cl.lit = max(cl.lit, readsLitRegs)
					case cLitImm:
						cl.lit = readsAll
					}
				}
				cl.kinds = classKinds(cl.classes)
				classLists[fields[1]] = cl
			}
			f.classes, f.lit, f.kinds = cl.classes, cl.lit, cl.kinds
		}
		if h, ok := strings.CutPrefix(fields[2], "#"); ok {
			b, err := hex.DecodeString(h)
			if err != nil {
				forms = forms[:len(forms)-1]
				continue
			}
			f.bytes = b
		} else {
			f.goOp = fields[2]
		}
		if fields[3] != "-" {
			al, ok := argLists[fields[3]]
			if !ok {
				al.ok, al.maxOp = true, -1
				al.args = carve(&argChunk, strings.Count(fields[3], ",")+1)
				for j, a := range commaFields(fields[3], len(al.args)) {
					switch {
					case a == "k":
						al.args[j] = goArg{kind: argMask}
					case strings.HasPrefix(a, "="):
						r, found := ir.LookupReg(a[1:])
						al.ok = al.ok && found
						al.args[j] = goArg{kind: argFixed, reg: r}
					default:
						i, err := strconv.Atoi(a)
						al.ok = al.ok && err == nil && i >= 0
						al.maxOp = max(al.maxOp, i)
						al.args[j] = goArg{kind: argOp, idx: i}
					}
				}
				argLists[fields[3]] = al
			}
			if !al.ok || al.maxOp >= len(f.classes) {
				forms = forms[:len(forms)-1]
				continue // the table is checked (TestIntelTable): never here
			}
			f.args = al.args
		}
		fl := intel.ReadFormFlags(fields[4])
		f.mask, f.maskReq, f.zeroing, f.rc, f.sae = fl.Mask, fl.MaskReq, fl.Zeroing, fl.RC, fl.SAE
	}
	// The forms of each mnemonic, in table order, and the mnemonics.
	m, names := intel.ByMnemonic(forms, func(f *form) string { return f.mnem })
	table.byMnem = make(map[string]*mnemForms, len(m))
	mfs := make([]mnemForms, len(names))
	byN := make([]*form, 0, len(forms))
	kindsN := make([]uint32, 0, len(forms))
	for k, name := range names {
		fs := m[name]
		mf := &mfs[k]
		mf.all = fs
		var count [len(mf.byN)]int
		for _, f := range fs {
			if n := len(f.classes); n < len(count) {
				count[n]++
			}
		}
		for n, c := range count {
			if c > 0 {
				mf.byN[n] = byN[len(byN) : len(byN) : len(byN)+c]
				byN = byN[:len(byN)+c]
				mf.kindsN[n] = kindsN[len(kindsN) : len(kindsN) : len(kindsN)+c]
				kindsN = kindsN[:len(kindsN)+c]
			}
		}
		for _, f := range fs {
			if n := len(f.classes); n < len(mf.byN) {
				mf.byN[n] = append(mf.byN[n], f)
				mf.kindsN[n] = append(mf.kindsN[n], f.kinds)
				mf.lit[n] = max(mf.lit[n], f.lit)
			}
		}
		table.byMnem[name] = mf
	}
	table.cond = map[string]string{}
	for _, name := range names {
		if cc, ok := strings.CutPrefix(name, "set"); ok {
			for _, f := range m[name] {
				if goCC, ok := strings.CutPrefix(f.goOp, "SET"); ok {
					table.cond[cc] = goCC
				}
			}
		}
	}
	for name := range attNames {
		names = append(names, name) // movzbl, cltq … as suggestions too
	}
	sort.Strings(names)
	table.names = names
	table.regs = []string{"rax", "eax", "ax", "al", "rcx", "ecx", "cl", "rdx", "edx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "xmm0", "ymm0", "zmm0", "k1", "st", "rip", "fs", "gs"}
}

// commaFields returns the n comma-separated fields of s (n is one more
// than its commas), as strings.Split(s, ",") would, in an array on the
// stack when there are few.
func commaFields(s string, n int) []string {
	var buf [8]string
	out := buf[:0]
	if n > len(buf) {
		out = make([]string, 0, n)
	}
	for range n - 1 {
		j := strings.IndexByte(s, ',')
		out = append(out, s[:j])
		s = s[j+1:]
	}
	return append(out, s)
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
	// kindsN are the kinds of the forms of byN, side by side: what
	// fitting looks through first.
	kindsN [6][]uint32
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
	for j, k := range mf.kindsN[n] {
		if k != kinds {
			continue // a quick no: a register where the form has memory …
		}
		f := mf.byN[n][j]
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
