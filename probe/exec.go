package probe

import (
	"fmt"
	"reflect"
	"unsafe"

	"github.com/jitrun/jitrun/execmem"
)

// dataRET is initialised data (the binary's .noptrdata section) holding
// a RET; bssRET is zero-initialised (.noptrbss) and gets its RET at run
// time. Only the execution probes use them, and only to run the RET.
var (
	dataRET = [64]byte{retByte}
	bssRET  [64]byte
)

// where is a kind of memory an execution probe runs a RET in.
type where struct {
	name, doc string
	pax       string // the paxtest test of the plain probe
	// canProtect is set for memory whose page may be mprotect'ed by the
	// mprotect.exec probes (not the trampoline's own stack).
	canProtect bool
}

func wheres() []where {
	return []where{
		{"heap", "a Go heap object", "Executable heap", true},
		{"data", "an initialised global (data)", "Executable data", true},
		{"bss", "a zero-initialised global (bss)", "Executable bss", true},
		{"stack", "the goroutine's stack", "Executable stack", true},
		{"mainstack", "the lowest page of the main thread's stack ([stack])", "", true},
		{"jitstack", "the trampoline's stack (the code writes the RET on its own stack)", "", false},
		{"anon", "an anonymous rw- mapping", "Executable anonymous mapping", true},
	}
}

// execIn runs a RET in the memory w names; with addX it first mprotects
// that page to add exec (keeping the write permission Go needs), and
// restores the page's protection afterwards.
func (p *prober) execIn(w where, addX bool) Result {
	switch w.name {
	case "heap":
		return p.execPlaced(uintptr(unsafe.Pointer(&p.heapRET[0])), addX)
	case "data":
		return p.execPlaced(uintptr(unsafe.Pointer(&dataRET[0])), addX)
	case "bss":
		bssRET[0] = retByte
		return p.execPlaced(uintptr(unsafe.Pointer(&bssRET[0])), addX)
	case "stack":
		return p.execGoStack(addX)
	case "mainstack":
		return p.execMainStack(addX)
	case "jitstack":
		var r Result
		o, addr := p.execOnStack()
		r.add(StepExec, o)
		r.finish(StepExec)
		if reg, err := regionOf(addr); err == nil {
			r.Requested, r.Maps = reg.Prot.String(), reg.String()
		}
		return r
	case "anon":
		m, err := execmem.Map(p.page, execmem.MapOptions{Prot: execmem.ProtRW})
		if err != nil {
			r := Result{Requested: "rw-"}
			r.add("mmap", refusal(err, ""))
			r.finish("mmap")
			return r
		}
		defer m.Close()
		m.Bytes()[0] = retByte
		return p.execPlaced(m.Addr(), addX)
	}
	return Result{Result: Failed, Steps: []Step{{Name: StepExec, Observation: failed("unknown memory " + w.name)}}}
}

// execOnStack runs the routine that writes a RET on its own stack, and
// returns the RET's address (from the fault, or the routine's result).
func (p *prober) execOnStack() (Observation, uintptr) {
	v, o := p.call(p.execStack, execTimeout)
	switch {
	case o.Fault != nil:
		return o, o.Fault.Addr
	case o.Outcome == Allowed && o.Detail == "":
		o.Detail = fmt.Sprintf("returned from %#x", v)
	}
	return o, uintptr(v)
}

// execPlaced executes the RET at addr. With addX it first adds exec to
// the page's protection (as /proc/self/maps shows it) and restores that
// protection afterwards (see protectAround).
func (p *prober) execPlaced(addr uintptr, addX bool) Result {
	var r Result
	region, err := regionOf(addr)
	if err != nil {
		r.add(StepExec, failed(err.Error()))
		r.finish(StepExec)
		return r
	}
	if addX {
		p.protectAround(&r, addr, region, execmem.ProtExec, StepExec, func() Observation { return p.execAt(addr) })
		return r
	}
	r.Requested = region.Prot.String()
	r.add(StepExec, p.execAt(addr))
	r.finish(StepExec)
	r.Maps = region.String()
	return r
}

