package trampoline

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"github.com/jitrun/jitrun/execmem"
	"github.com/jitrun/jitrun/internal/platform"
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

// MinTimeout is the shortest timeout a call accepts: a kernel timer set
// for less may fire before the code can start (arming it, and with
// PrivateTLS setting the FS base where the kernel does not let user mode
// run WRFSBASE, take system calls of a few microseconds each in a VM),
// and such a call would never run. (Measured on the 2-vCPU
// VM jitrun is built on: at 10µs 5% of calls with PrivateTLS could not
// start; at 20µs and above none of 200.)
const MinTimeout = 50 * time.Microsecond

// Options tune Run. The zero value (or a nil *Options) is the default
// stack, no timeout, no snapshot.
type Options struct {
	// StackSize is the usable stack, rounded up to whole pages; 0 means
	// DefaultStackSize. Stacks of each size are pooled.
	StackSize int
	// Timeout interrupts the code after this long (0: no timeout; at
	// least MinTimeout), counted from when the code starts: time the
	// call waits for its thread before that does not count (a timer that
	// fires before the code starts is armed again, up to eight times in
	// a row, after which the call ends as an *Interrupted that never
	// started), time the code spends parked while the runtime stops its
	// thread does (it is wall-clock time). It combines with the
	// context's deadline, an absolute time: the earlier one wins, and a
	// call whose context deadline passes before the code starts does not
	// run it.
	Timeout time.Duration
	// Regs, when non-nil, receives every register as the code left it:
	// after a return, at a fault, or where a timeout stopped it, the
	// YMM, ZMM and opmask registers included (Regs.Vector, which starts
	// zero in such a call). A fault or a timeout without it still
	// reports them (Fault.Regs, Interrupted.Regs).
	Regs *Regs
	// Code, when non-nil, is the code the address lies in: a Fault then
	// gives the PC's offset in it.
	Code Code
	// PrivateTLS runs the code with an FS base of its own: the middle of
	// an 8 KiB read+write block, between guard pages, whose first word
	// points to itself (as the C library's thread pointer does) and whose
	// other words start zero. The code's FS-relative reads and writes
	// then reach that block, not the Go runtime's thread-local storage
	// (the runtime's M), which a stray FS-relative write would corrupt
	// beyond the words the trampoline puts back (mguard.go): the one way
	// left for code to kill the program that the trampoline cannot undo.
	// Where the kernel lets user mode run RDFSBASE and WRFSBASE (FSGSBASE,
	// Linux 5.9 and later) it costs about a tenth of a microsecond a call;
	// elsewhere a system call on entry and two on the way back (a few
	// microseconds in a VM). jitrun's CLI uses it, Call and bound
	// functions do not.
	PrivateTLS bool
}

// Interrupted is the error of a call stopped by its timeout or by its
// context: Err is context.DeadlineExceeded or context.Canceled, so
// errors.Is(err, context.DeadlineExceeded) works on it.
//
// PC and Regs are where the code was stopped: where it ran, or where it
// was parked when the runtime had stopped its thread. PC is 0 only for a
// call whose code never started: its context was done, or its context's
// deadline passed, before it could (or its timer kept firing first, see
// Options.Timeout).
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

// parks counts the calls parked so far (tests check the path is taken).
var parks atomic.Int64

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
//
// An argument that is an address must be of memory that stays where it
// is while the code runs: mapped memory (execmem.Map, the memarg
// package), or Go memory passed through a bound function's
// unsafe.Pointer parameter (Bind2), which keeps it alive and in place.
// A Go variable's address converted to an integer is not: nothing keeps
// the variable off the goroutine's stack, which the runtime may move
// while a long call is parked.
func Call(addr uintptr, args ...uint64) (Result, error) {
	if len(args) > len(Args{}.Int) || !ready.Load() {
		return callFirst(addr, args)
	}
	return callDefault(addr, unsafe.SliceData(args), len(args), nil, 0, nil, nil)
}

