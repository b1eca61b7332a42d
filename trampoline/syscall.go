package trampoline

//go:generate go run gen_syscalls.go

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/jitrun/jitrun/internal/platform"
)

// SyscallPolicy says which system calls made by machine code the process
// refuses; see GuardSyscalls.
type SyscallPolicy int

const (
	// SyscallsGuard refuses only the system calls that would end, fork,
	// replace or derail the process or the Go runtime (exit, exit_group,
	// execve, clone, rt_sigaction, arch_prctl(ARCH_SET_FS), a signal to
	// this process, …: GuardedSyscalls lists them with the reason for
	// each). Everything else — write, read, getpid, mmap — runs.
	SyscallsGuard SyscallPolicy = 1
	// SyscallsTrap refuses every system call made by machine code.
	SyscallsTrap SyscallPolicy = 2
)

// String returns "guard" or "trap".
func (p SyscallPolicy) String() string {
	switch p {
	case SyscallsGuard:
		return "guard"
	case SyscallsTrap:
		return "trap"
	}
	return fmt.Sprintf("SyscallPolicy(%d)", int(p))
}

// The installed policy: the package's second piece of process-wide state
// (the first is the signal handler, sys_linux_amd64.go). Like the
// kernel's filter it stands for, it is set once and never undone.
var syscallGuard struct {
	mu     sync.Mutex
	policy SyscallPolicy // 0 until GuardSyscalls succeeds
}

// GuardSyscalls makes every system call that machine code makes under p's
// rule end its call with a *Fault (Signal SIGSYS, Fault.Syscall says which
// call, with its arguments, and why), instead of letting it run: an exit
// that would hang the program (exit ends only the calling thread, which
// the Go runtime then waits for) or end it without a word (exit_group),
// a fork, an execve, a new signal handler. The Go runtime's own system
// calls are never refused.
//
// It installs a seccomp-BPF filter on every thread of the process (and
// sets no_new_privs, which seccomp requires: from then on, execve of a
// set-user-ID program does not raise privileges). The filter tells the
// code's system calls from the program's own by the address of the
// SYSCALL instruction: the program's own code is every executable
// mapping of a file when GuardSyscalls runs (the executable's text, and
// the C library and others when cgo loaded them), the [vdso] and the
// [vsyscall] page; anything else — memory mapped for machine code, memory
// files (/memfd:…, which execmem's dual mappings use) — is the code's.
// So call it before mapping code from a file. System calls of another
// architecture (INT 0x80) and of the x32 ABI from the code are always
// refused: the filter does not check them.
//
// Under SyscallsGuard the filter also stops the memory system calls (mmap,
// munmap, mprotect, pkey_mprotect, mremap, madvise, mseal) and the opens
// (open, openat, openat2) for Go to decide, in the signal handler's
// hands (decide.go): they run, on the code's behalf, when they touch only
// memory the code mapped itself (new mappings always do) and never ask
// for writable and executable memory, and an open runs unless what it
// opened is this process's memory file; otherwise the call is refused
// with the reason. Code whose RSP is off its stack cannot be resumed
// after such a decision: its memory calls are refused.
//
// It guards against accidents, not against hostile code: code that jumps
// into the program's own code to make a system call there (the C
// library's _exit, say) is not stopped.
//
// It is process-wide and irreversible, like the filter: the second piece
// of process-wide state in this package, after the signal handler.
// Calling it again with the same policy does nothing; with another, it
// returns an error (the kernel only stacks filters, it never removes
// one). Child processes inherit the filter across fork and execve, with
// this process's idea of its own code: a child that re-executes this same
// program, statically linked (no cgo, not -race), runs as before, since
// its code lies where the filter expects it; another program, or this
// one when dynamically linked (its C library moves), would have its own
// guarded system calls (exit_group, clone, rt_sigaction) refused and die
// of SIGSYS. A refused system call outside any call — code that has moved
// RSP off its stack — goes to the Go runtime's SIGSYS handler, which ends
// the program with a report.
//
// It needs linux/amd64; elsewhere it returns an error wrapping
// errors.ErrUnsupported.
func GuardSyscalls(p SyscallPolicy) error {
	if p != SyscallsGuard && p != SyscallsTrap {
		return fmt.Errorf("trampoline: unknown system-call policy %d: want SyscallsGuard or SyscallsTrap", int(p))
	}
	syscallGuard.mu.Lock()
	defer syscallGuard.mu.Unlock()
	switch syscallGuard.policy {
	case p:
		return nil
	case 0:
	default:
		return fmt.Errorf("trampoline: system-call policy %s is already installed; it cannot become %s (seccomp filters stack and are never removed)", syscallGuard.policy, p)
	}
	if err := installSyscallFilter(p); err != nil {
		return err
	}
	syscallGuard.policy = p
	return nil
}

