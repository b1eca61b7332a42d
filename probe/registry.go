package probe

import (
	"fmt"
	"path"
	"strings"

	"github.com/jitrun/jitrun/execmem"
)

// Info describes one probe.
type Info struct {
	Name string // "matrix.mmap.r-x"
	Doc  string // what it does, one line
	// Child names the child-process group that runs the probe when it
	// changes the process for good ("text", "mdwe", "mseal",
	// "personality"); "" for probes that run in the caller and leave it
	// as it was.
	Child string
	// PaxTest names the paxtest test that checks the same thing, when
	// there is one ("Executable heap"); paxtest's "Killed" is a fault
	// here and its "Vulnerable" is allowed.
	PaxTest string
}

// Section returns the part of the name before the first dot.
func (i Info) Section() string {
	s, _, _ := strings.Cut(i.Name, ".")
	return s
}

// probeDef is an Info and the function that performs the probe.
type probeDef struct {
	Info
	run func(p *prober, g *group) Result
}

// section is a group of probes in the report: the part of their names
// before the first dot, and its heading.
type section struct{ name, title string }

// sections returns the sections in the order the report shows them.
func sections() []section {
	return []section{
		{"matrix", "each protection requested by mmap (a private view of a memory file holding a RET), or reached by mprotect from rw-"},
		{"exec", "run a RET placed in each kind of memory"},
		{"mprotect", "the same after an mprotect that adds exec"},
		{"text", "write to the program's own text, in a child process"},
		{"viol", "violations and their signatures"},
		{"place", "where mmap puts a mapping"},
		{"pkey", "protection keys and execute-only memory"},
		{"mdwe", "memory-deny-write-execute (prctl PR_SET_MDWE), in a child process"},
		{"memfd", "the memfd dual mapping (separate RW and RX views) under memory-deny-write-execute, in a child process"},
		{"mseal", "sealed mappings (mseal), in a child process"},
		{"personality", "personality(READ_IMPLIES_EXEC), in a child process"},
	}
}

// matrixProts returns the eight protections in the matrix's order.
func matrixProts() []execmem.Prot {
	return []execmem.Prot{
		execmem.ProtNone, execmem.ProtRead, execmem.ProtWrite, execmem.ProtExec,
		execmem.ProtRW, execmem.ProtRX, execmem.ProtWrite | execmem.ProtExec, execmem.ProtRWX,
	}
}

// registry returns every probe in report order. It is built on each call
// (it is small), so that nothing in the package is mutable global state.
func registry() []probeDef {
	var defs []probeDef
	add := func(name, doc, child, pax string, run func(*prober, *group) Result) {
		defs = append(defs, probeDef{Info{Name: name, Doc: doc, Child: child, PaxTest: pax}, run})
	}
	for _, prot := range matrixProts() {
		add("matrix.mmap."+prot.String(), "mmap a page "+prot.String()+" and read, write and execute it", "", "",
			func(p *prober, _ *group) Result { return p.matrixMmap(prot) })
	}
	for _, prot := range matrixProts() {
		add("matrix.mprotect."+prot.String(), "mmap a page rw-, mprotect it "+prot.String()+", then read, write and execute it", "", "",
			func(p *prober, _ *group) Result { return p.matrixMprotect(prot) })
	}
	for _, w := range wheres() {
		add("exec."+w.name, "execute a RET in "+w.doc, "", w.pax,
			func(p *prober, _ *group) Result { return p.execIn(w, false) })
	}
	for _, w := range wheres() {
		if !w.canProtect {
			continue
		}
		pax := ""
		if w.pax != "" {
			pax = w.pax + " (mprotect)"
		}
		add("mprotect.exec."+w.name, "mprotect the page of "+w.doc+" to add exec, execute a RET there, restore the page", "", pax,
			func(p *prober, _ *group) Result { return p.execIn(w, true) })
	}
	add("text.write", "mprotect a page of the program's text to add write, write a byte (the same value), restore it", "text", "Writable text segments",
		func(p *prober, _ *group) Result { return p.textWrite() })

	for _, v := range violations() {
		add("viol."+v.name, v.doc, "", "", func(p *prober, _ *group) Result { return p.violation(v) })
	}

	add("place.hint", "mmap with a hint address that is already mapped: the kernel places the mapping elsewhere", "", "",
		func(p *prober, _ *group) Result { return p.placeHint() })
	add("place.noreplace", "mmap with MAP_FIXED_NOREPLACE over a mapped range: refused", "", "",
		func(p *prober, _ *group) Result { return p.placeNoReplace() })
	add("place.fixed", "mmap with MAP_FIXED over a mapping: it replaces it silently", "", "",
		func(p *prober, _ *group) Result { return p.placeFixed() })

	add("pkey.alloc", "allocate a protection key (pkey_alloc)", "", "",
		func(p *prober, _ *group) Result { return p.pkeyAlloc() })
	add("pkey.exec_only", "read a page mapped with PROT_EXEC alone: execute-only memory through a protection key (needs PKU)", "", "",
		func(p *prober, _ *group) Result { return p.execOnly() })

	for _, m := range mdweProbes() {
		add(m.name, m.doc, "mdwe", "", func(p *prober, g *group) Result { return p.mdwe(g, m) })
	}
	for _, m := range msealProbes() {
		add("mseal."+m.name, m.doc, "mseal", "", func(p *prober, g *group) Result { return p.mseal(g, m) })
	}
	add("personality.read_implies_exec", "set personality READ_IMPLIES_EXEC, mmap a page rw-, execute a RET there", "personality", "",
		func(p *prober, _ *group) Result { return p.readImpliesExec() })
	return defs
}

