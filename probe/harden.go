package probe

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/jitrun/jitrun/execmem"
	"github.com/jitrun/jitrun/internal/platform"
)

// group is the state the probes of one child process share: the
// irreversible change made once for all of them (memory-deny-write-execute
// set, a page sealed).
type group struct {
	// setup is the outcome of the group's irreversible step, taken before
	// its first probe (by that probe, or on its behalf).
	setupDone bool
	setup     Observation
	sealed    *execmem.Mapping // mseal: the sealed page
}

// pkeyAlloc allocates a protection key and frees it.
func (p *prober) pkeyAlloc() Result {
	r := Result{Requested: "pkey_alloc(0, 0)"}
	key, err := platform.PkeyAlloc()
	if err != nil {
		why := ""
		if !p.host.Has("pku") {
			why = "the CPU has no PKU (no pku flag in /proc/cpuinfo)"
		} else if !p.host.Has("ospke") {
			why = "the CPU has PKU but the kernel did not enable it (no ospke flag)"
		}
		r.add("pkey_alloc", refusal(err, why))
	} else {
		r.add("pkey_alloc", allowed(fmt.Sprintf("key %d (freed again)", key)))
		platform.PkeyFree(key)
	}
	r.finish("pkey_alloc")
	return r
}

// execOnly reads and executes a page mapped with PROT_EXEC alone. With
// PKU the kernel makes such a page execute-only through a protection key,
// so the read faults with SEGV_PKUERR; without it the read is allowed (X
// implies R) and the probe is skipped, saying so.
func (p *prober) execOnly() Result {
	r := Result{Requested: "--x"}
	if !p.host.Has("pku") || !p.host.Has("ospke") {
		why := "CPU has no PKU: execute-only memory needs protection keys; PROT_EXEC alone is readable (see matrix.mmap.--x)"
		if p.host.Has("pku") {
			why = "the kernel did not enable PKU (no ospke flag): execute-only memory needs protection keys"
		}
		r.add(StepRead, skipped(why))
		r.finish(StepRead)
		return r
	}
	f, err := p.codeFile()
	if err != nil {
		r.add("memfd", failed(err.Error()))
		r.finish("memfd")
		return r
	}
	m, err := execmem.Map(p.page, execmem.MapOptions{Prot: execmem.ProtExec, File: f})
	if err != nil {
		r.add("mmap", refusal(err, ""))
		r.finish("mmap")
		return r
	}
	defer m.Close()
	r.add(StepRead, p.readAt(m.Addr()))
	r.add(StepExec, p.execAt(m.Addr()))
	r.finish(StepRead)
	r.Maps = mapsLine(m.Addr())
	return r
}

// mdweProbe is one probe of the memory-deny-write-execute child.
type mdweProbe struct {
	name, doc string
	run       func(p *prober, r *Result)
}

func mdweProbes() []mdweProbe {
	return []mdweProbe{
		{"mdwe.set", "turn on memory-deny-write-execute: prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN)", nil},
		{"mdwe.mmap_wx", "under MDWE, mmap an anonymous page rwx", func(p *prober, r *Result) {
			r.Requested = "rwx"
			m, err := execmem.Map(p.page, execmem.MapOptions{Prot: execmem.ProtRWX, UnsafeAllowWriteExec: true})
			if err != nil {
				r.add("mmap", refusal(err, "no new writable+executable mappings"))
				return
			}
			m.Close()
			r.add("mmap", allowed("mapped rwx"))
		}},
		{"mdwe.mprotect_add_x", "under MDWE, mprotect an rw- page to r-x", func(p *prober, r *Result) {
			r.Requested = "rw- → r-x"
			p.mprotectUnderMDWE(r, execmem.ProtRX, "memory mapped without exec cannot gain it")
		}},
		{"mdwe.mprotect_wx", "under MDWE, mprotect an rw- page to rwx", func(p *prober, r *Result) {
			r.Requested = "rw- → rwx"
			p.mprotectUnderMDWE(r, execmem.ProtRWX, "no writable+executable pages")
		}},
		{"mdwe.mmap_rx", "under MDWE, mmap a file holding a RET r-x directly (new code without write: allowed) and run it", func(p *prober, r *Result) {
			r.Requested = "r-x"
			f, err := p.codeFile()
			if err != nil {
				r.add("memfd", failed(err.Error()))
				return
			}
			m, err := execmem.Map(p.page, execmem.MapOptions{Prot: execmem.ProtRX, File: f})
			if err != nil {
				r.add("mmap", refusal(err, ""))
				return
			}
			defer m.Close()
			r.add(StepExec, p.execAt(m.Addr()))
			r.Note = "code mapped from a file without write permission may run"
		}},
		{"mdwe.flip", "under MDWE, load code with execmem's default strategy (map rw-, write, mprotect r-x)", func(p *prober, r *Result) {
			r.Requested = "flip"
			b, err := execmem.Load([]byte{retByte})
			if err != nil {
				r.add("mprotect", refusal(err, "rw- pages cannot become r-x: use the dual mapping"))
				return
			}
			defer b.Close()
			r.add(StepExec, p.execAt(b.Addr()))
		}},
		{"mdwe.text_write", "under MDWE, mprotect a page of the program's text to add write", func(p *prober, r *Result) {
			p.textUnderMDWE(r)
		}},
		{"memfd.dual", "under MDWE, load code through a memfd seen as separate rw- and r-x views, and run it", func(p *prober, r *Result) {
			r.Requested = "dualmap"
			b, err := execmem.LoadWith([]byte{retByte}, execmem.LoadOptions{Strategy: execmem.StrategyDualMap})
			if err != nil {
				r.add("mmap", refusal(err, ""))
				return
			}
			defer b.Close()
			o := p.execAt(b.Addr())
			r.Maps = mapsLine(b.Addr())
			r.add(StepExec, o)
			r.Note = "written through an rw- view, run through a separate r-x view"
		}},
		{"mdwe.clear", "under MDWE, try to turn it off again: prctl(PR_SET_MDWE, 0)", func(p *prober, r *Result) {
			r.Requested = "prctl(PR_SET_MDWE, 0)"
			if err := platform.SetMDWE(0); err != nil {
				r.add("prctl", refusal(err, "memory-deny-write-execute cannot be undone"))
				return
			}
			r.add("prctl", allowed("turned off"))
		}},
	}
}

