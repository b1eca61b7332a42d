package probe

import (
	"fmt"

	"github.com/jitrun/jitrun/execmem"
)

// taken maps one rw- page to collide with, marked with markByte.
func (p *prober) taken(r *Result) *execmem.Mapping {
	m, err := execmem.Map(p.page, execmem.MapOptions{Prot: execmem.ProtRW})
	if err != nil {
		r.add("mmap", refusal(err, ""))
		r.finish("mmap")
		return nil
	}
	m.Bytes()[0] = markByte
	return m
}

// placeHint asks for a page at an address that is mapped, as a plain hint.
func (p *prober) placeHint() Result {
	r := Result{Requested: "hint"}
	a := p.taken(&r)
	if a == nil {
		return r
	}
	defer a.Close()
	m, err := execmem.Map(p.page, execmem.MapOptions{Prot: execmem.ProtRW, Addr: a.Addr(), Placement: execmem.PlaceHint})
	if err != nil {
		r.add("mmap", refusal(err, ""))
		r.finish("mmap")
		return r
	}
	defer m.Close()
	if m.Addr() == a.Addr() {
		r.add("mmap", failed(fmt.Sprintf("mapped at the hint %#x, which was taken", a.Addr())))
	} else {
		r.add("mmap", allowed(fmt.Sprintf("moved: asked for %#x (taken), got %#x", a.Addr(), m.Addr())))
	}
	r.finish("mmap")
	return r
}

// placeNoReplace asks for exactly a mapped address with
// MAP_FIXED_NOREPLACE.
func (p *prober) placeNoReplace() Result {
	r := Result{Requested: "noreplace"}
	a := p.taken(&r)
	if a == nil {
		return r
	}
	defer a.Close()
	m, err := execmem.Map(p.page, execmem.MapOptions{Prot: execmem.ProtRW, Addr: a.Addr(), Placement: execmem.PlaceNoReplace})
	if err != nil {
		r.add("mmap", refusal(err, fmt.Sprintf("MAP_FIXED_NOREPLACE at %#x, which is mapped", a.Addr())))
		r.finish("mmap")
		return r
	}
	// Kernels before 4.17 ignore the unknown flag and treat the address
	// as a hint.
	defer m.Close()
	if m.Addr() == a.Addr() {
		r.add("mmap", allowed(fmt.Sprintf("mapped at %#x over the existing page", m.Addr())))
	} else {
		r.add("mmap", allowed(fmt.Sprintf("treated as a hint: asked for %#x, got %#x (kernel without MAP_FIXED_NOREPLACE)", a.Addr(), m.Addr())))
	}
	r.finish("mmap")
	return r
}

// placeFixed maps a page with MAP_FIXED over a page holding markByte and
// reads what is there afterwards.
func (p *prober) placeFixed() Result {
	r := Result{Requested: "fixed"}
	a := p.taken(&r)
	if a == nil {
		return r
	}
	m, err := execmem.Map(p.page, execmem.MapOptions{Prot: execmem.ProtRW, Addr: a.Addr(), Placement: execmem.PlaceFixed})
	if err != nil {
		a.Close()
		r.add("mmap", refusal(err, ""))
		r.finish("mmap")
		return r
	}
	// m now owns the range; a's mapping is gone (closing it too would
	// unmap the range a second time, perhaps someone else's by then),
	// unless the kernel put m elsewhere.
	defer m.Close()
	got := m.Bytes()[0]
	if m.Addr() != a.Addr() {
		a.Close() // not replaced after all: a still owns its page
		r.add("mmap", failed(fmt.Sprintf("MAP_FIXED at %#x mapped at %#x", a.Addr(), m.Addr())))
	} else {
		r.add("mmap", allowed(fmt.Sprintf("replaced: the page at %#x held %#02x, now %#02x (a fresh zero page)", m.Addr(), markByte, got)))
	}
	r.finish("mmap")
	return r
}
