package trace

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"syscall"
	"time"

	"github.com/jitrun/jitrun/asm"
	"github.com/jitrun/jitrun/execmem"
	"github.com/jitrun/jitrun/trampoline"
)

// DefaultMaxSteps is the step cap when Options.MaxSteps is 0.
const DefaultMaxSteps = 10_000

// MaxMaxSteps is the largest step cap Run accepts: a million debug traps
// take some 20 s in a VM.
const MaxMaxSteps = 1_000_000

// Options say what to trace and how far.
type Options struct {
	// Code is the loaded code (an *execmem.Block): faults report offsets
	// into it.
	Code trampoline.Code
	// Bytes are the code's bytes as loaded at Code.Addr() (for an
	// asm.Program, Program.Code): steps are decoded from them.
	Bytes []byte
	// Program, when set, names the code's symbols, labels and source
	// lines.
	Program *asm.Program
	// Syntax is the syntax of Step.Text.
	Syntax asm.Syntax
	// Entry is the offset in the code where the trace starts.
	Entry int
	// Args are the arguments, in registers as trampoline.Run passes them.
	Args trampoline.Args
	// StackSize is the machine's usable stack (0: the trampoline's
	// default).
	StackSize int
	// Timeout bounds the whole trace (0: none; else at least
	// trampoline.MinTimeout). It combines with the context's deadline.
	Timeout time.Duration
	// MaxSteps is how many instructions run before the trace is stopped
	// (0: DefaultMaxSteps; at most MaxMaxSteps).
	MaxSteps int
	// Breaks are the breakpoints.
	Breaks []Break
	// PrivateTLS gives the code an FS base of its own, kept for the whole
	// trace (trampoline.Options.PrivateTLS): its FS-relative writes then
	// cannot reach the Go runtime's thread-local storage.
	PrivateTLS bool
}

// Break is a breakpoint: the step that starts at Offset is marked (its
// Break set) from the From-th time the code gets there on (0 and 1: every
// time).
type Break struct {
	Offset int
	From   int
}

// Stop says why a trace ended.
type Stop int

const (
	Returned Stop = iota + 1 // the code returned (Summary.Result)
	Faulted                  // an instruction faulted (Summary.Fault)
	TimedOut                 // the timeout or the context stopped it (Summary.Interrupted)
	MaxSteps                 // it ran Options.MaxSteps instructions
	Stopped                  // the step function returned false
	OffStack                 // the code moved RSP off its stack, where no step can start
)

var stopNames = [...]string{Returned: "return", Faulted: "fault", TimedOut: "timeout", MaxSteps: "max-steps", Stopped: "stopped", OffStack: "off-stack"}

// String is the stop's name: "return", "fault", "timeout", "max-steps",
// "stopped" or "off-stack".
func (s Stop) String() string {
	if s > 0 && int(s) < len(stopNames) {
		return stopNames[s]
	}
	return fmt.Sprintf("Stop(%d)", int(s))
}

// Summary is how a trace ended.
type Summary struct {
	Stop  Stop
	Steps int // instructions run (each REP iteration counts)
	// Result holds the return registers after a return.
	Result trampoline.Result
	// Regs are the registers at the end: after the return, at the fault,
	// where the trace was stopped.
	Regs        trampoline.Regs
	Fault       *trampoline.Fault
	Interrupted *trampoline.Interrupted
	// Next is the address of the instruction that would have run next
	// (MaxSteps, Stopped, TimedOut), with its place in the code; Visits
	// is how many times it had run: a loop's iterations, at the step cap.
	Next   Place
	Visits int
	// Breaks counts the breakpoint hits (INT3 included).
	Breaks int
}

// Run traces the code from Options.Entry, calling fn with each step (fn
// may be nil); fn returning false stops the trace. The Step is fn's to
// keep. The error is the *trampoline.Fault of a fault, the
// *trampoline.Interrupted of a timeout, or why the trace could not start
// or go on (bad Options, a stepping that failed for the system's reasons);
// the Summary (nil only in the last case) says how it ended either way.
// Run is New, Tracer.Run and Tracer.Close.
func Run(ctx context.Context, opt *Options, fn func(*Step) bool) (*Summary, error) {
	t, err := New(opt)
	if err != nil {
		return nil, err
	}
	defer t.Close()
	return t.Run(ctx, fn)
}

// Tracer is one trace: its machine (registers, stack) and what it knows
// of the code. Its stack stays mapped until Close, so that a report of
// the end can still say where RSP lies.
type Tracer struct {
	opt    *Options
	m      *trampoline.Machine
	launch *execmem.Block
	code   *codeInfo
	breaks map[int]Break
	visits []int32 // times each offset of the code started a step
	steps  int
	max    int
	ran    bool
}