// callFirst is Call's first call in the process, or a call with too many
// arguments.
func callFirst(addr uintptr, args []uint64) (Result, error) {
	if len(args) > len(Args{}.Int) {
		return Result{}, errTooManyArgs(len(args))
	}
	if err := setup(); err != nil {
		return Result{}, err
	}
	return callDefault(addr, unsafe.SliceData(args), len(args), nil, 0, nil, nil)
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
	if !validTimeout(opt.Timeout) {
		return Result{}, badTimeout(opt.Timeout)
	}
	if !ready.Load() {
		if err := setup(); err != nil {
			return Result{}, err
		}
	}
	// A context whose Done is nil (Background, TODO and those derived
	// from them by WithValue) is never done.
	cancellable := ctx.Done() != nil
	if cancellable {
		if err := ctx.Err(); err != nil {
			return Result{}, &Interrupted{Err: err}
		}
	}
	size, err := roundStack(opt.StackSize)
	if err != nil {
		return Result{}, err
	}
	var floats *[8]uint64
	a := args
	if a == nil {
		a = &noArgs
	} else {
		floats = &a.Float
	}
	flags := flagsFor(floats, opt.Regs)
	if opt.Timeout == 0 && !cancellable && size == DefaultStackSize && !opt.PrivateTLS {
		// No deadline, no cancellation: the cheap path, in place on the
		// P's cached stack when it is free.
		return callDefault(addr, &a.Int[0], len(a.Int), floats, flags, opt.Regs, opt.Code)
	}
	u, err := acquire(size)
	if err != nil {
		return Result{}, err
	}
	defer release(u)
	if opt.PrivateTLS {
		if err := u.prepareTLS(); err != nil {
			return Result{}, err
		}
		flags |= flagPrivateTLS
	}
	prepare(u.f, addr, floats, flags)
	var st status
	if opt.Timeout == 0 && !cancellable {
		st = execute(u.f, u.f.stackTop, &a.Int[0], len(a.Int))
	} else if st, err = u.executeTimed(ctx, opt.Timeout, &a.Int); err != nil {
		return Result{}, err
	}
	return u.finish(ctx, st, opt.Regs, opt.Code)
}

// validTimeout reports whether d is a timeout (Options.Timeout) a call
// accepts: 0 (none) or at least MinTimeout. badTimeout is the error for
// one it does not.
func validTimeout(d time.Duration) bool { return d == 0 || d >= MinTimeout }

func badTimeout(d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("trampoline: timeout %v is negative", d)
	}
	return fmt.Errorf("trampoline: timeout %v is shorter than MinTimeout (%v): a kernel timer that short fires before the code can start", d, MinTimeout)
}

// noArgs stands for a nil *Args: it is never written.
var noArgs Args

// roundStack returns the stack a call asks for with size (0: the
// default), rounded up to whole pages.
func roundStack(size int) (int, error) {
	if size == 0 {
		return DefaultStackSize, nil
	}
	ps := execmem.PageSize()
	if size > math.MaxInt-ps {
		return 0, fmt.Errorf("trampoline: stack size %d is too large", size)
	}
	return (size + ps - 1) &^ (ps - 1), nil
}

// flagsFor returns a call's frame flags: float arguments to load, a
// snapshot to take.
func flagsFor(floats *[8]uint64, regs *Regs) uint32 {
	var flags uint32
	if floats != nil {
		flags |= flagFloats
	}
	if regs != nil {
		flags |= flagSnapshot
	}
	return flags
}

// prepare writes a call's inputs into its frame: the address, the float
// arguments (nil: X0–X7 start zero) and the flags; and clears the
// snapshot when one is asked for. enter reads the integer arguments from
// where the caller has them.
func prepare(f *frame, addr uintptr, floats *[8]uint64, flags uint32) {
	f.fn = addr
	f.flags = flags
	if floats != nil {
		f.floats = *floats
	}
	if flags&flagSnapshot != 0 {
		f.clearSnapshot()
	}
}

// execute runs one call on f's stack (top is f.stackTop) with the n
// integer arguments at ints and returns how it ended: returned, fault or
// timeout.
func execute(f *frame, top uintptr, ints *uint64, n int) status {
	f.interrupt = 0
	f.inCall = 1
	st := enter(f, top, ints, n)
	if st != statusReturned {
		st = complete(f, st, ints, n, false)
	}
	f.inCall = 0
	f.interrupt = 0
	return st
}

// complete takes a call that enter (or resume, when started) did not end
// with a return to its end: it binds the frame to a new thread and enters
// or resumes again, resumes parked code, decides the system calls the
// filter stopped (decide.go), and gives a call whose stack an earlier call
// broke a new one. It returns returned, fault or timeout.
func complete(f *frame, st status, ints *uint64, n int, started bool) status {
	renewed := false
	for {
		switch st {
		case statusFault:
			if started || renewed || !inEnter(uintptr(f.rip)) {
				return st
			}
			// The prologue faulted on the stack before the code ran: an
			// earlier call broke it (without GuardSyscalls the code may
			// mprotect or munmap it). A new stack, and the call again.
			renewed = true
			units[f.index].renewStack()
			st = enter(f, f.stackTop, ints, n)
		case statusNewThread:
			f.bind()
			if started {
				st = resumeCode(f)
			} else {
				st = enter(f, f.stackTop, ints, n)
			}
		case statusParked:
			started = true
			parks.Add(1)
			st = resumeCode(f)
		case statusSyscall:
			started = true
			if !f.decideSyscall() {
				return statusFault
			}
			st = resumeCode(f)
		default:
			return st
		}
	}
}

