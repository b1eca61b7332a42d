package trampoline

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"syscall"

	"github.com/jitrun/jitrun/execmem"
)

// Machine is the whole state of code that runs in pieces — a REPL's
// session, a trace's steps — between its runs: every general register
// with a stack pointer of its own choosing on its stack, RIP, RFLAGS, and
// the vector and x87 state (an XSAVE image, all of AVX and AVX-512
// included). Its stack is its own, between guard regions like a call's.
//
// RunMachine loads all of it and runs from RIP until the code raises a
// breakpoint (INT3: the run's normal end), faults or times out, and
// writes the state at that point back; StepMachine runs one instruction
// the same way. A Machine is not safe for concurrent use.
type Machine struct {
	// Regs are the general registers, RIP and RFLAGS. Regs.XMM,
	// Regs.Vector, MXCSR and X87CW are read from the FPU image after each
	// run (and are not loaded from here: see SetXMM).
	Regs  Regs
	fpu   []byte // FXSAVE/XSAVE image, xsaveSize bytes, 64-byte aligned
	stack *execmem.Mapping
	size  int
	// sysStub is where StepMachine runs a system-call instruction
	// (sysStubCode), mapped at the first one; maps is /proc/self/maps,
	// where it checks that the instruction is executable, opened then.
	sysStub *execmem.Block
	maps    *os.File
	// tls is the machine's thread-local block (Options.PrivateTLS),
	// mapped at the first run that asks for it and kept, with what the
	// code wrote there, until Close; tlsBase is the FS base in it.
	tls     *execmem.Mapping
	tlsBase uintptr
}

// NewMachine returns a Machine with a stack of stackSize usable bytes (0:
// DefaultStackSize) and the state a call starts with: every general
// register zero but RSP (16-byte aligned, at the top of the stack), RFLAGS
// 0x202 (IF), MXCSR and the x87 control word at Go's defaults, every
// vector register zero. RIP is 0: set it to the code.
func NewMachine(stackSize int) (*Machine, error) {
	size, err := checkStackSize(stackSize)
	if err != nil {
		return nil, err
	}
	st, err := mapStack(size)
	if err != nil {
		return nil, err
	}
	m := &Machine{stack: st, size: size, fpu: fpuArea()}
	binary.LittleEndian.PutUint16(m.fpu[fxFCW:], GoX87CW)
	binary.LittleEndian.PutUint32(m.fpu[fxMXCSR:], GoMXCSR)
	m.Regs.GPR[RSP] = uint64(m.StackTop())
	m.Regs.RFLAGS = 0x202
	m.readFPU()
	return m, nil
}

// machineStackReserve is how far above StackBottom a Machine's RSP must
// be for a run to start (RunMachine): the red zone (128 bytes) and the two words below
// it through which the trampoline hands the code its RIP and RFLAGS.
const machineStackReserve = 128 + 16

// StackTop is the address just past the machine's stack.
func (m *Machine) StackTop() uintptr { return m.stack.Addr() + StackGuardSize + uintptr(m.size) }

// StackBottom is the lowest address of the machine's stack.
func (m *Machine) StackBottom() uintptr { return m.stack.Addr() + StackGuardSize }

// SetXMM sets the low 128 bits of vector register i (0–15); the upper
// bits of its YMM and ZMM are left as they are.
func (m *Machine) SetXMM(i int, x XMM) {
	binary.LittleEndian.PutUint64(m.fpu[fxXMM+16*i:], x.Lo)
	binary.LittleEndian.PutUint64(m.fpu[fxXMM+16*i+8:], x.Hi)
	if len(m.fpu) > xsaveHeader {
		// An XSAVE image: XRSTOR loads the XMM registers from it only
		// when its header says the SSE state is in use (XSTATE_BV bit
		// 1), which a new image's is not, nor one XSAVE wrote while
		// they were all zero; otherwise it zeroes them.
		m.fpu[xsaveHeader] |= xstateSSE
	}
	m.Regs.XMM[i] = x
}

// The XSAVE header (after the 512-byte legacy region) starts with
// XSTATE_BV, the state components the image holds; bit 1 is SSE (XMM0–15
// and MXCSR).
const (
	xsaveHeader = 512
	xstateSSE   = 1 << 1
)

