package trampoline

import (
	"fmt"
	"math"
	"strings"
	"syscall"
)

// Fault is a synchronous signal raised by the code: SIGSEGV, SIGBUS,
// SIGILL, SIGFPE or SIGTRAP, or SIGSYS for a system call refused under
// GuardSyscalls. The call returns it as its error; use errors.As to get
// at it.
type Fault struct {
	Signal    syscall.Signal
	Code      int     // si_code: SEGV_ACCERR, ILL_ILLOPN, SI_KERNEL, SYS_SECCOMP, … (CodeName)
	Addr      uintptr // si_addr: the faulting address (0 for SI_KERNEL faults; for SIGSYS si_call_addr, = PC)
	PC        uintptr // RIP at the fault (after the instruction for INT3 and for a refused system call)
	ErrorCode uint64  // the CPU's error code; for a page fault see PageFault
	Trap      int     // the x86 exception vector: 14 page fault, 13 #GP, 6 #UD, …; -1 for SIGSYS (none)
	Regs      Regs    // every register at the fault

	// Entry is the address that was called. CodeBase and CodeLen are the
	// code's range when the call was told it (Options.Code), else zero.
	Entry    uintptr
	CodeBase uintptr
	CodeLen  int
	// EntryRSP is the RSP the code started with: its return address is
	// there.
	EntryRSP uintptr
	// GuardLow and GuardHigh are the guard regions below and above the
	// call's stack, [start, end).
	GuardLow, GuardHigh [2]uintptr
	// BadReturn is set when the code returned but the trampoline could
	// not take the return: RSP not where the return address was, the
	// word above it (the call's frame) overwritten, the trap flag set, an
	// x87 exception pending, or the stack made unusable. The fault is
	// then the trampoline's epilogue's, reported as the call's.
	BadReturn bool
	// AtCall is set when the call itself faulted: the CPU refused to
	// transfer control to Entry, and none of the code ran. Intel raises
	// the #GP of a non-canonical target on the CALL instruction (the SDM's
	// CALL pseudo-code checks the target before it updates RIP), which is
	// the trampoline's own; AMD raises it at the target, on the fetch.
	// Either way PC is Entry (Regs.RIP is where the CPU reported it). A
	// page fault on fetching Entry is not AtCall: the CALL completed and
	// the fetch at Entry faulted (PC Entry, error code with the
	// instruction-fetch bit), on both vendors.
	AtCall bool
	// Text is up to MaxInstructionLen bytes of memory at PC, read after
	// the fault (fewer where the memory ends or turns unreadable; none
	// when the PC's page cannot be read or the call was refused): what
	// the CPU would have run, for listing an instruction outside the
	// code, e.g. on a page without execute permission.
	Text []byte
	// Syscall is the system call refused, for SIGSYS; nil otherwise.
	// The call did not run; Regs.GPR[RAX] holds its number.
	Syscall *Syscall

	// text is where Text's bytes are: one allocation per fault, not two.
	text [MaxInstructionLen]byte
}

// sigSYS is SIGSYS on Linux (the syscall package of some systems lacks
// the name).
const sigSYS = syscall.Signal(31)

// MaxInstructionLen is the longest x86 instruction, in bytes.
const MaxInstructionLen = 15

// Offset returns the PC's offset from the start of the code, when the
// call knew the code's range (Options.Code) and the PC lies in it. For a
// breakpoint the PC is just after the INT3, and for a refused system call
// just after the SYSCALL, which may be one past the end.
func (f *Fault) Offset() (uintptr, bool) {
	end := uintptr(f.CodeLen)
	if f.Trap == 3 && f.Signal == syscall.SIGTRAP || f.Signal == sigSYS {
		end++
	}
	if f.CodeLen > 0 && f.PC >= f.CodeBase && f.PC-f.CodeBase < end {
		return f.PC - f.CodeBase, true
	}
	return 0, false
}

// StackOverflow reports whether the fault is an access to the guard region
// below the stack (the stack ran out), or to the one above it.
func (f *Fault) StackOverflow() bool { return f.inGuard(f.GuardLow) || f.inGuard(f.GuardHigh) }

// PageFault returns the decoded page-fault error code when the fault is a
// page fault (Trap 14).
func (f *Fault) PageFault() (PageFaultCode, bool) {
	if f.Trap != 14 {
		return 0, false
	}
	return PageFaultCode(f.ErrorCode), true
}

// SignalName returns the signal's name, "SIGSEGV".
func (f *Fault) SignalName() string { return SignalName(f.Signal) }

