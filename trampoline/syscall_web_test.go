package trampoline

import (
	"strings"
	"testing"
)

func TestWebFilter(t *testing.T) {
	prog, err := buildWebFilter(ownCode(testRegions()), testPid)
	if err != nil {
		t.Fatal(err)
	}
	trap := func(rule int) uint32 { return seccompRetTrap | ruleMagic | uint32(rule) }
	const (
		allow  = seccompRetAllow
		eacces = seccompRetErrno | errnoEACCES
		enosys = seccompRetErrno | errnoENOSYS
	)
	nr := func(name string) int32 {
		n, ok := syscallNumber(name)
		if !ok {
			t.Fatalf("no system call %s", name)
		}
		return int32(n)
	}
	const goText, libc, vdso, code, memfd = textLo + 0x100, libcHi - 0x10, vdsoLo + 0x10, jitCode + 0x10, memfdJIT + 0x10
	neg1 := ^uint64(0)
	for _, c := range []struct {
		name string
		call string
		ip   uint64
		args [6]uint64
		arch uint32
		want uint32
	}{
		// The code's own calls.
		{"code writes stdout", "write", code, [6]uint64{1}, 0, allow},
		{"code writes stderr", "write", memfd, [6]uint64{2}, 0, allow},
		{"code writes fd 3", "write", code, [6]uint64{3}, 0, trap(ruleWebCode)},
		{"code writes fd 1<<32|1", "write", code, [6]uint64{1<<32 | 1}, 0, trap(ruleWebCode)},
		{"code reads stdin", "read", code, [6]uint64{0}, 0, allow},
		{"code reads fd 1", "read", code, [6]uint64{1}, 0, trap(ruleWebCode)},
		{"code reads the clock", "clock_gettime", code, [6]uint64{1}, 0, allow},
		{"code sleeps", "nanosleep", code, [6]uint64{}, 0, allow},
		{"code exits (GuardSyscalls refuses)", "exit_group", code, [6]uint64{7}, 0, allow},
		{"code opens", "openat", code, [6]uint64{neg1}, 0, trap(ruleWebCode)},
		{"code maps", "mmap", code, [6]uint64{}, 0, trap(ruleWebCode)},
		{"code getpid", "getpid", code, [6]uint64{}, 0, trap(ruleWebCode)},
		{"code i386", "write", code, [6]uint64{1}, AuditArchI386, trap(ruleForeignArch)},
		// The program's own text, or code that jumped into it.
		{"go writes fd 7", "write", goText, [6]uint64{7}, 0, allow},
		{"go futex", "futex", goText, [6]uint64{}, 0, allow},
		{"go mmap", "mmap", goText, [6]uint64{}, 0, allow},
		{"vdso clock", "clock_gettime", vdso, [6]uint64{}, 0, allow},
		{"go thread", "clone", goText, [6]uint64{goThreadCloneFlags}, 0, allow},
		{"glibc thread", "clone", libc, [6]uint64{glibcThreadCloneFlags}, 0, allow},
		{"go fork by clone", "clone", goText, [6]uint64{17}, 0, trap(ruleWebAny)},
		{"go clone3", "clone3", goText, [6]uint64{}, 0, enosys},
		{"go tgkill self", "tgkill", goText, [6]uint64{testPid, 5, 23}, 0, allow},
		{"go tgkill other", "tgkill", goText, [6]uint64{testPPid, 5, 9}, 0, trap(ruleWebAny)},
		{"go kill self", "kill", goText, [6]uint64{testPid, 6}, 0, allow},
		{"go kill -1", "kill", goText, [6]uint64{neg1, 9}, 0, trap(ruleWebAny)},
		{"go kill group 0", "kill", goText, [6]uint64{0, 9}, 0, trap(ruleWebAny)},
		{"go kill pid+2^32", "kill", goText, [6]uint64{1<<32 | testPid, 9}, 0, trap(ruleWebAny)},
		{"go prlimit64 reads", "prlimit64", goText, [6]uint64{0, 7, 0, 0x1000}, 0, allow},
		{"go prlimit64 sets", "prlimit64", goText, [6]uint64{0, 7, 0x1000}, 0, trap(ruleWebAny)},
		{"go process_vm_readv self", "process_vm_readv", goText, [6]uint64{testPid}, 0, allow},
		{"go process_vm_readv other", "process_vm_readv", goText, [6]uint64{testPPid}, 0, trap(ruleWebAny)},
		{"go openat", "openat", goText, [6]uint64{neg1}, 0, eacces},
		{"go newfstatat", "newfstatat", goText, [6]uint64{}, 0, eacces},
		{"go execve", "execve", goText, [6]uint64{}, 0, trap(ruleWebAny)},
		{"go socket", "socket", goText, [6]uint64{2, 1}, 0, trap(ruleWebAny)},
		{"go connect", "connect", libc, [6]uint64{}, 0, trap(ruleWebAny)},
		{"go unlink", "unlink", goText, [6]uint64{}, 0, trap(ruleWebAny)},
		{"go ptrace", "ptrace", goText, [6]uint64{}, 0, trap(ruleWebAny)},
		{"go ioctl", "ioctl", goText, [6]uint64{0, 0x5412}, 0, trap(ruleWebAny)}, // TIOCSTI
		{"go sched_setaffinity self", "sched_setaffinity", goText, [6]uint64{0, 8}, 0, allow},
		{"go sched_setaffinity other", "sched_setaffinity", goText, [6]uint64{testPPid, 8}, 0, trap(ruleWebAny)},
		{"go membarrier", "membarrier", goText, [6]uint64{}, 0, enosys},
		{"go fcntl F_SETFL", "fcntl", goText, [6]uint64{5, 4, 0x800}, 0, allow},
		{"go fcntl F_DUPFD_CLOEXEC", "fcntl", goText, [6]uint64{5, 1030, 10}, 0, allow},
		{"go fcntl F_SETOWN", "fcntl", goText, [6]uint64{5, 8, testPPid}, 0, trap(ruleWebAny)},
		{"go fcntl F_SETSIG", "fcntl", goText, [6]uint64{5, 10, 9}, 0, trap(ruleWebAny)},
		{"go fcntl 1<<32|F_GETFL", "fcntl", goText, [6]uint64{5, 1<<32 | 3}, 0, trap(ruleWebAny)},
		{"go i386", "write", goText, [6]uint64{1}, AuditArchI386, trap(ruleForeignArch)},
	} {
		t.Run(c.name, func(t *testing.T) {
			arch := c.arch
			if arch == 0 {
				arch = AuditArchX86_64
			}
			if got := runBPF(t, prog, nr(c.call), arch, c.ip, c.args); got != c.want {
				t.Errorf("%s from %#x: %#x, want %#x", c.call, c.ip, got, c.want)
			}
		})
	}
	// x32.
	if got := runBPF(t, prog, x32Bit|1, AuditArchX86_64, goText, [6]uint64{1}); got != trap(ruleX32) {
		t.Errorf("x32 write: %#x", got)
	}
}

