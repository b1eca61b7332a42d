//go:build linux && amd64

package trampoline

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/jitrun/jitrun/execmem"
)

// Machine code that once ended, hung or corrupted a process that ran it
// (issue 11), each now with the exact result a call gives. Every case runs
// in a child process under GuardSyscalls(SyscallsGuard) — the policy
// jitrun runs code with — and, after the call, checks that Go still works
// on the thread the code ran on: misaligned loads (EFLAGS.AC), float
// rounding (MXCSR), thread-local storage (FS), the collector, goroutines.

const reliabilityChildEnv = "JITRUN_TRAMPOLINE_RELIABILITY_CHILD"

var (
	relPushNeg27 = sn("push 0xffffffe5; ret", 0x6a, 0xe5, 0xc3)
	relJmpTop    = sn("mov rax, -0x1000; jmp rax", 0x48, 0xc7, 0xc0, 0x00, 0xf0, 0xff, 0xff, 0xff, 0xe0)
	relMovFS     = sn("mov fs, ax; ret", 0x8e, 0xe0, 0xc3)
	relPopFS     = sn("push 0x0; pop fs; ret", 0x6a, 0x00, 0x0f, 0xa1, 0xc3)
	relWrFSBase  = sn("wrfsbase rax; ret", 0xf3, 0x48, 0x0f, 0xae, 0xd0, 0xc3)
	relSysenter  = sn("sysenter; ret", 0x0f, 0x34, 0xc3)
	relFarRet    = sn("lea rax, ptr [rip+0x5]; push 0x23; push rax; ret far; ud2",
		0x48, 0x8d, 0x05, 0x05, 0, 0, 0, 0x6a, 0x23, 0x50, 0x48, 0xcb, 0x0f, 0x0b)
	relRSPNull = sn("xor esp, esp; xor eax, eax; mov rax, qword ptr [rax]; ret", 0x31, 0xe4, 0x31, 0xc0, 0x48, 0x8b, 0x00, 0xc3)
	relRSPLoop = sn("xor esp, esp; jmp .+0", 0x31, 0xe4, 0xeb, 0xfe)
	relRet2000 = sn("ret 0x2000", 0xc2, 0x00, 0x20)
	relRetFFF0 = sn("ret 0xfff0", 0xc2, 0xf0, 0xff)
	relPushRet = sn("push rbx; ret", 0x53, 0xc3)
	relPopRet  = sn("pop rbx; ret", 0x5b, 0xc3)
	// mprotect(the stack's top page, 4096, PROT_READ), munmap of it, and
	// munmap(0x400000, 4096).
	relProtectStack = sn("mov rdi, rsp; and rdi, -0x1000; mov esi, 0x1000; mov edx, 0x1; mov eax, 0xa; syscall; ret",
		0x48, 0x89, 0xe7, 0x48, 0x81, 0xe7, 0x00, 0xf0, 0xff, 0xff, 0xbe, 0x00, 0x10, 0, 0, 0xba, 0x01, 0, 0, 0, 0xb8, 0x0a, 0, 0, 0, 0x0f, 0x05, 0xc3)
	relUnmapStack = sn("mov rdi, rsp; and rdi, -0x1000; mov esi, 0x1000; mov eax, 0xb; syscall; ret",
		0x48, 0x89, 0xe7, 0x48, 0x81, 0xe7, 0x00, 0xf0, 0xff, 0xff, 0xbe, 0x00, 0x10, 0, 0, 0xb8, 0x0b, 0, 0, 0, 0x0f, 0x05, 0xc3)
	relUnmapText = sn("mov edi, 0x400000; mov esi, 0x1000; mov eax, 0xb; syscall; ret",
		0xbf, 0x00, 0x00, 0x40, 0x00, 0xbe, 0x00, 0x10, 0, 0, 0xb8, 0x0b, 0, 0, 0, 0x0f, 0x05, 0xc3)
	relWriteAbove = sn("lea rdi, ptr [rsp+0x1018]; mov ecx, 0x10000; mov al, 0x2a; rep stosb byte ptr [rdi]; mov eax, 0x2a; ret",
		0x48, 0x8d, 0xbc, 0x24, 0x18, 0x10, 0, 0, 0xb9, 0x00, 0x00, 0x01, 0x00, 0xb0, 0x2a, 0xf3, 0xaa, 0xb8, 0x2a, 0, 0, 0, 0xc3)
	relTFRet   = sn("pushfq; or qword ptr [rsp], 0x100; popfq; ret", 0x9c, 0x48, 0x81, 0x0c, 0x24, 0x00, 0x01, 0, 0, 0x9d, 0xc3)
	relACLoop  = sn("pushfq; or dword ptr [rsp], 0x40000; popfq; jmp .+0", 0x9c, 0x81, 0x0c, 0x24, 0x00, 0x00, 0x04, 0x00, 0x9d, 0xeb, 0xfe)
	relFrstor  = sn("pop rbx; frstor ptr [rbx]; int3", 0x5b, 0xdd, 0x23, 0xcc)
	relFnsave  = sn("fnsave ptr fs:[rsi]; ret", 0x64, 0xdd, 0x36, 0xc3)
	relPopPops = sn("pop rbp; pop rdx; pop rdx; fistp qword ptr [rdx], st0; ret", 0x5d, 0x5a, 0x5a, 0xdf, 0x3a, 0xc3)
	// mmap(0, 4096, PROT_READ|PROT_WRITE or |PROT_EXEC, MAP_PRIVATE|
	// MAP_ANONYMOUS, -1, 0), then munmap of what it returned.
	relMmapMunmap = sn("xor edi, edi; mov esi, 0x1000; mov edx, 0x3; mov r10d, 0x22; mov r8, -0x1; xor r9d, r9d; mov eax, 0x9; syscall; mov rdi, rax; mov esi, 0x1000; mov eax, 0xb; syscall; ret",
		0x31, 0xff, 0xbe, 0x00, 0x10, 0, 0, 0xba, 0x03, 0, 0, 0, 0x41, 0xba, 0x22, 0, 0, 0, 0x49, 0xc7, 0xc0, 0xff, 0xff, 0xff, 0xff,
		0x45, 0x31, 0xc9, 0xb8, 0x09, 0, 0, 0, 0x0f, 0x05, 0x48, 0x89, 0xc7, 0xbe, 0x00, 0x10, 0, 0, 0xb8, 0x0b, 0, 0, 0, 0x0f, 0x05, 0xc3)
	relMmapRWX = sn("xor edi, edi; mov esi, 0x1000; mov edx, 0x7; mov r10d, 0x22; mov r8, -0x1; xor r9d, r9d; mov eax, 0x9; syscall; ret",
		0x31, 0xff, 0xbe, 0x00, 0x10, 0, 0, 0xba, 0x07, 0, 0, 0, 0x41, 0xba, 0x22, 0, 0, 0, 0x49, 0xc7, 0xc0, 0xff, 0xff, 0xff, 0xff,
		0x45, 0x31, 0xc9, 0xb8, 0x09, 0, 0, 0, 0x0f, 0x05, 0xc3)
	// open(the string after the RET, O_RDONLY).
	relOpen          = sn("lea rdi, ptr [rip+0xa]; xor esi, esi; mov eax, 0x2; syscall; ret", 0x48, 0x8d, 0x3d, 0x0a, 0, 0, 0, 0x31, 0xf6, 0xb8, 0x02, 0, 0, 0, 0x0f, 0x05, 0xc3)
	relVMWritev      = sn("mov eax, 0x137; syscall; ret", 0xb8, 0x37, 0x01, 0, 0, 0x0f, 0x05, 0xc3)
	relIOUringSetup  = sn("mov eax, 0x1a9; syscall; ret", 0xb8, 0xa9, 0x01, 0, 0, 0x0f, 0x05, 0xc3)
	reliabilitySnips = map[string]snippet{"pushneg27": relPushNeg27, "jmptop": relJmpTop, "movfs": relMovFS, "popfs": relPopFS,
		"sysenter": relSysenter, "farret": relFarRet, "rspnull": relRSPNull, "rsploop": relRSPLoop,
		"ret2000": relRet2000, "retfff0": relRetFFF0, "pushret": relPushRet, "popret": relPopRet,
		"protectstack": relProtectStack, "unmapstack": relUnmapStack, "unmaptext": relUnmapText, "writeabove": relWriteAbove,
		"tfret": relTFRet, "acloop": relACLoop, "frstor": relFrstor, "fnsave": relFnsave, "poppops": relPopPops,
		"mmapmunmap": relMmapMunmap, "mmaprwx": relMmapRWX, "open": relOpen, "vmwritev": relVMWritev, "iouring": relIOUringSetup}
)