// protectAround adds add to the protection of addr's page (region is the
// page's /proc/self/maps line), records the mprotect and the maps line,
// takes the access step (the verdict), and restores the page's
// protection; a failed restore makes the probe fail.
func (p *prober) protectAround(r *Result, addr uintptr, region execmem.Region, add execmem.Prot, step string, access func() Observation) {
	want := region.Prot | add
	r.Requested = region.Prot.String() + " → " + want.String()
	page := p.pageOf(addr)
	if err := execmem.Protect(page, p.page, want, true); err != nil {
		r.add("mprotect", refusal(err, ""))
		r.finish("mprotect")
		return
	}
	r.add("mprotect", allowed(fmt.Sprintf("page %#x is now %s", page, want)))
	r.Maps = mapsLine(addr)
	r.add(step, access())
	r.finish(step)
	if err := execmem.Protect(page, p.page, region.Prot, region.Prot.WriteExec()); err != nil {
		r.Result = Failed
		r.addNote(fmt.Sprintf("restoring %s failed: %v", region.Prot, err))
	}
}

// execGoStack executes a RET in a local array of the running goroutine.
// Go moves a goroutine's stack when it grows or shrinks; the stack is grown
// first so that the calls below do not move it, and the probe is retried
// if the array's address changed all the same.
func (p *prober) execGoStack(addX bool) Result {
	growStack(8)
	var r Result
	for attempt := 0; attempt < 3; attempt++ {
		var moved bool
		r, moved = p.execGoStackOnce(addX)
		if !moved {
			return r
		}
	}
	r.Result = Failed
	r.addNote("the goroutine's stack moved during each of 3 attempts")
	return r
}

//go:noinline
func (p *prober) execGoStackOnce(addX bool) (Result, bool) {
	var buf [64]byte
	buf[0] = retByte
	addr := uintptr(unsafe.Pointer(&buf[0]))
	r := p.execPlaced(addr, addX)
	return r, uintptr(unsafe.Pointer(&buf[0])) != addr
}

// growStack uses n×4 KiB of stack, so that the goroutine's stack is at
// least that big afterwards.
//
//go:noinline
func growStack(n int) byte {
	var pad [4 << 10]byte
	pad[n] = byte(n)
	if n > 0 {
		return growStack(n-1) + pad[n]
	}
	return pad[0]
}

// execMainStack executes a RET written into the lowest page of the main
// thread's stack VMA ([stack]). Go runs that thread's scheduler stack
// (g0) within 64 KiB of where the process started, and the kernel sets up
// at least 128 KiB, so the lowest page is never in use; the byte there is
// restored afterwards.
func (p *prober) execMainStack(addX bool) Result {
	var r Result
	regions, err := execmem.Maps()
	if err != nil {
		r.add(StepExec, failed(err.Error()))
		r.finish(StepExec)
		return r
	}
	var stack execmem.Region
	for _, reg := range regions {
		if reg.Path == "[stack]" {
			stack = reg
		}
	}
	if stack.End == 0 {
		r.add(StepExec, skipped("no [stack] region in /proc/self/maps"))
		r.finish(StepExec)
		return r
	}
	if stack.Len() < 128<<10 {
		r.add(StepExec, skipped(fmt.Sprintf("the [stack] region is only %d KiB: its lowest page may be in use", stack.Len()>>10)))
		r.finish(StepExec)
		return r
	}
	addr := stack.Start
	orig, ok := p.readByte(addr)
	if !ok {
		r.add(StepRead, failed(fmt.Sprintf("cannot read the lowest page of [stack] at %#x", addr)))
		r.finish(StepRead)
		return r
	}
	if w := p.writeAt(addr, retByte); w.Outcome != Allowed {
		r.add(StepWrite, w)
		r.Result = Failed
		return r
	}
	defer p.writeAt(addr, orig)
	return p.execPlaced(addr, addX)
}

// textTarget is the function whose page text.write makes writable. It is
// never called; its first byte is rewritten with its own value.
//
//go:noinline
func textTarget() int { return 42 }

// textPC returns the address of textTarget's first instruction.
func textPC() uintptr { return reflect.ValueOf(textTarget).Pointer() }

// textWrite adds write permission to the page of textTarget (keeping exec:
// other code on the page may be running), writes a byte of the function
// with the value it already has, and restores the page's protection. It
// runs in a child process: the write turns the page into a private copy
// (copy on write, as any write to a private file mapping does), which
// splits the text mapping for good.
func (p *prober) textWrite() Result {
	var r Result
	pc := textPC()
	region, err := regionOf(pc)
	if err != nil {
		r.add(StepWrite, failed(err.Error()))
		r.finish(StepWrite)
		return r
	}
	orig, ok := p.readByte(pc)
	if !ok {
		r.add(StepRead, failed(fmt.Sprintf("cannot read the program's text at %#x", pc)))
		r.finish(StepRead)
		return r
	}
	p.protectAround(&r, pc, region, execmem.ProtWrite, StepWrite, func() Observation { return p.writeAt(pc, orig) })
	return r
}