// CodeName returns the si_code's name for the signal, "SEGV_ACCERR".
func (f *Fault) CodeName() string { return CodeName(f.Signal, f.Code) }

// TrapName returns the exception's mnemonic, "#PF".
func (f *Fault) TrapName() string { return TrapName(f.Trap) }

// Error describes the fault in one line, e.g.
//
//	SIGSEGV (SEGV_ACCERR) at pc 0x7f3a2c001012 (+0x12): instruction fetch from a non-executable page (NX) at 0xc000012000
func (f *Fault) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s) at pc %#x", f.SignalName(), f.CodeName(), f.PC)
	if off, ok := f.Offset(); ok {
		fmt.Fprintf(&b, " (+%#x)", off)
	} else if f.CodeLen > 0 {
		b.WriteString(" (outside the code)")
	}
	b.WriteString(": ")
	b.WriteString(f.Description())
	return b.String()
}

// Description says in words what went wrong, without the signal and PC:
// a short sentence from the fault table (Describe), or, for the faults
// the trampoline itself knows more about, theirs. The explain package
// says more, with the instruction and the memory map at hand.
func (f *Fault) Description() string { return f.describe(true) }

// Meaning is Description without the faulting address, for a report that
// shows the address on a line of its own.
func (f *Fault) Meaning() string { return f.describe(false) }

func (f *Fault) describe(withAddr bool) string {
	at := ""
	if withAddr {
		at = fmt.Sprintf(" at %#x", f.Addr)
	}
	switch {
	case f.BadReturn:
		return f.returnDescription()
	case f.Signal == sigSYS && f.Syscall != nil:
		return "system call " + f.Syscall.String() + " refused: " + f.Syscall.Reason()
	case f.AtCall && f.Trap == 13 && !canonical(f.Entry):
		return fmt.Sprintf("call to a non-canonical address %#x (the CPU refused the call; nothing ran)", f.Entry)
	case f.AtCall:
		return fmt.Sprintf("the call to %#x itself faulted (nothing ran)", f.Entry)
	case f.inGuard(f.GuardLow):
		return "stack overflow into the guard region below the stack" + at
	case f.inGuard(f.GuardHigh):
		return "access above the top of the stack, into the guard region there" + at
	}
	if withAddr {
		return Describe(f.Signal, f.Code, f.Trap, f.ErrorCode, f.Addr)
	}
	return Meaning(f.Signal, f.Code, f.Trap, f.ErrorCode)
}

// returnDescription says why a return faulted (BadReturn): what the code
// left behind that the trampoline's epilogue could not run with.
func (f *Fault) returnDescription() string {
	// The epilogue's two pushes come before any fault of its own.
	retRSP := uintptr(f.Regs.GPR[RSP]) + 16
	switch {
	case f.Signal == syscall.SIGTRAP:
		return "the code returned with the trap flag (EFLAGS.TF) set: the single-step trap fired after its RET"
	case f.inGuard(f.GuardHigh):
		// The first push faulted: RSP is still the RET's.
		return fmt.Sprintf("the code returned with RSP %+d bytes from where its return address was, in the guard region above the stack (a RET imm16?)", int64(uintptr(f.Regs.GPR[RSP])-(f.EntryRSP+8)))
	case (f.PC == tramp.badReturn || f.Trap == 13) && retRSP != f.EntryRSP+8:
		return fmt.Sprintf("the code returned with RSP %+d bytes from where its return address was (pushes and pops that do not balance, or a RET imm16)", int64(retRSP-(f.EntryRSP+8)))
	case f.PC == tramp.badReturn || f.Trap == 13:
		// (The frame word, XORed with a non-canonical key, makes a #GP
		// when the code overwrote it.)
		return "the code returned after overwriting the word above its return address, where the trampoline keeps the call's frame"
	case f.Signal == syscall.SIGFPE:
		return "the code returned with an x87 floating-point exception pending"
	case f.Trap == 14 && f.Addr >= f.GuardLow[1] && f.Addr < f.GuardHigh[0]:
		return "the code returned with its stack unusable: it changed the protection of the stack's own pages"
	}
	return "the code's return faulted in the trampoline: " + Describe(f.Signal, f.Code, f.Trap, f.ErrorCode, f.Addr)
}

// inGuard reports whether the fault's address lies in guard region g (and
// the fault is one of memory).
func (f *Fault) inGuard(g [2]uintptr) bool {
	return (f.Signal == syscall.SIGSEGV || f.Signal == syscall.SIGBUS) && g[1] > g[0] && f.Addr >= g[0] && f.Addr < g[1]
}