func init() {
	for name, s := range reliabilitySnips {
		allSnippets["reliability/"+name] = s // checked by TestSnippets
	}
	// wrfsbase is not in x86asm's tables: checked by hand against the SDM
	// (F3 REX.W 0F AE /2).
}

// reliabilityCase is one call in a child: the code, how to call it, and
// the result line it must give.
type reliabilityCase struct {
	code []byte
	opt  Options
	gc   bool   // run the collector all along
	low  bool   // place the code below 4 GiB (where 32-bit code can run)
	want string // the result line; "any fault" accepts any *Fault
}

func reliabilityCases() map[string]reliabilityCase {
	procMem := append(append([]byte{}, relOpen.code...), "/proc/self/mem\x00"...)
	return map[string]reliabilityCase{
		"push -27; ret": {code: relPushNeg27.code, want: "SIGSEGV SEGV_MAPERR trap 14 pc -27 text 0: instruction fetch from an unmapped address at 0xffffffffffffffe5"},
		"jmp to the last page": {code: relJmpTop.code,
			want: "SIGSEGV SEGV_MAPERR trap 14 pc -4096 text 0: instruction fetch from an unmapped address at 0xfffffffffffff000"},
		"mov fs":     {code: relMovFS.code, want: "returned"},
		"pop fs":     {code: relPopFS.code, want: "returned"},
		"wrfsbase":   {code: relWrFSBase.code, want: "returned or SIGILL"},
		"sysenter":   {code: relSysenter.code, want: "any fault"},
		"far return": {code: relFarRet.code, low: true, want: "SIGILL ILL_ILLOPN trap 6 +0xc: illegal instruction (#UD)"},
		// Above 4 GiB the far return itself is refused (the target is
		// beyond a 32-bit segment's limit).
		"far return above 4 GiB": {code: relFarRet.code, want: "SIGSEGV SI_KERNEL trap 13 +0xa: general protection fault (a privileged instruction, a non-canonical address or a misaligned SSE operand)"},
		"RSP 0, then a fault": {code: relRSPNull.code,
			want: "SIGSEGV SEGV_MAPERR trap 14 +0x4 rsp 0x0: read from an unmapped address at 0x0"},
		"RSP 0, then a loop": {code: relRSPLoop.code, opt: Options{Timeout: 20 * time.Millisecond},
			want: "timeout at +0x2 rsp 0x0"},
		"ret 0x2000": {code: relRet2000.code,
			want: "SIGSEGV SEGV_ACCERR trap 14 return: the code returned with RSP +8192 bytes from where its return address was, in the guard region above the stack (a RET imm16?)"},
		"ret 0xfff0": {code: relRetFFF0.code,
			want: "SIGSEGV SEGV_ACCERR trap 14 return: the code returned with RSP +65520 bytes from where its return address was, in the guard region above the stack (a RET imm16?)"},
		"push rbx; ret": {code: relPushRet.code, want: "SIGSEGV SEGV_MAPERR trap 14 pc 0 text 0: instruction fetch from an unmapped address at 0x0"},
		"pop rbx; ret":  {code: relPopRet.code, want: "any fault"},
		"mprotect of the stack": {code: relProtectStack.code,
			want: "SIGSYS SYS_SECCOMP trap -1 +0x1b: system call mprotect(STACK, 4096, 1) refused: mprotect of STACK-STACK: the range is not memory the code mapped itself (it holds the program, its stacks or the code being run)"},
		"munmap of the stack": {code: relUnmapStack.code,
			want: "SIGSYS SYS_SECCOMP trap -1 +0x16: system call munmap(STACK, 4096) refused: munmap of STACK-STACK: the range is not memory the code mapped itself (it holds the program, its stacks or the code being run)"},
		"munmap of the program's text": {code: relUnmapText.code,
			want: "SIGSYS SYS_SECCOMP trap -1 +0x11: system call munmap(0x400000, 4096) refused: munmap of 0x400000-0x401000: the range is not memory the code mapped itself (it holds the program, its stacks or the code being run)"},
		"64 KiB written above the stack": {code: relWriteAbove.code,
			want: "SIGSEGV SEGV_ACCERR trap 14 +0xf: access above the top of the stack, into the guard region there at GUARD"},
		"return with TF": {code: relTFRet.code,
			want: "SIGTRAP TRAP_TRACE trap 1 return: the code returned with the trap flag (EFLAGS.TF) set: the single-step trap fired after its RET"},
		"AC loop under the collector": {code: relACLoop.code, opt: Options{Timeout: 50 * time.Millisecond}, gc: true,
			want: "timeout at +0x9 rsp STACK"},
		"frstor of the return address": {code: relFrstor.code, want: "SIGTRAP SI_KERNEL trap 3 +0x4: breakpoint (INT3); pc is just after it"},
		"fnsave relative to FS":        {code: relFnsave.code, opt: Options{PrivateTLS: true}, want: "returned"},
		"pops through the frame word":  {code: relPopPops.code, want: "any fault"},
		"mmap then munmap":             {code: relMmapMunmap.code, want: "returned 0"},
		"mmap RWX": {code: relMmapRWX.code,
			want: "SIGSYS SYS_SECCOMP trap -1 +0x23: system call mmap(0, 4096, 7, 34, -1, 0) refused: the code asked for memory writable and executable at once, which jitrun never maps (W^X)"},
		"open /proc/self/mem": {code: procMem,
			want: "SIGSYS SYS_SECCOMP trap -1 +0x10: system call open(CODE, 0, 0) refused: it opened /proc/PID/mem, this process's memory, through which the code could write jitrun's own memory"},
		"process_vm_writev": {code: relVMWritev.code,
			want: "SIGSYS SYS_SECCOMP trap -1 +0x7: system call process_vm_writev(0, 0, 0, 0, 0, 0) refused: it would write another process's memory, or this one's behind the Go runtime's back"},
		"io_uring_setup": {code: relIOUringSetup.code,
			want: "SIGSYS SYS_SECCOMP trap -1 +0x7: system call io_uring_setup(0, 0) refused: it would let the kernel write memory behind the Go runtime's back, outside any call (its asynchronous reads)"},
	}
}

