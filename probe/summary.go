package probe

import (
	"fmt"
	"strings"
)

// Summary says in words what the results show, one clause per fact, each
// derived from the probes that ran ("W implies R", "X implies R (no
// PKU)", "W+X allowed", "mprotect may add X", "the stack is not
// executable", …). A fact whose probes did not run, or failed, is left out.
func (r *Report) Summary() []string {
	var out []string
	for _, fact := range summaryFacts {
		out = append(out, fact(r)...)
	}
	return out
}

// summaryFacts are the facts Summary states, in its order: each returns
// its clauses (none when its probes did not say).
var summaryFacts = []func(*Report) []string{
	(*Report).nxFact,
	(*Report).impliesFacts,
	(*Report).writeExecFacts,
	(*Report).whereFacts,
	(*Report).textFact,
	(*Report).placementFact,
	(*Report).pkeyFacts,
	(*Report).mdweFacts,
	(*Report).msealFact,
	(*Report).personalityFact,
}

// outcome is the named probe's result, or the outcome of one of its steps
// (NotTried when the probe did not run).
func (r *Report) outcome(name, step string) Outcome {
	p, ok := r.Find(name)
	if !ok {
		return NotTried
	}
	if step == "" {
		return p.Result
	}
	return p.Outcome(step)
}

// either is the first of the named probes' step outcomes that says
// something (Allowed or Faulted), else NotTried.
func (r *Report) either(step string, names ...string) Outcome {
	for _, n := range names {
		if o := r.outcome(n, step); o == Allowed || o == Faulted {
			return o
		}
	}
	return NotTried
}

// oneOf returns the clause for the named probe's result, if the table has
// one (and the probe ran).
func (r *Report) oneOf(name string, clauses map[Outcome]func(*Result) string) []string {
	p, ok := r.Find(name)
	if !ok {
		return nil
	}
	if f := clauses[p.Result]; f != nil {
		return []string{f(p)}
	}
	return nil
}

// said returns a clause that does not depend on the probe.
func said(s string) func(*Result) string { return func(*Result) string { return s } }

func (r *Report) nxFact() []string {
	for _, n := range []string{"matrix.mprotect.rw-", "matrix.mmap.rw-", "exec.anon"} {
		p, ok := r.Find(n)
		if !ok {
			continue
		}
		o, _ := p.Step(StepExec)
		if o.Outcome == Faulted && o.Fault.InstructionFetch() {
			return []string{fmt.Sprintf("NX enforced (executing rw- memory faults, error code %#x)", o.Fault.ErrorCode)}
		}
		if o.Outcome == Allowed {
			return []string{"NX not enforced: rw- memory executes"}
		}
	}
	return nil
}

func (r *Report) impliesFacts() []string {
	var out []string
	switch r.either(StepRead, "matrix.mmap.-w-", "matrix.mprotect.-w-") {
	case Allowed:
		out = append(out, "W implies R")
	case Faulted:
		out = append(out, "W does not imply R (write-only pages exist)")
	}
	switch r.either(StepRead, "matrix.mmap.--x", "matrix.mprotect.--x") {
	case Allowed:
		if !r.Host.Has("pku") {
			out = append(out, "X implies R (no PKU)")
		} else {
			out = append(out, "X implies R")
		}
	case Faulted:
		out = append(out, "X does not imply R (execute-only memory)")
	}
	return out
}

// writeExecFacts: whether W+X mappings exist, and whether mprotect may add
// X.
func (r *Report) writeExecFacts() []string {
	var out []string
	if p, ok := r.Find("matrix.mmap.rwx"); ok {
		switch {
		case p.Result == Refused:
			out = append(out, "W+X refused ("+p.Verdict()+")")
		case p.Outcome(StepWrite) == Allowed && p.Outcome(StepExec) == Allowed:
			out = append(out, "W+X allowed")
		}
	}
	if p, ok := r.Find("matrix.mprotect.r-x"); ok {
		switch {
		case p.Result == Refused:
			out = append(out, "mprotect may not add X ("+p.Verdict()+")")
		case p.Outcome(StepExec) == Allowed:
			out = append(out, "mprotect may add X")
		}
	}
	return out
}

// whereFacts: where code runs, and where mprotect can make it run.
func (r *Report) whereFacts() []string {
	var out []string
	noExec, yesExec := r.wheresWith("exec.", Faulted, Allowed)
	if len(noExec) > 0 {
		out = append(out, listWords(noExec)+" "+isAre(noExec)+" not executable")
	}
	if len(yesExec) > 0 {
		out = append(out, listWords(yesExec)+" "+isAre(yesExec)+" executable")
	}
	canAdd, cannotAdd := r.wheresWith("mprotect.exec.", Allowed, Refused)
	if len(canAdd) > 0 {
		out = append(out, "mprotect can make "+listWords(canAdd)+" executable")
	}
	if len(cannotAdd) > 0 {
		out = append(out, "mprotect cannot make "+listWords(cannotAdd)+" executable")
	}
	return out
}