// InstalledSyscallPolicy returns the policy GuardSyscalls installed, or
// false when it has not been called (or failed).
func InstalledSyscallPolicy() (SyscallPolicy, bool) {
	syscallGuard.mu.Lock()
	defer syscallGuard.mu.Unlock()
	return syscallGuard.policy, syscallGuard.policy != 0
}

// Syscall is the system call a SIGSYS fault refused: Fault.Syscall.
type Syscall struct {
	// Number is the call's number (RAX; si_syscall), in Arch's
	// numbering; an x32 call has the x32 bit (0x40000000) set.
	Number int
	// Args are the argument registers: RDI, RSI, RDX, R10, R8, R9 for
	// x86-64, EBX, ECX, EDX, ESI, EDI, EBP for i386 (INT 0x80).
	Args [6]uint64
	// Arch is the audit architecture the kernel saw (si_arch):
	// AuditArchX86_64, or AuditArchI386 for INT 0x80.
	Arch uint32
	// Rule is what the filter that refused it passed back (si_errno,
	// from SECCOMP_RET_DATA): for this package's filter 0x4a00 and the
	// rule that matched. Reason says it in words.
	Rule int

	// refusal is why Go refused a call the filter stopped for it to
	// decide (decide.go).
	refusal string
}

// syscall returns the refused system call of a SIGSYS fault in f, or nil.
func (f *frame) syscall() *Syscall {
	if signal(f.signo) != sigSYS {
		return nil
	}
	s := &Syscall{Number: int(f.sysNr), Arch: f.sysArch, Rule: int(f.sysRule), refusal: units[f.index].refusal}
	order := [6]Reg{RDI, RSI, RDX, R10, R8, R9}
	if s.Arch == AuditArchI386 {
		order = [6]Reg{RBX, RCX, RDX, RSI, RDI, RBP}
	}
	for i, r := range order {
		s.Args[i] = f.gpr[r]
		if s.Arch == AuditArchI386 {
			s.Args[i] = uint64(uint32(s.Args[i]))
		}
	}
	return s
}

// The audit architectures of Syscall.Arch.
const (
	AuditArchX86_64 = 0xc000003e
	AuditArchI386   = 0x40000003
)

// x32Bit marks a system call of the x32 ABI (__X32_SYSCALL_BIT).
const x32Bit = 0x40000000

// Name returns the system call's name, "exit_group", with "x32 " or
// "i386 " before it for those ABIs, or "syscall N" for a number Linux
// does not have.
func (s Syscall) Name() string {
	names, prefix := syscallNames64[:], ""
	n := s.Number
	switch {
	case s.Arch == AuditArchI386:
		names, prefix = syscallNames32[:], "i386 "
	case s.Arch != AuditArchX86_64:
		return fmt.Sprintf("syscall %d (audit arch %#x)", n, s.Arch)
	case n >= x32Bit:
		n, prefix = n-x32Bit, "x32 "
	}
	if n >= 0 && n < len(names) && names[n] != "" {
		return prefix + names[n]
	}
	return fmt.Sprintf("%ssyscall %d", prefix, s.Number)
}

// String writes the call with its arguments: "exit_group(7)",
// "write(1, 0x7f3a2c001000, 3)". The kernel does not say how many
// arguments a call takes: the guarded calls show theirs, others their
// registers up to the last non-zero one.
func (s Syscall) String() string {
	n := -1
	if r, ok := s.guardRule(); ok {
		n = r.nargs
	} else if r, ok := s.decideRule(); ok {
		n = r.nargs
	}
	if n < 0 {
		n = len(s.Args)
		for n > 0 && s.Args[n-1] == 0 {
			n--
		}
	}
	args := make([]string, n)
	for i := range args {
		args[i] = formatArg(s.Args[i])
	}
	return s.Name() + "(" + strings.Join(args, ", ") + ")"
}

