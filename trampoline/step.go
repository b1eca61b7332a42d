package trampoline

import (
	"context"
	"fmt"
	"runtime/debug"
	"syscall"
	"unsafe"

	"github.com/jitrun/jitrun/execmem"
	"github.com/jitrun/jitrun/internal/platform"
)

// StepMachine runs exactly one instruction of m's code, from m.Regs.RIP,
// and writes the state after it back into m, as RunMachine does. It
// returns:
//
//   - nil when the instruction completed: m.Regs.RIP is the next
//     instruction (a taken jump's target), RFLAGS is as the code left it.
//   - a *Fault when it faulted, with m holding the state at the fault (RIP
//     at the faulting instruction), as RunMachine. An INT3 is a *Fault
//     too — Signal SIGTRAP, Trap 3, RIP just after it — which a caller
//     tracing code treats as a breakpoint.
//   - an *Interrupted when ctx is done or opt.Timeout passes while the
//     instruction blocks (a system call), with m holding the state where
//     it stopped: RIP at the system call when the kernel will restart it
//     (the next step runs it again), after it when it returned (EINTR).
//     A context already done runs nothing: an *Interrupted with PC 0.
//   - another error, with m unchanged, for a machine that cannot run (as
//     RunMachine's) and for SYSENTER (below).
//
// Only opt.Timeout, opt.Code and opt.PrivateTLS (as RunMachine) of the
// options count. The machine's
// entry rules are RunMachine's (RSP on its stack, AC cleared, IF set).
//
// How: the trampoline enters the code with IRETQ and the trap flag (TF)
// set, so the CPU raises a single-step trap (#DB, SIGTRAP TRAP_TRACE)
// right after the instruction; the signal handler saves the state there
// as it does for a fault, and clears TF before Go runs again. TF is
// never visible in m.Regs.RFLAGS nor in Go. Each step costs one such
// trap and its signal, which a hypervisor may intercept (17–22 µs in the
// VMs jitrun is built on, where an INT3's costs 1.5–7 µs), plus the
// trampoline's way in and out with the whole FPU state (about 2 µs):
// 45,000–60,000 steps a second there (BenchmarkStep; gdb's stepi, which
// goes through ptrace, manages 7,000–10,000).
//
// Instructions the trap flag does not step one at a time run another
// way, still as one step each:
//
//   - SYSCALL (0f 05) and INT 0x80 (cd 80), each with any prefixes but
//     LOCK: with TF set, the kernel returns from either with IRET, which
//     holds the trap until the instruction after it has run too (one trap
//     for two instructions; TestStepKernelTrapFlag measures it). So
//     StepMachine runs them without TF, out of line, from a page of its
//     own (loaded read+execute by execmem at the machine's first system
//     call, unmapped by Close) holding "syscall; int3" and "int 0x80;
//     int3", then puts RIP after the original instruction and, for
//     SYSCALL, RCX (the return address the CPU saved) to it too; R11 (the
//     RFLAGS the CPU saved) is already the machine's. It does so only
//     where the instruction lies in executable memory, which it asks the
//     kernel through /proc/self/maps (kept open until Close): elsewhere
//     the instruction is stepped in place and its fetch faults, as it
//     would. The page is memory mapped for code, not a file, so
//     GuardSyscalls' filter treats these calls as the code's, as it would
//     in place: a refused call is a *Fault (SIGSYS) with PC after the
//     original instruction. Only these steps can block, and only they arm
//     a timer for opt.Timeout or wait on ctx.
//   - SYSENTER (0f 34) is not run: in 64-bit mode it faults (#UD) on AMD
//     CPUs and on Intel enters the kernel's 32-bit entry, which returns
//     into the 32-bit vDSO and kills the process. StepMachine returns an
//     error and leaves m as it was.
//   - PUSHF/PUSHFQ pushes RFLAGS with TF set: the step clears TF in the
//     pushed copy when it lies on the machine's stack, so the code sees
//     what it would without tracing.
//
// And, as with any single-stepping debugger (gdb's stepi): a REP string
// instruction is stepped one iteration at a time (RIP stays on it while
// RCX counts down); MOV SS holds the trap for one more instruction, so
// it and the next one are one step; a POPF or IRETQ that clears TF is
// still one step; INT1 (ICEBP, f1) raises a debug trap of its own, a
// *Fault (SIGTRAP TRAP_BRKPT, Trap 1, RIP after it) like INT3's (so far
// measured on AMD). (TestStepHardwareCases measures each.)
func StepMachine(ctx context.Context, m *Machine, opt *Options) error {
	opt, err := m.checkStart("StepMachine", ctx, opt)
	if err != nil {
		return err
	}
	rip := m.Regs.RIP
	var text [MaxInstructionLen]byte
	var base uintptr
	var size int
	if opt.Code != nil {
		base, size = opt.Code.Addr(), opt.Code.Len()
	}
	n := readText(uintptr(rip), text[:], base, size, false) // 0 when RIP is unreadable: the step faults
	in := classifyStep(text[:n])
	switch in.kind {
	case stepSysenter:
		return fmt.Errorf("trampoline: StepMachine at %#x: SYSENTER (0f 34) is not run: in 64-bit mode it faults on AMD CPUs and on Intel returns into the 32-bit vDSO, which kills the process; use SYSCALL", rip)
	case stepSyscall, stepInt80:
		exec, err := m.executable(uintptr(rip), in.length)
		if err != nil {
			return fmt.Errorf("trampoline: StepMachine at %#x: %w", rip, err)
		}
		if exec {
			return m.stepOutOfLine(ctx, opt, rip, in)
		}
		// Not executable: stepped in place, its fetch faults as it would.
	}
	return m.stepTrapped(ctx, opt, rip, in)
}