// finish turns how a call ended into its result or error (with the
// registers, when regs is not nil), and renews the unit's stack when the
// code may have broken it.
func (u *unit) finish(ctx context.Context, st status, regs *Regs, code Code) (Result, error) {
	f := u.f
	if regs != nil && (st == statusReturned || st == statusFault || st == statusTimeout && f.started()) {
		f.readRegs(regs)
	}
	if st == statusReturned {
		return Result{RAX: f.rax, RDX: f.rdx, X0: f.x0.Lo, X1: f.x1.Lo}, nil
	}
	err := u.outcome(st, ctx, code)
	u.checkStack(st)
	return Result{}, err
}

// executeTimed runs the call (a Machine's run when ints is nil) with its
// thread locked, the frame's kernel timer for the deadline (the earlier of
// timeout, counted from when the code starts, and ctx's deadline; see
// timer.go) and a context.AfterFunc for cancellation (cancel.go); both
// signal the thread.
//
// A call starts unless ctx is done, or its deadline has passed, before
// the code does. The timer is armed with what is left at the last moment,
// with the goroutine pinned to its P, so that nothing in Go (preemption,
// the scheduler) stands between the timer and the code; if the timer
// still fires first (the kernel did not run the thread in between), the
// call is started again, at most maxEarlyTimeouts times (then it ends as
// a timeout that never started: never a loop), unless ctx's deadline is
// what passed. Once the code has started, a timeout that finds it parked
// (the runtime had stopped it) reports the registers it was parked with.
func (u *unit) executeTimed(ctx context.Context, timeout time.Duration, ints *[6]uint64) (status, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	f := u.f
	f.bindHere() // now, not after the timer is armed
	// The thread's id as it is now, not the frame's binding, which may
	// be stale (an M the runtime freed and made again at its address).
	tid, m, g0 := currentThread()
	defer func() {
		f.setCallValue(0)
		f.interrupt = 0
	}()
	if done := ctx.Done(); done != nil {
		u.watchCancel(ctx, done, tid)
		defer u.cancelWatch.setThread(0)
	}
	ctxDeadline, hasCtxDeadline := ctx.Deadline()
	for attempt := 1; ; attempt++ {
		u.seq++
		// A signal of an earlier call may have set interrupt after that
		// call ended: clear it before this attempt's value can be
		// matched. rip stays 0 unless the code is stopped where it runs.
		f.interrupt = 0
		f.rip = 0
		f.setCallValue(uint64(valueMagic)<<48 | uint64(u.index)<<32 | uint64(u.seq))
		if ctx.Err() != nil {
			return statusTimeout, nil // cancelled before the code could start
		}

		procPin()
		d := timeout
		if hasCtxDeadline {
			left := time.Until(ctxDeadline)
			if left <= 0 {
				procUnpin()
				return statusTimeout, nil // ctx's deadline passed before the code could start
			}
			if d == 0 || left < d {
				d = left
			}
		}
		if d > 0 {
			op, errno := f.armDeadline(timerKey{int32(tid), m, g0}, nanotime()+int64(d))
			if errno == syscall.EINVAL && m != 0 {
				// The M's thread id names no thread of this process:
				// code without PrivateTLS wrote over the M through FS.
				// Ask the kernel for this call.
				tid, m, g0 = platform.Gettid(), 0, 0
				if done := ctx.Done(); done != nil {
					u.cancelWatch.setThread(tid)
				}
				op, errno = f.armDeadline(timerKey{int32(tid), m, g0}, nanotime()+int64(d))
			}
			if errno != 0 {
				procUnpin()
				return 0, fmt.Errorf("trampoline: %s: %w", op, errno)
			}
		}
		f.inCall = 1
		var st status
		if ints == nil { // a Machine's run: its state is in the frame
			procUnpin()
			st = complete(f, resumeCode(f), nil, 0, true)
		} else {
			st = enter(f, f.stackTop, &ints[0], len(ints))
			procUnpin()
			if st != statusReturned {
				st = complete(f, st, &ints[0], len(ints), false)
			}
		}
		f.inCall = 0
		if d > 0 {
			f.disarmDeadline()
		}
		if st == statusTimeout && !f.started() && ctx.Err() == nil && attempt < maxEarlyTimeouts &&
			(!hasCtxDeadline || time.Now().Before(ctxDeadline)) {
			continue // the timer fired before the code started: start it again
		}
		return st, nil
	}
}

// maxEarlyTimeouts is how many times a timed call is started again when
// its timer fires before its code starts.
const maxEarlyTimeouts = 8

