package inteltab

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/twitchyliquid64/golang-asm/asm/arch"
	"github.com/twitchyliquid64/golang-asm/obj"
)

// Result is what Build learned: the forms, and a report of everything it
// left out and why.
type Result struct {
	Forms  []*Form
	Report []string
	// Verified counts the samples GNU as assembled to Go's bytes (or to
	// another encoding of the same instruction), out of Checked.
	Verified, Checked int
}

func (r *Result) reportf(format string, args ...any) {
	r.Report = append(r.Report, fmt.Sprintf(format, args...))
}

// Build learns the Intel forms from the Go toolchain's encoder tests under
// goroot, checks every sample of every form with GNU as, and adds the
// hand-written forms.
//
// goBytes assembles one line of Go syntax with jitrun's encoder and returns
// its bytes, or nil when the encoder rejects it.
func Build(goroot string, goBytes func(string) []byte) (*Result, error) {
	r := &Result{}
	files, err := testFiles(goroot)
	if err != nil {
		return nil, err
	}
	known := knownMnemonics()
	samples, err := readSamples(r, files, known, goBytes)
	if err != nil {
		return nil, err
	}
	byKey, keys := groupForms(r, learn(samples, r.reportf))
	var all []*Form
	for _, k := range keys {
		all = append(all, byKey[k]...)
	}
	resolveBroadcast(all)
	good, err := verify(r, all)
	if err != nil {
		return nil, err
	}
	forms := settle(r, byKey, keys, good)
	settleEVEX(forms)
	forms, err = probeEVEX(r, forms)
	if err != nil {
		return nil, err
	}
	forms, err = addManualForms(r, forms, known)
	if err != nil {
		return nil, err
	}
	forms = addAliases(forms)
	sortForms(forms)
	r.Forms = forms
	return r, nil
}

// knownMnemonics is every mnemonic golang-asm knows, with the names Go's
// tests use today for instructions golang-asm knows by an older name
// (jitrun's encoder accepts both).
func knownMnemonics() map[string]obj.As {
	known := map[string]obj.As{}
	for name, as := range arch.Set("amd64").Instructions {
		known[name] = as
	}
	for alias, name := range map[string]string{"MOVBEW": "MOVBEWW", "MOVBEL": "MOVBELL", "MOVBEQ": "MOVBEQQ"} {
		if as, ok := known[name]; ok {
			known[alias] = as
		}
	}
	return known
}

// readSamples decodes every instruction line of the test files, and
// reports how many were skipped, and why.
func readSamples(r *Result, files []string, known map[string]obj.As, goBytes func(string) []byte) ([]*sample, error) {
	var samples []*sample
	skipped := map[string]int{}
	for _, file := range files {
		lines, err := readGoLines(file)
		if err != nil {
			return nil, err
		}
		for _, l := range lines {
			if _, ok := known[l.op]; !ok {
				skipped["Go mnemonic unknown to golang-asm v0.15.1 ("+l.op+")"]++
				continue
			}
			s, why := decodeSample(l, goBytes)
			if s == nil {
				skipped[why]++
				continue
			}
			samples = append(samples, s)
		}
	}
	var why []string
	for w, n := range skipped {
		why = append(why, fmt.Sprintf("%d lines: %s", n, w))
	}
	sort.Strings(why)
	for _, w := range why {
		r.reportf("skipped %s", w)
	}
	return samples, nil
}

// groupForms turns the learned forms into Forms grouped by Intel form
// (key), keys in the order first seen.
func groupForms(r *Result, learnedForms []*learned) (map[string][]*Form, []string) {
	byKey := map[string][]*Form{}
	var keys []string
	for _, l := range learnedForms {
		f, why := fromLearned(l)
		if f == nil {
			r.reportf("dropped %s %s (%s, e.g. %s): %s", l.mnem, strings.Join(l.classes, ","), l.goOp, l.samples[0].line, why)
			continue
		}
		k := f.key()
		if byKey[k] == nil {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], f)
	}
	return byKey, keys
}