// stepTrapped runs one instruction with the trap flag.
func (m *Machine) stepTrapped(ctx context.Context, opt *Options, rip uint64, in stepInsn) error {
	l, err := m.borrow()
	if err != nil {
		return err
	}
	defer l.giveBack()
	u := l.u

	m.load(u, rip, m.runFlags(opt)|flagStep)
	f := u.f
	// No timer, no cancellation: an instruction other than a system call
	// does not block. (A stale timeout signal finds callValue 0.)
	f.interrupt = 0
	f.rip = 0
	f.inCall = 1
	st := complete(f, resumeCode(f), nil, 0, true)
	f.inCall = 0
	f.interrupt = 0
	f.rflags &^= flagTF
	switch st {
	case statusFault:
		if inPrologueText(uintptr(f.rip)) {
			f.refusedEntry()
			return u.outcome(st, ctx, opt.Code) // resume faulted: nothing ran
		}
		m.save(u)
		if signal(f.signo) == syscall.SIGTRAP && f.trapno == trapDebug && f.code == trapTrace {
			if in.kind == stepPushf {
				m.clearPushedTF()
			}
			return nil
		}
		return u.outcome(st, ctx, opt.Code)
	case statusReturned:
		return fmt.Errorf("trampoline: StepMachine at %#x: the code returned into the trampoline", rip)
	}
	// (No timer is armed and callValue is 0: no timeout signal is the
	// step's.)
	return u.outcome(st, ctx, opt.Code)
}