// TestReliabilityChild is the child: it runs one case and prints
// "result: …" and "go: …" lines.
func TestReliabilityChild(t *testing.T) {
	name := os.Getenv(reliabilityChildEnv)
	if name == "" {
		t.Skip("runs only as the child of TestReliability")
	}
	c, ok := reliabilityCases()[name]
	if !ok {
		t.Fatalf("no case %q", name)
	}
	if err := GuardSyscalls(SyscallsGuard); err != nil {
		fmt.Printf("result: GuardSyscalls: %v\n", err)
		return
	}
	runtime.LockOSThread() // the Go checks run on the thread the code ran on
	stop := func() {}
	if c.gc {
		stop = collectAlongside(time.Millisecond)
	}
	fmt.Printf("result: %s\n", reliabilityResult(c))
	stop()
	fmt.Printf("go: %s\n", goHealth())
	// A second call on the same stack works as the first would.
	b, _ := loadShared(codeAdd)
	r, err := Call(b.Addr(), 40, 2)
	fmt.Printf("next call: %d %v\n", r.RAX, err)
}

// reliabilityResult calls the case's code and describes the outcome, with
// addresses that change from run to run masked.
func reliabilityResult(c reliabilityCase) string {
	var b Code
	var err error
	if c.low {
		b, err = loadLow(c.code)
	} else {
		b, err = execmem.Load(c.code)
	}
	if err != nil {
		return "load: " + err.Error()
	}
	opt := c.opt
	opt.Code = b
	var regs Regs
	opt.Regs = &regs
	res, err := Run(context.Background(), b.Addr(), nil, &opt)
	var f *Fault
	var it *Interrupted
	var s string
	switch {
	case err == nil && res.RAX == 0 && strings.HasPrefix(c.want, "returned 0"):
		s = "returned 0"
	case err == nil:
		s = "returned"
	case errors.As(err, &f):
		s = fmt.Sprintf("%s %s trap %d", f.SignalName(), f.CodeName(), f.Trap)
		switch off, ok := f.Offset(); {
		case f.BadReturn:
			s += " return"
		case ok:
			s += fmt.Sprintf(" +%#x", off)
		default:
			s += fmt.Sprintf(" pc %d text %d", int64(f.PC), len(f.Text))
		}
		if f.Regs.GPR[RSP] == 0 {
			s += " rsp 0x0"
		}
		s += ": " + f.Description()
		s = maskStack(s, f)
		s = strings.ReplaceAll(s, fmt.Sprintf("%#x", b.Addr()+uintptr(len(relOpen.code))), "CODE")
		s = strings.ReplaceAll(s, fmt.Sprintf("/proc/%d/", os.Getpid()), "/proc/PID/")
	case errors.As(err, &it):
		s = fmt.Sprintf("timeout at +%#x rsp %#x", it.PC-b.Addr(), it.Regs.GPR[RSP])
		if it.Regs.GPR[RSP] != 0 {
			s = s[:strings.LastIndex(s, " ")] + " STACK"
		}
	default:
		s = "error: " + err.Error()
	}
	return s
}

