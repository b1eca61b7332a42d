package probe

import (
	"fmt"

	"github.com/jitrun/jitrun/execmem"
)

// Addresses the violation probes touch (variables, never written: as
// constants they would not compile where a uintptr has 32 bits, where
// probing is unsupported anyway).
var (
	kernelAddr       = wordAddr(0xffffffff80000000) // the kernel's text mapping starts here (before KASLR's offset)
	nonCanonicalAddr = wordAddr(0x8000000000000000) // bits 63..47 differ: no paging mode maps it
	vsyscallAddr     = wordAddr(0xffffffffff600000) // the legacy vsyscall page: gettimeofday at +0
)

// wordAddr returns a as an address (its low 32 bits where a uintptr has
// 32).
func wordAddr(a uint64) uintptr { return uintptr(a) }

// violation is one access the hardware or the kernel must stop.
type violation struct {
	name, doc string
	run       func(p *prober, r *Result)
}

func violations() []violation {
	return []violation{
		{"none", "read a PROT_NONE page", (*prober).readNone},
		{"null", "read address 0", func(p *prober, r *Result) {
			r.Requested = "0x0"
			r.add(StepRead, p.readAt(0))
		}},
		{"unmapped", "read a page just unmapped (no VMA: SEGV_MAPERR)", (*prober).readUnmapped},
		{"kernel", "read a kernel address from user mode", func(p *prober, r *Result) {
			r.Requested = fmt.Sprintf("%#x", uint64(kernelAddr))
			r.add(StepRead, p.readAt(kernelAddr))
			r.Note = "any user access to the kernel's half is reported present (bit 0), whatever its page tables hold"
		}},
		{"kernel.exec", "call a kernel address from user mode", func(p *prober, r *Result) {
			r.Requested = fmt.Sprintf("%#x", uint64(kernelAddr))
			r.add(StepExec, p.execAt(kernelAddr))
		}},
		{"noncanonical", "read a non-canonical address (#GP, not a page fault)", func(p *prober, r *Result) {
			r.Requested = fmt.Sprintf("%#x", uint64(nonCanonicalAddr))
			r.add(StepRead, p.readAt(nonCanonicalAddr))
		}},
		{"noncanonical.exec", "call a non-canonical address", (*prober).callNonCanonical},
		{"vsyscall", "read the legacy vsyscall page", func(p *prober, r *Result) {
			r.Requested = fmt.Sprintf("%#x", uint64(vsyscallAddr))
			r.add(StepRead, p.readAt(vsyscallAddr))
			r.Note = "the page is " + vsyscallWords(p.host.Vsyscall)
		}},
		{"vsyscall.exec", "call gettimeofday(NULL, NULL) in the legacy vsyscall page", (*prober).callVsyscall},
		{"misaligned_sse", "load 16 bytes with MOVAPS from an address that is not 16-byte aligned", func(p *prober, r *Result) {
			r.Requested = "movaps at +1"
			p.readOdd(r, p.movaps)
		}},
		{"alignment_check", "load 4 bytes from an odd address with EFLAGS.AC set", func(p *prober, r *Result) {
			r.Requested = "AC=1, +1"
			p.readOdd(r, p.readAC)
		}},
		{"file_eof", "read a mapped page that lies wholly past the end of its file", (*prober).readPastEOF},
	}
}

// readNone reads a PROT_NONE page.
func (p *prober) readNone(r *Result) {
	r.Requested = "---"
	m, err := execmem.Map(p.page, execmem.MapOptions{Prot: execmem.ProtNone})
	if err != nil {
		r.add("mmap", refusal(err, ""))
		return
	}
	defer m.Close()
	r.add(StepRead, p.readAt(m.Addr()))
}