// formatArg writes small numbers in decimal (negative ones too) and others
// in hex.
func formatArg(v uint64) string {
	switch {
	case v < 1<<16:
		return fmt.Sprint(v)
	case int64(v) < 0 && int64(v) >= -(1<<16):
		return fmt.Sprint(int64(v))
	}
	return fmt.Sprintf("%#x", v)
}

// Reason says why the call was refused, "it would end the process".
func (s Syscall) Reason() string {
	if r, ok := s.guardRule(); ok {
		return r.reason
	}
	if s.refusal != "" {
		return s.refusal
	}
	if r, ok := s.decideRule(); ok {
		return "jitrun decides " + r.name + " for the code, but the code's RSP was off its stack (or it ran in 32-bit mode), so it could not be resumed after the decision"
	}
	if s.Rule&^0xff != ruleMagic {
		return fmt.Sprintf("a seccomp filter that is not this package's refused it (data %#x)", s.Rule)
	}
	switch s.Rule &^ ruleMagic {
	case ruleTrapAll:
		return "the policy refuses every system call made by the code"
	case ruleForeignArch:
		return "it is a 32-bit (INT 0x80) system call, which the policy refuses from the code"
	case ruleX32:
		return "it is an x32-ABI system call, which the policy refuses from the code"
	case ruleWebCode:
		return "the web policy lets the code only write to descriptors 1 and 2, read descriptor 0 and read the clock"
	case ruleWebAny:
		return "the web policy refuses it from any address, the program's own code included: it would reach outside the process (a file, the network, another process or program)"
	}
	return fmt.Sprintf("this package's filter refused it (rule %d)", s.Rule&^ruleMagic)
}

// UnderTrapAll reports whether the call was refused by SyscallsTrap, the
// policy that refuses every system call (SyscallsGuard would have let
// some of them run).
func (s Syscall) UnderTrapAll() bool { return s.Rule == ruleMagic+ruleTrapAll }

// decideRule returns the rule of a call the filter stopped for Go.
func (s Syscall) decideRule() (decideRule, bool) {
	if i := s.Rule - ruleMagic - ruleDecideBase; s.Rule&^0xff == ruleMagic && i >= 0 && i < len(decideRules) {
		return decideRules[i], true
	}
	return decideRule{}, false
}

// guardRule returns the guard rule that refused the call.
func (s Syscall) guardRule() (syscallRule, bool) {
	if i := s.Rule - ruleMagic - ruleGuardBase; s.Rule&^0xff == ruleMagic && i >= 0 && i < len(guardRules) && s.Arch == AuditArchX86_64 {
		return guardRules[i], true
	}
	return syscallRule{}, false
}

// GuardedSyscall is one system call SyscallsGuard refuses.
type GuardedSyscall struct {
	Name   string // "exit_group"
	When   string // the arguments it is refused with, "" for always
	Reason string // "it would end the process"
}

// GuardedSyscalls lists what SyscallsGuard refuses, in the filter's order.
func GuardedSyscalls() []GuardedSyscall {
	out := make([]GuardedSyscall, len(guardRules))
	for i, r := range guardRules {
		out[i] = GuardedSyscall{Name: r.name, When: r.when(), Reason: r.reason}
	}
	return out
}

// Rules: what the filter passes back in SECCOMP_RET_DATA (si_errno),
// ruleMagic | rule.
const (
	ruleMagic       = 0x4a00 // "J"
	ruleTrapAll     = 1      // SyscallsTrap: any call
	ruleForeignArch = 2      // not AUDIT_ARCH_X86_64
	ruleX32         = 3      // the x32 bit
	ruleGuardBase   = 16     // guardRules[i] is rule ruleGuardBase+i
)

// syscallRule is one system call the guard refuses, and when.
type syscallRule struct {
	name  string
	nargs int // arguments it takes, for Syscall.String
	// selfSignal: refused when the first argument (a pid or tgid, as
	// the kernel reads it: the low 32 bits) is this process or its parent
	// (jitrun's supervisor, when it runs code in a child), or, with
	// group, 0 or negative (a process group, or every process).
	selfSignal, group bool
	// unlessOption: refused unless the first argument is one of these.
	unlessOption []uint32
	// setsLimit: refused when the third argument (prlimit64's new
	// limit) is not NULL.
	setsLimit bool
	reason    string
}