// maskStack replaces addresses on the call's stack and in its guard
// regions with STACK and GUARD.
func maskStack(s string, f *Fault) string {
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(" ,()-:", r) }) {
		var v uint64
		if _, err := fmt.Sscanf(w, "%v", &v); err != nil || !strings.HasPrefix(w, "0x") {
			continue
		}
		switch a := uintptr(v); {
		case a >= f.GuardLow[1] && a <= f.GuardHigh[0]:
			s = strings.Replace(s, w, "STACK", 1)
		case a >= f.GuardLow[0] && a < f.GuardHigh[1]:
			s = strings.Replace(s, w, "GUARD", 1)
		}
	}
	for _, w := range strings.Fields(s) { // decimal stack addresses among system call arguments
		var v uint64
		if _, err := fmt.Sscanf(strings.Trim(w, "(,)"), "%d", &v); err == nil && uintptr(v) >= f.GuardLow[1] && uintptr(v) <= f.GuardHigh[0] {
			s = strings.Replace(s, strings.Trim(w, "(,)"), "STACK", 1)
		}
	}
	return s
}

//go:noinline
func misalignedLoad(b []byte) uint64 { return *(*uint64)(unsafe.Pointer(&b[3])) }

// goHealth checks, on this thread, what the code could have broken.
func goHealth() string {
	var problems []string
	if math.Float64bits(div(1, 10)) != 0x3fb999999999999a {
		problems = append(problems, "rounding")
	}
	if misalignedLoad(make([]byte, 16)) != 0 {
		problems = append(problems, "misaligned load")
	}
	runtime.GC()
	ch := make(chan int)
	go func() { ch <- len(make([]byte, 1<<20)) }()
	if <-ch != 1<<20 {
		problems = append(problems, "goroutine")
	}
	if len(problems) == 0 {
		return "ok"
	}
	return strings.Join(problems, ", ")
}

