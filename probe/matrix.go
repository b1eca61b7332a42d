package probe

import (
	"github.com/jitrun/jitrun/execmem"
)

// dataOffset is where matrix probes read and write: away from the RET at
// offset 0, so that a write cannot change what the execution runs.
const dataOffset = 0x100

// matrixMmap maps a page of a memory file that holds a RET at offset 0,
// private, asking mmap for prot directly, then reads, writes and executes
// it. (Anonymous memory mapped without write permission could hold no
// code: the file is how the RET gets there without a write.)
func (p *prober) matrixMmap(prot execmem.Prot) Result {
	r := Result{Requested: prot.String()}
	f, err := p.codeFile()
	if err != nil {
		r.add("memfd", failed(err.Error()))
		r.finish("memfd")
		return r
	}
	m, err := execmem.Map(p.page, execmem.MapOptions{Prot: prot, File: f, UnsafeAllowWriteExec: true})
	if err != nil {
		r.add("mmap", refusal(err, ""))
		r.finish("mmap")
		return r
	}
	defer m.Close()
	p.touchAll(&r, m.Addr())
	r.Maps = mapsLine(m.Addr())
	return r
}

// matrixMprotect maps an anonymous page rw-, writes a RET at offset 0,
// mprotects it to prot, then reads, writes and executes it.
func (p *prober) matrixMprotect(prot execmem.Prot) Result {
	r := Result{Requested: "rw- → " + prot.String()}
	m, err := execmem.Map(p.page, execmem.MapOptions{Prot: execmem.ProtRW, UnsafeAllowWriteExec: true})
	if err != nil {
		r.add("mmap", refusal(err, ""))
		r.finish("mmap")
		return r
	}
	defer m.Close()
	m.Bytes()[0] = retByte
	if err := m.Protect(prot); err != nil {
		r.add("mprotect", refusal(err, ""))
		r.finish("mprotect")
		return r
	}
	p.touchAll(&r, m.Addr())
	r.Maps = mapsLine(m.Addr())
	return r
}

// touchAll reads and writes at base+dataOffset and executes the RET at
// base, recording the three steps.
func (p *prober) touchAll(r *Result, base uintptr) {
	r.add(StepRead, p.readAt(base+dataOffset))
	r.add(StepWrite, p.writeAt(base+dataOffset, markByte))
	r.add(StepExec, p.execAt(base))
}