// mprotectUnderMDWE maps a page rw- and mprotects it to prot.
func (p *prober) mprotectUnderMDWE(r *Result, prot execmem.Prot, meaning string) {
	m, err := execmem.Map(p.page, execmem.MapOptions{Prot: execmem.ProtRW, UnsafeAllowWriteExec: true})
	if err != nil {
		r.add("mmap", refusal(err, ""))
		return
	}
	defer m.Close()
	if err := m.Protect(prot); err != nil {
		r.add("mprotect", refusal(err, meaning))
		return
	}
	r.add("mprotect", allowed("now "+prot.String()))
}

// textUnderMDWE tries to make the page of textTarget writable (keeping
// exec); MDWE refuses a writable executable page. Should the kernel allow
// it, the page is restored at once.
func (p *prober) textUnderMDWE(r *Result) {
	pc := textPC()
	region, err := regionOf(pc)
	if err != nil {
		r.add("mprotect", failed(err.Error()))
		return
	}
	want := region.Prot | execmem.ProtWrite
	r.Requested = region.Prot.String() + " → " + want.String()
	page := p.pageOf(pc)
	if err := execmem.Protect(page, p.page, want, true); err != nil {
		r.add("mprotect", refusal(err, "no writable+executable pages, the program's text included"))
		return
	}
	r.add("mprotect", allowed("now "+want.String()))
	execmem.Protect(page, p.page, region.Prot, region.Prot.WriteExec())
}

// mdwe runs one probe of the memory-deny-write-execute child. MDWE is
// turned on before the first one (that is mdwe.set's outcome); if it
// could not be, the others are skipped.
func (p *prober) mdwe(g *group, m mdweProbe) Result {
	var r Result
	if g == nil {
		r.add("prctl", failed("memory-deny-write-execute probes run only in a child process"))
		r.finish("prctl")
		return r
	}
	if !g.setupDone {
		g.setupDone = true
		if err := platform.SetMDWE(platform.MDWERefuseExecGain); err != nil {
			detail := ""
			if errors.Is(err, syscall.EINVAL) {
				detail = "the kernel does not know PR_SET_MDWE (needs Linux 6.3+)"
			}
			g.setup = refusal(err, detail)
		} else {
			v, err := platform.GetMDWE()
			if err != nil {
				g.setup = failed(fmt.Sprintf("prctl(PR_GET_MDWE) after setting it: %v", err))
			} else {
				g.setup = allowed(fmt.Sprintf("PR_GET_MDWE now %#x; it cannot be undone", v))
			}
		}
	}
	if m.run == nil { // mdwe.set
		r.Requested = "prctl(PR_SET_MDWE)"
		r.add("prctl", g.setup)
		r.finish("prctl")
		return r
	}
	if g.setup.Outcome != Allowed {
		r.add("prctl", skipped("memory-deny-write-execute is not on: mdwe.set "+g.setup.Cell()))
		r.finish("prctl")
		return r
	}
	m.run(p, &r)
	r.finishLast()
	return r
}

// msealProbe is one probe of the mseal child.
type msealProbe struct {
	name, doc string
	run       func(p *prober, m *execmem.Mapping, r *Result)
}