// Close unmaps the machine's stack (and the page StepMachine runs system
// calls from, and closes the file it checks them with, if it opened
// them). A closed Machine does not run.
func (m *Machine) Close() error {
	if m.stack == nil {
		return errors.New("trampoline: Machine closed twice")
	}
	err := m.stack.Close()
	m.stack = nil
	if m.sysStub != nil {
		err = errors.Join(err, m.sysStub.Close())
		m.sysStub = nil
	}
	if m.maps != nil {
		err = errors.Join(err, m.maps.Close())
		m.maps = nil
	}
	if m.tls != nil {
		err = errors.Join(err, m.tls.Close())
		m.tls = nil
	}
	return err
}

// readFPU copies the vector registers (XMM0–15 and, with XSAVE, the
// YMM, ZMM and opmask state: Regs.Vector), MXCSR and the x87 control word
// from the FPU image into Regs.
func (m *Machine) readFPU() {
	m.Regs.X87CW, m.Regs.MXCSR, m.Regs.XMM = fxsaveRegs(m.fpu)
	vecRegs(&m.Regs, m.fpu)
	m.Regs.Vector.Zeroed = true
}

// RunMachine runs the machine's code from Regs.RIP with all of its state
// until the code raises a breakpoint (INT3), which ends the run with nil
// and RIP just after the INT3; a fault ends it with the *Fault; a timeout
// (opt.Timeout, ctx) with an *Interrupted. Either way the machine holds
// the state at that point, so the next run continues from there. Only
// opt.Timeout, opt.Code and opt.PrivateTLS of the options count; with
// PrivateTLS the code's FS base is a thread-local block of the machine's
// own, which keeps what the code writes there from run to run.
//
// A run starts with RSP on the machine's stack, at least 144 bytes above
// StackBottom and at most StackTop: the trampoline hands over RIP and
// RFLAGS below the code's red zone. Other
// values are refused with an error (set RSP back before the next run).
// Code that moves RSP elsewhere while it runs still ends as a result, but
// is not parked while the garbage collector stops the world.
//
// RunMachine never traces: a trap flag the code's RFLAGS holds is
// cleared before the run, as for a call. StepMachine runs one
// instruction at a time.
func RunMachine(ctx context.Context, m *Machine, opt *Options) error {
	opt, err := m.checkStart("RunMachine", ctx, opt)
	if err != nil {
		return err
	}
	l, err := m.borrow()
	if err != nil {
		return err
	}
	defer l.giveBack()
	u := l.u

	m.load(u, m.Regs.RIP, m.runFlags(opt))
	st, err := u.executeTimed(ctx, opt.Timeout, nil)
	if err != nil {
		return err
	}
	return m.stopped(u, st, ctx, opt.Code)
}

// ErrOffStack is what RunMachine and StepMachine return, wrapped, for a
// machine whose RSP is not on its stack; the machine is left as it was.
var ErrOffStack = fmt.Errorf("a run starts with RSP between StackBottom+%d and StackTop (the trampoline writes RIP and RFLAGS below its red zone)", machineStackReserve)

// checkStart checks what a run of m (op: RunMachine, StepMachine) starts
// with: an open machine, RSP on its stack, a valid timeout and a context
// that is not done. It returns the options, never nil.
func (m *Machine) checkStart(op string, ctx context.Context, opt *Options) (*Options, error) {
	if m.stack == nil {
		return nil, fmt.Errorf("trampoline: %s on a closed Machine", op)
	}
	if rsp := uintptr(m.Regs.GPR[RSP]); rsp < m.StackBottom()+machineStackReserve || rsp > m.StackTop() {
		return nil, fmt.Errorf("trampoline: %s with RSP %#x, not on the machine's stack [%#x, %#x]: %w",
			op, rsp, m.StackBottom(), m.StackTop(), ErrOffStack)
	}
	if opt == nil {
		opt = &noOptions
	}
	if !validTimeout(opt.Timeout) {
		return nil, badTimeout(opt.Timeout)
	}
	if err := setup(); err != nil {
		return nil, err
	}
	if opt.PrivateTLS && m.tls == nil {
		ps := execmem.PageSize()
		t, err := mapGuarded(tlsBlock, ps)
		if err != nil {
			return nil, fmt.Errorf("trampoline: map a thread-local block: %w", err)
		}
		m.tls, m.tlsBase = t, t.Addr()+uintptr(ps+tlsBlock/2)
		binary.LittleEndian.PutUint64(t.Bytes()[ps+tlsBlock/2:], uint64(m.tlsBase)) // the thread pointer's convention
	}
	if err := ctx.Err(); err != nil {
		return nil, &Interrupted{Err: err}
	}
	return opt, nil
}

