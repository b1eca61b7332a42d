package explain

import (
	"fmt"
	"strings"
	"syscall"

	"golang.org/x/arch/x86/x86asm"

	"github.com/jitrun/jitrun/disasm"
	"github.com/jitrun/jitrun/execmem"
	"github.com/jitrun/jitrun/trampoline"
)

const (
	sigSEGV = syscall.SIGSEGV
	sigTRAP = syscall.SIGTRAP
	sigILL  = syscall.SIGILL
)

// Fault says in one line what a fault is, in the terms of a student of
// page protections and of the instruction set: "write to a read-only
// page", "privileged instruction hlt: only the kernel may run it",
// "misaligned 16-byte access to 0x…8 by movaps (it needs 16-byte
// alignment)", "write to read-only data (counter); declare it in .data to
// write it", "the code went to 0x0, outside the code, with RSP 8 bytes
// below where its return address was: a RET that popped what a PUSH
// left?". Where the address lies is Where's business: the line leaves it
// out.
func (c *Context) Fault(f *trampoline.Fault) string {
	switch {
	case f.Syscall != nil, f.BadReturn, f.AtCall:
		return f.Description()
	case f.Signal == sigTRAP && f.Trap == 3 && c.InPadding(c.FaultPC(f)):
		return "the code ran past its end into the INT3 padding (a missing RET?)"
	case f.Signal == sigTRAP && f.Trap == 3 && c.atLibraryGuard(c.FaultPC(f)):
		return "the code ran past its end into the INT3 before the I/O library linked after it (a missing RET?)"
	case f.StackOverflow():
		return f.Meaning()
	}
	if w := c.instructionWords(f); w != "" {
		return w
	}
	if w := c.sectionWords(f); w != "" {
		return w
	}
	if w := c.jumpWords(f); w != "" {
		return w
	}
	if w := c.pageWords(f); w != "" {
		return w
	}
	return f.Meaning()
}

// SignalLine is the signal and its si_code with what that means:
// "SIGSEGV, si_code SEGV_ACCERR: the address is mapped, but its protection
// forbids the access".
func SignalLine(f *trampoline.Fault) string {
	s := fmt.Sprintf("%s, si_code %s", f.SignalName(), f.CodeName())
	if why := trampoline.CodeMeaning(f.Signal, f.Code); why != "" {
		s += ": " + why
	}
	return s
}

// ExceptionLine is the CPU exception with the error code decoded: "#PF
// page fault (vector 14), error code 0x7 (present, write, user)".
func ExceptionLine(f *trampoline.Fault) string {
	s := fmt.Sprintf("%s %s (vector %d)", f.TrapName(), trampoline.TrapMeaning(f.Trap), f.Trap)
	if pf, ok := f.PageFault(); ok {
		s += ", error code " + pf.String()
	} else if f.ErrorCode != 0 {
		s += fmt.Sprintf(", error code %#x", f.ErrorCode)
	}
	return s
}

// pageWords says what an access to a mapped page was refused, from the
// page's protection.
func (c *Context) pageWords(f *trampoline.Fault) string {
	pf, ok := f.PageFault()
	if !ok || f.Signal != sigSEGV || f.Code != 2 || pf.InstructionFetch() {
		return ""
	}
	reg, ok := c.Region(uint64(f.Addr))
	switch {
	case pf.Write() && ok && reg.Prot == execmem.ProtNone:
		return "write to a page with no access (---)"
	case pf.Write() && ok && reg.Prot&execmem.ProtRead != 0:
		return "write to a read-only page"
	case !pf.Write() && ok && reg.Prot == execmem.ProtNone:
		return "read from a page with no access (---)"
	}
	return ""
}

// jumpWords says where the code went when it faulted fetching an
// instruction outside itself, and what RSP says of how it got there.
func (c *Context) jumpWords(f *trampoline.Fault) string {
	pc := uint64(f.PC)
	pf, isPF := f.PageFault()
	fetch := isPF && pf.InstructionFetch() || f.Trap == 13 && !canonical(pc)
	if !fetch || c.Code == nil {
		return ""
	}
	if _, in := c.OffsetOf(pc); in || c.InPadding(pc) {
		return ""
	}
	if isPF && f.Code == 2 {
		return "" // mapped, but not executable: the NX fault says it all
	}
	s := fmt.Sprintf("the code went to %#x, outside the code", pc)
	if f.EntryRSP == 0 {
		return s
	}
	return s + rspWords(f, f.Regs.GPR[trampoline.RSP])
}