func msealProbes() []msealProbe {
	return []msealProbe{
		{"seal", "mmap a page rw-, seal it (mseal), then write to it", nil},
		{"mprotect", "mprotect the sealed page r--", func(p *prober, m *execmem.Mapping, r *Result) {
			r.Requested = "rw- → r--"
			if err := m.Protect(execmem.ProtRead); err != nil {
				r.add("mprotect", refusal(err, "the mapping is sealed"))
				return
			}
			r.add("mprotect", allowed("now r--"))
		}},
		{"munmap", "munmap the sealed page", func(p *prober, m *execmem.Mapping, r *Result) {
			r.Requested = "munmap"
			if err := m.Close(); err != nil {
				r.add("munmap", refusal(err, "the mapping is sealed"))
				return
			}
			r.add("munmap", allowed("unmapped"))
		}},
		{"mmap_fixed", "mmap with MAP_FIXED over the sealed page", func(p *prober, m *execmem.Mapping, r *Result) {
			r.Requested = "fixed"
			// Should the kernel allow it, the new mapping replaces the
			// sealed page and stays: the child exits soon.
			if _, err := execmem.Map(p.page, execmem.MapOptions{Prot: execmem.ProtRW, Addr: m.Addr(), Placement: execmem.PlaceFixed}); err != nil {
				r.add("mmap", refusal(err, "the mapping is sealed"))
				return
			}
			r.add("mmap", allowed("replaced the sealed page"))
		}},
		{"mremap", "mremap the sealed page to two pages (may move)", func(p *prober, m *execmem.Mapping, r *Result) {
			r.Requested = "mremap"
			// Should the kernel allow it, the page moves and stays:
			// the child exits soon.
			grown, err := m.Remap(2*p.page, true)
			if err != nil {
				r.add("mremap", refusal(err, "the mapping is sealed"))
				return
			}
			r.add("mremap", allowed(fmt.Sprintf("moved to %#x", grown.Addr())))
		}},
	}
}

// mseal runs one probe of the mseal child. The page is mapped and sealed
// before the first one (mseal.seal's outcome); if sealing failed, the
// others are skipped.
func (p *prober) mseal(g *group, m msealProbe) Result {
	var r Result
	if g == nil {
		r.add("mseal", failed("mseal probes run only in a child process"))
		r.finish("mseal")
		return r
	}
	if !g.setupDone {
		g.setupDone = true
		mp, err := execmem.Map(p.page, execmem.MapOptions{Prot: execmem.ProtRW})
		switch {
		case err != nil:
			g.setup = refusal(err, "")
		default:
			if err := mp.Seal(); err != nil {
				detail := ""
				if errors.Is(err, syscall.ENOSYS) {
					detail = "the kernel has no mseal (needs Linux 6.10+)"
				}
				g.setup = refusal(err, detail)
				mp.Close()
			} else {
				g.sealed = mp
				g.setup = allowed(fmt.Sprintf("sealed %#x+%#x", mp.Addr(), p.page))
			}
		}
	}
	if m.run == nil { // mseal.seal
		r.Requested = "rw-"
		r.add("mseal", g.setup)
		if g.sealed != nil {
			r.add(StepWrite, p.writeAt(g.sealed.Addr(), markByte))
			r.Maps = mapsLine(g.sealed.Addr())
			r.Note = "sealing freezes the mapping, not the access it allows"
		}
		r.finish("mseal")
		return r
	}
	if g.sealed == nil {
		r.add("mseal", skipped("no sealed page: mseal.seal "+g.setup.Cell()))
		r.finish("mseal")
		return r
	}
	m.run(p, g.sealed, &r)
	r.finishLast()
	return r
}

// readImpliesExec sets READ_IMPLIES_EXEC, maps a page rw-, and runs a RET
// written there: the kernel makes readable mappings executable.
func (p *prober) readImpliesExec() Result {
	r := Result{Requested: "rw-"}
	if err := setReadImpliesExec(); err != nil {
		r.add("personality", refusal(err, ""))
		r.finish("personality")
		return r
	}
	pers, _ := platform.Personality()
	r.add("personality", allowed(fmt.Sprintf("personality now %#x (READ_IMPLIES_EXEC)", pers)))
	m, err := execmem.Map(p.page, execmem.MapOptions{Prot: execmem.ProtRW})
	if err != nil {
		r.add("mmap", refusal(err, ""))
		r.finish("mmap")
		return r
	}
	defer m.Close()
	m.Bytes()[0] = retByte
	if reg, err := regionOf(m.Addr()); err == nil {
		r.Maps = reg.String()
		if reg.Prot != execmem.ProtRW {
			r.Note = "asked for rw-, got " + reg.Prot.String()
		}
	}
	r.add(StepExec, p.execAt(m.Addr()))
	r.finish(StepExec)
	return r
}
