package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/jitrun/jitrun/trampoline"
)

// --syscalls of run and bench: which system calls of the code jitrun
// refuses (trampoline.GuardSyscalls), installed after the flags are
// parsed and before any code runs.

const syscallsUsage = "`POLICY` for the system calls the code makes: guard refuses those that would end, fork, replace or derail jitrun " +
	"(exit, exit_group, execve, fork, clone, rt_sigaction, arch_prctl(ARCH_SET_FS), a signal to jitrun, …) and runs the rest " +
	"(write, read, getpid, mmap, …); trap refuses every one; allow installs no filter, so the code's exit ends the thread that runs it " +
	"(run's child is killed 2s past --timeout, exit status 4; bench has no such watchdog and then waits for ever) " +
	"and its exit_group ends jitrun's child (exit status 5). " +
	"A refused call is reported as a fault (SIGSYS), exit status 3"

// registerSyscalls adds --syscalls to fset.
func registerSyscalls(fset *flag.FlagSet, p *string) {
	fset.StringVar(p, "syscalls", "guard", syscallsUsage)
}

// installSyscalls installs the policy the --syscalls value names, through
// e.guardSyscalls (nil when jitrun runs in-process in a test: the filter
// is process-wide and irreversible). "allow" installs nothing.
func installSyscalls(e *env, value string) error {
	p, filter, err := parseSyscalls(value)
	if err != nil || !filter || e.guardSyscalls == nil {
		return err
	}
	return e.guardSyscalls(p)
}

// parseSyscalls reads guard, trap or allow; filter is false for allow.
func parseSyscalls(value string) (p trampoline.SyscallPolicy, filter bool, err error) {
	switch value {
	case "guard":
		return trampoline.SyscallsGuard, true, nil
	case "trap":
		return trampoline.SyscallsTrap, true, nil
	case "allow":
		return 0, false, nil
	}
	return 0, false, fmt.Errorf("--syscalls %q: want guard, trap or allow", value)
}

// syscallHint tells how to let a refused system call run.
func syscallHint(s *trampoline.Syscall) string {
	if s.UnderTrapAll() {
		return " (--syscalls guard runs it)"
	}
	return " (--syscalls allow runs it)"
}

// writeSyscallLine prints the refused system call in place of the CPU
// exception (a system call raises none).
func writeSyscallLine(b *strings.Builder, s *trampoline.Syscall) {
	regs := "rdi rsi rdx r10 r8 r9"
	if s.Arch == trampoline.AuditArchI386 {
		regs = "ebx ecx edx esi edi ebp"
	}
	fmt.Fprintf(b, "  %-10s %s: number %d in rax, arguments in %s; it did not run\n", "syscall", s, s.Number, regs)
}

// syscallJSON is the refused system call of a fault in --json.
type syscallJSON struct {
	Name   string   `json:"name"`
	Number int      `json:"number"`
	Args   []string `json:"args"`
	Reason string   `json:"reason"`
}

func syscallToJSON(s *trampoline.Syscall) *syscallJSON {
	if s == nil {
		return nil
	}
	j := &syscallJSON{Name: s.Name(), Number: s.Number, Reason: s.Reason()}
	for _, a := range s.Args {
		j.Args = append(j.Args, hexJSON(a))
	}
	return j
}
