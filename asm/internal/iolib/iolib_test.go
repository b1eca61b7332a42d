package iolib

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var textLine = regexp.MustCompile(`(?m)^TEXT ([A-Za-z_0-9]+)\(SB\), NOSPLIT\|NOFRAME, \$0$`)

// TestRoutinesMatchSources checks that the table documents exactly the
// public TEXT blocks of the sources, that the helpers are named apart,
// and that every clobber is caller-saved under System V.
func TestRoutinesMatchSources(t *testing.T) {
	var public, helpers []string
	for _, f := range Files() {
		if !strings.HasPrefix(string(f.Src), "//go:build ignore\n") {
			t.Errorf("%s: must start with //go:build ignore (go build must not assemble it)", f.Name)
		}
		for _, m := range textLine.FindAllStringSubmatch(string(f.Src), -1) {
			if strings.HasPrefix(m[1], "__jitrun_") {
				helpers = append(helpers, m[1])
			} else {
				public = append(public, m[1])
			}
		}
	}
	var table []string
	callerSaved := []string{"rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11"}
	for _, r := range Routines() {
		table = append(table, r.Name)
		for _, reg := range strings.Fields(r.Clobbers) {
			if !slices.Contains(callerSaved, reg) {
				t.Errorf("%s clobbers %s, which System V has the callee keep", r.Name, reg)
			}
		}
	}
	for _, name := range append(public, helpers...) {
		if IsRoutine(name) != !strings.HasPrefix(name, "__jitrun_") {
			t.Errorf("IsRoutine(%q) = %v", name, IsRoutine(name))
		}
	}
	if IsRoutine("printf") || IsRoutine("") {
		t.Error("IsRoutine takes names that are no routine")
	}
	slices.Sort(public)
	slices.Sort(table)
	if !slices.Equal(public, table) {
		t.Errorf("the sources define %v, the table documents %v", public, table)
	}
	if want := []string{"__jitrun_getc", "__jitrun_utoa", "__jitrun_write"}; !slices.Equal(sorted(helpers), want) {
		t.Errorf("helpers %v, want %v", helpers, want)
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func ExampleRoutines() {
	for _, r := range Routines()[:2] {
		fmt.Printf("%s(%s): %s\n", r.Name, r.Args, r.Summary)
	}
	fmt.Println(len(Files()), "source files")
	// Output:
	// print_int(rdi): write rdi as a signed decimal number (-42)
	// print_uint(rdi): write rdi as an unsigned decimal number (18446744073709551615)
	// 3 source files
}
