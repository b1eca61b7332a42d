package trampoline

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/jitrun/jitrun/execmem"
)

// Args are the arguments of a call, in System V AMD64 order.
type Args struct {
	Int [6]uint64 // RDI, RSI, RDX, RCX, R8, R9
	// Float are the low 64 bits of XMM0–XMM7: math.Float64bits(x) for a
	// double, uint64(math.Float32bits(x)) for a float.
	Float [8]uint64
}

// Result holds the return registers: RAX, RDX and the low 64 bits of
// XMM0 and XMM1 (Options.Regs has all 128). It is four words so that it
// travels in registers.
type Result struct {
	RAX, RDX uint64
	X0, X1   uint64
}

// Float64 returns XMM0 as a double result.
func (r Result) Float64() float64 { return math.Float64frombits(r.X0) }

// Float32 returns the low 32 bits of XMM0 as a float result.
func (r Result) Float32() float32 { return math.Float32frombits(uint32(r.X0)) }

// Code is executable code whose range a call can report faults against:
// *execmem.Block and *execmem.Slot are Code.
type Code interface {
	Addr() uintptr
	Len() int
}

// Options tune Run. The zero value (or a nil *Options) is the default
// stack, no timeout, no snapshot.
type Options struct {
	// StackSize is the usable stack, rounded up to whole pages; 0 means
	// DefaultStackSize. Stacks of each size are pooled.
	StackSize int
	// Timeout interrupts the code after this long (0: no timeout). It
	// combines with the context's deadline: the earlier one wins.
	Timeout time.Duration
	// Regs, when non-nil, receives every register as the code left it:
	// after a return, at a fault, or where a timeout stopped it.
	Regs *Regs
	// Code, when non-nil, is the code the address lies in: a Fault then
	// gives the PC's offset in it.
	Code Code
}

// Interrupted is the error of a call stopped by its timeout or by its
// context: Err is context.DeadlineExceeded or context.Canceled, so
// errors.Is(err, context.DeadlineExceeded) works on it.
type Interrupted struct {
	Err      error
	PC       uintptr // where the code was stopped (0 if it had not started)
	Regs     Regs
	CodeBase uintptr
	CodeLen  int
}

func (e *Interrupted) Error() string {
	if e.PC == 0 {
		return "trampoline: call not started: " + e.Err.Error()
	}
	s := fmt.Sprintf("trampoline: code interrupted at pc %#x", e.PC)
	if e.CodeLen > 0 && e.PC >= e.CodeBase && e.PC-e.CodeBase < uintptr(e.CodeLen) {
		s += fmt.Sprintf(" (+%#x)", e.PC-e.CodeBase)
	}
	return s + ": " + e.Err.Error()
}

func (e *Interrupted) Unwrap() error { return e.Err }

var ready atomic.Bool

// errUnsupported is every call's error on systems other than linux/amd64.
var errUnsupported = fmt.Errorf("trampoline: needs linux/amd64, running on %s/%s: %w",
	runtime.GOOS, runtime.GOARCH, errors.ErrUnsupported)

// Call calls the machine code at addr with up to six integer arguments (in
// RDI, RSI, RDX, RCX, R8, R9) on a stack of its own and returns its result
// registers. Whatever the code does — return, fault, clobber registers —
// the program goes on: a fault is returned as a *Fault. A call that runs
// for long does not hold up the garbage collector or other goroutines.
// Call has no timeout: see CallContext and Run. It is safe to call from
// many goroutines at once.
func Call(addr uintptr, args ...uint64) (Result, error) {
	if len(args) > len(Args{}.Int) {
		return Result{}, errTooManyArgs(len(args))
	}
	if !ready.Load() {
		if err := setup(); err != nil {
			return Result{}, err
		}
	}
	return callFast(addr, args)
}

// CallContext is Call with a context: when ctx is done the code is
// interrupted (by a signal to its thread) and the error satisfies
// errors.Is(err, ctx.Err()). A context that is already done does not run
// the code.
func CallContext(ctx context.Context, addr uintptr, args ...uint64) (Result, error) {
	if len(args) > len(Args{}.Int) {
		return Result{}, errTooManyArgs(len(args))
	}
	var a Args
	copy(a.Int[:], args)
	return Run(ctx, addr, &a, nil)
}

