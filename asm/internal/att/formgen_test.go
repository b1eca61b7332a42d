package att

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"math"
	"reflect"
	"sort"
	"strconv"
	"testing"

	"github.com/jitrun/jitrun/asm/internal/asmtest"
)

var generate = flag.Bool("generate", false, "TestFormsGenerated: write data_forms_gen.go from the form table read the straightforward way (go generate)")

// TestFormsGenerated checks that data_forms_gen.go is what -generate
// writes from the Intel front end's form table read the straightforward
// way (referenceFormTable) and laid out flat (flatten): a form table
// changed without go generate fails here; and that the arrays compiled
// from it are what flatten made. TestFormTableMatchesReference checks
// that what a process reads through them is the reference's table. With
// -generate (go generate) it writes data_forms_gen.go instead.
func TestFormsGenerated(t *testing.T) {
	want, err := flatten(referenceFormTable())
	if err != nil {
		t.Fatal(err)
	}
	src, err := formsSource(want)
	if err != nil {
		t.Fatal(err)
	}
	if asmtest.Generated(t, "data_forms_gen.go", src, *generate, "the form table (intel.FormTable)", "./asm/internal/att") {
		return
	}
	got := flatTables{genText, genForms[:], genKinds[:], genOrder[:], genMnems[:], genMnemIndex[:], genClasses[:], genArgs[:], genBytes[:], genLitNames[:], genClassTexts[:]}
	if !reflect.DeepEqual(got, want) {
		t.Error("the form table compiled from data_forms_gen.go is not the form table's: run go generate ./asm/internal/att")
	}
}

// TestFormsStatic checks that the compiler lays data_forms_gen.go out as
// data: a variable initialized by code instead would be run at every
// process's start.
func TestFormsStatic(t *testing.T) {
	asmtest.CheckStaticData(t, "data_forms_gen.go")
}

// TestFormsHoldNoPointer checks that nothing of the generated table
// holds a pointer, so that the linker puts it where the garbage
// collector does not look (.noptrdata).
func TestFormsHoldNoPointer(t *testing.T) {
	asmtest.CheckNoPointers(t, genForms, genKinds, genOrder, genMnems, genMnemIndex, genClasses, genArgs, genBytes, genLitNames, genClassTexts)
}

// flatTables is the form table laid out as data_forms_gen.go holds it.
type flatTables struct {
	text       string
	forms      []form
	kinds      []uint32
	order      []uint16
	mnems      []mnemForms
	mnemIndex  []uint16
	classes    []class
	args       []goArg
	bytes      []byte
	litNames   []text
	classTexts []text
}

