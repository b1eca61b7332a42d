package probe

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/jitrun/jitrun/asm"
	"github.com/jitrun/jitrun/execmem"
	"github.com/jitrun/jitrun/trampoline"
)

// routinesSource is the machine code every probe runs to touch memory: one
// small function per kind of access. Each takes its arguments in the System
// V registers (DI, SI) and returns in AX; none touches memory other than
// what it is asked to. A fault inside one comes back from the trampoline as
// a *trampoline.Fault whose PC and address say which access failed. An
// instruction fetch needs no routine: the trampoline calls the target
// itself, with every register but RSP zero (for the vsyscall page that
// is gettimeofday(NULL, NULL)), and reports a fault of its own CALL (the
// #GP Intel raises for a non-canonical target) as the call's.
const routinesSource = `
#include "textflag.h"

// read(addr) loads the byte at addr, zero-extended into AX.
TEXT read(SB), NOSPLIT|NOFRAME, $0
	MOVBLZX (DI), AX
	RET

// write(addr, b) stores the low byte of SI at addr.
TEXT write(SB), NOSPLIT|NOFRAME, $0
	MOVB SI, (DI)
	RET

// execstack() writes a RET into its own stack (the call's JIT stack, a
// thread stack like any other), calls it, and returns its address.
TEXT execstack(SB), NOSPLIT|NOFRAME, $0
	SUBQ $24, SP
	MOVB $0xC3, 8(SP)    // RET, above the return address the CALL below pushes
	LEAQ 8(SP), R11
	MOVQ R11, AX         // the RET leaves AX alone: it comes back as the result
	CALL R11
	ADDQ $24, SP
	RET

// movaps(addr) loads 16 bytes at addr with MOVAPS, which raises #GP unless
// addr is 16-byte aligned.
TEXT movaps(SB), NOSPLIT|NOFRAME, $0
	MOVAPS (DI), X0
	RET

// readac(addr) loads 4 bytes at addr with EFLAGS.AC (alignment check) set:
// a misaligned address raises #AC, which Linux turns into SIGBUS. The
// trampoline clears AC if the load faults.
TEXT readac(SB), NOSPLIT|NOFRAME, $0
	PUSHFQ
	ORQ $0x40000, (SP)   // EFLAGS.AC is bit 18
	POPFQ
	MOVL (DI), AX
	PUSHFQ
	ANDQ $~0x40000, (SP)
	POPFQ
	RET
`

// retByte is the one-byte RET every execution probe places and calls.
const retByte = 0xC3

// markByte is what write probes store where they may change memory.
const markByte = 0x5A

// execTimeout bounds one instruction fetch: a probe's own RET returns at
// once, but jitrun mmap runs whatever bytes a page holds.
const execTimeout = time.Second

// prober holds the loaded routines and what every probe needs. It is made
// by newProber and used by one goroutine at a time.
type prober struct {
	code *execmem.Block
	// The routines' addresses.
	read, write, execStack, movaps, readAC uintptr

	page    int
	host    Host
	retFile *os.File  // a memory file holding a RET at offset 0 (made on first use)
	heapRET *[64]byte // a Go heap object holding a RET
}

// newProber assembles the routines and loads them read+exec.
func newProber(host Host) (*prober, error) {
	prog, err := asm.Assemble(routinesSource)
	if err != nil {
		return nil, fmt.Errorf("probe: assembling the access routines: %w", err)
	}
	ro, w := prog.LoadLayout()
	code, err := execmem.LoadWith(prog.Code, execmem.LoadOptions{Readonly: ro, Writable: w})
	if err != nil {
		return nil, fmt.Errorf("probe: loading the access routines: %w", err)
	}
	p := &prober{code: code, page: execmem.PageSize(), host: host}
	for _, r := range []struct {
		name string
		addr *uintptr
	}{{"read", &p.read}, {"write", &p.write}, {"execstack", &p.execStack}, {"movaps", &p.movaps}, {"readac", &p.readAC}} {
		off, ok := prog.Lookup(r.name)
		if !ok {
			code.Close()
			return nil, fmt.Errorf("probe: internal error: routine %s missing", r.name)
		}
		*r.addr = code.Addr() + uintptr(off)
	}
	p.heapRET = new([64]byte)
	p.heapRET[0] = retByte
	return p, nil
}

func (p *prober) close() {
	p.code.Close()
	if p.retFile != nil {
		p.retFile.Close()
	}
}

// codeFile returns a memory file of one page holding a RET at offset 0:
// the way to have code in a mapping whose protection forbids writing it
// (the kernel fills the page from the file, as a loader maps text).
func (p *prober) codeFile() (*os.File, error) {
	if p.retFile == nil {
		f, err := memfdHolding("jitrun-probe-ret", []byte{retByte}, p.page)
		if err != nil {
			return nil, err
		}
		p.retFile = f
	}
	return p.retFile, nil
}