// started reports whether a call stopped by a timeout had started its
// code: the handler saw it outside the trampoline's prologue (rip), or it
// was parked (resumeCode then copies the parked registers in).
func (f *frame) started() bool {
	pc := uintptr(f.rip)
	return pc != 0 && pc != tramp.callSite && !inPrologueText(pc)
}

// clearSnapshot zeroes the registers a call records at return, so that a
// call stopped before its code started reports zeros, not an earlier
// call's registers.
func (f *frame) clearSnapshot() {
	f.gpr, f.xmm = [16]uint64{}, [16]XMM{}
	f.rip, f.rflags, f.mxcsr, f.fcw, f.vecLen = 0, 0, 0, 0, 0
}

// outcome turns a status other than statusReturned into an error: a
// *Fault, or an *Interrupted wrapping ctx's error (DeadlineExceeded when
// ctx is nil or not done: the timeout of Options or of the deadline).
func (u *unit) outcome(st status, ctx context.Context, code Code) error {
	f := u.f
	var base uintptr
	var n int
	if code != nil {
		base, n = code.Addr(), code.Len()
	}
	switch st {
	case statusFault:
		return f.fault(base, n)
	case statusTimeout:
		it := &Interrupted{CodeBase: base, CodeLen: n}
		if f.started() {
			it.PC = uintptr(f.rip)
			f.readRegs(&it.Regs)
		}
		if ctx != nil {
			it.Err = ctx.Err()
		}
		if it.Err == nil {
			it.Err = context.DeadlineExceeded
		}
		return it
	}
	return fmt.Errorf("trampoline: internal error: call ended with status %v", st)
}

// fault makes the *Fault of a call that ended with statusFault, for code
// at [base, base+n).
func (f *frame) fault(base uintptr, n int) *Fault {
	ft := &Fault{
		Signal: signal(f.signo), Code: int(f.code), Addr: uintptr(f.addr), PC: uintptr(f.rip),
		ErrorCode: f.errcode, Trap: int(f.trapno),
		Entry: f.fn, CodeBase: base, CodeLen: n,
		EntryRSP:  f.stackTop - 8,
		GuardLow:  [2]uintptr{f.lo, f.stackLo},
		GuardHigh: [2]uintptr{f.stackTop + 16, f.hi},
		Syscall:   f.syscall(),
	}
	f.readRegs(&ft.Regs)
	units[f.index].refusal = ""
	switch {
	case ft.PC == tramp.callSite:
		// The CPU refused the CALL itself (Intel: #GP for a
		// non-canonical target): none of the code ran.
		ft.AtCall, ft.PC = true, f.fn
	case ft.Trap == 13 && ft.PC == f.fn && !canonical(f.fn):
		// The same refused at the target (the fetch), as AMD
		// reports it.
		ft.AtCall = true
	default:
		ft.BadReturn = inTrampoline(ft.PC)
		// The CPU fetched the instruction at PC unless the fault is
		// that fetch (a page fault on an instruction fetch).
		fetched := ft.Trap != 14 || ft.ErrorCode&pfFetchBit == 0
		if n := readText(ft.PC, ft.text[:], base, n, fetched); n > 0 {
			ft.Text = ft.text[:n:n]
		}
	}
	return ft
}

// canonical reports whether a is a canonical x86-64 address (bits 63–47
// all equal, for 48-bit virtual addresses; 57-bit ones are not used by
// Linux unless a program asks for them).
func canonical(a uintptr) bool {
	top := a >> 47
	return top == 0 || top == 1<<17-1
}

// inTrampoline reports whether pc lies in the trampoline's own code
// around the call, after the code's RET: callSite's epilogue, or
// badReturn, which it jumps to when the code returned with its stack not
// as it had it.
// (Two ranges set at set-up: runtime.FuncForPC took about 1% of a
// recovered fault's time, perf.)
func inTrampoline(pc uintptr) bool { return inRanges(pc, trampText[:]) }

// inRanges reports whether pc lies in one of the [start, end) ranges.
func inRanges(pc uintptr, ranges [][2]uintptr) bool {
	for _, r := range ranges {
		if pc >= r[0] && pc < r[1] {
			return true
		}
	}
	return false
}

func errTooManyArgs(n int) error {
	return fmt.Errorf("trampoline: %d integer arguments; at most 6 go in registers (RDI, RSI, RDX, RCX, R8, R9)", n)
}

// callPooled is callDefault on a unit of the pool.
func callPooled(addr uintptr, ints *uint64, n int, floats *[8]uint64, flags uint32, regs *Regs, code Code) (Result, error) {
	u, err := defPool.get()
	if err != nil {
		return Result{}, err
	}
	prepare(u.f, addr, floats, flags)
	res, err := u.finish(nil, execute(u.f, u.f.stackTop, ints, n), regs, code)
	putUnit(u)
	return res, err
}