// faultRow is one class of fault: what it matches — the signal, an si_code
// range, the exception vector (anyTrap: every one) and bits of the CPU's
// error code — and its description, which names the faulting address
// when withAddr is set. Adding a class of fault is adding a row here (and
// a test).
type faultRow struct {
	sig              syscall.Signal
	codeLo, codeHi   int // si_code in [codeLo, codeHi]
	trap             int
	errMask, errWant uint64 // ErrorCode&errMask == errWant
	withAddr         bool
	text             string
}

const (
	anyTrap    = -2
	anyCode    = math.MinInt32
	anyCodeHi  = math.MaxInt32
	pfWriteBit = 1 << 1
	pfFetchBit = 1 << 4
)

// row is a faultRow for one si_code (anyCode: every one).
func row(sig syscall.Signal, code, trap int, errMask, errWant uint64, withAddr bool, text string) faultRow {
	hi := code
	if code == anyCode {
		hi = anyCodeHi
	}
	return faultRow{sig, code, hi, trap, errMask, errWant, withAddr, text}
}

// faultTable is every class of fault the trampoline reports, the first
// row that matches wins. (SEGV_MAPERR 1, SEGV_ACCERR 2, SEGV_PKUERR 4;
// BUS_ADRALN 1, BUS_ADRERR 2; ILL_PRVOPC 5, ILL_PRVREG 6; TRAP_TRACE 2;
// FPE_INTDIV 1, FPE_INTOVF 2, FPE_FLTDIV…FPE_FLTSUB 3–8.)
var faultTable = []faultRow{
	row(syscall.SIGSEGV, 1, 14, pfFetchBit, pfFetchBit, true, "instruction fetch from an unmapped address"),
	row(syscall.SIGSEGV, 1, 14, pfWriteBit, pfWriteBit, true, "write to an unmapped address"),
	row(syscall.SIGSEGV, 1, 14, 0, 0, true, "read from an unmapped address"),
	row(syscall.SIGSEGV, 2, 14, pfFetchBit, pfFetchBit, true, "instruction fetch from a non-executable page (NX)"),
	row(syscall.SIGSEGV, 2, 14, pfWriteBit, pfWriteBit, true, "write to a page without write permission"),
	row(syscall.SIGSEGV, 2, 14, 0, 0, true, "read from a page without read permission"),
	row(syscall.SIGSEGV, 4, 14, 0, 0, true, "access denied by a protection key"),
	row(syscall.SIGSEGV, anyCode, 14, 0, 0, true, "page fault"),
	row(syscall.SIGSEGV, anyCode, 13, 0, 0, false, "general protection fault (a privileged instruction, a non-canonical address or a misaligned SSE operand)"),
	row(syscall.SIGSEGV, anyCode, 12, 0, 0, false, "stack-segment fault (a non-canonical stack address)"),
	row(syscall.SIGSEGV, anyCode, anyTrap, 0, 0, true, "segmentation fault"),
	row(syscall.SIGBUS, 1, anyTrap, 0, 0, true, "misaligned access with alignment checking on (EFLAGS.AC)"),
	row(syscall.SIGBUS, 2, anyTrap, 0, 0, true, "access past the end of the mapped file"),
	row(syscall.SIGBUS, anyCode, anyTrap, 0, 0, true, "bus error"),
	row(syscall.SIGILL, 5, anyTrap, 0, 0, false, "privileged instruction"),
	row(syscall.SIGILL, 6, anyTrap, 0, 0, false, "privileged register"),
	row(syscall.SIGILL, anyCode, anyTrap, 0, 0, false, "illegal instruction (#UD)"),
	row(syscall.SIGTRAP, anyCode, 3, 0, 0, false, "breakpoint (INT3); pc is just after it"),
	row(syscall.SIGTRAP, 2, anyTrap, 0, 0, false, "single-step or debug trap (EFLAGS.TF)"),
	row(syscall.SIGTRAP, anyCode, 1, 0, 0, false, "single-step or debug trap (EFLAGS.TF)"),
	row(syscall.SIGTRAP, anyCode, anyTrap, 0, 0, false, "trace trap"),
	row(syscall.SIGFPE, 1, anyTrap, 0, 0, false, "integer divide error (division by zero, or a quotient that does not fit)"),
	row(syscall.SIGFPE, 2, anyTrap, 0, 0, false, "integer overflow"),
	{syscall.SIGFPE, 3, 8, anyTrap, 0, 0, false, "floating-point exception (unmasked in MXCSR or the x87 control word)"},
	row(syscall.SIGFPE, anyCode, anyTrap, 0, 0, false, "arithmetic exception"),
	row(sigSYS, anyCode, anyTrap, 0, 0, false, "bad system call"),
}

