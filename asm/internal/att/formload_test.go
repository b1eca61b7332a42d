package att

import (
	"encoding/hex"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/jitrun/jitrun/asm/internal/intel"
	"github.com/jitrun/jitrun/asm/internal/ir"
)

// plainForm is a form as the reference build reads it: its names
// strings, its lists slices. The table a process loads (form) holds the
// same as numbers into flat arrays (view turns one into this).
type plainForm struct {
	mnem    string
	classes []class // Intel order
	goOp    string
	args    []goArg
	bytes   []byte
	mask    bool
	maskReq bool
	zeroing bool
	rc      bool
	sae     bool
	lit     uint8
}

// formTableState is the form table read the straightforward way.
type formTableState struct {
	// byMnem are the forms of each mnemonic, in table order.
	byMnem     map[string][]*plainForm
	names      []string
	cond       map[string]string
	regs       []string
	litNames   []string
	classTexts []string
}

// referenceFormTable builds the form table the straightforward way, from
// the text of intel.FormTable: go generate writes data_forms_gen.go from
// it (TestFormsGenerated), and what a process loads must be exactly
// this (TestFormTableMatchesReference).
func referenceFormTable() formTableState {
	var t formTableState
	m := map[string][]*plainForm{}
	texts := map[string]uint16{}
	for _, line := range strings.Split(intel.FormTable(), "\n") {
		fields := strings.Fields(line)
		if len(fields) != 5 {
			continue
		}
		f := &plainForm{mnem: fields[0]}
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
	t.byMnem = m
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

// view is f as the reference build reads it.
func view(f *form) *plainForm {
	return &plainForm{
		mnem: f.mnem.String(), classes: f.classList(), goOp: f.goOp.String(), args: f.goArgs(), bytes: f.rawBytes(),
		mask: f.mask, maskReq: f.maskReq, zeroing: f.zeroing, rc: f.rc, sae: f.sae, lit: f.lit,
	}
}

// nilIfEmpty is s, nil when empty: the reference reads no classes or
// arguments (-) as nil, a form of the table as an empty list.
func nilIfEmpty[S ~[]E, E any](s S) S {
	if len(s) == 0 {
		return nil
	}
	return s
}

// TestFormTableMatchesReference checks that what loadForms and the
// generated arrays give is the table the reference build reads: every
// field of every form (classes and Go operands included), in table
// order, the forms by number of operands in table order with their
// kinds, and the same names, condition codes, registers, fixed registers
// and class texts in the same order.
func TestFormTableMatchesReference(t *testing.T) {
	forms()
	want := referenceFormTable()
	if len(genMnems) != len(want.byMnem) {
		t.Fatalf("%d mnemonics, want %d", len(genMnems), len(want.byMnem))
	}
	for _, name := range append(slices.Sorted(maps.Keys(attNames)), "", "nosuch", "add ", "ADD", "vaddpsx") {
		if _, ok := want.byMnem[name]; !ok && formsOf(name) != noForms {
			t.Errorf("formsOf(%q) finds %q, a mnemonic the table does not have", name, formsOf(name).name)
		}
	}
	for name, fs := range want.byMnem {
		mf := formsOf(name)
		if mf.count() != len(fs) || mf.name.String() != name {
			t.Fatalf("%s: %d forms named %q, want %d", name, mf.count(), mf.name, len(fs))
		}
		for i, j := range mf.inTableOrder() {
			if j < mf.first || j >= mf.end || genForms[j].id != j {
				t.Fatalf("%s form %d: form %d (id %d) is not the mnemonic's", name, i, j, genForms[j].id)
			}
			got := view(&genForms[j])
			got.classes, got.args = nilIfEmpty(got.classes), nilIfEmpty(got.args)
			if !reflect.DeepEqual(got, fs[i]) {
				t.Fatalf("%s form %d:\n got %+v\nwant %+v", name, i, *got, *fs[i])
			}
		}
		var lit [6]uint8
		for n := range 6 {
			var byN []*plainForm
			for _, f := range fs {
				if len(f.classes) == n {
					byN = append(byN, f)
					lit[n] = max(lit[n], f.lit)
				}
			}
			lo, hi := int(mf.byN[n]), int(mf.byN[n+1])
			if hi-lo != len(byN) || lo < int(mf.first) || hi > int(mf.end) {
				t.Fatalf("%s: forms %d to %d of %d operands, want %d", name, lo, hi, n, len(byN))
			}
			for i, f := range byN {
				g := view(&genForms[lo+i])
				if g.goOp != f.goOp || !slices.Equal(g.classes, f.classes) || !slices.Equal(g.args, f.args) {
					t.Fatalf("%s: form %d of %d operands is %+v, want %+v", name, i, n, *g, *f)
				}
				if genKinds[lo+i] != classKinds(f.classes) {
					t.Fatalf("%s: kinds of form %d of %d operands are %#x, want %#x", name, i, n, genKinds[lo+i], classKinds(f.classes))
				}
			}
		}
		if mf.byN[0] != mf.first || mf.byN[6] != mf.end {
			t.Fatalf("%s: the forms by number of operands are %v, not all of %d to %d", name, mf.byN, mf.first, mf.end)
		}
		if mf.lit != lit {
			t.Fatalf("%s: lit %v, want %v", name, mf.lit, lit)
		}
	}
	var litNames, classTexts []string
	for i := range genLitNames {
		litNames = append(litNames, litRegName(i))
	}
	for _, c := range genClassTexts {
		classTexts = append(classTexts, c.String())
	}
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"names", mnemonicNames(), want.names},
		{"cond", table.cond, want.cond},
		{"regs", table.regs, want.regs},
		{"litNames", litNames, want.litNames},
		{"classTexts", classTexts, want.classTexts},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %v\nwant %v", c.name, c.got, c.want)
		}
	}
}

// BenchmarkFormTable measures what a process makes of the form table
// (the condition codes' map) at its first AT&T branch or unknown
// register; the rest is read as generated.
func BenchmarkFormTable(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		table = formTables{}
		forms()
	}
}