// New sets up a trace of the code: a machine with the arguments in its
// registers and its stack, ready to run from Options.Entry.
func New(opt *Options) (*Tracer, error) {
	if err := opt.check(); err != nil {
		return nil, err
	}
	return newTracer(opt)
}

// Run runs the trace (once): see the package's Run.
func (t *Tracer) Run(ctx context.Context, fn func(*Step) bool) (*Summary, error) {
	return t.run(ctx, fn, trampoline.StepMachine)
}

// engine runs one instruction of a machine: trampoline.StepMachine, or a
// test's wrapper around it.
type engine func(ctx context.Context, m *trampoline.Machine, opt *trampoline.Options) error

func (t *Tracer) run(ctx context.Context, fn func(*Step) bool, step engine) (*Summary, error) {
	if t.ran {
		return nil, errors.New("trace: a Tracer runs once")
	}
	t.ran = true
	if t.opt.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t.opt.Timeout)
		defer cancel()
	}
	return t.loop(ctx, fn, step)
}

// Close unmaps the machine's stack and the launch page.
func (t *Tracer) Close() error {
	return errors.Join(t.m.Close(), t.launch.Close())
}

// check refuses options Run cannot follow.
func (o *Options) check() error {
	switch {
	case o == nil || o.Code == nil:
		return errors.New("trace: Options.Code is nil: load the code first (execmem.Load)")
	case len(o.Bytes) == 0 || len(o.Bytes) > o.Code.Len():
		return fmt.Errorf("trace: Options.Bytes holds %d bytes; want the code's bytes, 1 to %d", len(o.Bytes), o.Code.Len())
	case o.Entry < 0 || o.Entry >= len(o.Bytes):
		return fmt.Errorf("trace: entry offset %d is outside the code (0 to %d)", o.Entry, len(o.Bytes)-1)
	case o.MaxSteps < 0 || o.MaxSteps > MaxMaxSteps:
		return fmt.Errorf("trace: MaxSteps %d: want 1 to %d (0: %d)", o.MaxSteps, MaxMaxSteps, DefaultMaxSteps)
	case o.Timeout < 0 || o.Timeout > 0 && o.Timeout < trampoline.MinTimeout:
		return fmt.Errorf("trace: timeout %v: want 0 (none) or at least %v", o.Timeout, trampoline.MinTimeout)
	}
	for _, b := range o.Breaks {
		if b.Offset < 0 || b.Offset >= len(o.Bytes) {
			return fmt.Errorf("trace: breakpoint at offset %d is outside the code (0 to %d)", b.Offset, len(o.Bytes)-1)
		}
		if b.From < 0 {
			return fmt.Errorf("trace: breakpoint at offset %d counts from hit %d: want 1 or more", b.Offset, b.From)
		}
	}
	return nil
}

// The launch page starts the trace: it calls the code, which returns to
// the INT3 after the call (the trace ends when RIP gets there, before it
// runs).
//
//	0: ff 15 01 00 00 00   call [rip+1]   ; the code's address, at 7
//	6: cc                  int3           ; where the code returns to
//	7: the code's address, 8 bytes
const (
	launchReturn = 6
	launchTarget = 7
	launchLen    = 15
)

func newTracer(opt *Options) (*Tracer, error) {
	entry := uint64(opt.Code.Addr()) + uint64(opt.Entry)
	page := []byte{0xff, 0x15, 0x01, 0x00, 0x00, 0x00, 0xcc}
	page = binary.LittleEndian.AppendUint64(page, entry)
	launch, err := execmem.Load(page)
	if err != nil {
		return nil, fmt.Errorf("trace: loading the launch page: %w", err)
	}
	m, err := trampoline.NewMachine(opt.StackSize)
	if err != nil {
		launch.Close()
		return nil, fmt.Errorf("trace: %w", err)
	}
	for i, r := range trampoline.IntArgRegs {
		m.Regs.GPR[r] = opt.Args.Int[i]
	}
	for i, f := range opt.Args.Float {
		m.SetXMM(i, trampoline.XMM{Lo: f})
	}
	m.Regs.RFLAGS = trampoline.EntryRFLAGS
	m.Regs.RIP = uint64(launch.Addr())
	// 16 bytes below the top: after the launch CALL the code starts with
	// RSP 8 below a 16-byte boundary, as after any call, and its last RET
	// leaves RSP inside the stack (a report says "on the call's stack").
	m.Regs.GPR[trampoline.RSP] -= 16
	t := &Tracer{opt: opt, m: m, launch: launch, code: newCodeInfo(opt), visits: make([]int32, len(opt.Bytes)), max: opt.MaxSteps}
	if t.max == 0 {
		t.max = DefaultMaxSteps
	}
	if len(opt.Breaks) > 0 {
		t.breaks = make(map[int]Break, len(opt.Breaks))
		for _, b := range opt.Breaks {
			t.breaks[b.Offset] = b
		}
	}
	return t, nil
}