// Run is the full call: integer and float arguments, a stack size, a
// timeout, a register snapshot, faults reported against a code range.
// ctx must not be nil; context.Background() runs without a deadline.
func Run(ctx context.Context, addr uintptr, args *Args, opt *Options) (Result, error) {
	if opt == nil {
		opt = &Options{}
	}
	if opt.StackSize < 0 {
		return Result{}, fmt.Errorf("trampoline: stack size %d is negative", opt.StackSize)
	}
	if opt.Timeout < 0 {
		return Result{}, fmt.Errorf("trampoline: timeout %v is negative", opt.Timeout)
	}
	if !ready.Load() {
		if err := setup(); err != nil {
			return Result{}, err
		}
	}
	if err := ctx.Err(); err != nil {
		return Result{}, &Interrupted{Err: err}
	}
	size := opt.StackSize
	if size == 0 {
		size = DefaultStackSize
	}
	if ps := execmem.PageSize(); size > math.MaxInt-ps {
		return Result{}, fmt.Errorf("trampoline: stack size %d is too large", opt.StackSize)
	} else {
		size = (size + ps - 1) &^ (ps - 1)
	}
	get, put := getUnit, putUnit
	if size != DefaultStackSize {
		p := poolFor(size)
		get, put = p.get, p.put
	}
	u, err := get()
	if err != nil {
		return Result{}, err
	}
	defer put(u)

	f := u.f
	f.fn = addr
	f.flags = 0
	if args != nil {
		f.ints, f.floats = args.Int, args.Float
		f.flags = flagFloats
	} else {
		f.ints = [6]uint64{}
	}
	if opt.Regs != nil {
		f.flags |= flagSnapshot
		f.gpr, f.xmm = [16]uint64{}, [16][2]uint64{}
		f.rip, f.rflags, f.mxcsr, f.fcw = 0, 0, 0, 0
	}

	deadline, hasDeadline := ctx.Deadline()
	if opt.Timeout > 0 {
		if d := time.Now().Add(opt.Timeout); !hasDeadline || d.Before(deadline) {
			deadline, hasDeadline = d, true
		}
	}
	var st uint32
	if !hasDeadline && ctx.Done() == nil {
		st = run(f)
	} else {
		st, err = u.runTimed(ctx, deadline, hasDeadline)
		if err != nil {
			return Result{}, err
		}
	}
	if opt.Regs != nil && (st == statusReturned || st == statusFault || st == statusTimeout) {
		*opt.Regs = f.regs()
	}
	if st != statusReturned {
		err := u.outcome(st, ctx, opt.Code)
		if it, ok := err.(*Interrupted); ok && it.Err == nil {
			it.Err = context.DeadlineExceeded
		}
		return Result{}, err
	}
	return Result{RAX: f.rax, RDX: f.rdx, X0: f.x0.Lo, X1: f.x1.Lo}, nil
}

// runTimed runs the call with its thread locked, a kernel timer for the
// deadline, and a context.AfterFunc for cancellation; both signal the
// thread with the call's value.
func (u *unit) runTimed(ctx context.Context, deadline time.Time, hasDeadline bool) (uint32, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	tid := gettid()
	u.seq++
	value := uint64(valueMagic)<<48 | uint64(u.index)<<32 | uint64(u.seq)
	f := u.f
	// A signal of an earlier call may have set interrupt after that call
	// ended: clear it before this call's value can be matched.
	f.interrupt = 0
	f.callValue = value
	defer func() { f.callValue = 0 }()
	if hasDeadline {
		d := time.Until(deadline)
		if d <= 0 {
			f.interrupt = 1
			return statusTimeout, nil
		}
		t, err := newThreadTimer(tid, value, d)
		if err != nil {
			return 0, err
		}
		defer t.stop()
	}
	if ctx.Done() != nil {
		stop := context.AfterFunc(ctx, func() { signalThread(tid, value) })
		defer stop()
	}
	return runWith(f, true), nil
}

// run runs one call on f's stack and returns its status.
func run(f *frame) uint32 { return runWith(f, false) }

