package intel

import (
	"encoding/hex"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
)

// formTableState is what intelForms builds, with the names and lists its
// forms number.
type formTableState struct {
	byMnem map[string][]*intelForm
	goCond map[string]string
	names  []string
	mnems  map[string]*mnemInfo
	lists  formLists
}

// refForm is a line of the form table read the straightforward way: its
// names and lists whole, where an intelForm numbers them.
type refForm struct {
	mnem, goOp    string
	classes, args []string
	bytes         []byte
	cls           []formClass
	goArgs        []formArg
	mask, maskReq bool
	zeroing, rc   bool
	sae           bool
	stOps         uint8
}

// referenceFormTable builds the form table the straightforward way (the
// build intelForms had before it was made cheaper): intelForms must
// build exactly this.
func referenceFormTable() formTableState {
	var t formTableState
	m := map[string][]*refForm{}
	for _, line := range strings.Split(intelFormTable, "\n") {
		fields := strings.Fields(line)
		if len(fields) != 5 {
			continue
		}
		f := &refForm{mnem: fields[0]}
		if fields[1] != "-" {
			f.classes = strings.Split(fields[1], ",")
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
			f.args = strings.Split(fields[3], ",")
		}
		fl := ReadFormFlags(fields[4])
		f.mask, f.maskReq, f.zeroing, f.rc, f.sae = fl.Mask, fl.MaskReq, fl.Zeroing, fl.RC, fl.SAE
		compileRef(f)
		m[f.mnem] = append(m[f.mnem], f)
	}
	t.goCond = map[string]string{}
	for name, forms := range m {
		t.names = append(t.names, name)
		if cc, ok := strings.CutPrefix(name, "set"); ok {
			for _, f := range forms {
				if goCC, ok := strings.CutPrefix(f.goOp, "SET"); ok {
					t.goCond[cc] = goCC
				}
			}
		}
	}
	sort.Strings(t.names)
	words := slices.Clone(t.names)
	for name := range intelBranches {
		words = append(words, name)
	}
	for cc := range t.goCond {
		words = append(words, "j"+cc)
	}
	slices.Sort(words)
	words = slices.Compact(words)
	var nums listNumbers
	t.byMnem = make(map[string][]*intelForm, len(m))
	t.mnems = make(map[string]*mnemInfo, len(words))
	for i, name := range words {
		info := &mnemInfo{id: uint16(i + 1), branch: intelBranches[name]}
		for _, f := range m[name] {
			info.forms = append(info.forms, nums.pack(f, info.id))
			for _, c := range f.cls {
				info.fixes = info.fixes || c.lit
			}
		}
		if info.forms != nil {
			t.byMnem[name] = info.forms
		}
		if cc, ok := strings.CutPrefix(name, "j"); ok && info.branch == "" && t.goCond[cc] != "" {
			info.branch = "J" + t.goCond[cc]
		}
		_, directive := directives[name]
		info.plain = name != "times" && intelPrefix(name) == "" && !isIntelDirective(name) && !directive
		t.mnems[name] = info
	}
	t.lists = nums.lists
	t.lists.words = words
	return t
}

// listNumbers numbers the names and lists of refForms as they come, each
// distinct one once (number 0: the empty name, the nil list), into the
// formLists their intelForms refer to.
type listNumbers struct {
	lists formLists
	seen  map[string]uint16
}

// pack returns f as an intelForm of the mnemonic numbered word.
func (n *listNumbers) pack(f *refForm, word uint16) *intelForm {
	if n.seen == nil {
		n.lists = formLists{names: []string{""}, strs: [][]string{nil}, classes: [][]formClass{nil}, args: [][]formArg{nil}, bytes: [][]byte{nil}}
		n.seen = map[string]uint16{}
	}
	return &intelForm{
		word:      word,
		goName:    number(n.seen, &n.lists.names, f.goOp),
		classList: number(n.seen, &n.lists.strs, f.classes),
		argList:   number(n.seen, &n.lists.strs, f.args),
		clsList:   number(n.seen, &n.lists.classes, f.cls),
		goArgList: number(n.seen, &n.lists.args, f.goArgs),
		byteList:  number(n.seen, &n.lists.bytes, f.bytes),
		mask:      f.mask, maskReq: f.maskReq, zeroing: f.zeroing, rc: f.rc, sae: f.sae,
		stOps: f.stOps,
	}
}

