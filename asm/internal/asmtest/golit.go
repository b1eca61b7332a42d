package asmtest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"strconv"
	"testing"
)

// GoLiterals writes Go values as the literals of a generated file (the
// form tables' data_forms_gen.go), each distinct non-empty slice of values
// once, as a variable (genListN) that every value holding it names: forms
// share their lists of classes and Go operands, as the tables they were
// read into did. Decls are those variables, "name = literal" a line, in
// the order first met, for the file's var block.
type GoLiterals struct {
	lists map[string]string // a slice's literal: the variable it is
	Decls bytes.Buffer
}

// Write writes v as a Go composite literal or constant: struct fields
// that are zero left out, nil slices and pointers as nil, empty slices
// and slices of pointers as slice literals, other slices as their
// variable; elided leaves out the type of a composite literal (an element
// of a slice). It panics on a kind it has no literal for (a map, a
// func): a generator's test then fails on it.
func (g *GoLiterals) Write(b *bytes.Buffer, v reflect.Value, elided bool) {
	switch v.Kind() {
	case reflect.Struct:
		if !elided {
			b.WriteString(v.Type().Name())
		}
		b.WriteString("{")
		sep := ""
		for i := range v.NumField() {
			if v.Field(i).IsZero() {
				continue
			}
			fmt.Fprintf(b, "%s%s: ", sep, v.Type().Field(i).Name)
			g.Write(b, v.Field(i), false)
			sep = ", "
		}
		b.WriteString("}")
	case reflect.Slice:
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		var lit bytes.Buffer
		fmt.Fprintf(&lit, "[]%s{", typeName(v.Type().Elem()))
		for i := range v.Len() {
			if i > 0 {
				lit.WriteString(", ")
			}
			g.Write(&lit, v.Index(i), true)
		}
		lit.WriteString("}")
		if v.Len() == 0 || v.Type().Elem().Kind() == reflect.Pointer {
			b.Write(lit.Bytes())
			return
		}
		if g.lists == nil {
			g.lists = map[string]string{}
		}
		name, ok := g.lists[lit.String()]
		if !ok {
			name = fmt.Sprintf("genList%d", len(g.lists))
			g.lists[lit.String()] = name
			fmt.Fprintf(&g.Decls, "%s = %s\n", name, lit.Bytes())
		}
		b.WriteString(name)
	case reflect.Pointer:
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		if !elided {
			b.WriteString("&")
		}
		g.Write(b, v.Elem(), elided)
	case reflect.String:
		b.WriteString(strconv.Quote(v.String()))
	case reflect.Bool:
		b.WriteString(strconv.FormatBool(v.Bool()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		b.WriteString(strconv.FormatInt(v.Int(), 10))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		b.WriteString(strconv.FormatUint(v.Uint(), 10))
	default:
		panic("GoLiterals: no Go literal for a " + v.Type().String())
	}
}

// typeName is how a generated file of the type's own package names it.
func typeName(t reflect.Type) string {
	switch {
	case t.Kind() == reflect.Pointer:
		return "*" + typeName(t.Elem())
	case t.PkgPath() == "" || t.Name() == "":
		return t.String()
	}
	return t.Name()
}

// CheckStaticData fails t when the compiler does not lay the package in
// the current directory out as data wholly: when a variable of the
// generated file is initialized by code run at every process's start
// instead (as when a file sorting before it initializes a variable by a
// call). It compiles the package, so it skips under -short.
func CheckStaticData(t *testing.T, file string) {
	t.Helper()
	if testing.Short() {
		t.Skip("compiles the package")
	}
	out, err := exec.Command("go", "build", "-gcflags=-d=staticcopy=1", "-o", os.DevNull, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	if bytes.Contains(out, []byte("skipping static copy")) {
		t.Errorf("%s is initialized by code, not laid out as data: a file that sorts before it initializes a variable by a call\n%s", file, out)
	}
}

// Generated is the check of a generated file's test: with write set (the
// test's -generate flag, as go generate runs it) it writes src to file
// and returns true, and the test stops there; otherwise it fails t when
// file is not src, saying what src is made from (from) and that go
// generate must run on pkg, and returns false.
func Generated(t *testing.T, file string, src []byte, write bool, from, pkg string) bool {
	t.Helper()
	if write {
		if err := os.WriteFile(file, src, 0o644); err != nil {
			t.Fatal(err)
		}
		return true
	}
	have, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(have, src) {
		t.Errorf("%s is not what %s gives now: run go generate %s", file, from, pkg)
	}
	return false
}

// CheckNoPointers fails t for each of vals whose type holds a pointer (a
// string, a slice, a map…), naming the first field that does: the large
// generated tables are kept free of them, so that the collector never
// reads them (it scans every global that holds pointers, at every cycle).
func CheckNoPointers(t *testing.T, vals ...any) {
	t.Helper()
	for _, v := range vals {
		typ := reflect.TypeOf(v)
		if path := pointerPath(typ); path != "" {
			t.Errorf("%v holds a pointer (%s): the collector would scan every one of the table's entries at every cycle", typ, path)
		}
	}
}

// pointerPath returns where a value of type t holds a pointer (the path of
// fields and elements to it, or the type itself), "" when it holds none.
func pointerPath(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Array:
		if t.Len() == 0 {
			return ""
		}
		if p := pointerPath(t.Elem()); p != "" {
			return "[0]" + p
		}
		return ""
	case reflect.Struct:
		for i := range t.NumField() {
			if p := pointerPath(t.Field(i).Type); p != "" {
				return "." + t.Field(i).Name + p
			}
		}
		return ""
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return ""
	}
	return " " + t.String()
}