// rspWords says what RSP after a control transfer says of it: "" when RSP
// is where a RET that popped the return address leaves it.
func rspWords(f *trampoline.Fault, rsp uint64) string {
	switch d := int64(rsp - uint64(f.EntryRSP+8)); {
	case d == -8:
		return " (RSP is back at its entry value: a jump there, or a RET after a PUSH too many, which popped the pushed value instead of the return address)"
	case d < 0:
		return fmt.Sprintf(" (RSP is %d bytes below its entry value: a CALL there, or a RET after PUSHes too many that popped one of their values instead of the return address)", -d-8)
	case d > 0:
		return fmt.Sprintf(" (RSP is %d bytes above where a RET leaves it: a RET after a POP too many popped what lay above the return address?)", d)
	}
	return ""
}

// instructionWords says what the faulting instruction did wrong, from
// its decoding: a privileged instruction, a non-canonical or misaligned
// memory operand (#GP), an undefined instruction (#UD).
func (c *Context) instructionWords(f *trampoline.Fault) string {
	if f.Trap != 13 && f.Signal != sigILL {
		return ""
	}
	text := f.Text
	if off, ok := c.OffsetOf(uint64(f.PC)); ok {
		text = c.Code[off:]
	}
	inst, ok := disasm.Instruction(text)
	if !ok {
		return ""
	}
	name := strings.ToLower(inst.Op.String()) // in prose, whatever the listing's syntax

	if f.Signal == sigILL {
		if inst.Op == x86asm.UD2 || inst.Op == x86asm.UD1 || inst.Op == x86asm.UD0 {
			return "illegal instruction: " + name + " is undefined on purpose (#UD)"
		}
		return "illegal instruction: this CPU does not run " + name + " here (#UD: an extension it lacks, or a form it does not allow)"
	}
	if (inst.Op == x86asm.RET || inst.Op == x86asm.LRET) && f.Trap == 13 {
		// The CPU refused the target before it left the RET (Intel): RSP
		// still points at what it popped.
		return "RET popped a non-canonical return address (#GP)" + rspWords(f, f.Regs.GPR[trampoline.RSP]+8)
	}
	if why, ok := privileged[inst.Op]; ok {
		return fmt.Sprintf("privileged instruction %s: %s (#GP)", name, why)
	}
	if r, ok := systemRegister(inst); ok {
		return fmt.Sprintf("privileged instruction %s: only the kernel may read or write %s (#GP)", name, strings.ToLower(r.String()))
	}
	if mem, ok := memOperand(inst); ok {
		if ea, known := effectiveAddress(mem, inst, uint64(f.PC), &f.Regs); known {
			if !canonical(ea) {
				return fmt.Sprintf("non-canonical address %#x in %s's memory operand (bits 63–47 of an address must all be equal) (#GP)", ea, name)
			}
			if n := vectorBytes(inst); n > 8 && ea%uint64(n) != 0 {
				return fmt.Sprintf("misaligned %d-byte access to %#x by %s (it needs %d-byte alignment; the unaligned form would not fault) (#GP)", n, ea, name, n)
			}
		}
	}
	return ""
}

// privileged are the instructions user code may not run, and why.
var privileged = map[x86asm.Op]string{
	x86asm.HLT:     "only the kernel may halt the CPU",
	x86asm.CLI:     "only the kernel may mask interrupts",
	x86asm.STI:     "only the kernel may unmask interrupts",
	x86asm.IN:      portIO + " (ioperm)",
	x86asm.OUT:     portIO + " (ioperm)",
	x86asm.INSB:    portIO,
	x86asm.INSW:    portIO,
	x86asm.INSD:    portIO,
	x86asm.OUTSB:   portIO,
	x86asm.OUTSW:   portIO,
	x86asm.OUTSD:   portIO,
	x86asm.LGDT:    descriptorTables,
	x86asm.LIDT:    descriptorTables,
	x86asm.LLDT:    descriptorTables,
	x86asm.LTR:     "only the kernel may load the task register",
	x86asm.LMSW:    controlRegisters,
	x86asm.CLTS:    controlRegisters,
	x86asm.INVD:    caches,
	x86asm.WBINVD:  caches,
	x86asm.INVLPG:  "only the kernel may flush TLB entries",
	x86asm.RDMSR:   "only the kernel may read model-specific registers",
	x86asm.WRMSR:   "only the kernel may write model-specific registers",
	x86asm.SWAPGS:  "only the kernel may swap GS",
	x86asm.SYSRET:  systemReturn,
	x86asm.SYSEXIT: systemReturn,
	x86asm.XSETBV:  "only the kernel may set XCR0",
	x86asm.RDPMC:   "this kernel does not let user code read performance counters",
}

