package disasm

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/jitrun/jitrun/asm"
)

// This file runs GNU binutils (as, objcopy, nm, objdump) as oracles. A
// test that needs them skips, saying so, when they are missing.

func needTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("SKIPPED: %s from GNU binutils is not installed (apt-get install binutils); this oracle test does not run", tool)
		}
	}
}

// object is what GNU as made of a source.
type object struct {
	path   string
	text   []byte         // the .text section
	labels map[string]int // label → offset in text
}

var asErrorLine = regexp.MustCompile(`:(\d+): Error: (.*)`)

// gnuAssemble assembles src with GNU as. It returns the object, or the
// errors as reports them by source line (1-based).
func gnuAssemble(t *testing.T, src string) (*object, map[int]string) {
	t.Helper()
	dir := t.TempDir()
	s, o := filepath.Join(dir, "in.s"), filepath.Join(dir, "in.o")
	if err := os.WriteFile(s, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("as", "--64", "-o", o, s).CombinedOutput()
	if err != nil {
		errs := map[int]string{}
		for _, m := range asErrorLine.FindAllStringSubmatch(string(out), -1) {
			n, _ := strconv.Atoi(m[1])
			if _, ok := errs[n]; !ok {
				errs[n] = m[2]
			}
		}
		if len(errs) == 0 {
			t.Fatalf("as failed without a line: %v\n%s", err, out)
		}
		return nil, errs
	}
	bin := filepath.Join(dir, "text.bin")
	if out, err := exec.Command("objcopy", "-O", "binary", "--only-section=.text", o, bin).CombinedOutput(); err != nil {
		t.Fatalf("objcopy: %v\n%s", err, out)
	}
	text, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	out, err = exec.Command("nm", "-n", o).CombinedOutput()
	if err != nil {
		t.Fatalf("nm: %v\n%s", err, out)
	}
	labels := map[string]int{}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) == 3 {
			v, err := strconv.ParseUint(f[0], 16, 64)
			if err == nil {
				labels[f[2]] = int(v)
			}
		}
	}
	return &object{path: o, text: text, labels: labels}, nil
}

// entryLabel is the label assembleEntries puts before entry i (not one a
// listing makes: loc_ADDR, or ci of entryProgram).
func entryLabel(i int) string { return fmt.Sprintf("entry%d", i) }

// assembleEntries assembles the entries, each after a label entryLabel(i). An entry
// as rejects is dropped, or when replace is set, replaced by replace(i)
// (so that the labels keep their numbers); rejected maps each rejected
// entry to the error. It returns the object, the entries kept and the
// offsets where each starts (plus the end).
func assembleEntries(t *testing.T, header string, entries []string, replace func(i int) string) (obj *object, kept []string, starts []int, rejected map[string]string) {
	t.Helper()
	rejected = map[string]string{}
	entries = append([]string(nil), entries...)
	for round := 0; round < 3; round++ {
		var src strings.Builder
		src.WriteString(header)
		lineOf := map[int]int{} // source line → entry
		line := strings.Count(header, "\n") + 1
		for i, e := range entries {
			fmt.Fprintf(&src, "%s:\n", entryLabel(i))
			line++
			for range strings.Split(e, "\n") {
				lineOf[line] = i
				line++
			}
			src.WriteString(e + "\n")
		}
		fmt.Fprintf(&src, "%s:\n", entryLabel(len(entries)))
		obj, errs := gnuAssemble(t, src.String())
		if errs == nil {
			starts := make([]int, len(entries)+1)
			for i := range starts {
				off, ok := obj.labels[entryLabel(i)]
				if !ok {
					t.Fatalf("label %s missing from the object", entryLabel(i))
				}
				starts[i] = off
			}
			return obj, entries, starts, rejected
		}
		drop := map[int]bool{}
		for l, msg := range errs {
			if i, ok := lineOf[l]; ok {
				drop[i] = true
				rejected[entries[i]] = msg
			}
		}
		kept = nil
		for i, e := range entries {
			switch {
			case !drop[i]:
				kept = append(kept, e)
			case replace != nil:
				kept = append(kept, replace(i))
			}
		}
		entries = kept
	}
	t.Fatalf("as keeps rejecting lines")
	return nil, nil, nil, nil
}

// objdumpLine is one instruction as objdump -d shows it.
type objdumpLine struct {
	off  int
	n    int
	text string
}

var objdumpInst = regexp.MustCompile(`^\s*([0-9a-f]+):\t([0-9a-f ]+?)\s*\t(.*)$`)

// objdump disassembles the object's .text with objdump -d -w (Intel
// syntax when intel is set).
func objdump(t *testing.T, obj *object, intel bool) []objdumpLine {
	t.Helper()
	args := []string{"-d", "-w"}
	if intel {
		args = append(args, "-M", "intel")
	}
	out, err := exec.Command("objdump", append(args, obj.path)...).CombinedOutput()
	if err != nil {
		t.Fatalf("objdump: %v\n%s", err, out)
	}
	var lines []objdumpLine
	for _, l := range strings.Split(string(out), "\n") {
		m := objdumpInst.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		off, _ := strconv.ParseUint(m[1], 16, 64)
		lines = append(lines, objdumpLine{off: int(off), n: len(strings.Fields(m[2])), text: strings.Join(strings.Fields(m[3]), " ")})
	}
	sort.Slice(lines, func(i, j int) bool { return lines[i].off < lines[j].off })
	return lines
}

// entryProgram describes code assembled from corpus entries: a label ci
// at the start of entry i, so that each entry is decoded from its start
// whatever the decoder made of the one before.
func entryProgram(code []byte, starts []int) *asm.Program {
	p := &asm.Program{Code: code}
	for i, off := range starts {
		p.Labels = append(p.Labels, asm.Label{Name: fmt.Sprintf("c%d", i), Offset: off})
	}
	return p
}