// flatten lays the reference table t out flat: the mnemonics sorted, the
// forms of each by number of operands (table order for each number),
// their names in one text, their lists (the same list once) in one array
// each.
func flatten(t formTableState) (flatTables, error) {
	var ft flatTables
	var pool bytes.Buffer
	texts := map[string]text{}
	intern := func(s string) (text, error) {
		if x, ok := texts[s]; ok {
			return x, nil
		}
		if len(s) > math.MaxUint8 || pool.Len()+len(s) > math.MaxUint16 {
			return text{}, fmt.Errorf("%q does not fit text", s)
		}
		x := text{off: uint16(pool.Len()), n: uint8(len(s))}
		pool.WriteString(s)
		texts[s] = x
		return x, nil
	}
	var err error
	list := func(lists map[string]span, key string, n, total int) (span, bool) {
		if n == 0 {
			return span{}, true
		}
		if x, ok := lists[key]; ok {
			return x, true
		}
		if n > math.MaxUint8 || total+n > math.MaxUint16 {
			err = fmt.Errorf("a list of %d at %d does not fit a span", n, total)
			return span{}, true
		}
		lists[key] = span{off: uint16(total), n: uint8(n)}
		return lists[key], false
	}
	classLists, argLists, byteLists := map[string]span{}, map[string]span{}, map[string]span{}
	mnems := make([]string, 0, len(t.byMnem))
	for name := range t.byMnem {
		mnems = append(mnems, name)
	}
	sort.Strings(mnems)
	for _, name := range mnems {
		fs := t.byMnem[name]
		mf := mnemForms{first: uint16(len(ft.forms))}
		if mf.name, err = intern(name); err != nil {
			return ft, err
		}
		at := map[*plainForm]int{}
		for n := range 6 {
			mf.byN[n] = uint16(len(ft.forms))
			for _, pf := range fs {
				if len(pf.classes) != n {
					continue
				}
				f := form{id: uint16(len(ft.forms)), mask: pf.mask, maskReq: pf.maskReq, zeroing: pf.zeroing, rc: pf.rc, sae: pf.sae, lit: pf.lit}
				if f.mnem, err = intern(pf.mnem); err != nil {
					return ft, err
				}
				if f.goOp, err = intern(pf.goOp); err != nil {
					return ft, err
				}
				var found bool
				if f.classes, found = list(classLists, fmt.Sprint(pf.classes), len(pf.classes), len(ft.classes)); !found {
					ft.classes = append(ft.classes, pf.classes...)
				}
				if f.args, found = list(argLists, fmt.Sprint(pf.args), len(pf.args), len(ft.args)); !found {
					ft.args = append(ft.args, pf.args...)
				}
				if f.bytes, found = list(byteLists, string(pf.bytes), len(pf.bytes), len(ft.bytes)); !found {
					ft.bytes = append(ft.bytes, pf.bytes...)
				}
				if err != nil {
					return ft, err
				}
				mf.lit[n] = max(mf.lit[n], pf.lit)
				at[pf] = len(ft.forms)
				ft.forms = append(ft.forms, f)
				ft.kinds = append(ft.kinds, classKinds(pf.classes))
			}
		}
		if len(at) != len(fs) {
			return ft, fmt.Errorf("%s: a form of more than 5 operands, or one listed twice", name)
		}
		if len(ft.forms) > math.MaxUint16 {
			return ft, fmt.Errorf("%d forms do not fit uint16", len(ft.forms))
		}
		mf.byN[6] = uint16(len(ft.forms))
		mf.end = mf.byN[6]
		for _, pf := range fs {
			ft.order = append(ft.order, uint16(at[pf]))
		}
		ft.mnems = append(ft.mnems, mf)
	}
	// The hash table of the mnemonics, at most half full.
	ft.mnemIndex = make([]uint16, 1)
	for len(ft.mnemIndex) < 2*len(ft.mnems) {
		ft.mnemIndex = make([]uint16, 2*len(ft.mnemIndex))
	}
	mask := uint32(len(ft.mnemIndex) - 1)
	for i, name := range mnems {
		h := mnemHash(name) & mask
		for ft.mnemIndex[h] != 0 {
			h = (h + 1) & mask
		}
		ft.mnemIndex[h] = uint16(i + 1)
	}
	for _, s := range t.litNames {
		x, err := intern(s)
		if err != nil {
			return ft, err
		}
		ft.litNames = append(ft.litNames, x)
	}
	for _, s := range t.classTexts {
		x, err := intern(s)
		if err != nil {
			return ft, err
		}
		ft.classTexts = append(ft.classTexts, x)
	}
	ft.text = pool.String()
	return ft, nil
}