// stepOutOfLine runs a system-call instruction from the machine's stub
// page without the trap flag, and puts the state back as if it had run
// where it is.
func (m *Machine) stepOutOfLine(ctx context.Context, opt *Options, rip uint64, in stepInsn) error {
	if m.sysStub == nil {
		b, err := execmem.Load(sysStubCode[:])
		if err != nil {
			return fmt.Errorf("trampoline: StepMachine: map the system-call page: %w", err)
		}
		m.sysStub = b
	}
	entry := uint64(m.sysStub.Addr()) + in.stubOffset()
	l, err := m.borrow()
	if err != nil {
		return err
	}
	defer l.giveBack()
	u := l.u

	m.load(u, entry, m.runFlags(opt))
	f := u.f
	f.fn = uintptr(rip)
	st, err := u.executeTimed(ctx, opt.Timeout, nil)
	if err != nil {
		return err
	}
	// Where the stub stopped, as the original instruction: at it (a
	// system call the kernel will restart), or after it.
	next := rip + uint64(in.length)
	done := st == statusFault && signal(f.signo) == syscall.SIGTRAP && f.trapno == 3 && f.rip == entry+stubInsnLen+1
	outside := func(a uint64) uint64 {
		switch {
		case a == entry:
			return rip
		case a > entry && a <= entry+stubInsnLen+1:
			return next
		}
		return a
	}
	f.rip = outside(f.rip)
	f.rflags &^= flagTF
	if in.kind == stepSyscall && f.gpr[RCX] == entry+stubInsnLen {
		f.gpr[RCX] = next
	}
	if st == statusFault && signal(f.signo) == sigSYS {
		f.addr = outside(f.addr) // si_call_addr: after the SYSCALL
	}
	if done {
		m.save(u)
		return nil
	}
	switch st {
	case statusFault, statusTimeout:
		if !f.started() {
			return u.outcome(st, ctx, opt.Code)
		}
		m.save(u)
	case statusReturned:
		return fmt.Errorf("trampoline: StepMachine at %#x: the system call returned into the trampoline", rip)
	}
	return u.outcome(st, ctx, opt.Code)
}

// executable reports whether the n bytes at addr lie in executable
// memory: a system-call instruction runs out of line only where it could
// run in place (one in memory that is not executable is stepped where it
// is, and its fetch faults). It asks the kernel about the one address
// (PROCMAP_QUERY, through the machine's open /proc/self/maps), or, on a
// kernel without that (before 6.11), reads the whole file.
func (m *Machine) executable(addr uintptr, n int) (bool, error) {
	if m.maps == nil {
		f, err := platform.OpenSelfMaps()
		if err != nil {
			return false, err
		}
		m.maps = f
	}
	for a, last := addr, addr+uintptr(n)-1; ; {
		vma, ok, err := platform.QueryVMA(m.maps, a)
		if err != nil {
			return executableFromMaps(addr, n)
		}
		if !ok || !vma.Exec {
			return false, nil
		}
		if last < vma.End {
			return true, nil
		}
		a = vma.End // the instruction runs on into the next mapping
	}
}

// executableFromMaps is executable reading all of /proc/self/maps.
func executableFromMaps(addr uintptr, n int) (bool, error) {
	regions, err := execmem.Maps()
	if err != nil {
		return false, err
	}
	for _, a := range [2]uintptr{addr, addr + uintptr(n) - 1} {
		r, ok := execmem.FindRegion(regions, a)
		if !ok || r.Prot&execmem.ProtExec == 0 {
			return false, nil
		}
	}
	return true, nil
}

// readText copies up to len(buf) bytes of the code at addr into buf and
// returns how many it could read: a step's instruction, a fault's
// (Fault.Text). It reads them directly, with a fault turned into a
// recovered panic (debug.SetPanicOnFault), where they are known to be
// readable: in the pages of the code the call was given, [base, base+n)
// rounded out to whole pages, or, when fetched says the CPU fetched the
// instruction at addr (the fault was not the fetch itself), in an
// executable page, which x86 can read (never at address 0: a nil
// pointer there is a fatal error under -race's pointer checks, not a
// panic). A direct read costs nanoseconds
// where platform.ReadMemory's system calls cost microseconds. Anywhere
// else (code that jumped into unmapped or non-executable memory) it asks
// ReadMemory, which cannot fault: a fault in Go is a signal delivery
// (about 10 µs on a VM) and goes to Go's own handler, which code without
// PrivateTLS may have broken by writing over the thread's M through FS
// beyond the words the trampoline repairs (mguard.go).
func readText(addr uintptr, buf []byte, base uintptr, n int, fetched bool) int {
	end := addr + uintptr(len(buf))
	inCode := n > 0 && addr >= base && end <= pageEnd(base+uintptr(n))
	if addr == 0 || end < addr || !canonical(addr) || !canonical(end-1) || !inCode && !fetched {
		return platform.ReadMemory(addr, buf)
	}
	return readDirect(addr, buf)
}