// number returns v's number in *all, appending it if it is new; seen
// holds the numbers given, by v's Go syntax (which tells nil from empty),
// whose first element is the zero value, number 0.
func number[T any](seen map[string]uint16, all *[]T, v T) uint16 {
	key := fmt.Sprintf("%#v", v)
	if len(*all) == 1 {
		seen[fmt.Sprintf("%#v", (*all)[0])] = 0
	}
	if k, ok := seen[key]; ok {
		return k
	}
	k := uint16(len(*all))
	*all = append(*all, v)
	seen[key] = k
	return k
}

// unpack returns the form f of mnemonic mnem with its names and lists
// whole, read from l.
func (l *formLists) unpack(mnem string, f *intelForm) refForm {
	return refForm{mnem: mnem, goOp: l.names[f.goName], classes: l.strs[f.classList], args: l.strs[f.argList], bytes: l.bytes[f.byteList],
		cls: l.classes[f.clsList], goArgs: l.args[f.goArgList], mask: f.mask, maskReq: f.maskReq, zeroing: f.zeroing, rc: f.rc, sae: f.sae, stOps: f.stOps}
}

// unpack returns f with its names and lists whole, as its methods read
// them.
func unpack(f *intelForm) refForm {
	return refForm{mnem: f.mnem(), goOp: f.goOp(), classes: f.classes(), args: f.args(), bytes: f.bytes(), cls: f.cls(), goArgs: f.goArgs(),
		mask: f.mask, maskReq: f.maskReq, zeroing: f.zeroing, rc: f.rc, sae: f.sae, stOps: f.stOps}
}

// TestFormTableMatchesReference checks that intelForms builds the table
// the reference build does, form for form: every field of every form
// (classes, compiled classes and Go operands included, nil or empty as
// the reference has them), in the same order, and the same names,
// condition codes and mnemonic numbers.
func TestFormTableMatchesReference(t *testing.T) {
	intelForms()
	want := referenceFormTable()
	got := formTableState{intelTable.byMnem, intelTable.goCond, intelTable.names, intelTable.mnems, formShared}
	if len(got.byMnem) != len(want.byMnem) || len(got.mnems) != len(want.mnems) {
		t.Fatalf("%d mnemonics, %d words; want %d, %d", len(got.byMnem), len(got.mnems), len(want.byMnem), len(want.mnems))
	}
	for name, forms := range want.byMnem {
		g := got.byMnem[name]
		if len(g) != len(forms) {
			t.Fatalf("%s: %d forms, want %d", name, len(g), len(forms))
		}
		for i := range forms {
			if !reflect.DeepEqual(g[i], forms[i]) {
				t.Fatalf("%s form %d:\n got %+v\nwant %+v", name, i, *g[i], *forms[i])
			}
			if ref := want.lists.unpack(name, forms[i]); !reflect.DeepEqual(unpack(g[i]), ref) {
				t.Fatalf("%s form %d unpacked:\n got %+v\nwant %+v", name, i, unpack(g[i]), ref)
			}
			if cap(g) != len(g) && name != "" {
				// A mnemonic's forms share no room another could append into.
				t.Fatalf("%s: forms slice has cap %d > len %d", name, cap(g), len(g))
			}
		}
	}
	for name, info := range want.mnems {
		if !reflect.DeepEqual(got.mnems[name], info) {
			t.Fatalf("word %s: got %+v, want %+v", name, got.mnems[name], info)
		}
	}
	if !reflect.DeepEqual(got.goCond, want.goCond) {
		t.Errorf("goCond = %v, want %v", got.goCond, want.goCond)
	}
	if !reflect.DeepEqual(got.names, want.names) {
		t.Errorf("names differ: got %d, want %d", len(got.names), len(want.names))
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the table differs from the reference")
	}
}

// BenchmarkFormTable measures making the form table's maps from
// data_forms_gen.go (buildIntelForms), what a process pays at the first
// instruction that needs one (one the packed and signature tables do not
// match).
func BenchmarkFormTable(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		intelTable.once = sync.Once{}
		intelTable.names = nil
		intelForms()
	}
}

// compileRef fills f's cls and goArgs from its classes and args, each
// form on its own, as the build did before it shared them.
func compileRef(f *refForm) {
	f.cls = make([]formClass, len(f.classes))
	for i, c := range f.classes {
		f.cls[i] = compileClass(c)
		if c == "st" {
			f.stOps++
		}
	}
	f.goArgs = make([]formArg, len(f.args))
	for i, a := range f.args {
		f.goArgs[i] = compileArg(a)
	}
}