func TestReliability(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	for name, c := range reliabilityCases() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0], "-test.run=^TestReliabilityChild$", "-test.count=1")
			cmd.Env = append(os.Environ(), reliabilityChildEnv+"="+name)
			out, err := cmd.CombinedOutput()
			text := string(out)
			if err != nil {
				t.Fatalf("the child died (%v):\n%s", err, text)
			}
			line := func(prefix string) string {
				i := strings.Index(text, prefix)
				if i < 0 {
					t.Fatalf("no %q line:\n%s", prefix, text)
				}
				l, _, _ := strings.Cut(text[i+len(prefix):], "\n")
				return l
			}
			got := line("result: ")
			if name == "far return" && strings.HasPrefix(got, "SIGSEGV SI_KERNEL trap 13 +0xa:") {
				t.Skipf("SKIPPED: the far return to the 32-bit code segment 0x23 is refused here (a kernel without IA32 emulation marks it not present): %s", got)
			}
			switch c.want {
			case "any fault":
				if !strings.HasPrefix(got, "SIG") {
					t.Errorf("result %q, want a fault", got)
				}
			case "returned or SIGILL":
				if got != "returned" && !strings.HasPrefix(got, "SIGILL") {
					t.Errorf("result %q, want a return (FSGSBASE enabled) or SIGILL", got)
				}
			default:
				if got != c.want {
					t.Errorf("result:\n\t%s\nwant\n\t%s", got, c.want)
				}
			}
			if g := line("go: "); g != "ok" {
				t.Errorf("Go after the call: %s", g)
			}
			if n := line("next call: "); n != "42 <nil>" {
				t.Errorf("the next call: %s", n)
			}
		})
	}
}

// lowCode is code mapped below 4 GiB.
type lowCode struct {
	m *execmem.Mapping
	n int
}

func (c lowCode) Addr() uintptr { return c.m.Addr() }
func (c lowCode) Len() int      { return c.n }

// loadLow maps code read+exec at a hint below 4 GiB (the kernel may
// refuse the hint; the case then fails with the address it got).
func loadLow(code []byte) (lowCode, error) {
	m, err := execmem.Map(execmem.PageSize(), execmem.MapOptions{Prot: execmem.ProtRW, Addr: 0x30000000, Placement: execmem.PlaceNoReplace})
	if err != nil {
		return lowCode{}, err
	}
	copy(m.Bytes(), code)
	if err := m.Protect(execmem.ProtRead | execmem.ProtExec); err != nil {
		return lowCode{}, err
	}
	return lowCode{m, len(code)}, nil
}