// when describes the rule's condition on the arguments.
func (r syscallRule) when() string {
	switch {
	case r.selfSignal && r.group:
		return "pid is this process or its parent, 0 or negative (a process group, or every process)"
	case r.selfSignal:
		return "its process id is this process or its parent"
	case r.unlessOption != nil:
		return "the option changes something (only ARCH_GET_FS, ARCH_GET_GS, ARCH_GET_CPUID, ARCH_GET_XCOMP_SUPP, ARCH_GET_XCOMP_PERM, ARCH_GET_XCOMP_GUEST_PERM and ARCH_SHSTK_STATUS run)"
	case r.setsLimit:
		return "a new limit is given (reading the limits runs)"
	}
	return ""
}

// The arch_prctl options that only read.
var archPrctlReads = []uint32{
	0x1003, // ARCH_GET_FS
	0x1004, // ARCH_GET_GS
	0x1011, // ARCH_GET_CPUID
	0x1021, // ARCH_GET_XCOMP_SUPP
	0x1022, // ARCH_GET_XCOMP_PERM
	0x1024, // ARCH_GET_XCOMP_GUEST_PERM
	0x5005, // ARCH_SHSTK_STATUS
}

// guardRules are the system calls SyscallsGuard refuses from the code,
// each with its reason. (Order is the filter's; a rule's index is its
// identity in Fault.Syscall.Rule, so append, do not reorder.)
var guardRules = []syscallRule{
	{name: "exit", nargs: 1, reason: "it would end the calling thread, and the Go runtime would wait for that thread forever"},
	{name: "exit_group", nargs: 1, reason: "it would end the process"},
	{name: "execve", nargs: 3, reason: "it would replace the process with another program"},
	{name: "execveat", nargs: 5, reason: "it would replace the process with another program"},
	{name: "fork", nargs: 0, reason: "it would copy the process behind the Go runtime's back"},
	{name: "vfork", nargs: 0, reason: "it would copy the process behind the Go runtime's back"},
	{name: "clone", nargs: 5, reason: "it would start a thread or process the Go runtime does not know about"},
	{name: "clone3", nargs: 2, reason: "it would start a thread or process the Go runtime does not know about"},
	{name: "rt_sigaction", nargs: 4, reason: "it would change a signal handler the Go runtime and this package rely on"},
	{name: "rt_sigprocmask", nargs: 4, reason: "it would change the thread's blocked signals, which the Go runtime and the call's timeout rely on"},
	{name: "rt_sigsuspend", nargs: 2, reason: "it would wait with the thread's blocked signals replaced, which the Go runtime and the call's timeout rely on"},
	{name: "rt_sigreturn", nargs: 0, reason: "it would load every register from a signal frame the code made"},
	{name: "sigaltstack", nargs: 2, reason: "it would replace the signal stack the Go runtime gave the thread"},
	{name: "seccomp", nargs: 3, reason: "it would change the process's system-call filters"},
	{name: "prctl", nargs: 5, reason: "it would change process or thread settings the Go runtime and this program rely on (seccomp mode, no_new_privs, TSC access, memory-deny-write-execute, …)"},
	{name: "ptrace", nargs: 4, reason: "it would trace a process, or hand this one to its parent (PTRACE_TRACEME)"},
	{name: "personality", nargs: 1, reason: "it would change the execution domain (READ_IMPLIES_EXEC makes writable memory executable)"},
	{name: "arch_prctl", nargs: 2, unlessOption: archPrctlReads, reason: "it would change per-thread CPU state: the FS base holds the Go runtime's thread-local state; GS, CPUID faulting and the others are not the code's to change"},
	{name: "modify_ldt", nargs: 3, reason: "it would change the segment descriptors through which FS, the Go runtime's thread-local state, can be reloaded"},
	{name: "set_robust_list", nargs: 2, reason: "it would replace the thread's robust futex list, the C library's or runtime's bookkeeping for thread exit"},
	{name: "set_tid_address", nargs: 1, reason: "it would replace the thread's clear-child-tid address, the C library's or runtime's bookkeeping for thread exit"},
	{name: "rseq", nargs: 4, reason: "it would replace the thread's restartable-sequence area, which the C library registers"},
	{name: "kill", nargs: 2, selfSignal: true, group: true, reason: "it would send a signal to this process, its parent (or its process group)"},
	{name: "tgkill", nargs: 3, selfSignal: true, reason: "it would send a signal to a thread of this process or its parent"},
	{name: "rt_sigqueueinfo", nargs: 3, selfSignal: true, reason: "it would send a signal to this process or its parent"},
	{name: "rt_tgsigqueueinfo", nargs: 4, selfSignal: true, reason: "it would send a signal to a thread of this process or its parent"},
	{name: "tkill", nargs: 2, reason: "it would send a signal to a thread that may be one of this process's"},
	{name: "pidfd_send_signal", nargs: 4, reason: "it would send a signal through a pidfd, which may be this process's"},
	{name: "process_vm_writev", nargs: 6, reason: "it would write another process's memory, or this one's behind the Go runtime's back"},
	{name: "io_uring_setup", nargs: 2, reason: "it would let the kernel write memory behind the Go runtime's back, outside any call (its asynchronous reads)"},
	{name: "brk", nargs: 1, reason: "it would move the program break, where the C library keeps its heap"},
	{name: "remap_file_pages", nargs: 5, reason: "it would rearrange the pages of a shared mapping that may be the program's"},
	{name: "setrlimit", nargs: 2, reason: "it would change the process's resource limits, which the Go runtime and jitrun rely on"},
	{name: "prlimit64", nargs: 4, setsLimit: true, reason: "it would change a process's resource limits, which the Go runtime and jitrun rely on"},
}