func runWith(f *frame, keepInterrupt bool) uint32 {
	if !keepInterrupt {
		f.interrupt = 0
	}
	f.inCall = 1
	st := enter(f)
	if st == statusParked {
		st = runParked(f)
	}
	f.inCall = 0
	f.interrupt = 0
	return st
}

// outcome turns a status other than statusReturned into an error.
func (u *unit) outcome(st uint32, ctx context.Context, code Code) error {
	f := u.f
	var base uintptr
	var n int
	if code != nil {
		base, n = code.Addr(), code.Len()
	}
	switch st {
	case statusFault:
		ft := &Fault{
			Signal: signal(f.signo), Code: int(f.code), Addr: uintptr(f.addr), PC: uintptr(f.rip),
			ErrorCode: f.errcode, Trap: int(f.trapno), Regs: f.regs(),
			Entry: f.fn, CodeBase: base, CodeLen: n,
			GuardLow:  [2]uintptr{f.lo, f.stackLo},
			GuardHigh: [2]uintptr{f.stackTop + 16, f.hi},
		}
		ft.BadReturn = inTrampoline(ft.PC)
		return ft
	case statusTimeout:
		it := &Interrupted{PC: uintptr(f.rip), CodeBase: base, CodeLen: n}
		if f.rip != 0 {
			it.Regs = f.regs()
		}
		if ctx != nil {
			it.Err = ctx.Err()
		}
		return it
	}
	return fmt.Errorf("trampoline: internal error: call ended with status %d", st)
}

// callPooled is Call without the per-P fast path.
func callPooled(addr uintptr, args []uint64) (Result, error) {
	u, err := getUnit()
	if err != nil {
		return Result{}, err
	}
	setCallArgs(u.f, addr, args)
	return finishPooled(u, run(u.f))
}

// callArgsPooled is callArgsFast without the per-P fast path.
func callArgsPooled(addr uintptr, a *Args, floats bool) (Result, error) {
	u, err := getUnit()
	if err != nil {
		return Result{}, err
	}
	setArgs(u.f, addr, a, floats)
	return finishPooled(u, run(u.f))
}

// setArgs copies integer and float arguments into f.
func setArgs(f *frame, addr uintptr, a *Args, floats bool) {
	f.fn = addr
	f.ints = a.Int
	f.flags = 0
	if floats {
		f.floats = a.Float
		f.flags = flagFloats
	}
}

// finishPooled collects a call's result and gives its unit back.
func finishPooled(u *unit, st uint32) (Result, error) {
	if st != statusReturned {
		err := u.outcome(st, nil, nil)
		putUnit(u)
		return Result{}, err
	}
	f := u.f
	res := Result{RAX: f.rax, RDX: f.rdx, X0: f.x0.Lo, X1: f.x1.Lo}
	putUnit(u)
	return res, nil
}

// setCallArgs writes Call's arguments element by element: scalar stores
// the trampoline's loads can forward from (a zeroed array is written with
// 16-byte stores, a copy with memmove, and either costs more than the call
// itself). X0–X7 start zero (no flagFloats).
func setCallArgs(f *frame, addr uintptr, args []uint64) {
	f.fn = addr
	f.ints[0] = argAt(args, 0)
	f.ints[1] = argAt(args, 1)
	f.ints[2] = argAt(args, 2)
	f.ints[3] = argAt(args, 3)
	f.ints[4] = argAt(args, 4)
	f.ints[5] = argAt(args, 5)
	f.flags = 0
}

// inTrampoline reports whether pc lies in the trampoline's own code: a
// fault there means the code returned with the word above its return
// address (the frame pointer) overwritten.
func inTrampoline(pc uintptr) bool {
	fn := runtime.FuncForPC(pc)
	if fn == nil {
		return false
	}
	switch fn.Name() {
	case "github.com/jitrun/jitrun/trampoline.enter", "github.com/jitrun/jitrun/trampoline.badReturn":
		return true
	}
	return false
}

func argAt(args []uint64, i int) uint64 {
	if i < len(args) {
		return args[i]
	}
	return 0
}

func errTooManyArgs(n int) error {
	return fmt.Errorf("trampoline: %d integer arguments; at most 6 go in registers (RDI, RSI, RDX, RCX, R8, R9)", n)
}