// memfdHolding makes a memory file of size bytes with data at offset 0.
func memfdHolding(name string, data []byte, size int) (*os.File, error) {
	f, err := execmem.NewMemfd(name, size)
	if err != nil {
		return nil, err
	}
	if _, err := f.WriteAt(data, 0); err != nil {
		f.Close()
		return nil, fmt.Errorf("write %s: %w", f.Name(), err)
	}
	return f, nil
}

// call runs routine with args under the trampoline and returns RAX, or the
// fault as an observation.
func (p *prober) call(routine uintptr, timeout time.Duration, args ...uint64) (uint64, Observation) {
	v, o, _ := p.callFault(routine, timeout, args...)
	return v, o
}

// callFault is call that also returns the trampoline's fault, if any.
func (p *prober) callFault(routine uintptr, timeout time.Duration, args ...uint64) (uint64, Observation, *trampoline.Fault) {
	var r trampoline.Result
	var err error
	if timeout > 0 {
		var a trampoline.Args
		copy(a.Int[:], args)
		r, err = trampoline.Run(context.Background(), routine, &a, &trampoline.Options{Timeout: timeout})
	} else {
		r, err = trampoline.Call(routine, args...)
	}
	if err == nil {
		return r.RAX, Observation{Outcome: Allowed}, nil
	}
	var f *trampoline.Fault
	if errors.As(err, &f) {
		return 0, Observation{Outcome: Faulted, Fault: faultInfo(f)}, f
	}
	var it *trampoline.Interrupted
	if errors.As(err, &it) {
		return 0, Observation{Outcome: Allowed, Detail: fmt.Sprintf("the code there was still running after %v (interrupted at pc %#x)", timeout, it.PC)}, nil
	}
	return 0, failed(err.Error()), nil
}

// readAt reads the byte at addr.
func (p *prober) readAt(addr uintptr) Observation {
	v, o := p.call(p.read, 0, uint64(addr))
	if o.Outcome == Allowed {
		o.Detail = fmt.Sprintf("read %#02x", v)
	}
	return o
}

// readByte reads the byte at addr, reporting whether the read worked.
func (p *prober) readByte(addr uintptr) (byte, bool) {
	v, o := p.call(p.read, 0, uint64(addr))
	return byte(v), o.Outcome == Allowed
}

// writeAt stores b at addr.
func (p *prober) writeAt(addr uintptr, b byte) Observation {
	_, o := p.call(p.write, 0, uint64(addr), uint64(b))
	if o.Outcome == Allowed {
		o.Detail = fmt.Sprintf("wrote %#02x", b)
	}
	return o
}

// execAt calls target. The outcome is Faulted only when the instruction
// fetch itself was refused: a page fault on the fetch (error-code bit 4,
// or a fault whose PC and address are the target), or the call refused
// outright (AtCall: the #GP of a non-canonical target, on Intel raised on
// the trampoline's CALL, on AMD at the target). When the fetch worked
// and the bytes found there then faulted (zeros are ADD [RAX], AL with
// RAX zero), the outcome is Allowed with the fault as evidence.
func (p *prober) execAt(target uintptr) Observation {
	o, _ := p.execAtFault(target)
	return o
}

// execAtFault is execAt that also returns the trampoline's fault, if any.
func (p *prober) execAtFault(target uintptr) (Observation, *trampoline.Fault) {
	v, o, f := p.callFault(target, execTimeout)
	switch {
	case o.Outcome == Allowed && o.Detail == "":
		o.Detail = fmt.Sprintf("returned, rax %#x", v)
	case o.Outcome == Faulted && !fetchFault(o.Fault, target):
		o.Outcome = Allowed
		o.Detail = "the fetch worked; the bytes there ran and faulted"
	}
	return o, f
}

// fetchFault reports whether f is the fetch of target being refused.
func fetchFault(f *FaultInfo, target uintptr) bool {
	return f.InstructionFetch() || f.AtCall || (f.Trap == 14 && f.PC == target && f.Addr == target)
}

// pageOf rounds addr down to its page.
func (p *prober) pageOf(addr uintptr) uintptr { return addr &^ uintptr(p.page-1) }

// regionOf returns the /proc/self/maps line holding addr.
func regionOf(addr uintptr) (execmem.Region, error) {
	regions, err := execmem.Maps()
	if err != nil {
		return execmem.Region{}, err
	}
	r, ok := execmem.FindRegion(regions, addr)
	if !ok {
		return execmem.Region{}, fmt.Errorf("%#x is in no region of /proc/self/maps", addr)
	}
	return r, nil
}

// mapsLine returns the /proc/self/maps line holding addr, or why not.
func mapsLine(addr uintptr) string {
	r, err := regionOf(addr)
	if err != nil {
		return err.Error()
	}
	return r.String()
}