// The reasons privileged gives more than one instruction.
const (
	portIO           = "port I/O needs the kernel's permission"
	descriptorTables = "only the kernel may load descriptor tables"
	controlRegisters = "only the kernel may write control registers"
	caches           = "only the kernel may invalidate caches"
	systemReturn     = "only the kernel returns from system calls"
)

// systemRegister returns the instruction's control or debug register
// operand (MOV to or from CR0–CR15, DR0–DR15), which only the kernel may
// access.
func systemRegister(inst x86asm.Inst) (x86asm.Reg, bool) {
	for _, a := range inst.Args {
		if r, ok := a.(x86asm.Reg); ok && (r >= x86asm.CR0 && r <= x86asm.CR15 || r >= x86asm.DR0 && r <= x86asm.DR15) {
			return r, true
		}
	}
	return 0, false
}

// memOperand returns the instruction's memory operand.
func memOperand(inst x86asm.Inst) (x86asm.Mem, bool) {
	for _, a := range inst.Args {
		if m, ok := a.(x86asm.Mem); ok {
			return m, true
		}
	}
	return x86asm.Mem{}, false
}

// vectorBytes is the width of the instruction's widest vector register
// operand: 16 for XMM, 32 for YMM, 64 for ZMM, or 0. (A #GP on an
// instruction with a memory operand that wide and misaligned is the
// alignment SSE's legacy forms and the aligned moves demand.)
func vectorBytes(inst x86asm.Inst) int {
	n := 0
	for _, a := range inst.Args {
		switch r, _ := a.(x86asm.Reg); {
		case r >= x86asm.X0 && r <= x86asm.X31:
			n = max(n, 16)
		case r >= x86asm.Y0 && r <= x86asm.Y31:
			n = max(n, 32)
		case r >= x86asm.Z0 && r <= x86asm.Z31:
			n = max(n, 64)
		}
	}
	return n
}

// effectiveAddress computes a memory operand's address from the
// registers at the fault; known is false for an FS- or GS-relative one.
func effectiveAddress(m x86asm.Mem, inst x86asm.Inst, pc uint64, regs *trampoline.Regs) (ea uint64, known bool) {
	if m.Segment == x86asm.FS || m.Segment == x86asm.GS {
		return 0, false
	}
	ea = uint64(m.Disp)
	if m.Base == x86asm.RIP {
		ea += pc + uint64(inst.Len)
	} else if m.Base != 0 {
		v, ok := regValue(m.Base, regs)
		if !ok {
			return 0, false
		}
		ea += v
	}
	if m.Index != 0 {
		v, ok := regValue(m.Index, regs)
		if !ok {
			return 0, false
		}
		ea += v * uint64(m.Scale)
	}
	if inst.AddrSize == 32 {
		ea = uint64(uint32(ea))
	}
	return ea, true
}

// regValue is the value of a 64- or 32-bit general register.
func regValue(r x86asm.Reg, regs *trampoline.Regs) (uint64, bool) {
	switch {
	case r >= x86asm.RAX && r <= x86asm.R15:
		return regs.GPR[gprIndex(r-x86asm.RAX)], true
	case r >= x86asm.EAX && r <= x86asm.R15L:
		return uint64(uint32(regs.GPR[gprIndex(r-x86asm.EAX)])), true
	}
	return 0, false
}

// gprIndex maps x86asm's register order (RAX RCX RDX RBX RSP RBP RSI RDI
// R8…R15, the hardware's) to trampoline.Reg.
func gprIndex(i x86asm.Reg) trampoline.Reg { return trampoline.Reg(i) }

// canonical reports whether a is a canonical 48-bit address.
func canonical(a uint64) bool {
	top := a >> 47
	return top == 0 || top == 1<<17-1
}