// wheresWith returns, in words, the places (wheres) whose probe prefix+name
// ended as a, and those that ended as b.
func (r *Report) wheresWith(prefix string, a, b Outcome) (as, bs []string) {
	for _, w := range wheres() {
		switch r.outcome(prefix+w.name, "") {
		case a:
			as = append(as, whereWords(w.name))
		case b:
			bs = append(bs, whereWords(w.name))
		}
	}
	return as, bs
}

func (r *Report) textFact() []string {
	return r.oneOf("text.write", map[Outcome]func(*Result) string{
		Allowed: said("the program's text can be made writable"),
		Refused: said("the program's text cannot be made writable"),
	})
}

func (r *Report) placementFact() []string {
	var place []string
	if p, ok := r.Find("place.hint"); ok && p.Result == Allowed {
		place = append(place, "a taken hint is moved")
	}
	if p, ok := r.Find("place.noreplace"); ok && p.Result == Refused {
		place = append(place, "MAP_FIXED_NOREPLACE refuses a taken range ("+errnoOf(p)+")")
	}
	if p, ok := r.Find("place.fixed"); ok && p.Result == Allowed {
		place = append(place, "MAP_FIXED replaces silently")
	}
	if len(place) == 0 {
		return nil
	}
	return []string{strings.Join(place, ", ")}
}

func (r *Report) pkeyFacts() []string {
	out := r.oneOf("pkey.alloc", map[Outcome]func(*Result) string{
		Allowed: said("protection keys available"),
		Refused: func(p *Result) string { return "no protection keys (pkey_alloc " + p.Verdict() + ")" },
	})
	if p, ok := r.Find("pkey.exec_only"); ok && p.Result == Faulted {
		out = append(out, "PROT_EXEC alone is execute-only (reads fault with "+faultCode(p, StepRead)+")")
	}
	return out
}

// mdweRefusals are the probes that memory-deny-write-execute should
// refuse, and how the summary names what each tried.
var mdweRefusals = []struct{ probe, words string }{
	{"mdwe.mmap_wx", "W+X mappings"}, {"mdwe.mprotect_add_x", "adding X"}, {"mdwe.mprotect_wx", "mprotect to W+X"},
	{"mdwe.flip", "the flip strategy"}, {"mdwe.text_write", "writable text"},
}

func (r *Report) mdweFacts() []string {
	p, ok := r.Find("mdwe.set")
	if !ok {
		return nil
	}
	switch p.Result {
	case Allowed:
		s := "MDWE available"
		if refuses := r.refusedWords(mdweRefusals); len(refuses) > 0 {
			s += ": refuses " + listWords(refuses)
		}
		if q, ok := r.Find("mdwe.clear"); ok && q.Result == Refused {
			s += "; cannot be undone"
		}
		out := []string{s}
		if q, ok := r.Find("memfd.dual"); ok && q.Result == Allowed {
			out = append(out, "the memfd dual mapping still works under MDWE")
		}
		return out
	case Refused:
		return []string{"no MDWE (prctl PR_SET_MDWE " + p.Verdict() + ")"}
	}
	return nil
}

// msealRefusals are the operations a sealed mapping should refuse.
var msealRefusals = []struct{ probe, words string }{
	{"mseal.mprotect", "mprotect"}, {"mseal.munmap", "munmap"}, {"mseal.mmap_fixed", "MAP_FIXED"}, {"mseal.mremap", "mremap"},
}

func (r *Report) msealFact() []string {
	return r.oneOf("mseal.seal", map[Outcome]func(*Result) string{
		Allowed: func(*Result) string {
			s := "mseal available"
			if refuses := r.refusedWords(msealRefusals); len(refuses) > 0 {
				s += ": a sealed mapping refuses " + listWords(refuses)
			}
			return s
		},
		Refused: func(p *Result) string { return "no mseal (" + p.Verdict() + ")" },
	})
}

// refusedWords returns the words of each probe the kernel refused, with
// its errno: "munmap (EPERM)".
func (r *Report) refusedWords(probes []struct{ probe, words string }) []string {
	var out []string
	for _, n := range probes {
		if q, ok := r.Find(n.probe); ok && q.Result == Refused {
			out = append(out, n.words+" ("+errnoOf(q)+")")
		}
	}
	return out
}

func (r *Report) personalityFact() []string {
	return r.oneOf("personality.read_implies_exec", map[Outcome]func(*Result) string{
		Allowed: said("READ_IMPLIES_EXEC makes rw- mappings executable"),
		Faulted: said("READ_IMPLIES_EXEC does not make rw- mappings executable"),
	})
}
