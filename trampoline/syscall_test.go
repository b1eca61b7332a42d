//go:build linux && amd64

package trampoline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/jitrun/jitrun/execmem"
	"golang.org/x/arch/x86/x86asm"
)

// The filter of GuardSyscalls is process-wide and irreversible, so each
// case runs in a child: this test binary, re-executed with
// -test.run=^TestSyscallChild$ and the case's name in syscallChildEnv.
// The child prints what the JIT code wrote, then one "result: …" line.

const syscallChildEnv = "JITRUN_TRAMPOLINE_SYSCALL_CHILD"

var (
	sysExit0     = sn("mov eax, 0x3c; xor edi, edi; syscall; ret", 0xb8, 0x3c, 0, 0, 0, 0x31, 0xff, 0x0f, 0x05, 0xc3)
	sysExitGroup = sn("mov eax, 0xe7; mov edi, 0x7; syscall; ret", 0xb8, 0xe7, 0, 0, 0, 0xbf, 0x07, 0, 0, 0, 0x0f, 0x05, 0xc3)
	sysFork      = sn("mov eax, 0x39; syscall; ret", 0xb8, 0x39, 0, 0, 0, 0x0f, 0x05, 0xc3)
	sysClone     = sn("mov edi, 0x11; xor esi, esi; mov eax, 0x38; syscall; ret", 0xbf, 0x11, 0, 0, 0, 0x31, 0xf6, 0xb8, 0x38, 0, 0, 0, 0x0f, 0x05, 0xc3)
	sysSigaction = sn("mov edi, 0xb; xor esi, esi; xor edx, edx; mov r10d, 0x8; mov eax, 0xd; syscall; ret",
		0xbf, 0x0b, 0, 0, 0, 0x31, 0xf6, 0x31, 0xd2, 0x41, 0xba, 0x08, 0, 0, 0, 0xb8, 0x0d, 0, 0, 0, 0x0f, 0x05, 0xc3)
	sysSetFS  = sn("mov edi, 0x1002; xor esi, esi; mov eax, 0x9e; syscall; ret", 0xbf, 0x02, 0x10, 0, 0, 0x31, 0xf6, 0xb8, 0x9e, 0, 0, 0, 0x0f, 0x05, 0xc3)
	sysGetFS  = sn("mov edi, 0x1003; lea rsi, ptr [rsp-0x8]; mov eax, 0x9e; syscall; ret", 0xbf, 0x03, 0x10, 0, 0, 0x48, 0x8d, 0x74, 0x24, 0xf8, 0xb8, 0x9e, 0, 0, 0, 0x0f, 0x05, 0xc3)
	sysKill   = sn("xor esi, esi; mov eax, 0x3e; syscall; ret", 0x31, 0xf6, 0xb8, 0x3e, 0, 0, 0, 0x0f, 0x05, 0xc3)                                   // kill(RDI, 0)
	sysWrite  = sn("mov edi, 0x1; mov edx, 0x3; mov eax, 0x1; syscall; ret", 0xbf, 1, 0, 0, 0, 0xba, 3, 0, 0, 0, 0xb8, 1, 0, 0, 0, 0x0f, 0x05, 0xc3) // write(1, RSI, 3)
	sysGetpid = sn("mov eax, 0x27; syscall; ret", 0xb8, 0x27, 0, 0, 0, 0x0f, 0x05, 0xc3)
	sysX32    = sn("mov eax, 0x40000027; syscall; ret", 0xb8, 0x27, 0, 0, 0x40, 0x0f, 0x05, 0xc3)
	sysInt80  = sn("mov eax, 0x14; int 0x80; ret", 0xb8, 0x14, 0, 0, 0, 0xcd, 0x80, 0xc3)
	// gettimeofday through the legacy vsyscall page.
	sysVsyscall = sn("mov rax, -0xa00000; lea rdi, ptr [rsp-0x20]; xor esi, esi; call rax; ret",
		0x48, 0xc7, 0xc0, 0x00, 0x00, 0x60, 0xff, 0x48, 0x8d, 0x7c, 0x24, 0xe0, 0x31, 0xf6, 0xff, 0xd0, 0xc3)
	// mmap(0, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1,
	// 0), then a breakpoint: a Machine's run.
	sysMmapInt3 = sn("xor edi, edi; mov esi, 0x1000; mov edx, 0x3; mov r10d, 0x22; mov r8, -0x1; xor r9d, r9d; mov eax, 0x9; syscall; int3",
		0x31, 0xff, 0xbe, 0x00, 0x10, 0, 0, 0xba, 0x03, 0, 0, 0, 0x41, 0xba, 0x22, 0, 0, 0, 0x49, 0xc7, 0xc0, 0xff, 0xff, 0xff, 0xff,
		0x45, 0x31, 0xc9, 0xb8, 0x09, 0, 0, 0, 0x0f, 0x05, 0xcc)
)