// syscallNumber returns the x86-64 number of a system call by name.
func syscallNumber(name string) (int, bool) {
	for n, s := range syscallNames64 {
		if s == name {
			return n, true
		}
	}
	return 0, false
}

// codeRange is [lo, hi) of the program's own code, as the filter checks
// the address after a SYSCALL instruction.
type codeRange struct{ lo, hi uint64 }

// ownCode returns the ranges the filter treats as the program's own code:
// the address after a system-call instruction (SYSCALL, INT 0x80: two
// bytes) that lies in an executable mapping of a file, or in [vdso]; and
// the [vsyscall] page itself (the kernel emulates its calls with the
// page's address). A memory file (/memfd:…) and shared anonymous memory
// (/dev/zero) are not code of the program's own.
func ownCode(regions []regionInfo) []codeRange {
	var out []codeRange
	for _, r := range regions {
		switch {
		case r.path == "[vsyscall]":
			out = append(out, codeRange{r.start, r.end})
		case !r.exec:
		case r.path == "[vdso]",
			strings.HasPrefix(r.path, "/") && !strings.HasPrefix(r.path, "/memfd:") &&
				!strings.HasPrefix(r.path, "/dev/") && !strings.HasPrefix(r.path, "/SYSV"):
			out = append(out, codeRange{r.start + 2, r.end + 2})
		}
	}
	// Sort and merge: mappings of one file are often adjacent.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].lo < out[j-1].lo; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	merged := out[:0]
	for _, c := range out {
		if n := len(merged); n > 0 && c.lo <= merged[n-1].hi {
			merged[n-1].hi = max(merged[n-1].hi, c.hi)
			continue
		}
		merged = append(merged, c)
	}
	return merged
}

// regionInfo is what ownCode needs of a mapping.
type regionInfo struct {
	start, end uint64
	exec       bool
	path       string
}

// bpfInsn is one classic BPF instruction (struct sock_filter).
type bpfInsn = platform.BPFInsn

// Classic BPF opcodes and the offsets into struct seccomp_data.
const (
	bpfLdAbs  = 0x20 // BPF_LD|BPF_W|BPF_ABS: A = data[k:k+4]
	bpfJa     = 0x05 // BPF_JMP|BPF_JA
	bpfJeq    = 0x15 // BPF_JMP|BPF_JEQ|BPF_K
	bpfJge    = 0x35 // BPF_JMP|BPF_JGE|BPF_K
	bpfJset   = 0x45 // BPF_JMP|BPF_JSET|BPF_K
	bpfRet    = 0x06 // BPF_RET|BPF_K
	seccompNr = 0    // int nr
	seccompAr = 4    // __u32 arch
	seccompIP = 8    // __u64 instruction_pointer (low word; high at 12)
	seccompA0 = 16   // __u64 args[0] (low word)
	seccompA2 = 32   // __u64 args[2] (low word; high at 36)

	seccompRetAllow = 0x7fff0000 // SECCOMP_RET_ALLOW
	seccompRetTrap  = 0x00030000 // SECCOMP_RET_TRAP
)