// settle keeps, for each Intel form, the preferred of its Go mnemonics
// that GNU as confirmed (good).
func settle(r *Result, byKey map[string][]*Form, keys []string, good []*Form) []*Form {
	ok := map[*Form]bool{}
	for _, f := range good {
		ok[f] = true
	}
	var forms []*Form
	for _, k := range keys {
		var c []*Form
		for _, f := range byKey[k] {
			if ok[f] {
				c = append(c, f)
			}
		}
		if len(c) == 0 {
			continue
		}
		sort.SliceStable(c, func(i, j int) bool { return preferred(c[i], c[j]) })
		for _, o := range c[1:] {
			r.reportf("%s: %s preferred over %s", k, c[0].GoOp, o.GoOp)
		}
		forms = append(forms, c[0])
	}
	return forms
}

// verify renders every sample of every form in GNU spelling, assembles
// them with GNU as and keeps the forms whose samples all come out as Go's
// bytes, or as another encoding of the same instruction.
func verify(r *Result, forms []*Form) ([]*Form, error) {
	type job struct {
		f *Form
		s *sample
	}
	var jobs []job
	var lines []string
	for _, f := range forms {
		for _, s := range f.samples {
			in := sampleInstance(f, s)
			if in == nil {
				r.reportf("%s: cannot render sample %s", f, s.line)
				continue
			}
			jobs = append(jobs, job{f, s})
			lines = append(lines, in.render(spellGNU))
		}
	}
	res, err := AssembleGNU(lines)
	if err != nil {
		return nil, err
	}
	type tally struct {
		ok, rejected, wrong int
		example             string
	}
	t := map[*Form]*tally{}
	for i, j := range jobs {
		c := t[j.f]
		if c == nil {
			c = &tally{}
			t[j.f] = c
		}
		r.Checked++
		switch g := res[i]; {
		case g.Err != "":
			c.rejected++
			if c.example == "" {
				c.example = fmt.Sprintf("GNU as rejects %q: %s", lines[i], g.Err)
			}
		case bytes.Equal(g.Code, j.s.line.code) || sameInstruction(g.Code, j.s.line.code):
			c.ok++
			r.Verified++
		default:
			c.wrong++
			c.example = fmt.Sprintf("%q: GNU as %x, Go %s %x", lines[i], g.Code, j.s.line, j.s.line.code)
		}
	}
	var out []*Form
	for _, f := range forms {
		c := t[f]
		switch {
		case c == nil:
			r.reportf("dropped %s: no sample renders", f)
		case c.wrong > 0:
			r.reportf("dropped %s: %d of %d samples differ: %s", f, c.wrong, c.ok+c.rejected+c.wrong, c.example)
		case c.ok == 0:
			r.reportf("dropped %s: %s", f, c.example)
		default:
			if c.rejected > 0 {
				r.reportf("kept %s: %d of %d samples rejected: %s", f, c.rejected, c.ok+c.rejected, c.example)
			}
			out = append(out, f)
		}
	}
	return out, nil
}

// File is one generated file, by its path relative to package asm.
type File struct {
	Path string
	Data []byte
}

// Generate builds the table and returns every generated file.
func Generate(goroot string, goBytes func(string) []byte) ([]File, error) {
	r, err := Build(goroot, goBytes)
	if err != nil {
		return nil, err
	}
	table, err := Table(r)
	if err != nil {
		return nil, err
	}
	corpus, err := Corpus(r)
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	for _, l := range corpus {
		counts[l.Category]++
	}
	var parts []string
	for _, c := range Categories {
		parts = append(parts, fmt.Sprintf("%s %d", c, counts[c]))
	}
	r.reportf("corpus: %d lines (%s)", len(corpus), strings.Join(parts, ", "))
	version, err := GNUVersion()
	if err != nil {
		return nil, err
	}
	var rep bytes.Buffer
	rep.WriteString("# What the Intel form table leaves out or settles by hand, and why.\n")
	rep.WriteString("# Generated by go run ./internal/intelgen; DO NOT EDIT.\n")
	fmt.Fprintf(&rep, "# %s: %s\n", GNUVersionLabel, version)
	for _, l := range r.Report {
		rep.WriteString(l + "\n")
	}
	return []File{
		{Path: "internal/intel/table_gen.go", Data: table},
		{Path: "testdata/intel/table_report.txt", Data: rep.Bytes()},
		{Path: "testdata/intel/corpus.s", Data: corpusFile(corpus, false)},
		{Path: "testdata/intel/corpus_nasm.asm", Data: corpusFile(corpus, true)},
	}, nil
}

// GNUVersionLabel starts the report line that records the GNU as the
// files were generated with: the probes and the corpus depend on it.
const GNUVersionLabel = "checked with"