// Describe says in words what a fault with these raw facts is (its row of
// the fault table), with the address where it matters: "write to a page
// without write permission at 0x7f3a2c001000".
func Describe(sig syscall.Signal, code, trap int, errorCode uint64, addr uintptr) string {
	r := lookup(sig, code, trap, errorCode)
	if r.withAddr {
		return fmt.Sprintf("%s at %#x", r.text, addr)
	}
	return r.text
}

// Meaning is Describe without the address: "write to a page without
// write permission".
func Meaning(sig syscall.Signal, code, trap int, errorCode uint64) string {
	return lookup(sig, code, trap, errorCode).text
}

// lookup returns the first row of the fault table that matches.
func lookup(sig syscall.Signal, code, trap int, errorCode uint64) faultRow {
	for _, r := range faultTable {
		if r.sig == sig && code >= r.codeLo && code <= r.codeHi && (r.trap == anyTrap || r.trap == trap) && errorCode&r.errMask == r.errWant {
			return r
		}
	}
	return faultRow{text: "signal " + sig.String()}
}

// PageFaultCode is the x86 page-fault error code (the CPU pushes it; Linux
// reports it in the ucontext's REG_ERR).
type PageFaultCode uint64

func (c PageFaultCode) Present() bool          { return c&(1<<0) != 0 } // the page was present (protection violation)
func (c PageFaultCode) Write() bool            { return c&(1<<1) != 0 } // a write (else a read)
func (c PageFaultCode) User() bool             { return c&(1<<2) != 0 } // in user mode
func (c PageFaultCode) Reserved() bool         { return c&(1<<3) != 0 } // a reserved bit was set in a paging entry
func (c PageFaultCode) InstructionFetch() bool { return c&(1<<4) != 0 } // an instruction fetch
func (c PageFaultCode) ProtectionKey() bool    { return c&(1<<5) != 0 } // a protection-key violation
func (c PageFaultCode) ShadowStack() bool      { return c&(1<<6) != 0 } // a shadow-stack access

// Access returns "instruction fetch", "write" or "read".
func (c PageFaultCode) Access() string {
	switch {
	case c.InstructionFetch():
		return "instruction fetch"
	case c.Write():
		return "write"
	}
	return "read"
}

// String lists the bits in words: "0x15 (present, read, user, instruction fetch)".
func (c PageFaultCode) String() string {
	parts := []string{"not present"}
	if c.Present() {
		parts[0] = "present"
	}
	if c.Write() {
		parts = append(parts, "write")
	} else {
		parts = append(parts, "read")
	}
	if c.User() {
		parts = append(parts, "user")
	} else {
		parts = append(parts, "supervisor")
	}
	if c.Reserved() {
		parts = append(parts, "reserved bit")
	}
	if c.InstructionFetch() {
		parts = append(parts, "instruction fetch")
	}
	if c.ProtectionKey() {
		parts = append(parts, "protection key")
	}
	if c.ShadowStack() {
		parts = append(parts, "shadow stack")
	}
	return fmt.Sprintf("%#x (%s)", uint64(c), strings.Join(parts, ", "))
}

var signalNames = map[syscall.Signal]string{
	syscall.SIGSEGV: "SIGSEGV", syscall.SIGBUS: "SIGBUS", syscall.SIGILL: "SIGILL",
	syscall.SIGFPE: "SIGFPE", syscall.SIGTRAP: "SIGTRAP", sigSYS: "SIGSYS",
}

// SignalName returns "SIGSEGV" and the like for the fault signals, and
// "signal N" for others.
func SignalName(s syscall.Signal) string {
	if n, ok := signalNames[s]; ok {
		return n
	}
	return fmt.Sprintf("signal %d", int(s))
}