// readUnmapped reads a page just unmapped. Other threads may map the hole
// between the munmap and the read; then the read says nothing about
// unmapped memory and is made again elsewhere.
func (p *prober) readUnmapped(r *Result) {
	for attempt := 0; ; attempt++ {
		addr, release, err := p.hole()
		if err != nil {
			r.add(StepRead, failed(err.Error()))
			return
		}
		o := p.readAt(addr)
		_, mappedNow := regionOf(addr)
		release()
		if (o.Fault != nil && o.Fault.CodeName() == "SEGV_MAPERR") || mappedNow != nil || attempt == 2 {
			r.Requested = fmt.Sprintf("%#x", addr)
			r.add(StepRead, o)
			return
		}
	}
}

// callNonCanonical calls a non-canonical address. The trampoline reports
// the refused call at the target either way; Regs.RIP says where the CPU
// raised it.
func (p *prober) callNonCanonical(r *Result) {
	r.Requested = fmt.Sprintf("%#x", uint64(nonCanonicalAddr))
	o, f := p.execAtFault(nonCanonicalAddr)
	switch {
	case f != nil && f.AtCall && f.Regs.RIP != uint64(f.PC):
		r.Note = "the #GP is raised on the CALL, before the jump (as Intel CPUs do)"
	case f != nil && f.AtCall:
		r.Note = "the #GP is raised at the target, after the jump (Intel CPUs raise it on the CALL)"
	}
	r.add(StepExec, o)
}

// callVsyscall calls gettimeofday in the legacy vsyscall page.
func (p *prober) callVsyscall(r *Result) {
	r.Requested = fmt.Sprintf("%#x", uint64(vsyscallAddr))
	o := p.execAt(vsyscallAddr)
	r.add(StepExec, o)
	r.Note = "the page is " + vsyscallWords(p.host.Vsyscall)
	if o.Outcome == Allowed && p.host.Vsyscall == "--x" {
		r.Note += ": the fetch faults and the kernel emulates the call"
	}
}

// readOdd runs routine (MOVAPS, or a load with EFLAGS.AC set) on the
// address one past the start of a fresh rw- page.
func (p *prober) readOdd(r *Result, routine uintptr) {
	m, err := execmem.Map(p.page, execmem.MapOptions{Prot: execmem.ProtRW})
	if err != nil {
		r.add("mmap", refusal(err, ""))
		return
	}
	defer m.Close()
	_, o := p.call(routine, 0, uint64(m.Addr()+1))
	r.add(StepRead, o)
}

// readPastEOF reads a mapped page that lies wholly past the end of its
// file (a one-byte memory file mapped two pages long).
func (p *prober) readPastEOF(r *Result) {
	r.Requested = "r--, past EOF"
	f, err := memfdHolding("jitrun-probe-eof", []byte{1}, 1)
	if err != nil {
		r.add("memfd", failed(err.Error()))
		return
	}
	defer f.Close()
	m, err := execmem.Map(2*p.page, execmem.MapOptions{Prot: execmem.ProtRead, File: f})
	if err != nil {
		r.add("mmap", refusal(err, ""))
		return
	}
	defer m.Close()
	r.add(StepRead, p.readAt(m.Addr()+uintptr(p.page)))
}

// violation runs v and makes its last step the verdict.
func (p *prober) violation(v violation) Result {
	var r Result
	v.run(p, &r)
	r.finishLast()
	return r
}

// hole returns the address of an unmapped page between two PROT_NONE
// pages of this probe (so that only a one-page mapping can fill it), and
// the function that unmaps those two.
func (p *prober) hole() (addr uintptr, release func(), err error) {
	m, err := execmem.Map(3*p.page, execmem.MapOptions{Prot: execmem.ProtNone})
	if err != nil {
		return 0, nil, err
	}
	if err := m.UnmapRange(p.page, p.page); err != nil {
		m.Close()
		return 0, nil, err
	}
	// Close unmaps the outer pages, one at a time, leaving the middle
	// alone: it may be someone else's by now.
	return m.Addr() + uintptr(p.page), func() { m.Close() }, nil
}

func vsyscallWords(prot string) string {
	switch prot {
	case "--x":
		return "--x (xonly)"
	case "r-x":
		return "r-x (emulate)"
	case "":
		return "absent (vsyscall=none)"
	}
	return prot
}
