// Package trampoline calls machine code from Go and always comes back:
// whatever the code does — return, fault, loop, trash registers, flags,
// its stack pointer, the FS base or the code segment — the program keeps
// running and gets a precise answer.
//
// The model: each call runs on a stack of its own, mmap'd between two
// PROT_NONE guard regions of StackGuardSize (a megabyte each: larger than
// any RET imm16) and reused through a pool, never on a goroutine's stack.
// A short assembly trampoline switches to that stack, loads the System V
// AMD64 argument registers (RDI, RSI, RDX, RCX, R8, R9; XMM0–XMM7) with
// every other register zeroed (EntryRegs), calls the code, collects RAX,
// RDX, XMM0 and XMM1, and restores what Go relies on: RSP and RBP, DF,
// AC, TF and NT cleared, MXCSR and the x87 control word back to Go's (in a
// program without cgo these are Go's fixed defaults, GoMXCSR and GoX87CW,
// which Go code never changes, so the trampoline restores them without
// reading them first on every call — on AMD it loads MXCSR after every
// call, where reading it is the slower way; with cgo, whose C code may set
// them, it saves and restores the thread's own), an empty x87 stack, clean
// upper YMM state, and the FS base — Go's thread-local storage — with the
// goroutine's slot in it. No pointer into Go's memory is left in the
// code's registers or on its stack (its FS base is still Go's
// thread-local storage, where the goroutine's g lies, unless
// Options.PrivateTLS gives it one of its own).
//
// A process-wide signal handler, installed on the first call for every
// signal the Go runtime handles, turns the code's SIGSEGV, SIGBUS, SIGILL,
// SIGFPE and SIGTRAP (and SIGSYS, below) into a *Fault and resumes in the
// trampoline's recovery path with the 64-bit code and stack segments back:
// by jumping there from the handler and putting back the signal mask
// itself, which costs a system call where rt_sigreturn would cost more
// than twice that in a VM (it goes through rt_sigreturn when that would
// restore more: a signal stack with SS_AUTODISARM, or a PKRU the code
// changed).
// A signal is the call's when the interrupted RSP lies on the call's stack
// (its guard regions included) or — code that moved RSP elsewhere — when
// it arrived on the signal stack of the thread the call runs on: every
// call checks that its frame is bound to the goroutine's thread (the
// runtime's M), and the handler confirms the thread by its id. Any other
// signal goes on to the Go runtime's handler with the same arguments, as
// os/signal prescribes for non-Go handlers, so Go's own faults still panic
// as usual — after the handler has cleared EFLAGS.AC and, when it
// interrupted code, given Go its FS base back. (Do not call signal.Ignore
// on a signal: it replaces the handler.)
//
// Long calls stay friendly to the runtime. The fast path holds its P like
// any Go code, but the runtime cannot preempt machine code, so the handler
// also watches SIGURG, the runtime's request to stop a thread (for a
// garbage collection's stop-the-world, a stack scan, or preemption): when
// it interrupts a call, the handler saves the code's registers, returns to
// Go, and the call continues — with the FPU state and every register
// restored exactly — in the runtime's syscall state, so the collector and
// the other goroutines go on while it runs. Short calls never pay for it.
// (Code running with RSP off its stack cannot be resumed that way: the
// collector waits for it to return, fault or time out.)
//
// Timeouts (Run's Options.Timeout, at least MinTimeout, and CallContext's
// context) use a real-time signal, TimeoutSignal, sent to the calling
// thread by a kernel timer or on cancellation; the code is interrupted
// where it is (or where it was parked) and the call returns an
// *Interrupted wrapping context.DeadlineExceeded or context.Canceled. The
// timer is armed at the last moment before the code starts, so a call's
// code starts unless its context is done first. Each stack's timer, and
// its registration with a cancellable context, are kept from call to
// call (timer.go, cancel.go), so that a timed call in a loop costs
// no system call and no allocation.
//
// System calls the code makes run as they are, unless the program calls
// GuardSyscalls (process-wide and irreversible, like the handler): a
// seccomp filter then refuses those that would end, fork or derail the
// process (exit, exit_group, clone, rt_sigaction, …), or all of them, and
// stops the memory system calls and opens for Go to decide (decide.go: the
// code may change only memory it mapped itself, never make memory
// writable and executable, never open this process's memory file); the
// handler turns a refusal into a *Fault whose Syscall says which call was
// refused and why.
//
// A Machine holds the whole state of code that runs in pieces: RunMachine
// runs it until a breakpoint, a fault or a timeout; StepMachine runs one
// instruction, entering the code with IRETQ and the trap flag set so that
// the CPU's single-step trap (SIGTRAP TRAP_TRACE, handled like a fault)
// comes right after it, with the state saved there and the trap flag
// cleared before Go runs. System-call instructions, after which the
// kernel's return would hold the trap for one more instruction, run out
// of line without the trap flag, from a page of the machine's own,
// under the same system-call policy, and come back as if run in place.
//
// A fault of the call itself — the CPU refusing the CALL, as for a
// non-canonical address — is a *Fault with AtCall set, not a corrupt
// return; a return the trampoline cannot take (RSP not where the return
// address was, the frame word overwritten, the trap flag set) is one with
// BadReturn set.
//
// FS-relative writes (fnsave fs:[rsi]) reach the Go runtime's M of the
// thread, in which FS points. The trampoline puts back the words Go's
// signal handler reads (g0, gsignal, the signal mask, curg: mguard.go) and
// the goroutine's TLS slot before Go runs again; the rest of the M (its
// P, the scheduler's fields), and curg while the code still runs (Go's
// sysmon reads it), are beyond repair after the fact. Options.PrivateTLS gives
// the code an FS base of its own for that, at the cost of a few system
// calls per call.
//
// A register snapshot (Options.Regs, Fault.Regs, Interrupted.Regs, a
// Machine's Regs) holds the whole vector state the code left where the CPU
// has it: the YMM upper halves, ZMM0–31 and k0–k7 (Regs.Vector, Regs.Vec),
// read from an XSAVE image — the trampoline's own at a return or a park,
// the kernel's signal frame at a fault or a timeout. A call with
// Options.Regs, and a Machine, start with all of it zero; in other calls
// ZMM16–31 and k0–k7 may still hold what earlier code on the thread left
// (Vector.Zeroed says which).
//
// Call is the cheap path (integer arguments); Run takes float arguments, a
// stack size, a timeout, a register snapshot and PrivateTLS; Bind0…Bind8
// bind code to a typed Go function without allocating per call; a Caller
// holds a stack for one goroutine's calls, the cheapest path of all. Each
// goes through one call path: a unit (a frame and its stack) from the
// P's cache or a pool, enter, the statuses that follow (a new thread, a
// park, a system call to decide), and one finish. Everything but a Caller
// is safe for concurrent use. It needs linux/amd64; elsewhere every call
// returns an error wrapping errors.ErrUnsupported.
package trampoline