var codeNames = map[syscall.Signal][]string{
	syscall.SIGSEGV: {1: "SEGV_MAPERR", 2: "SEGV_ACCERR", 3: "SEGV_BNDERR", 4: "SEGV_PKUERR", 5: "SEGV_ACCADI",
		6: "SEGV_ADIDERR", 7: "SEGV_ADIPERR", 8: "SEGV_MTEAERR", 9: "SEGV_MTESERR", 10: "SEGV_CPERR"},
	syscall.SIGBUS: {1: "BUS_ADRALN", 2: "BUS_ADRERR", 3: "BUS_OBJERR", 4: "BUS_MCEERR_AR", 5: "BUS_MCEERR_AO"},
	syscall.SIGILL: {1: "ILL_ILLOPC", 2: "ILL_ILLOPN", 3: "ILL_ILLADR", 4: "ILL_ILLTRP", 5: "ILL_PRVOPC",
		6: "ILL_PRVREG", 7: "ILL_COPROC", 8: "ILL_BADSTK", 9: "ILL_BADIADDR"},
	syscall.SIGFPE: {1: "FPE_INTDIV", 2: "FPE_INTOVF", 3: "FPE_FLTDIV", 4: "FPE_FLTOVF", 5: "FPE_FLTUND",
		6: "FPE_FLTRES", 7: "FPE_FLTINV", 8: "FPE_FLTSUB", 14: "FPE_FLTUNK", 15: "FPE_CONDTRAP"},
	syscall.SIGTRAP: {1: "TRAP_BRKPT", 2: "TRAP_TRACE", 3: "TRAP_BRANCH", 4: "TRAP_HWBKPT", 5: "TRAP_UNK", 6: "TRAP_PERF"},
	sigSYS:          {1: "SYS_SECCOMP", 2: "SYS_USER_DISPATCH"},
}

// CodeName returns the name of si_code for a signal: "SEGV_ACCERR",
// "SI_KERNEL", "SI_USER", … or "code N".
func CodeName(s syscall.Signal, code int) string {
	switch code {
	case 0x80:
		return "SI_KERNEL"
	case 0:
		return "SI_USER"
	case -1:
		return "SI_QUEUE"
	case -2:
		return "SI_TIMER"
	case -6:
		return "SI_TKILL"
	}
	if names := codeNames[s]; code > 0 && code < len(names) && names[code] != "" {
		return names[code]
	}
	return fmt.Sprintf("code %d", code)
}

// codeMeanings explain the si_codes a user meets, per signal (SI_KERNEL,
// 0x80, for every signal: see CodeMeaning).
var codeMeanings = map[syscall.Signal][]string{
	syscall.SIGSEGV: {1: "nothing is mapped at the address", 2: "the address is mapped, but its protection forbids the access",
		4: "a protection key forbids the access"},
	syscall.SIGBUS:  {1: "misaligned address", 2: "no memory behind the address (past the end of a mapped file)"},
	syscall.SIGILL:  {1: "illegal opcode", 2: "illegal operand", 5: "privileged opcode", 6: "privileged register"},
	syscall.SIGFPE:  {1: "integer divide by zero", 2: "integer overflow"},
	syscall.SIGTRAP: {1: "breakpoint", 2: "trace trap"},
}

// CodeMeaning says what an si_code of a signal means, "" when it has
// nothing to say: "the address is mapped, but its protection forbids the
// access" for SEGV_ACCERR.
func CodeMeaning(s syscall.Signal, code int) string {
	if code == 0x80 {
		return "raised by the kernel for a CPU exception"
	}
	if m := codeMeanings[s]; code > 0 && code < len(m) {
		return m[code]
	}
	return ""
}

var trapMeanings = [...]string{0: "divide error", 1: "debug", 3: "breakpoint", 4: "overflow", 5: "bound range exceeded",
	6: "invalid opcode", 7: "device not available", 12: "stack-segment fault", 13: "general protection", 14: "page fault",
	16: "x87 floating-point error", 17: "alignment check", 19: "SIMD floating-point exception"}

// TrapMeaning names an x86 exception vector in words: "page fault" for
// 14, "exception" for one it does not know.
func TrapMeaning(n int) string {
	if n >= 0 && n < len(trapMeanings) && trapMeanings[n] != "" {
		return trapMeanings[n]
	}
	return "exception"
}

var trapNames = [...]string{0: "#DE", 1: "#DB", 2: "NMI", 3: "#BP", 4: "#OF", 5: "#BR", 6: "#UD", 7: "#NM",
	8: "#DF", 10: "#TS", 11: "#NP", 12: "#SS", 13: "#GP", 14: "#PF", 16: "#MF", 17: "#AC", 18: "#MC",
	19: "#XM", 20: "#VE", 21: "#CP"}

// TrapName returns the x86 exception mnemonic for a vector: "#PF" for 14,
// "#GP" for 13, … or "trap N"; "no trap" for -1 (a refused system call).
func TrapName(n int) string {
	if n == -1 {
		return "no trap"
	}
	if n >= 0 && n < len(trapNames) && trapNames[n] != "" {
		return trapNames[n]
	}
	return fmt.Sprintf("trap %d", n)
}
