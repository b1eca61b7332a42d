package trampoline

import (
	"errors"
	"strings"
	"testing"
)

// runBPF interprets a seccomp program over a struct seccomp_data: nr,
// arch, the address after the system-call instruction, and args.
func runBPF(t testing.TB, prog []bpfInsn, nr int32, arch uint32, ip uint64, args [6]uint64) uint32 {
	t.Helper()
	var data [64]byte
	put32 := func(off int, v uint32) {
		data[off], data[off+1], data[off+2], data[off+3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
	}
	put64 := func(off int, v uint64) { put32(off, uint32(v)); put32(off+4, uint32(v>>32)) }
	put32(0, uint32(nr))
	put32(4, arch)
	put64(8, ip)
	for i, a := range args {
		put64(16+8*i, a)
	}
	var acc uint32
	for pc := 0; pc < len(prog); pc++ {
		in := prog[pc]
		jump := func(cond bool) {
			if cond {
				pc += int(in.Jt)
			} else {
				pc += int(in.Jf)
			}
		}
		switch in.Code {
		case bpfLdAbs:
			if in.K%4 != 0 || in.K > 60 {
				t.Fatalf("BPF %d: load at %d", pc, in.K)
			}
			acc = uint32(data[in.K]) | uint32(data[in.K+1])<<8 | uint32(data[in.K+2])<<16 | uint32(data[in.K+3])<<24
		case bpfJeq:
			jump(acc == in.K)
		case bpfJge:
			jump(acc >= in.K)
		case bpfJset:
			jump(acc&in.K != 0)
		case bpfJa:
			pc += int(in.K)
		case bpfRet:
			return in.K
		default:
			t.Fatalf("BPF %d: opcode %#x", pc, in.Code)
		}
	}
	t.Fatalf("BPF program ran off its end")
	return 0
}

const (
	testPid  = 4242
	testPPid = 4241
	textLo   = 0x401000
	textHi   = 0x520000
	vdsoLo   = 0x7ffd1234e000
	vdsoHi   = 0x7ffd12350000
	vsysLo   = 0xffffffffff600000
	vsysHi   = 0xffffffffff601000
	libcLo   = 0x7f00fffff000 // straddles a 4 GiB boundary
	libcHi   = 0x7f0100155000
	jitCode  = 0x7f4d2e24a000
	memfdJIT = 0x7f4d2e250000
)

func testRegions() []regionInfo {
	return []regionInfo{
		{start: 0x400000, end: textLo, path: "/usr/bin/jitrun"},
		{start: textLo, end: textHi, exec: true, path: "/usr/bin/jitrun"},
		{start: textHi, end: 0x600000, path: "/usr/bin/jitrun"},
		{start: 0xc000000000, end: 0xc004000000, path: ""},
		{start: libcLo, end: libcHi, exec: true, path: "/usr/lib/x86_64-linux-gnu/libc.so.6"},
		{start: jitCode, end: jitCode + 0x1000, exec: true, path: ""},
		{start: memfdJIT, end: memfdJIT + 0x1000, exec: true, path: "/memfd:jitrun (deleted)"},
		{start: memfdJIT + 0x1000, end: memfdJIT + 0x2000, exec: true, path: "/dev/zero (deleted)"},
		{start: vdsoLo - 0x4000, end: vdsoLo, path: "[vvar]"},
		{start: vdsoLo, end: vdsoHi, exec: true, path: "[vdso]"},
		{start: vsysLo, end: vsysHi, exec: true, path: "[vsyscall]"},
	}
}

func TestOwnCode(t *testing.T) {
	got := ownCode(testRegions())
	want := []codeRange{{textLo + 2, textHi + 2}, {libcLo + 2, libcHi + 2}, {vdsoLo + 2, vdsoHi + 2}, {vsysLo, vsysHi}}
	if len(got) != len(want) {
		t.Fatalf("ownCode = %x, want %x", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("range %d = %x, want %x", i, got[i], want[i])
		}
	}
	// Adjacent mappings of one file merge.
	merged := ownCode([]regionInfo{{start: 0x2000, end: 0x3000, exec: true, path: "/a"}, {start: 0x1000, end: 0x2000, exec: true, path: "/a"}})
	if len(merged) != 1 || merged[0] != (codeRange{0x1002, 0x3002}) {
		t.Errorf("adjacent mappings: %x", merged)
	}
}

const (
	nrWrite, nrGetpid, nrExit, nrExitGroup, nrKill, nrArchPrctl, nrTkill = 1, 39, 60, 231, 62, 158, 200
)

func TestSyscallFilter(t *testing.T) {
	own := ownCode(testRegions())
	trap := func(rule int) uint32 { return seccompRetTrap | ruleMagic | uint32(rule) }
	guard := func(name string) uint32 {
		for i, r := range guardRules {
			if r.name == name {
				return trap(ruleGuardBase + i)
			}
		}
		t.Fatalf("no guard rule %s", name)
		return 0
	}
	decide := func(name string) uint32 {
		for i, r := range decideRules {
			if r.name == name {
				return trap(ruleDecideBase + i)
			}
		}
		t.Fatalf("no decision rule %s", name)
		return 0
	}
	const allow = seccompRetAllow
	jit := uint64(jitCode + 0x20)
	tests := []struct {
		name     string
		nr       int32
		arch     uint32
		ip       uint64
		args     [6]uint64
		guard    uint32 // SyscallsGuard's answer
		trapWant uint32 // SyscallsTrap's (0: the same as guard)
	}{
		{"go write", nrWrite, AuditArchX86_64, textLo + 0x100, [6]uint64{1}, allow, allow},
		{"go exit_group", nrExitGroup, AuditArchX86_64, textHi - 1, [6]uint64{}, allow, allow},
		{"go syscall at the text's last bytes", nrExitGroup, AuditArchX86_64, textHi + 1, [6]uint64{}, allow, allow},
		{"first byte after the text", nrExitGroup, AuditArchX86_64, textHi + 2, [6]uint64{}, guard("exit_group"), 0},
		{"syscall ending where the text starts", nrExit, AuditArchX86_64, textLo, [6]uint64{}, guard("exit"), 0},
		{"libc below 4 GiB line", nrExitGroup, AuditArchX86_64, libcLo + 0x10, [6]uint64{}, allow, allow},
		{"libc above 4 GiB line", nrExitGroup, AuditArchX86_64, 0x7f0100000010, [6]uint64{}, allow, allow},
		{"libc end", nrExitGroup, AuditArchX86_64, libcHi + 1, [6]uint64{}, allow, allow},
		{"vdso", nrGetpid, AuditArchX86_64, vdsoLo + 0x900, [6]uint64{}, allow, allow},
		{"vvar", nrGetpid, AuditArchX86_64, vdsoLo - 0x10, [6]uint64{}, allow, trap(ruleTrapAll)},
		{"vsyscall emulation", 96, AuditArchX86_64, vsysLo, [6]uint64{}, allow, allow},
		{"past vsyscall", 96, AuditArchX86_64, vsysHi, [6]uint64{}, allow, trap(ruleTrapAll)},
		{"jit write", nrWrite, AuditArchX86_64, jit, [6]uint64{1, 0x1000, 3}, allow, trap(ruleTrapAll)},
		{"jit getpid", nrGetpid, AuditArchX86_64, jit, [6]uint64{}, allow, trap(ruleTrapAll)},
		{"jit exit", nrExit, AuditArchX86_64, jit, [6]uint64{}, guard("exit"), 0},
		{"jit exit_group", nrExitGroup, AuditArchX86_64, jit, [6]uint64{7}, guard("exit_group"), 0},
		{"memfd exit_group", nrExitGroup, AuditArchX86_64, memfdJIT + 2, [6]uint64{}, guard("exit_group"), 0},
		{"shared anonymous exit_group", nrExitGroup, AuditArchX86_64, memfdJIT + 0x1002, [6]uint64{}, guard("exit_group"), 0},
		{"heap clone", 56, AuditArchX86_64, 0xc000001000, [6]uint64{}, guard("clone"), 0},
		{"clone3", 435, AuditArchX86_64, jit, [6]uint64{}, guard("clone3"), 0},
		{"rt_sigaction", 13, AuditArchX86_64, jit, [6]uint64{11}, guard("rt_sigaction"), 0},
		{"kill self", nrKill, AuditArchX86_64, jit, [6]uint64{testPid, 9}, guard("kill"), 0},
		{"kill self, high word set", nrKill, AuditArchX86_64, jit, [6]uint64{1<<32 | testPid, 9}, guard("kill"), 0},
		{"kill group 0", nrKill, AuditArchX86_64, jit, [6]uint64{0, 9}, guard("kill"), 0},
		{"kill -1", nrKill, AuditArchX86_64, jit, [6]uint64{^uint64(0), 9}, guard("kill"), 0},
		{"kill -1 (32 bits)", nrKill, AuditArchX86_64, jit, [6]uint64{0xffffffff, 9}, guard("kill"), 0},
		{"kill another", nrKill, AuditArchX86_64, jit, [6]uint64{1, 0}, allow, trap(ruleTrapAll)},
		{"tgkill self", 234, AuditArchX86_64, jit, [6]uint64{testPid, 5, 9}, guard("tgkill"), 0},
		{"tgkill another", 234, AuditArchX86_64, jit, [6]uint64{testPid + 1, 5, 9}, allow, trap(ruleTrapAll)},
		{"kill the parent", nrKill, AuditArchX86_64, jit, [6]uint64{testPPid, 9}, guard("kill"), 0},
		{"tgkill the parent", 234, AuditArchX86_64, jit, [6]uint64{testPPid, testPPid, 9}, guard("tgkill"), 0},
		{"tkill", nrTkill, AuditArchX86_64, jit, [6]uint64{1, 9}, guard("tkill"), 0},
		{"arch_prctl SET_FS", nrArchPrctl, AuditArchX86_64, jit, [6]uint64{0x1002}, guard("arch_prctl"), 0},
		{"arch_prctl SET_CPUID", nrArchPrctl, AuditArchX86_64, jit, [6]uint64{0x1012}, guard("arch_prctl"), 0},
		{"arch_prctl GET_FS", nrArchPrctl, AuditArchX86_64, jit, [6]uint64{0x1003}, allow, trap(ruleTrapAll)},
		{"x32 getpid", x32Bit | nrGetpid, AuditArchX86_64, jit, [6]uint64{}, trap(ruleX32), 0},
		{"i386 getpid", 20, AuditArchI386, jit, [6]uint64{}, trap(ruleForeignArch), 0},
		// The program never makes an i386 system call; SYSENTER from the
		// code reaches the kernel with the vDSO's address.
		{"i386 from own code", 1, AuditArchI386, textLo + 0x10, [6]uint64{}, trap(ruleForeignArch), 0},
		{"i386 from the vdso", 1, AuditArchI386, vdsoLo + 0x900, [6]uint64{}, trap(ruleForeignArch), 0},
		{"process_vm_writev", 311, AuditArchX86_64, jit, [6]uint64{testPid}, guard("process_vm_writev"), 0},
		{"io_uring_setup", 425, AuditArchX86_64, jit, [6]uint64{8}, guard("io_uring_setup"), 0},
		{"prlimit64 read", 302, AuditArchX86_64, jit, [6]uint64{0, 7, 0, 0x1000}, allow, trap(ruleTrapAll)},
		{"prlimit64 set", 302, AuditArchX86_64, jit, [6]uint64{0, 7, 0x1000}, guard("prlimit64"), 0},
		{"prlimit64 set, high word", 302, AuditArchX86_64, jit, [6]uint64{0, 7, 1 << 40}, guard("prlimit64"), 0},
		{"go munmap", 11, AuditArchX86_64, textLo + 0x100, [6]uint64{0x1000, 0x1000}, allow, allow},
		{"jit mmap", 9, AuditArchX86_64, jit, [6]uint64{0, 0x1000, 3, 0x22}, decide("mmap"), trap(ruleTrapAll)},
		{"jit munmap", 11, AuditArchX86_64, jit, [6]uint64{0x1000, 0x1000}, decide("munmap"), trap(ruleTrapAll)},
		{"jit mprotect", 10, AuditArchX86_64, jit, [6]uint64{0x1000, 0x1000, 1}, decide("mprotect"), trap(ruleTrapAll)},
		{"jit openat", 257, AuditArchX86_64, jit, [6]uint64{}, decide("openat"), trap(ruleTrapAll)},
	}
	for _, p := range []SyscallPolicy{SyscallsGuard, SyscallsTrap} {
		prog, err := buildSyscallFilter(p, own, testPid, testPPid)
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range tests {
			want := tt.guard
			if p == SyscallsTrap && tt.trapWant != 0 {
				want = tt.trapWant
			}
			if got := runBPF(t, prog, tt.nr, tt.arch, tt.ip, tt.args); got != want {
				t.Errorf("%s: %s: filter says %#x, want %#x", p, tt.name, got, want)
			}
		}
	}
}

func TestSyscallFilterErrors(t *testing.T) {
	if _, err := buildSyscallFilter(SyscallsGuard, nil, 1, 0); err == nil || !strings.Contains(err.Error(), "no executable code") {
		t.Errorf("no own code: %v", err)
	}
	if _, err := buildSyscallFilter(7, ownCode(testRegions()), 1, 0); err == nil {
		t.Error("policy 7 built a filter")
	}
}

// FuzzSyscallFilter checks the filter against the rule it implements for
// random code ranges and system calls: allowed when the address lies in a
// range; otherwise refused under SyscallsTrap, and under SyscallsGuard
// exactly for exit_group and for getpid never.
func FuzzSyscallFilter(f *testing.F) {
	f.Add(uint64(textLo), uint64(textHi-textLo), uint64(vdsoLo), uint64(0x2000), uint64(textLo+5), false)
	f.Add(uint64(libcLo), uint64(libcHi-libcLo), uint64(vsysLo), uint64(0x1000), uint64(0x7f0100000000), true)
	f.Add(uint64(0xfffffffe00000000), uint64(0x1ffffffff), uint64(0), uint64(0), uint64(0xffffffff00000000), true)
	f.Fuzz(func(t *testing.T, lo1, n1, lo2, n2, ip uint64, exitGroup bool) {
		own := fuzzOwnCode(lo1, n1, lo2, n2)
		inOwn := false
		for _, c := range own {
			inOwn = inOwn || ip >= c.lo && ip < c.hi
		}
		nr := int32(nrGetpid)
		if exitGroup {
			nr = nrExitGroup
		}
		for _, p := range []SyscallPolicy{SyscallsGuard, SyscallsTrap} {
			prog, err := buildSyscallFilter(p, own, testPid, testPPid)
			if len(own) == 0 {
				if err == nil {
					t.Fatal("no ranges, no error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := runBPF(t, prog, nr, AuditArchX86_64, ip, [6]uint64{})
			refused := !inOwn && (p == SyscallsTrap || exitGroup)
			if (got != seccompRetAllow) != refused {
				t.Fatalf("%s, ranges %x, ip %#x, nr %d: filter says %#x", p, own, ip, nr, got)
			}
		}
	})
}

func TestGuardRules(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range guardRules {
		if _, ok := syscallNumber(r.name); !ok {
			t.Errorf("rule %s: no such x86-64 system call", r.name)
		}
		if seen[r.name] {
			t.Errorf("rule %s twice", r.name)
		}
		seen[r.name] = true
		if !strings.HasPrefix(r.reason, "it would ") {
			t.Errorf("rule %s: reason %q does not start with \"it would \"", r.name, r.reason)
		}
	}
	// The ones the issue names.
	for _, name := range []string{"exit", "exit_group", "execve", "execveat", "fork", "vfork", "clone", "clone3",
		"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack", "seccomp", "prctl", "ptrace", "kill",
		"tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "set_robust_list", "arch_prctl"} {
		if !seen[name] {
			t.Errorf("%s is not guarded", name)
		}
	}
	if g := GuardedSyscalls(); len(g) != len(guardRules) || g[1].Name != "exit_group" || g[1].Reason != "it would end the process" || g[22].When == "" {
		t.Errorf("GuardedSyscalls() = %+v", g)
	}
}

func TestSyscallNames(t *testing.T) {
	rule := func(name string) int {
		for i, r := range guardRules {
			if r.name == name {
				return ruleMagic + ruleGuardBase + i
			}
		}
		t.Fatalf("no rule %s", name)
		return 0
	}
	tests := []struct {
		s            Syscall
		name, str    string
		reasonPrefix string
	}{
		{Syscall{Number: 231, Arch: AuditArchX86_64, Args: [6]uint64{7, 5}, Rule: rule("exit_group")}, "exit_group", "exit_group(7)", "it would end the process"},
		{Syscall{Number: 60, Arch: AuditArchX86_64, Rule: rule("exit")}, "exit", "exit(0)", "it would end the calling thread"},
		{Syscall{Number: 57, Arch: AuditArchX86_64, Args: [6]uint64{1}, Rule: rule("fork")}, "fork", "fork()", "it would copy"},
		{Syscall{Number: 62, Arch: AuditArchX86_64, Args: [6]uint64{^uint64(0), 9}, Rule: rule("kill")}, "kill", "kill(-1, 9)", "it would send a signal"},
		{Syscall{Number: 1, Arch: AuditArchX86_64, Args: [6]uint64{1, 0x7f3a2c001000, 3}, Rule: ruleMagic + ruleTrapAll}, "write", "write(1, 0x7f3a2c001000, 3)", "the policy refuses every system call"},
		{Syscall{Number: 39, Arch: AuditArchX86_64, Rule: ruleMagic + ruleTrapAll}, "getpid", "getpid()", "the policy refuses every"},
		{Syscall{Number: x32Bit + 39, Arch: AuditArchX86_64, Rule: ruleMagic + ruleX32}, "x32 getpid", "x32 getpid()", "it is an x32-ABI system call"},
		{Syscall{Number: 1, Arch: AuditArchI386, Args: [6]uint64{3}, Rule: ruleMagic + ruleForeignArch}, "i386 exit", "i386 exit(3)", "it is a 32-bit (INT 0x80)"},
		{Syscall{Number: 9999, Arch: AuditArchX86_64, Rule: ruleMagic + ruleTrapAll}, "syscall 9999", "syscall 9999()", "the policy"},
		{Syscall{Number: 1, Arch: 0x1234, Rule: 5}, "syscall 1 (audit arch 0x1234)", "syscall 1 (audit arch 0x1234)()", "a seccomp filter that is not this package's refused it (data 0x5)"},
	}
	for _, tt := range tests {
		if got := tt.s.Name(); got != tt.name {
			t.Errorf("Name() = %q, want %q", got, tt.name)
		}
		if got := tt.s.String(); got != tt.str {
			t.Errorf("String() = %q, want %q", got, tt.str)
		}
		if got := tt.s.Reason(); !strings.HasPrefix(got, tt.reasonPrefix) {
			t.Errorf("%s: Reason() = %q, want it to start %q", tt.str, got, tt.reasonPrefix)
		}
		if got, want := tt.s.UnderTrapAll(), strings.HasPrefix(tt.reasonPrefix, "the policy"); got != want {
			t.Errorf("%s: UnderTrapAll() = %v, want %v", tt.str, got, want)
		}
	}
	f := &Fault{Signal: sigSYS, Code: 1, PC: 0x1009, CodeBase: 0x1000, CodeLen: 9, Trap: -1,
		Syscall: &Syscall{Number: 231, Arch: AuditArchX86_64, Rule: rule("exit_group")}}
	if got, want := f.Error(), "SIGSYS (SYS_SECCOMP) at pc 0x1009 (+0x9): system call exit_group(0) refused: it would end the process"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if f.TrapName() != "no trap" {
		t.Errorf("TrapName() = %q", f.TrapName())
	}
}

func TestGuardSyscallsBadPolicy(t *testing.T) {
	for _, p := range []SyscallPolicy{0, 3, -1} {
		err := GuardSyscalls(p)
		if err == nil || !strings.Contains(err.Error(), "unknown system-call policy") || errors.Is(err, errors.ErrUnsupported) {
			t.Errorf("GuardSyscalls(%d) = %v", int(p), err)
		}
	}
	if p, ok := InstalledSyscallPolicy(); ok {
		t.Errorf("a bad policy installed %v", p)
	}
}

// fuzzOwnCode is the program's own code for the filter fuzzers: two
// executable regions made page-aligned from fuzzer values, each left out
// when empty, wrapping, or above the vsyscall page.
func fuzzOwnCode(lo1, n1, lo2, n2 uint64) []codeRange {
	var regions []regionInfo
	for _, r := range [][2]uint64{{lo1, n1}, {lo2, n2}} {
		lo, n := r[0]&^0xfff, r[1]&^0xfff
		if n == 0 || lo+n < lo || lo+n+2 < lo || lo >= vsysLo {
			continue
		}
		regions = append(regions, regionInfo{start: lo, end: lo + n, exec: true, path: "/bin/x"})
	}
	return ownCode(regions)
}