// TestWebLists checks that the lists name real calls, once each, and that
// no call is both allowed and refused.
func TestWebLists(t *testing.T) {
	seen := map[string]string{}
	for list, names := range map[string][]string{"runtime": webRuntimeCalls, "errno": webRuntimeErrno, "refused": webRuntimeRefused} {
		for _, n := range names {
			if _, ok := syscallNumber(n); !ok {
				t.Errorf("%s: no system call %q", list, n)
			}
			if other, dup := seen[n]; dup {
				t.Errorf("%q is on the %s list and the %s list", n, other, list)
			}
			seen[n] = list
		}
	}
	for _, n := range []string{"clone", "kill", "tgkill", "process_vm_readv", "prlimit64", "sched_setaffinity", "fcntl"} {
		if seen[n] != "" {
			t.Errorf("%q is checked by argument, but also on the %s list", n, seen[n])
		}
	}
}

func TestWebReasons(t *testing.T) {
	for _, c := range []struct {
		rule int
		want string
	}{
		{ruleWebCode, "the web policy lets the code only write to descriptors 1 and 2"},
		{ruleWebAny, "the web policy refuses it from any address"},
	} {
		if got := (Syscall{Number: 2, Arch: AuditArchX86_64, Rule: ruleMagic + c.rule}).Reason(); !strings.HasPrefix(got, c.want) {
			t.Errorf("rule %d: %q, want %q…", c.rule, got, c.want)
		}
	}
}

// FuzzWebFilter: for any ranges of own code and any address, a call the
// runtime needs (futex) runs from own code only, the code's own call
// (getpid) is refused outside it, and execve is refused from anywhere.
func FuzzWebFilter(f *testing.F) {
	f.Add(uint64(textLo), uint64(textHi-textLo), uint64(vdsoLo), uint64(0x2000), uint64(textLo+5), uint8(0))
	f.Add(uint64(libcLo), uint64(libcHi-libcLo), uint64(vsysLo), uint64(0x1000), uint64(0x7f0100000000), uint8(1))
	f.Add(uint64(0xfffffffe00000000), uint64(0x1ffffffff), uint64(0), uint64(0), uint64(0xffffffff00000000), uint8(2))
	f.Fuzz(func(t *testing.T, lo1, n1, lo2, n2, ip uint64, which uint8) {
		own := fuzzOwnCode(lo1, n1, lo2, n2)
		prog, err := buildWebFilter(own, testPid)
		if len(own) == 0 {
			if err == nil {
				t.Fatal("no ranges, no error")
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		inOwn := false
		for _, c := range own {
			inOwn = inOwn || ip >= c.lo && ip < c.hi
		}
		call, want := "futex", uint32(seccompRetAllow)
		switch which % 3 {
		case 0:
			if !inOwn {
				want = trapRule(ruleWebCode)
			}
		case 1:
			call, want = "getpid", seccompRetAllow
			if !inOwn {
				want = trapRule(ruleWebCode)
			}
		case 2:
			call, want = "execve", trapRule(ruleWebAny)
			if !inOwn {
				want = trapRule(ruleWebCode)
			}
		}
		nr, _ := syscallNumber(call)
		if got := runBPF(t, prog, int32(nr), AuditArchX86_64, ip, [6]uint64{}); got != want {
			t.Fatalf("ranges %x, ip %#x, %s: filter says %#x, want %#x", own, ip, call, got, want)
		}
	})
}