// formsSource renders the flat table t as the Go source of
// data_forms_gen.go.
func formsSource(t flatTables) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("// Code generated by go test -run ^TestFormsGenerated$ -generate; DO NOT EDIT.\n\n")
	b.WriteString("package att\n\n")
	b.WriteString("// The form table (intel.FormTable) as matching reads it, as static data\n")
	b.WriteString("// that holds no pointer (forms.go): a process's first AT&T instruction\n")
	b.WriteString("// only makes a map of its mnemonics, and the garbage collector never\n")
	b.WriteString("// reads it.\n\n")
	b.WriteString("// genText holds the names (mnemonics, Go mnemonics, fixed registers and\n")
	b.WriteString("// class texts), each once, run together: a text is a part of it.\n")
	b.WriteString("const genText = \"\" +\n")
	for rest := t.text; len(rest) > 0; {
		n := min(len(rest), 64)
		fmt.Fprintf(&b, "%s", strconv.Quote(rest[:n]))
		rest = rest[n:]
		if len(rest) > 0 {
			b.WriteString(" +")
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
	var g asmtest.GoLiterals
	structs := func(doc, name, typ string, v reflect.Value) {
		b.WriteString(doc)
		fmt.Fprintf(&b, "var %s = [%d]%s{\n", name, v.Len(), typ)
		for i := range v.Len() {
			g.Write(&b, v.Index(i), true)
			b.WriteString(",\n")
		}
		b.WriteString("}\n\n")
	}
	numbers := func(doc, name, typ string, v reflect.Value) {
		b.WriteString(doc)
		fmt.Fprintf(&b, "var %s = [%d]%s{", name, v.Len(), typ)
		for i := range v.Len() {
			if i%16 == 0 {
				b.WriteString("\n")
			}
			g.Write(&b, v.Index(i), true)
			b.WriteString(",")
		}
		b.WriteString("\n}\n\n")
	}
	structs("// genForms are the forms, grouped by mnemonic (sorted) and by number of\n// operands, in table order.\n", "genForms", "form", reflect.ValueOf(t.forms))
	numbers("// genKinds are the kinds of the operands of genForms, side by side\n// (classKinds).\n", "genKinds", "uint32", reflect.ValueOf(t.kinds))
	numbers("// genOrder are the forms of each mnemonic in table order: genOrder[first:end]\n// lists genForms[first:end] (mnemForms).\n", "genOrder", "uint16", reflect.ValueOf(t.order))
	b.WriteString("// genMnems are the mnemonics, sorted, and where their forms are.\n")
	fmt.Fprintf(&b, "var genMnems = [%d]mnemForms{\n", len(t.mnems))
	for _, mf := range t.mnems {
		fmt.Fprintf(&b, "{name: text{off: %d, n: %d}, first: %d, end: %d, byN: [7]uint16{", mf.name.off, mf.name.n, mf.first, mf.end)
		for n, x := range mf.byN {
			if n > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%d", x)
		}
		b.WriteString("}")
		if mf.lit != [6]uint8{} {
			b.WriteString(", lit: [6]uint8{")
			for n, l := range mf.lit {
				if l != 0 {
					fmt.Fprintf(&b, "%d: %d, ", n, l)
				}
			}
			b.WriteString("}")
		}
		b.WriteString("},\n")
	}
	b.WriteString("}\n\n")
	numbers("// genMnemIndex is the hash table of genMnems (formsOf): 1 + an index in\n// genMnems, 0 for an empty slot.\n", "genMnemIndex", "uint16", reflect.ValueOf(t.mnemIndex))
	structs("// genClasses are the lists of classes of the forms (form.classes).\n", "genClasses", "class", reflect.ValueOf(t.classes))
	structs("// genArgs are the lists of Go operands of the forms (form.args).\n", "genArgs", "goArg", reflect.ValueOf(t.args))
	numbers("// genBytes are the bytes of the forms that are bytes (form.bytes).\n", "genBytes", "byte", reflect.ValueOf(t.bytes))
	structs("// genLitNames are the registers forms fix, numbered as class.lit.\n", "genLitNames", "text", reflect.ValueOf(t.litNames))
	structs("// genClassTexts are the classes as written, numbered as class.textID.\n", "genClassTexts", "text", reflect.ValueOf(t.classTexts))
	if g.Decls.Len() > 0 {
		return nil, fmt.Errorf("the flat table holds slices: %s", g.Decls.Bytes()[:min(g.Decls.Len(), 200)])
	}
	return format.Source(b.Bytes())
}