var syscallSnippets = map[string]snippet{"exit0": sysExit0, "exitgroup": sysExitGroup, "fork": sysFork, "clone": sysClone,
	"sigaction": sysSigaction, "setfs": sysSetFS, "getfs": sysGetFS, "kill": sysKill, "write": sysWrite, "getpid": sysGetpid,
	"x32": sysX32, "int80": sysInt80, "vsyscall": sysVsyscall, "mmapint3": sysMmapInt3}

func TestSyscallSnippets(t *testing.T) {
	for name, s := range syscallSnippets {
		var got []string
		for pc := 0; pc < len(s.code); {
			inst, err := x86asm.Decode(s.code[pc:], 64)
			if err != nil || inst.Len == 0 {
				t.Fatalf("%s: decode at %d: %v", name, pc, err)
			}
			got = append(got, x86asm.IntelSyntax(inst, uint64(pc), nil))
			pc += inst.Len
		}
		if g, w := strings.Join(got, "; "), strings.Join(s.asm, "; "); g != w {
			t.Errorf("%s: bytes decode as\n\t%s\nwant\n\t%s", name, g, w)
		}
	}
}

var hiText = "hi\n"

// syscallChildren are the cases: the policy to install, and what to do
// then, returning the result line.
var syscallChildren = map[string]struct {
	policy SyscallPolicy
	run    func() string
}{
	"guard/exit":       {SyscallsGuard, func() string { return callResult(sysExit0) }},
	"guard/exit_group": {SyscallsGuard, func() string { return callResult(sysExitGroup) }},
	"guard/fork":       {SyscallsGuard, func() string { return callResult(sysFork) }},
	"guard/clone":      {SyscallsGuard, func() string { return callResult(sysClone) }},
	"guard/sigaction":  {SyscallsGuard, func() string { return callResult(sysSigaction) }},
	"guard/setfs":      {SyscallsGuard, func() string { return callResult(sysSetFS) }},
	"guard/getfs":      {SyscallsGuard, func() string { return callResult(sysGetFS) }},
	"guard/killself":   {SyscallsGuard, func() string { return callResult(sysKill, uint64(os.Getpid())) }},
	"guard/killinit":   {SyscallsGuard, func() string { return callResult(sysKill, 1) }},
	"guard/write": {SyscallsGuard, func() string {
		return callResult(sysWrite, 0, uint64(uintptr(unsafe.Pointer(unsafe.StringData(hiText)))))
	}},
	"guard/getpid": {SyscallsGuard, func() string {
		r := callResult(sysGetpid)
		return strings.Replace(r, fmt.Sprintf("returned %d", os.Getpid()), "returned PID", 1)
	}},
	"guard/x32":   {SyscallsGuard, func() string { return callResult(sysX32) }},
	"guard/int80": {SyscallsGuard, func() string { return callResult(sysInt80) }},
	"trap/getpid": {SyscallsTrap, func() string { return callResult(sysGetpid) }},
	"trap/write": {SyscallsTrap, func() string {
		return callResult(sysWrite, 0, uint64(uintptr(unsafe.Pointer(unsafe.StringData(hiText)))))
	}},
	"trap/vsyscall": {SyscallsTrap, func() string { return callResult(sysVsyscall) }},
	"trap/runtime":  {SyscallsTrap, goRuntimeWorks},
	"guard/others": {SyscallsGuard, func() string {
		// A timeout and a SIGSEGV still report as before.
		var parts []string
		b, _ := loadShared(codeLoop)
		_, err := Run(context.Background(), b.Addr(), nil, &Options{Timeout: 20 * time.Millisecond})
		var it *Interrupted
		parts = append(parts, fmt.Sprintf("loop: interrupted %v, deadline %v", errors.As(err, &it), errors.Is(err, context.DeadlineExceeded)))
		parts = append(parts, "null: "+callResult(codeNull))
		return strings.Join(parts, "; ")
	}},
	"guard/machine-mmap": {SyscallsGuard, func() string {
		// A Machine's code, RSP still at the top of its stack, maps
		// memory: Go decides the call and the code goes on.
		m, err := NewMachine(0)
		if err != nil {
			return "NewMachine: " + err.Error()
		}
		defer m.Close()
		b, err := loadShared(sysMmapInt3)
		if err != nil {
			return "load: " + err.Error()
		}
		m.Regs.RIP = uint64(b.Addr())
		err = RunMachine(context.Background(), m, nil)
		addr := m.Regs.GPR[RAX]
		return fmt.Sprintf("machine: %v, mapped a page %v", err, addr != 0 && addr%4096 == 0 && !isErrno(addr))
	}},
	"guard/twice": {SyscallsGuard, func() string {
		again := GuardSyscalls(SyscallsGuard)
		other := GuardSyscalls(SyscallsTrap)
		p, ok := InstalledSyscallPolicy()
		return fmt.Sprintf("again: %v; trap: %v; installed %v %v", again, other, p, ok)
	}},
}