// pageEnd returns the end of the page that holds the byte before a.
func pageEnd(a uintptr) uintptr { return (a + sysPageSize - 1) &^ (sysPageSize - 1) }

// readDirect is readText's direct read: a fault falls back to ReadMemory.
func readDirect(addr uintptr, buf []byte) (n int) {
	defer func() {
		if recover() != nil {
			n = platform.ReadMemory(addr, buf)
		}
	}()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	// The address as a pointer without a uintptr-to-Pointer conversion:
	// the memory is not Go's, the collector never sees it.
	p := *(*unsafe.Pointer)(unsafe.Pointer(&addr))
	return copy(buf, unsafe.Slice((*byte)(p), len(buf)))
}

// clearPushedTF clears the trap flag in the RFLAGS a stepped PUSHF or
// PUSHFQ has just pushed at RSP (bit 8: the low bit of its second byte
// for either size), when that lies on the machine's stack.
func (m *Machine) clearPushedTF() {
	a := uintptr(m.Regs.GPR[RSP]) + 1
	if a < m.StackBottom() || a >= m.StackTop() {
		return
	}
	m.stack.Bytes()[a-m.stack.Addr()] &^= flagTF >> 8
}

// sysStubCode is the stub page's code: each system-call instruction
// followed by an INT3 that ends the run after it.
var sysStubCode = [...]byte{
	0x0f, 0x05, 0xcc, // syscall; int3
	0xcd, 0x80, 0xcc, // int 0x80; int3
}

// stubInsnLen is the length of each system-call instruction in
// sysStubCode.
const stubInsnLen = 2

// The si_code and trap number of a single-step trap (TRAP_TRACE, #DB).
const (
	trapTrace = 2
	trapDebug = 1
)

// stepKind says how StepMachine runs an instruction.
type stepKind int

const (
	stepPlain    stepKind = iota // with the trap flag
	stepPushf                    // with the trap flag, then TF cleared in what it pushed
	stepSyscall                  // SYSCALL: out of line
	stepInt80                    // INT 0x80: out of line
	stepSysenter                 // SYSENTER: refused
)

// stepInsn is what classifyStep found at a step's RIP: the kind and, for
// the system-call instructions, the length with prefixes.
type stepInsn struct {
	kind   stepKind
	length int
}

// stubOffset is where the instruction's copy starts in sysStubCode.
func (in stepInsn) stubOffset() uint64 {
	if in.kind == stepInt80 {
		return 3
	}
	return 0
}

// classifyStep decodes the prefixes and opcode of the instruction in
// text (up to MaxInstructionLen bytes at RIP, fewer when the rest is
// unreadable) for the instructions StepMachine treats apart: SYSCALL
// (0f 05), INT 0x80 (cd 80), SYSENTER (0f 34) and PUSHF (9c), each after
// any legacy prefixes (26 2e 36 3e 64 65 66 67 f2 f3) and REX (40–4f),
// none of which changes what they do. With LOCK (f0), or longer than 15
// bytes, they raise #UD or #GP: stepped like any other instruction, they
// fault as they would.
func classifyStep(text []byte) stepInsn {
	i := 0
	for i < len(text) {
		b := text[i]
		if b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0x64 || b == 0x65 || b == 0x66 || b == 0x67 ||
			b == 0xf2 || b == 0xf3 || b&0xf0 == 0x40 {
			i++
			continue
		}
		break
	}
	if i >= len(text) {
		return stepInsn{}
	}
	var kind stepKind
	length := i + 2
	switch op := text[i:]; {
	case op[0] == 0x9c:
		kind, length = stepPushf, i+1
	case len(op) < 2:
	case op[0] == 0x0f && op[1] == 0x05:
		kind = stepSyscall
	case op[0] == 0x0f && op[1] == 0x34:
		kind = stepSysenter
	case op[0] == 0xcd && op[1] == 0x80:
		kind = stepInt80
	}
	if kind == stepPlain || length > MaxInstructionLen {
		return stepInsn{}
	}
	return stepInsn{kind, length}
}
