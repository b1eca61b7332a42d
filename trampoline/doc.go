// Package trampoline calls machine code from Go and always comes back:
// whatever the code does — return, fault, loop, trash registers and flags —
// the program keeps running and gets a precise answer.
//
// The model: each call runs on a stack of its own, mmap'd with a PROT_NONE
// guard page below (and above) it and reused through a pool, never on a
// goroutine's stack. A short assembly trampoline switches to that stack,
// loads the System V AMD64 argument registers (RDI, RSI, RDX, RCX, R8, R9;
// XMM0–XMM7) with every other register zeroed (EntryRegs), calls the code,
// collects RAX, RDX, XMM0 and XMM1, and restores what Go relies on: RSP and
// RBP, DF and AC cleared, MXCSR and the x87 control word back to Go's.
// (In a program without cgo these are Go's fixed defaults, GoMXCSR and
// GoX87CW, which Go code never changes, so the trampoline compares
// against them instead of reading them on every call; with cgo, whose C
// code may set them, it saves and restores the thread's own values.)
//
// A process-wide signal handler, installed on the first call, turns the
// code's SIGSEGV, SIGBUS, SIGILL, SIGFPE and SIGTRAP (and SIGSYS, below)
// into a *Fault: when
// the interrupted RSP lies on a call's stack it records the signal, si_code,
// address, error code, trap number and every register, and resumes in the
// trampoline's recovery path. Any other signal of those kinds goes on to
// the Go runtime's handler with the same arguments, as os/signal prescribes
// for non-Go handlers, so Go's own faults still panic as usual. (Do not
// call signal.Ignore on those signals: it replaces the handler.)
//
// Long calls stay friendly to the runtime. The fast path holds its P like
// any Go code, but the runtime cannot preempt machine code, so the handler
// also watches SIGURG, the runtime's request to stop a thread (for a
// garbage collection's stop-the-world, a stack scan, or preemption): when
// it interrupts a call, the handler saves the code's registers, returns to
// Go, and the call continues — with the FPU state and every register
// restored exactly — in the runtime's syscall state, so the collector and
// the other goroutines go on while it runs. Short calls never pay for it.
//
// Timeouts (Run's Options.Timeout, CallContext's context) use a real-time
// signal, TimeoutSignal, sent to the calling thread by a kernel timer or
// on cancellation; the code is interrupted where it is (or where it was
// parked) and the call returns an *Interrupted wrapping
// context.DeadlineExceeded or context.Canceled. The timer is armed at the
// last moment before the code starts, so a call's code starts unless its
// context is done first.
//
// System calls the code makes run as they are, unless the program calls
// GuardSyscalls (process-wide and irreversible, like the handler): a
// seccomp filter then refuses those that would end, fork or derail the
// process (exit, exit_group, clone, rt_sigaction, …), or all of them, and
// the handler turns the filter's SIGSYS into a *Fault whose Syscall says
// which call was refused and why.
//
// A fault of the call itself — the CPU refusing the CALL, as for a
// non-canonical address — is a *Fault with AtCall set, not a corrupt
// return.
//
// A signal belongs to a call when the interrupted RSP lies on the call's
// stack (its guard pages included). Code that points RSP somewhere else
// runs outside this protection until it puts it back: a fault there
// reaches Go's handler (which ends the program), and a timeout cannot
// interrupt it.
//
// Call is the cheap path (integer arguments); Run takes float arguments, a
// stack size, a timeout and a register snapshot; Bind0…Bind8 bind code to a
// typed Go function without allocating per call; a Caller holds a stack
// for one goroutine's calls, the cheapest path of all. Everything but a
// Caller is safe for concurrent use. It needs linux/amd64; elsewhere every call returns an
// error wrapping errors.ErrUnsupported.
package trampoline
