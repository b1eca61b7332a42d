package att

import (
	"encoding/hex"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/jitrun/jitrun/asm/internal/intel"
	"github.com/jitrun/jitrun/asm/internal/ir"
)

// formTableState is what loadForms builds.
type formTableState struct {
	byMnem     map[string]*mnemForms
	names      []string
	cond       map[string]string
	regs       []string
	litNames   []string
	classTexts []string
}

// referenceFormTable builds the form table the straightforward way, from
// the text of intel.FormTable: go generate writes data_forms_gen.go from
// it (TestFormsGenerated), and loadForms must build exactly this.
func referenceFormTable() formTableState {
	var t formTableState
	m := map[string][]*form{}
	texts := map[string]uint16{}
	for _, line := range strings.Split(intel.FormTable(), "\n") {
		fields := strings.Fields(line)
		if len(fields) != 5 {
			continue
		}
		f := &form{mnem: fields[0]}
		if fields[1] != "-" {
			cs := strings.Split(fields[1], ",")
			f.classes = make([]class, len(cs))
			for i, c := range cs {
				f.classes[i] = t.parseClass(c, texts)
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
			f.args = make([]goArg, len(as))
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
				continue
			}
		}
		fl := intel.ReadFormFlags(fields[4])
		f.mask, f.maskReq, f.zeroing, f.rc, f.sae = fl.Mask, fl.MaskReq, fl.Zeroing, fl.RC, fl.SAE
		m[f.mnem] = append(m[f.mnem], f)
	}
	t.byMnem = make(map[string]*mnemForms, len(m))
	for name, fs := range m {
		mf := &mnemForms{all: fs}
		for _, f := range fs {
			f.kinds = classKinds(f.classes)
			if n := len(f.classes); n < len(mf.byN) {
				mf.byN[n] = append(mf.byN[n], f)
				mf.kindsN[n] = append(mf.kindsN[n], f.kinds)
				mf.lit[n] = max(mf.lit[n], f.lit)
			}
		}
		t.byMnem[name] = mf
	}
	t.cond = map[string]string{}
	for name, fs := range m {
		t.names = append(t.names, name)
		if cc, ok := strings.CutPrefix(name, "set"); ok {
			for _, f := range fs {
				if goCC, ok := strings.CutPrefix(f.goOp, "SET"); ok {
					t.cond[cc] = goCC
				}
			}
		}
	}
	for name := range attNames {
		t.names = append(t.names, name)
	}
	sort.Strings(t.names)
	t.regs = append(t.regs, "rax", "eax", "ax", "al", "rcx", "ecx", "cl", "rdx", "edx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "xmm0", "ymm0", "zmm0", "k1", "st", "rip", "fs", "gs")
	return t
}

// parseClass is the reference build's parseClass, numbering texts and
// fixed registers in t.
func (t *formTableState) parseClass(c string, texts map[string]uint16) class {
	id, ok := texts[c]
	if !ok {
		id = uint16(len(t.classTexts))
		texts[c] = id
		t.classTexts = append(t.classTexts, c)
	}
	cl := class{textID: id}
	if lit, ok := strings.CutPrefix(c, "="); ok {
		if v, err := strconv.ParseInt(lit, 10, 64); err == nil {
			cl.kind, cl.imm = cLitImm, v
			return cl
		}
		i := slices.Index(t.litNames, lit)
		if i < 0 {
			i = len(t.litNames)
			t.litNames = append(t.litNames, lit)
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

// TestFormTableMatchesReference checks that loadForms builds the table
// the reference build does: every field of every form (classes and Go
// operands included), in the same order, by mnemonic and by number of
// operands, and the same names, condition codes, registers, fixed
// registers and class texts in the same order.
func TestFormTableMatchesReference(t *testing.T) {
	forms()
	want := referenceFormTable()
	got := formTableState{table.byMnem, table.names, table.cond, table.regs, table.litNames, table.classTexts}
	if len(got.byMnem) != len(want.byMnem) {
		t.Fatalf("%d mnemonics, want %d", len(got.byMnem), len(want.byMnem))
	}
	for name, mf := range want.byMnem {
		g := got.byMnem[name]
		if g == nil || len(g.all) != len(mf.all) {
			t.Fatalf("%s: forms %v, want %d", name, g, len(mf.all))
		}
		for i := range mf.all {
			if !reflect.DeepEqual(g.all[i], mf.all[i]) {
				t.Fatalf("%s form %d:\n got %+v\nwant %+v", name, i, *g.all[i], *mf.all[i])
			}
		}
		for n := range mf.byN {
			if len(g.byN[n]) != len(mf.byN[n]) || (g.byN[n] == nil) != (mf.byN[n] == nil) {
				t.Fatalf("%s: %d forms of %d operands, want %d", name, len(g.byN[n]), n, len(mf.byN[n]))
			}
			for i := range mf.byN[n] {
				if g.byN[n][i] != g.all[slices.Index(mf.all, mf.byN[n][i])] {
					t.Fatalf("%s: form %d of %d operands is not the form of all", name, i, n)
				}
				if len(g.kindsN[n]) != len(g.byN[n]) || g.kindsN[n][i] != g.byN[n][i].kinds {
					t.Fatalf("%s: kinds of form %d of %d operands are not the form's", name, i, n)
				}
			}
		}
		if g.lit != mf.lit {
			t.Fatalf("%s: lit %v, want %v", name, g.lit, mf.lit)
		}
	}
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"names", got.names, want.names},
		{"cond", got.cond, want.cond},
		{"regs", got.regs, want.regs},
		{"litNames", got.litNames, want.litNames},
		{"classTexts", got.classTexts, want.classTexts},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %v\nwant %v", c.name, c.got, c.want)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the table differs from the reference")
	}
}

// BenchmarkFormTable measures building the form table from
// data_forms_gen.go (the maps), the cost of a process's first AT&T
// instruction.
func BenchmarkFormTable(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		table = formTables{}
		forms()
	}
}