// callResult calls s with args and describes the outcome.
func callResult(s snippet, args ...uint64) string {
	b, err := loadShared(s)
	if err != nil {
		return "load: " + err.Error()
	}
	var a Args
	copy(a.Int[:], args)
	res, err := Run(context.Background(), b.Addr(), &a, &Options{Code: b})
	var f *Fault
	switch {
	case err == nil:
		return fmt.Sprintf("returned %d", int64(res.RAX))
	case errors.As(err, &f):
		off, _ := f.Offset()
		s := fmt.Sprintf("%s %s trap %d +%#x addr=pc %v: %s", f.SignalName(), f.CodeName(), f.Trap, off, f.Addr == f.PC, f.Description())
		if f.Syscall != nil {
			s += fmt.Sprintf(" [rax %d, rule %#x]", f.Regs.GPR[RAX], f.Syscall.Rule)
		}
		return s
	}
	return "error: " + err.Error()
}

// goRuntimeWorks exercises the runtime's own system calls under
// SyscallsTrap: new threads, timers, sleeps, the collector, file reads,
// and a refused call in between.
func goRuntimeWorks() string {
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() { // locked goroutines that exit end their threads: new ones get cloned
			defer wg.Done()
			runtime.LockOSThread()
			time.Sleep(time.Millisecond)
		}()
	}
	wg.Wait()
	t0 := time.Now()
	<-time.After(5 * time.Millisecond)
	slept := time.Since(t0) >= 5*time.Millisecond
	runtime.GC()
	data, err := os.ReadFile("/proc/self/status")
	refused := callResult(sysGetpid)
	ch := make(chan int)
	go func() { ch <- os.Getpid() }()
	pid := <-ch
	return fmt.Sprintf("slept %v, read %v %v, getpid %v; %s", slept, err == nil && strings.Contains(string(data), "Seccomp:\t2"), err, pid == os.Getpid(), refused)
}

func TestSyscallChild(t *testing.T) {
	name := os.Getenv(syscallChildEnv)
	if name == "" {
		t.Skip("runs only as the child of TestSyscallPolicies")
	}
	c, ok := syscallChildren[name]
	if !ok {
		t.Fatalf("no child case %q", name)
	}
	if err := GuardSyscalls(c.policy); err != nil {
		fmt.Printf("result: GuardSyscalls: %v\n", err)
		return
	}
	fmt.Printf("result: %s\n", c.run())
}