// bpfAsm assembles a classic BPF program with forward jumps to labels.
type bpfAsm struct {
	insns  []bpfInsn
	labels map[string]int
	fixups []bpfFixup
}

type bpfFixup struct {
	at     int
	jt, jf string // "" is the next instruction
	always bool   // BPF_JA to jt: the offset goes in K
}

func (a *bpfAsm) emit(code uint16, k uint32) { a.insns = append(a.insns, bpfInsn{Code: code, K: k}) }

// jump emits a conditional jump to label jt if true, jf if false.
func (a *bpfAsm) jump(code uint16, k uint32, jt, jf string) {
	a.fixups = append(a.fixups, bpfFixup{at: len(a.insns), jt: jt, jf: jf})
	a.emit(code, k)
}

// goTo emits an unconditional jump to label to (BPF_JA, which reaches
// further than a conditional jump's 255 instructions).
func (a *bpfAsm) goTo(to string) {
	a.fixups = append(a.fixups, bpfFixup{at: len(a.insns), jt: to, always: true})
	a.emit(bpfJa, 0)
}

func (a *bpfAsm) label(name string) {
	if a.labels == nil {
		a.labels = map[string]int{}
	}
	a.labels[name] = len(a.insns)
}

// assemble resolves the jumps.
func (a *bpfAsm) assemble() ([]bpfInsn, error) {
	for _, f := range a.fixups {
		if f.always {
			to, ok := a.labels[f.jt]
			if !ok || to <= f.at {
				return nil, fmt.Errorf("trampoline: internal error: BPF jump from %d to %q (%d, defined %v)", f.at, f.jt, to, ok)
			}
			a.insns[f.at].K = uint32(to - f.at - 1)
			continue
		}
		for _, t := range []struct {
			label string
			off   *uint8
		}{{f.jt, &a.insns[f.at].Jt}, {f.jf, &a.insns[f.at].Jf}} {
			if t.label == "" {
				continue
			}
			to, ok := a.labels[t.label]
			d := to - f.at - 1
			if !ok || d < 0 || d > 255 {
				return nil, fmt.Errorf("trampoline: internal error: BPF jump from %d to %q (%d, defined %v)", f.at, t.label, to, ok)
			}
			*t.off = uint8(d)
		}
	}
	if len(a.insns) > 4096 { // BPF_MAXINSNS
		return nil, fmt.Errorf("trampoline: the system-call filter has %d instructions, more than the kernel's 4096", len(a.insns))
	}
	return a.insns, nil
}

// buildSyscallFilter returns the seccomp program for policy p: a system
// call whose address lies in own is allowed; others are refused
// (SECCOMP_RET_TRAP with ruleMagic|rule as data) if not of x86-64, if of
// the x32 ABI, if a guard rule matches, and under SyscallsTrap always.
// pid is this process and ppid its parent, for the signal rules.
func buildSyscallFilter(p SyscallPolicy, own []codeRange, pid, ppid uint32) ([]bpfInsn, error) {
	if p != SyscallsGuard && p != SyscallsTrap {
		return nil, fmt.Errorf("trampoline: unknown system-call policy %d", int(p))
	}
	if len(own) == 0 {
		return nil, errors.New("trampoline: found no executable code of the program's own in /proc/self/maps")
	}
	var a bpfAsm
	a.nativeOnly()
	a.allowOwnCode(own)
	// The program's own code has passed; the rest is the code's. A = the
	// number between rules.
	a.emit(bpfLdAbs, seccompNr)
	if err := a.guardRules(pid, ppid); err != nil {
		return nil, err
	}
	if p == SyscallsGuard {
		// The calls Go decides (decide.go): stop them for the handler.
		for i, r := range decideRules {
			nr, ok := syscallNumber(r.name)
			if !ok {
				return nil, fmt.Errorf("trampoline: internal error: no system call %q on x86-64", r.name)
			}
			next := fmt.Sprintf("decide%d", i)
			a.jump(bpfJeq, uint32(nr), "", next)
			a.emit(bpfRet, trapRule(ruleDecideBase+i))
			a.label(next)
		}
		a.emit(bpfRet, seccompRetAllow)
	} else {
		a.emit(bpfRet, trapRule(ruleTrapAll))
	}
	return a.assemble()
}