// returnAddr is where the code's last RET goes.
func (t *Tracer) returnAddr() uint64 { return uint64(t.launch.Addr()) + launchReturn }

// loop runs the launch call, then the code step by step.
func (t *Tracer) loop(ctx context.Context, fn func(*Step) bool, step engine) (*Summary, error) {
	sum := &Summary{}
	// The launch page's CALL: not a step of the code.
	if err := t.stepOnce(ctx, step); err != nil {
		return t.end(sum, err)
	}
	for {
		pc := t.m.Regs.RIP
		if pc == t.returnAddr() {
			sum.Stop = Returned
			sum.Result = trampoline.Result{RAX: t.m.Regs.GPR[trampoline.RAX], RDX: t.m.Regs.GPR[trampoline.RDX], X0: t.m.Regs.XMM[0].Lo, X1: t.m.Regs.XMM[1].Lo}
			return t.finish(sum, nil)
		}
		if t.steps >= t.max {
			sum.Stop = MaxSteps
			return t.finish(sum, nil)
		}
		if err := ctx.Err(); err != nil {
			return t.end(sum, &trampoline.Interrupted{Err: err, PC: uintptr(pc), Regs: t.m.Regs, CodeBase: t.opt.Code.Addr(), CodeLen: t.opt.Code.Len()})
		}
		s := t.before(pc)
		err := t.stepOnce(ctx, step)
		var intr *trampoline.Interrupted
		switch {
		case errors.As(err, &intr):
			return t.end(sum, err) // the instruction did not complete: no step
		case errors.Is(err, trampoline.ErrOffStack):
			sum.Stop = OffStack // nothing ran: no step
			return t.finish(sum, nil)
		}
		t.steps++
		if off := s.Offset; off >= 0 {
			t.visits[off]++
		}
		var f *trampoline.Fault
		switch {
		case err == nil:
		case errors.As(err, &f) && f.Signal == syscall.SIGTRAP && f.Trap == 3:
			s.Break = &Hit{Index: -1, Hit: t.visitsOf(pc)}
		case errors.As(err, &f):
			s.Fault = f
		default:
			return nil, err
		}
		t.after(s)
		if s.Break != nil {
			sum.Breaks++
		}
		if fn != nil && !fn(s) {
			sum.Stop = Stopped
			return t.finish(sum, nil)
		}
		if s.Fault != nil {
			return t.end(sum, s.Fault)
		}
	}
}

// stepOnce runs one instruction with what is left of the context's time.
func (t *Tracer) stepOnce(ctx context.Context, step engine) error {
	opt := trampoline.Options{Code: t.opt.Code, PrivateTLS: t.opt.PrivateTLS}
	if d, ok := ctx.Deadline(); ok {
		left := time.Until(d)
		if left < trampoline.MinTimeout {
			return &trampoline.Interrupted{Err: context.DeadlineExceeded, PC: uintptr(t.m.Regs.RIP), Regs: t.m.Regs, CodeBase: t.opt.Code.Addr(), CodeLen: t.opt.Code.Len()}
		}
		opt.Timeout = left
	}
	return step(ctx, t.m, &opt)
}

// visitsOf is how many steps started at pc (0 outside the code).
func (t *Tracer) visitsOf(pc uint64) int {
	if off, ok := t.code.offset(pc); ok {
		return int(t.visits[off])
	}
	return 0
}

// end finishes a trace that a fault or a timeout ended.
func (t *Tracer) end(sum *Summary, err error) (*Summary, error) {
	var f *trampoline.Fault
	var intr *trampoline.Interrupted
	switch {
	case errors.As(err, &f):
		sum.Stop, sum.Fault = Faulted, f
	case errors.As(err, &intr):
		sum.Stop, sum.Interrupted = TimedOut, intr
	default:
		return nil, err
	}
	return t.finish(sum, err)
}

// finish fills in the summary's end state.
func (t *Tracer) finish(sum *Summary, err error) (*Summary, error) {
	sum.Steps = t.steps
	sum.Regs = t.m.Regs
	if sum.Stop == Returned {
		sum.Regs.RIP = 0 // as after a call's return
	} else {
		sum.Next = t.code.place(t.m.Regs.RIP)
		sum.Visits = t.visitsOf(t.m.Regs.RIP)
	}
	return sum, err
}