// Probes lists every probe in the order Run reports them.
func Probes() []Info {
	defs := registry()
	out := make([]Info, len(defs))
	for i, d := range defs {
		out[i] = d.Info
	}
	return out
}

// Match reports whether a probe name matches pattern. A pattern holding a
// glob metacharacter (* ? [) must match the whole name as path.Match
// matches it ('*' matches dots too, as names have no '/'): "exec.*",
// "matrix.*.r-x", "*.heap". Any other pattern is a prefix of the name:
// "matrix" selects every matrix row, "mdwe.mmap" both mdwe.mmap_* probes.
// A malformed glob is an error. (Select and Run also take a probe's full
// name to mean that probe alone: "viol.vsyscall" without
// "viol.vsyscall.exec".)
func Match(pattern, name string) (bool, error) {
	if !strings.ContainsAny(pattern, "*?[") {
		return strings.HasPrefix(name, pattern), nil
	}
	ok, err := path.Match(pattern, name)
	if err != nil {
		return false, fmt.Errorf("probe: pattern %q: %v", pattern, err)
	}
	return ok, nil
}

// Select returns the probes that match any of patterns (see Match), in
// report order; all of them when there are no patterns. A pattern that is
// a probe's full name selects that probe alone. A pattern that
// matches no probe, or a malformed glob, is an error.
func Select(patterns []string) ([]Info, error) {
	defs, err := selectProbes(patterns)
	if err != nil {
		return nil, err
	}
	out := make([]Info, len(defs))
	for i, d := range defs {
		out[i] = d.Info
	}
	return out, nil
}

// selectProbes returns the probes that match any of patterns (all when
// there are none). A pattern that matches nothing is an error.
func selectProbes(patterns []string) ([]probeDef, error) {
	defs := registry()
	if len(patterns) == 0 {
		return defs, nil
	}
	names := map[string]bool{}
	for _, d := range defs {
		names[d.Name] = true
	}
	hit := make([]bool, len(patterns))
	var out []probeDef
	for _, d := range defs {
		take := false
		for i, pat := range patterns {
			ok, err := Match(pat, d.Name)
			if err != nil {
				return nil, err
			}
			if names[pat] {
				ok = pat == d.Name // a full name is that probe alone
			}
			if ok {
				hit[i], take = true, true
			}
		}
		if take {
			out = append(out, d)
		}
	}
	for i, pat := range patterns {
		if !hit[i] {
			return nil, fmt.Errorf("probe: pattern %q matches no probe (sections: %s)", pat, sectionList())
		}
	}
	return out, nil
}

func sectionList() string {
	var names []string
	for _, s := range sections() {
		names = append(names, s.name)
	}
	return strings.Join(names, ", ")
}