// noOptions stands for a nil *Options: it is never written.
var noOptions Options

// load writes the machine's state into u's frame for a run from rip with
// flags: the general registers, RFLAGS with AC and TF cleared and IF set,
// and the FPU image.
func (m *Machine) load(u *unit, rip uint64, flags uint32) {
	f := u.f
	f.fn, f.flags = uintptr(rip), flags
	if flags&flagPrivateTLS != 0 {
		f.tls = m.tlsBase // the loan gives the unit its own back
	}
	f.jit, f.jitRIP, f.jitRFLAGS = m.Regs.GPR, rip, m.Regs.RFLAGS&^(flagAC|flagTF)|0x202
	copy(u.xsave, m.fpu)
}

// save copies the state a run stopped with from u's frame into m (the
// trap flag a step ran with cleared).
func (m *Machine) save(u *unit) {
	f := u.f
	m.Regs.GPR, m.Regs.RIP, m.Regs.RFLAGS = f.gpr, f.rip, f.rflags&^flagTF
	copy(m.fpu, u.xsave)
	m.readFPU()
}

// stopped writes the state a machine's run ended with back into m and
// returns the run's error: nil for a breakpoint.
func (m *Machine) stopped(u *unit, st status, ctx context.Context, code Code) error {
	f := u.f
	switch st {
	case statusFault, statusTimeout:
		// The handler saved the registers, parkStub the FPU state: the
		// code's, unless the run ended in the trampoline before the code
		// started (a timeout that came first, or resume faulting on a
		// stack the code unmapped or protected in an earlier run), whose
		// registers are not the machine's.
		if !f.started() {
			f.refusedEntry()
			return u.outcome(st, ctx, code) // nothing ran: the state is as it was
		}
		m.save(u)
		if st == statusFault && signal(f.signo) == syscall.SIGTRAP && f.trapno == 3 {
			return nil
		}
		return u.outcome(st, ctx, code)
	case statusReturned:
		return errors.New("trampoline: a Machine's code returned into the trampoline: end it with INT3")
	}
	return u.outcome(st, ctx, code)
}

// refusedEntry makes a #GP that resume's way into the code raised (its
// RET or IRETQ to a non-canonical RIP, where Intel CPUs refuse the jump
// itself) the fault of that address, as a call's refused CALL is: the
// *Fault then has AtCall set and PC at the machine's RIP, not in the
// trampoline.
func (f *frame) refusedEntry() {
	if f.trapno == 13 && inResume(uintptr(f.rip)) && !canonical(f.fn) {
		f.rip = uint64(f.fn)
	}
}

// borrow takes a call unit for one run of m, with the machine's stack as
// the call's; the loan's giveBack gives the unit its own stack back and
// releases it. (A value, not a closure: a closure would cost every run
// and every step two allocations.)
func (m *Machine) borrow() (loan, error) {
	u, err := acquire(DefaultStackSize)
	if err != nil {
		return loan{}, err
	}
	l := loan{u, u.stack, u.size, u.f.tls}
	u.attach(m.stack, m.size)
	return l, nil
}

// loan is a call unit lent to a machine's run, with the stack it had.
type loan struct {
	u       *unit
	own     *execmem.Mapping
	ownSize int
	ownTLS  uintptr
}

// giveBack gives the unit its own stack (and FS base) back and releases
// it.
func (l loan) giveBack() {
	l.u.attach(l.own, l.ownSize)
	l.u.f.tls = l.ownTLS
	release(l.u)
}

// runFlags are the frame flags of a run of m with opt.
func (m *Machine) runFlags(opt *Options) uint32 {
	if opt.PrivateTLS {
		return flagMachine | flagPrivateTLS
	}
	return flagMachine
}
