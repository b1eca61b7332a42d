package intel

import (
	"encoding/hex"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
)

// formTableState is what intelForms builds.
type formTableState struct {
	byMnem map[string][]*intelForm
	goCond map[string]string
	names  []string
	mnems  map[string]*mnemInfo
}

// referenceFormTable builds the form table the straightforward way (the
// build intelForms had before it was made cheaper): intelForms must
// build exactly this.
func referenceFormTable() formTableState {
	var t formTableState
	m := map[string][]*intelForm{}
	for _, line := range strings.Split(intelFormTable, "\n") {
		fields := strings.Fields(line)
		if len(fields) != 5 {
			continue
		}
		f := &intelForm{mnem: fields[0]}
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
	t.byMnem = m
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
	t.mnems = make(map[string]*mnemInfo, len(words))
	for i, name := range words {
		info := &mnemInfo{id: uint16(i + 1), forms: m[name], branch: intelBranches[name]}
		if cc, ok := strings.CutPrefix(name, "j"); ok && info.branch == "" && t.goCond[cc] != "" {
			info.branch = "J" + t.goCond[cc]
		}
		_, directive := directives[name]
		info.plain = name != "times" && intelPrefix(name) == "" && !isIntelDirective(name) && !directive
		for _, f := range info.forms {
			for _, c := range f.cls {
				info.fixes = info.fixes || c.lit
			}
		}
		t.mnems[name] = info
	}
	return t
}

// TestFormTableMatchesReference checks that intelForms builds the table
// the reference build does, form for form: every field of every form
// (classes, compiled classes and Go operands included, nil or empty as
// the reference has them), in the same order, and the same names,
// condition codes and mnemonic numbers.
func TestFormTableMatchesReference(t *testing.T) {
	intelForms()
	want := referenceFormTable()
	got := formTableState{intelTable.byMnem, intelTable.goCond, intelTable.names, intelTable.mnems}
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
func compileRef(f *intelForm) {
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
