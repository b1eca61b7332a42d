package probe

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"
)

// errUnsupported is the error of Run and Mmap on systems other than
// linux/amd64.
var errUnsupported = fmt.Errorf("probe: needs linux/amd64, running on %s/%s: %w",
	runtime.GOOS, runtime.GOARCH, errors.ErrUnsupported)

// runMu makes Run and Mmap one at a time in a process: probes change, and
// restore, the protection of pages the whole process shares (a heap page,
// the data and bss pages, a text page, the main stack), and two runs at
// once would restore each other's changes too early. Process-wide state
// by nature, like the address space it guards.
var runMu sync.Mutex

// Options tune Run. The zero value runs every probe.
type Options struct {
	// Only selects probes by pattern (see Match); empty runs them all. A
	// pattern that matches no probe is an error.
	Only []string
	// ChildTimeout bounds each child process; 0 means DefaultChildTimeout.
	ChildTimeout time.Duration
}

// Report is the outcome of Run: the host's posture and one Result per
// probe, in the order of Probes.
type Report struct {
	Host     Host
	Probes   []Result
	Children []ChildRun    // the child processes that ran
	Elapsed  time.Duration // the whole run
}

// Find returns the result of the named probe.
func (r *Report) Find(name string) (*Result, bool) {
	for i := range r.Probes {
		if r.Probes[i].Name == name {
			return &r.Probes[i], true
		}
	}
	return nil, false
}

// Run performs the selected probes and reports what each did. Probes that
// leave the process as it was run here, one after another, under the
// trampoline's fault recovery; each restores what it changed. Probes that
// change a process for good run in child processes (see MaybeRunChild),
// one per group. Run returns an error only for a bad pattern, an
// unsupported platform or a failure to load its own routines; a probe that
// cannot be carried out is a Result with outcome Failed. ctx cancels the
// run between probes and kills a running child.
func Run(ctx context.Context, opt Options) (*Report, error) {
	if !supported {
		return nil, errUnsupported
	}
	defs, err := selectProbes(opt.Only)
	if err != nil {
		return nil, err
	}
	timeout := opt.ChildTimeout
	if timeout <= 0 {
		timeout = DefaultChildTimeout
	}
	runMu.Lock()
	defer runMu.Unlock()
	start := time.Now()
	rep := &Report{Host: ReadHost(), Probes: make([]Result, len(defs))}
	p, err := newProber(rep.Host)
	if err != nil {
		return nil, err
	}
	defer p.close()

	var groupOrder []string
	groups := map[string][]int{}
	for i, d := range defs {
		if d.Child != "" {
			if _, ok := groups[d.Child]; !ok {
				groupOrder = append(groupOrder, d.Child)
			}
			groups[d.Child] = append(groups[d.Child], i)
			continue
		}
		if err := ctx.Err(); err != nil {
			rep.Probes[i] = Result{Name: d.Name, Steps: []Step{{Name: "run", Observation: failed("not run: " + err.Error())}}, Result: Failed}
			continue
		}
		t0 := time.Now()
		r := d.run(p, nil)
		r.Name, r.Elapsed = d.Name, time.Since(t0)
		rep.Probes[i] = r
	}
	for _, g := range groupOrder {
		idx := groups[g]
		gdefs := make([]probeDef, len(idx))
		for j, i := range idx {
			gdefs[j] = defs[i]
		}
		results, run := runChildGroup(ctx, g, gdefs, timeout)
		for j, i := range idx {
			rep.Probes[i] = results[j]
		}
		rep.Children = append(rep.Children, run)
	}
	rep.Elapsed = time.Since(start)
	return rep, nil
}