func TestSyscallPolicies(t *testing.T) {
	pid := "PID"
	killInit := "returned -1" // EPERM: signal 0 checks permission, and init is not ours
	if os.Geteuid() == 0 {
		killInit = "returned 0"
	}
	tests := []struct {
		name, want string
		output     string // what the code wrote before the result
	}{
		{"guard/exit", "SIGSYS SYS_SECCOMP trap -1 +0x9 addr=pc true: system call exit(0) refused: it would end the calling thread, and the Go runtime would wait for that thread forever [rax 60, rule 0x4a10]", ""},
		{"guard/exit_group", "SIGSYS SYS_SECCOMP trap -1 +0xc addr=pc true: system call exit_group(7) refused: it would end the process [rax 231, rule 0x4a11]", ""},
		{"guard/fork", "SIGSYS SYS_SECCOMP trap -1 +0x7 addr=pc true: system call fork() refused: it would copy the process behind the Go runtime's back [rax 57, rule 0x4a14]", ""},
		{"guard/clone", "SIGSYS SYS_SECCOMP trap -1 +0xe addr=pc true: system call clone(17, 0, 0, 0, 0) refused: it would start a thread or process the Go runtime does not know about [rax 56, rule 0x4a16]", ""},
		{"guard/sigaction", "SIGSYS SYS_SECCOMP trap -1 +0x16 addr=pc true: system call rt_sigaction(11, 0, 0, 8) refused: it would change a signal handler the Go runtime and this package rely on [rax 13, rule 0x4a18]", ""},
		{"guard/setfs", "SIGSYS SYS_SECCOMP trap -1 +0xe addr=pc true: system call arch_prctl(4098, 0) refused: it would change per-thread CPU state: the FS base holds the Go runtime's thread-local state; GS, CPUID faulting and the others are not the code's to change [rax 158, rule 0x4a21]", ""},
		{"guard/getfs", "returned 0", ""},
		{"guard/killself", "SIGSYS SYS_SECCOMP trap -1 +0x9 addr=pc true: system call kill(" + pid + ", 0) refused: it would send a signal to this process, its parent (or its process group) [rax 62, rule 0x4a26]", ""},
		{"guard/killinit", killInit, ""},
		{"guard/write", "returned 3", "hi\n"},
		{"guard/getpid", "returned PID", ""},
		{"guard/x32", "SIGSYS SYS_SECCOMP trap -1 +0x7 addr=pc true: system call x32 getpid() refused: it is an x32-ABI system call, which the policy refuses from the code [rax 1073741863, rule 0x4a03]", ""},
		{"guard/int80", "SIGSYS SYS_SECCOMP trap -1 +0x7 addr=pc true: system call i386 getpid() refused: it is a 32-bit (INT 0x80) system call, which the policy refuses from the code [rax 20, rule 0x4a02]", ""},
		{"trap/getpid", "SIGSYS SYS_SECCOMP trap -1 +0x7 addr=pc true: system call getpid() refused: the policy refuses every system call made by the code [rax 39, rule 0x4a01]", ""},
		{"trap/write", "SIGSYS SYS_SECCOMP trap -1 +0x11 addr=pc true: system call write(1, ADDR, 3) refused: the policy refuses every system call made by the code [rax 1, rule 0x4a01]", ""},
		{"trap/vsyscall", "returned 0", ""},
		{"trap/runtime", "slept true, read true <nil>, getpid true; SIGSYS SYS_SECCOMP trap -1 +0x7 addr=pc true: system call getpid() refused: the policy refuses every system call made by the code [rax 39, rule 0x4a01]", ""},
		{"guard/others", "loop: interrupted true, deadline true; null: SIGSEGV SEGV_MAPERR trap 14 +0x2 addr=pc false: read from an unmapped address at 0x0", ""},
		{"guard/machine-mmap", "machine: <nil>, mapped a page true", ""},
		{"guard/twice", "again: <nil>; trap: trampoline: system-call policy guard is already installed; it cannot become trap (seccomp filters stack and are never removed); installed guard true", ""},
	}
	if len(tests) != len(syscallChildren) {
		t.Errorf("%d cases, %d children", len(tests), len(syscallChildren))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0], "-test.run=^TestSyscallChild$", "-test.count=1")
			cmd.Env = append(os.Environ(), syscallChildEnv+"="+tt.name)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("child: %v\nstdout:\n%s\nstderr:\n%s", err, out, stderr.String())
			}
			text := string(out)
			i := strings.Index(text, "result: ")
			if i < 0 {
				t.Fatalf("child printed no result:\n%s\nstderr:\n%s", text, stderr.String())
			}
			written, result := text[:i], text[i+len("result: "):]
			result, _, _ = strings.Cut(result, "\n")
			if tt.name == "guard/killself" {
				result = strings.Replace(result, fmt.Sprintf("kill(%d,", childPid(cmd)), "kill(PID,", 1)
			}
			result = addrRE(result)
			if tt.name == "guard/int80" && strings.HasPrefix(result, "SIGSEGV") {
				t.Skipf("SKIPPED: INT 0x80 faults here (no IA32 emulation in this kernel): %s", result)
			}
			if tt.name == "trap/vsyscall" && !hasVsyscall(t) {
				t.Skip("SKIPPED: this kernel maps no [vsyscall] page (vsyscall=none)")
			}
			if result != tt.want {
				t.Errorf("result:\n\t%s\nwant\n\t%s", result, tt.want)
			}
			if written != tt.output {
				t.Errorf("the code wrote %q, want %q", written, tt.output)
			}
		})
	}
}

func childPid(cmd *exec.Cmd) int { return cmd.ProcessState.Pid() }

// addrRE replaces the hex address among write's arguments.
func addrRE(s string) string {
	if i := strings.Index(s, "write(1, 0x"); i >= 0 {
		j := strings.Index(s[i:], ", 3)")
		if j > 0 {
			s = s[:i] + "write(1, ADDR" + s[i+j:]
		}
	}
	return s
}

func hasVsyscall(t *testing.T) bool {
	regions, err := execmem.Maps()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range regions {
		if r.Path == "[vsyscall]" {
			return true
		}
	}
	return false
}
