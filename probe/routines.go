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
// a *trampoline.Fault whose PC and address say which access failed.
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

// exec(target) calls target with DI, SI and AX zero (for the vsyscall page
// these are gettimeofday's NULL arguments) and returns its AX. The target
// goes in R11, which nothing else uses, so that the bytes found there run
// with every register but RSP and R11 zero. A fetch the page forbids faults
// with the PC at target; on Intel, a non-canonical target faults (#GP) on
// the CALL itself.
TEXT exec(SB), NOSPLIT|NOFRAME, $0
	MOVQ DI, R11
	XORL DI, DI
	XORL SI, SI
	XORL AX, AX
	SUBQ $8, SP          // RSP is 16-byte aligned at the target's entry, as the ABI wants
execcall:
	CALL R11
	ADDQ $8, SP
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
	// The routines' addresses, and the exec routine's CALL, where Intel
	// reports the #GP of a non-canonical target.
	read, write, exec, execCall, execStack, movaps, readAC uintptr

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
	code, err := execmem.Load(prog.Code)
	if err != nil {
		return nil, fmt.Errorf("probe: loading the access routines: %w", err)
	}
	p := &prober{code: code, page: execmem.PageSize(), host: host}
	for _, r := range []struct {
		name string
		addr *uintptr
	}{{"read", &p.read}, {"write", &p.write}, {"exec", &p.exec}, {"execcall", &p.execCall},
		{"execstack", &p.execStack}, {"movaps", &p.movaps}, {"readac", &p.readAC}} {
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
		f, err := sysMemfd("jitrun-probe-ret", []byte{retByte}, int64(p.page))
		if err != nil {
			return nil, fmt.Errorf("memfd_create: %w", err)
		}
		p.retFile = f
	}
	return p.retFile, nil
}

// call runs routine with args under the trampoline and returns RAX, or the
// fault as an observation.
func (p *prober) call(routine uintptr, timeout time.Duration, args ...uint64) (uint64, Observation) {
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
		return r.RAX, Observation{Outcome: Allowed}
	}
	var f *trampoline.Fault
	if errors.As(err, &f) {
		return 0, Observation{Outcome: Faulted, Fault: faultInfo(f)}
	}
	var it *trampoline.Interrupted
	if errors.As(err, &it) {
		return 0, Observation{Outcome: Allowed, Detail: fmt.Sprintf("the code there was still running after %v (interrupted at pc %#x)", timeout, it.PC)}
	}
	return 0, failed(err.Error())
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
// or a fault whose PC and address are the target), or a #GP raised on the
// CALL or at the target for a non-canonical address. When the fetch worked
// and the bytes found there then faulted (zeros are ADD [RAX], AL with RAX
// zero), the outcome is Allowed with the fault as evidence.
func (p *prober) execAt(target uintptr) Observation {
	v, o := p.call(p.exec, execTimeout, uint64(target))
	switch {
	case o.Outcome == Allowed && o.Detail == "":
		o.Detail = fmt.Sprintf("returned, rax %#x", v)
	case o.Outcome == Faulted && !p.fetchFault(o.Fault, target):
		o.Outcome = Allowed
		o.Detail = "the fetch worked; the bytes there ran and faulted"
	}
	return o
}

// fetchFault reports whether f is the fetch of target being refused.
func (p *prober) fetchFault(f *FaultInfo, target uintptr) bool {
	if f.InstructionFetch() {
		return true
	}
	switch f.Trap {
	case 14:
		return f.PC == target && f.Addr == target
	case 13:
		return f.PC == target || (p.execCall != 0 && f.PC == p.execCall)
	}
	return false
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