// trapRule is the filter's answer that refuses a call by rule.
func trapRule(rule int) uint32 { return seccompRetTrap | ruleMagic | uint32(rule) }

// nativeOnly refuses a call made for another architecture, or through
// the x32 ABI, whoever makes it (the program never does; SYSENTER from
// the code reaches the kernel with the vDSO's address), and leaves the
// call's number in A.
func (a *bpfAsm) nativeOnly() {
	a.emit(bpfLdAbs, seccompAr)
	a.jump(bpfJeq, AuditArchX86_64, "native", "")
	a.emit(bpfRet, trapRule(ruleForeignArch))
	a.label("native")
	a.emit(bpfLdAbs, seccompNr)
	a.jump(bpfJset, x32Bit, "", "x86-64")
	a.emit(bpfRet, trapRule(ruleX32))
	a.label("x86-64")
}

// allowOwnCode emits the test that allows a call whose address lies in
// own.
func (a *bpfAsm) allowOwnCode(own []codeRange) {
	a.ownCodeTest(own, func() { a.emit(bpfRet, seccompRetAllow) })
}

// ownCodeTest emits the test of a call's address against own, comparing
// the high and the low word of the address: onMatch emits what follows
// when it lies in own (an answer, or a jump); otherwise the test falls
// through.
func (a *bpfAsm) ownCodeTest(own []codeRange, onMatch func()) {
	a.emit(bpfLdAbs, seccompIP+4) // A = the address's high word
	for i, c := range own {
		for s := c.lo; s < c.hi; {
			hiWord := s >> 32
			end := c.hi
			if hiWord < 1<<32-1 { // (the next word's start would wrap to 0)
				end = min(c.hi, (hiWord+1)<<32)
			}
			next, reload := fmt.Sprintf("own%d.%x", i, s), fmt.Sprintf("own%d.%x.reload", i, s)
			a.jump(bpfJeq, uint32(hiWord), "", next)
			a.emit(bpfLdAbs, seccompIP)
			a.jump(bpfJge, uint32(s), "", reload)
			if end-hiWord<<32 < 1<<32 {
				a.jump(bpfJge, uint32(end), reload, "")
			}
			onMatch()
			a.label(reload)
			a.emit(bpfLdAbs, seccompIP+4)
			a.label(next)
			s = end
		}
	}
}

// guardRules emits the guard's refusals, each under its conditions on
// the arguments; pid is this process, ppid its parent. A holds the number
// before and after.
func (a *bpfAsm) guardRules(pid, ppid uint32) error {
	for i, r := range guardRules {
		nr, ok := syscallNumber(r.name)
		if !ok {
			return fmt.Errorf("trampoline: internal error: no system call %q on x86-64", r.name)
		}
		next, refuse, pass := fmt.Sprintf("rule%d", i), fmt.Sprintf("rule%d.refuse", i), fmt.Sprintf("rule%d.pass", i)
		a.jump(bpfJeq, uint32(nr), "", next)
		switch {
		case r.selfSignal:
			a.emit(bpfLdAbs, seccompA0)
			a.jump(bpfJeq, pid, refuse, "")
			if r.group {
				a.jump(bpfJeq, ppid, refuse, "")
				a.jump(bpfJeq, 0, refuse, "")
				a.jump(bpfJset, 1<<31, refuse, pass) // negative: a group, or -1: every process
			} else {
				a.jump(bpfJeq, ppid, refuse, pass)
			}
		case r.unlessOption != nil:
			a.emit(bpfLdAbs, seccompA0)
			for _, opt := range r.unlessOption {
				a.jump(bpfJeq, opt, pass, "")
			}
		case r.setsLimit:
			a.emit(bpfLdAbs, seccompA2)
			a.jump(bpfJeq, 0, "", refuse)
			a.emit(bpfLdAbs, seccompA2+4)
			a.jump(bpfJeq, 0, pass, "")
		}
		a.label(refuse)
		a.emit(bpfRet, trapRule(ruleGuardBase+i))
		a.label(pass)
		if r.selfSignal || r.unlessOption != nil || r.setsLimit {
			a.emit(bpfLdAbs, seccompNr)
		}
		a.label(next)
	}
	return nil
}
