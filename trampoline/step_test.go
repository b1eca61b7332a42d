//go:build linux && amd64

package trampoline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/jitrun/jitrun/execmem"
	"github.com/jitrun/jitrun/internal/hostcpu"
	"github.com/jitrun/jitrun/internal/platform"
)

var (
	// RAX = 5 + RDI, then three rounds of RAX += 1 counted down by LOOP.
	stepLoop = sn("mov eax, 0x5; add rax, rdi; mov ecx, 0x3; add rax, 0x1; loop 0xd; int3",
		0xb8, 0x05, 0x00, 0x00, 0x00, 0x48, 0x01, 0xf8, 0xb9, 0x03, 0x00, 0x00, 0x00, 0x48, 0x83, 0xc0, 0x01, 0xe2, 0xfa, 0xcc)
	stepNull = sn("mov eax, 0x1; xor ecx, ecx; mov rax, qword ptr [rcx]; int3",
		0xb8, 0x01, 0x00, 0x00, 0x00, 0x31, 0xc9, 0x48, 0x8b, 0x01, 0xcc)
	// getpid; then an instruction of its own after the SYSCALL.
	stepGetpid = sn("mov eax, 0x27; syscall; mov ebx, 0x7; int3",
		0xb8, 0x27, 0x00, 0x00, 0x00, 0x0f, 0x05, 0xbb, 0x07, 0x00, 0x00, 0x00, 0xcc)
	// write(RDI, RSI, RDX): the arguments come from Go.
	stepWrite = sn("mov eax, 0x1; syscall; nop; int3", 0xb8, 0x01, 0x00, 0x00, 0x00, 0x0f, 0x05, 0x90, 0xcc)
	// SYSCALL with prefixes the CPU ignores (66 REX.W), and with LOCK (#UD).
	stepPrefixed = sn("mov eax, 0x27; syscall; int3", 0xb8, 0x27, 0x00, 0x00, 0x00, 0x66, 0x48, 0x0f, 0x05, 0xcc)
	stepLocked   = sn("mov eax, 0x27; lock syscall; int3", 0xb8, 0x27, 0x00, 0x00, 0x00, 0xf0, 0x0f, 0x05, 0xcc)
	// i386 getpid (20) through INT 0x80.
	stepInt80Code = sn("mov eax, 0x14; int 0x80; nop; int3", 0xb8, 0x14, 0x00, 0x00, 0x00, 0xcd, 0x80, 0x90, 0xcc)
	stepSysent    = sn("sysenter; int3", 0x0f, 0x34, 0xcc)
	stepPushfq    = sn("pushfq; pop rax; data16 pushf; pop bx; int3", 0x9c, 0x58, 0x66, 0x9c, 0x66, 0x5b, 0xcc)
	// read(RDI, RSP-64, 8) and nanosleep(RDI, 0): they block.
	stepRead  = sn("xor eax, eax; lea rsi, ptr [rsp-0x40]; mov edx, 0x8; syscall; int3", 0x31, 0xc0, 0x48, 0x8d, 0x74, 0x24, 0xc0, 0xba, 0x08, 0x00, 0x00, 0x00, 0x0f, 0x05, 0xcc)
	stepSleep = sn("mov eax, 0x23; xor esi, esi; syscall; int3", 0xb8, 0x23, 0x00, 0x00, 0x00, 0x31, 0xf6, 0x0f, 0x05, 0xcc)
)

func init() {
	for name, s := range map[string]snippet{
		"step/loop": stepLoop, "step/null": stepNull, "step/getpid": stepGetpid, "step/write": stepWrite,
		"step/prefixed": stepPrefixed, "step/locked": stepLocked, "step/int80": stepInt80Code, "step/sysenter": stepSysent,
		"step/pushf": stepPushfq, "step/read": stepRead, "step/sleep": stepSleep,
	} {
		allSnippets[name] = s
	}
}

// newStepMachine returns a machine at the start of s's code, closed when
// the test ends.
func newStepMachine(t testing.TB, s snippet) (*Machine, *execmem.Block) {
	t.Helper()
	m, err := NewMachine(0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	b := load(t, s)
	m.Regs.RIP = uint64(b.Addr())
	return m, b
}

// stepState is what a test checks after a step: RIP as an offset in the
// code, and the registers that change.
type stepState struct {
	off      uint64
	rax, rcx uint64
}

// Stepping a known sequence gives exactly one instruction per step: the
// RIPs and registers after each, the loop's three rounds included, and
// the INT3 at the end as a SIGTRAP *Fault with RIP after it.
func TestStepSequence(t *testing.T) {
	loadStateBlock(t)
	m, b := newStepMachine(t, stepLoop)
	m.Regs.GPR[RDI] = 10
	base := uint64(b.Addr())
	want := []stepState{
		{5, 5, 0},   // mov eax, 5
		{8, 15, 0},  // add rax, rdi
		{13, 15, 3}, // mov ecx, 3
		{17, 16, 3}, // add rax, 1
		{13, 16, 2}, // loop: taken
		{17, 17, 2}, // add rax, 1
		{13, 17, 1}, // loop: taken
		{17, 18, 1}, // add rax, 1
		{19, 18, 0}, // loop: falls through
		{20, 18, 0}, // int3: the breakpoint, RIP after it
	}
	for i, w := range want {
		err := StepMachine(context.Background(), m, &Options{Code: b})
		got := stepState{m.Regs.RIP - base, m.Regs.GPR[RAX], m.Regs.GPR[RCX]}
		if got != w {
			t.Fatalf("step %d: %+v, want %+v (%v)", i, got, w, err)
		}
		if m.Regs.RFLAGS&flagTF != 0 || m.Regs.RFLAGS&0x202 != 0x202 {
			t.Fatalf("step %d: RFLAGS %#x", i, m.Regs.RFLAGS)
		}
		var f *Fault
		if i < len(want)-1 && err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if i == len(want)-1 && (!errors.As(err, &f) || f.Signal != syscall.SIGTRAP || f.Trap != 3 || f.PC != b.Addr()+20) {
			t.Fatalf("int3: %v", err)
		}
	}
	if rsp := uintptr(m.Regs.GPR[RSP]); rsp != m.StackTop() {
		t.Errorf("rsp %#x, want %#x", rsp, m.StackTop())
	}
	checkGoState(t, "after stepping")
}

// A fault in the middle of a sequence is the step's *Fault, with the
// state at the faulting instruction.
func TestStepFault(t *testing.T) {
	loadStateBlock(t)
	m, b := newStepMachine(t, stepNull)
	for i := range 2 {
		if err := StepMachine(context.Background(), m, nil); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	err := StepMachine(context.Background(), m, &Options{Code: b})
	var f *Fault
	if !errors.As(err, &f) || f.Signal != syscall.SIGSEGV || f.Trap != 14 || f.PC != b.Addr()+7 || f.Regs.RFLAGS&flagTF != 0 {
		t.Fatalf("null load: %v", err)
	}
	if off, _ := f.Offset(); off != 7 || m.Regs.RIP != uint64(b.Addr())+7 || m.Regs.GPR[RAX] != 1 || m.Regs.RFLAGS&flagTF != 0 {
		t.Fatalf("after the fault: offset %d, rip +%d, rax %d, rflags %#x", off, m.Regs.RIP-uint64(b.Addr()), m.Regs.GPR[RAX], m.Regs.RFLAGS)
	}
	checkGoState(t, "after a stepped fault")
}

// A SYSCALL is one step: getpid's result in RAX, RCX and R11 as the CPU
// sets them (the address after the SYSCALL, the RFLAGS before it), RIP
// after it; the instruction after it is a step of its own.
func TestStepSyscall(t *testing.T) {
	loadStateBlock(t)
	m, b := newStepMachine(t, stepGetpid)
	base := uint64(b.Addr())
	m.Regs.GPR[RCX], m.Regs.GPR[R11], m.Regs.GPR[RBX] = 0x1111, 0x2222, 0x3333
	if err := StepMachine(context.Background(), m, nil); err != nil || m.Regs.RIP != base+5 {
		t.Fatalf("mov: %v, rip +%d", err, m.Regs.RIP-base)
	}
	flags := m.Regs.RFLAGS
	if err := StepMachine(context.Background(), m, nil); err != nil {
		t.Fatalf("syscall: %v", err)
	}
	if m.Regs.RIP != base+7 || m.Regs.GPR[RAX] != uint64(os.Getpid()) || m.Regs.GPR[RCX] != base+7 || m.Regs.GPR[R11] != flags || m.Regs.GPR[RBX] != 0x3333 {
		t.Fatalf("after syscall: rip +%d, rax %d (pid %d), rcx %#x (want %#x), r11 %#x (want %#x), rbx %#x",
			m.Regs.RIP-base, m.Regs.GPR[RAX], os.Getpid(), m.Regs.GPR[RCX], base+7, m.Regs.GPR[R11], flags, m.Regs.GPR[RBX])
	}
	if err := StepMachine(context.Background(), m, nil); err != nil || m.Regs.RIP != base+12 || m.Regs.GPR[RBX] != 7 {
		t.Fatalf("the instruction after syscall: %v, rip +%d, rbx %d", err, m.Regs.RIP-base, m.Regs.GPR[RBX])
	}
	checkGoState(t, "after a stepped syscall")
}

// A stepped write reaches its file: RAX is the count written.
func TestStepSyscallWrite(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	msg := []byte("stepped\n")
	m, b := newStepMachine(t, stepWrite)
	m.Regs.GPR[RDI], m.Regs.GPR[RSI], m.Regs.GPR[RDX] = uint64(w.Fd()), uint64(uintptr(unsafe.Pointer(&msg[0]))), uint64(len(msg))
	for range 2 {
		if err := StepMachine(context.Background(), m, nil); err != nil {
			t.Fatal(err)
		}
	}
	base := uint64(b.Addr())
	if m.Regs.RIP != base+7 || m.Regs.GPR[RAX] != uint64(len(msg)) || m.Regs.GPR[RCX] != base+7 {
		t.Fatalf("after write: rip +%d, rax %d, rcx %#x", m.Regs.RIP-base, m.Regs.GPR[RAX], m.Regs.GPR[RCX])
	}
	buf := make([]byte, 64)
	n, _ := r.Read(buf)
	if string(buf[:n]) != string(msg) {
		t.Fatalf("read %q", buf[:n])
	}
}

// stepSpin is the loop BenchmarkStep steps through: add rax, 1; jmp back.
var stepSpin = sn("add rax, 0x1; jmp .-4", 0x48, 0x83, 0xc0, 0x01, 0xeb, 0xfa)

func init() { allSnippets["step/spin"] = stepSpin }

// BenchmarkStep steps a tight loop through StepMachine: ns per step and
// steps per second (each step costs a single-step trap, which the
// hypervisor of a VM may intercept, plus the trampoline's way in and out).
//
//	go test -run '^$' -bench Step -count 6 ./trampoline/
func BenchmarkStep(b *testing.B) {
	m, _ := newStepMachine(b, stepSpin)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		if err := StepMachine(ctx, m, nil); err != nil {
			b.Fatal(err)
		}
	}
	el := time.Since(start)
	if m.Regs.GPR[RAX] != uint64((b.N+1)/2) {
		b.Fatalf("rax %d after %d steps", m.Regs.GPR[RAX], b.N)
	}
	b.ReportMetric(float64(el.Nanoseconds())/float64(b.N), "ns/step")
	b.ReportMetric(float64(b.N)/el.Seconds(), "steps/s")
}

// The kernel's behaviour StepMachine compensates for, measured: with the
// trap flag set, SYSCALL and INT 0x80 return from the kernel through IRET
// with TF set again, and the CPU then runs the next instruction before it
// traps — one trap for two instructions. (Stepped here with the trap flag
// alone, as StepMachine steps any other instruction.)
func TestStepKernelTrapFlag(t *testing.T) {
	for _, c := range []struct {
		name  string
		code  snippet
		at    uint64 // the system-call instruction
		after uint64 // where the trap came: past the instruction after it
	}{
		{"syscall", stepGetpid, 5, 12},
		{"int 0x80", stepInt80Code, 5, 8},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, b := newStepMachine(t, c.code)
			base := uint64(b.Addr())
			if err := StepMachine(context.Background(), m, nil); err != nil || m.Regs.RIP != base+c.at {
				t.Fatalf("mov: %v", err)
			}
			err := m.stepTrapped(context.Background(), &Options{}, m.Regs.RIP, stepInsn{})
			var f *Fault
			if errors.As(err, &f) && f.Signal == syscall.SIGSEGV && c.name == "int 0x80" {
				t.Skipf("SKIPPED: INT 0x80 faults here (no IA32 emulation in this kernel): %v", err)
			}
			if err != nil || m.Regs.RIP != base+c.after || m.Regs.GPR[RAX] != uint64(os.Getpid()) {
				t.Fatalf("one trap-flag step from the system call: %v, rip +%d (want +%d: the next instruction ran too), rax %d", err, m.Regs.RIP-base, c.after, m.Regs.GPR[RAX])
			}
		})
	}
}

// INT 0x80 is one step too; prefixed SYSCALLs run out of line as well,
// LOCK SYSCALL raises #UD as it would; SYSENTER is refused with the
// machine unchanged.
func TestStepSystemCallForms(t *testing.T) {
	t.Run("int 0x80", func(t *testing.T) {
		m, b := newStepMachine(t, stepInt80Code)
		base := uint64(b.Addr())
		var err error
		for range 2 {
			if err = StepMachine(context.Background(), m, nil); err != nil {
				break
			}
		}
		var f *Fault
		if errors.As(err, &f) && f.Signal == syscall.SIGSEGV {
			// The fault of the out-of-line copy is the instruction's.
			if f.PC != uintptr(base)+5 || m.Regs.RIP != base+5 || f.Regs.RIP != base+5 {
				t.Fatalf("int 0x80 faulted at pc %#x, rip %#x; want the instruction at %#x", f.PC, m.Regs.RIP, base+5)
			}
			t.Skipf("SKIPPED: INT 0x80 faults here (no IA32 emulation in this kernel): %v", err)
		}
		if err != nil || m.Regs.RIP != base+7 || m.Regs.GPR[RAX] != uint64(os.Getpid()) {
			t.Fatalf("int 0x80: %v, rip +%d, rax %d", err, m.Regs.RIP-base, m.Regs.GPR[RAX])
		}
		if err := StepMachine(context.Background(), m, nil); err != nil || m.Regs.RIP != base+8 {
			t.Fatalf("nop: %v, rip +%d", err, m.Regs.RIP-base)
		}
	})
	t.Run("prefixed", func(t *testing.T) {
		m, b := newStepMachine(t, stepPrefixed)
		base := uint64(b.Addr())
		for range 2 {
			if err := StepMachine(context.Background(), m, nil); err != nil {
				t.Fatal(err)
			}
		}
		if m.Regs.RIP != base+9 || m.Regs.GPR[RCX] != base+9 || m.Regs.GPR[RAX] != uint64(os.Getpid()) {
			t.Fatalf("66 48 0f 05: rip +%d, rcx %#x, rax %d", m.Regs.RIP-base, m.Regs.GPR[RCX], m.Regs.GPR[RAX])
		}
	})
	t.Run("lock", func(t *testing.T) {
		m, b := newStepMachine(t, stepLocked)
		StepMachine(context.Background(), m, nil)
		err := StepMachine(context.Background(), m, &Options{Code: b})
		var f *Fault
		if !errors.As(err, &f) || f.Signal != syscall.SIGILL || f.Trap != 6 || m.Regs.RIP != uint64(b.Addr())+5 {
			t.Fatalf("lock syscall: %v", err)
		}
	})
	t.Run("sysenter", func(t *testing.T) {
		m, b := newStepMachine(t, stepSysent)
		before := m.Regs
		err := StepMachine(context.Background(), m, nil)
		want := fmt.Sprintf("trampoline: StepMachine at %#x: SYSENTER (0f 34) is not run: in 64-bit mode it faults on AMD CPUs and on Intel returns into the 32-bit vDSO, which kills the process; use SYSCALL", b.Addr())
		if err == nil || err.Error() != want || m.Regs != before {
			t.Fatalf("sysenter: %v", err)
		}
	})
}

// PUSHF and PUSHFQ push RFLAGS as the code would see it without tracing:
// no trap flag.
func TestStepPushf(t *testing.T) {
	m, _ := newStepMachine(t, stepPushfq)
	for range 4 {
		if err := StepMachine(context.Background(), m, nil); err != nil {
			t.Fatal(err)
		}
	}
	if rax, bx := m.Regs.GPR[RAX], m.Regs.GPR[RBX]; rax&flagTF != 0 || rax&0x202 != 0x202 || bx&flagTF != 0 || bx != rax&0xffff {
		t.Fatalf("pushfq pushed %#x, pushfw %#x", rax, bx)
	}
}

// A system call that blocks is interrupted by opt.Timeout and by ctx: a
// read the kernel restarts leaves RIP at the SYSCALL (the next step runs
// it again, and it completes once there is data); a nanosleep, which
// returns EINTR, leaves RIP after it.
func TestStepBlockingSyscall(t *testing.T) {
	t.Run("read/timeout", func(t *testing.T) {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		defer w.Close()
		m, b := newStepMachine(t, stepRead)
		base := uint64(b.Addr())
		m.Regs.GPR[RDI] = uint64(r.Fd())
		for range 3 {
			if err := StepMachine(context.Background(), m, nil); err != nil {
				t.Fatal(err)
			}
		}
		err = StepMachine(context.Background(), m, &Options{Timeout: 20 * time.Millisecond, Code: b})
		var it *Interrupted
		if !errors.As(err, &it) || !errors.Is(err, context.DeadlineExceeded) || it.PC != uintptr(base)+12 || it.Regs.RIP != base+12 {
			t.Fatalf("blocked read: %v", err)
		}
		if m.Regs.RIP != base+12 || m.Regs.GPR[RAX] != 0 || m.Regs.RFLAGS&flagTF != 0 {
			t.Fatalf("after the timeout: rip +%d, rax %d, rflags %#x", m.Regs.RIP-base, m.Regs.GPR[RAX], m.Regs.RFLAGS)
		}
		if _, err := w.Write([]byte("12345678")); err != nil {
			t.Fatal(err)
		}
		if err := StepMachine(context.Background(), m, &Options{Timeout: time.Second}); err != nil || m.Regs.RIP != base+14 || m.Regs.GPR[RAX] != 8 || m.Regs.GPR[RCX] != base+14 {
			t.Fatalf("read again: %v, rip +%d, rax %d, rcx %#x", err, m.Regs.RIP-base, m.Regs.GPR[RAX], m.Regs.GPR[RCX])
		}
		got := make([]byte, 8)
		if n := readMachineStack(m, uintptr(m.Regs.GPR[RSP])-64, got); n != 8 || string(got) != "12345678" {
			t.Fatalf("the code read %q", got)
		}
	})
	t.Run("nanosleep/cancel", func(t *testing.T) {
		ts := &syscall.Timespec{Sec: 10}
		m, b := newStepMachine(t, stepSleep)
		base := uint64(b.Addr())
		m.Regs.GPR[RDI] = uint64(uintptr(unsafe.Pointer(ts)))
		for range 2 {
			if err := StepMachine(context.Background(), m, nil); err != nil {
				t.Fatal(err)
			}
		}
		var err error
		var it *Interrupted
		// (A cancellation that comes before the system call has started
		// — a slow machine — runs nothing: PC 0. Then again.)
		for try := 0; try < 5 && (it == nil || it.PC == 0); try++ {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(20*time.Millisecond, cancel)
			err = StepMachine(ctx, m, nil)
			if !errors.As(err, &it) || !errors.Is(err, context.Canceled) {
				t.Fatalf("blocked nanosleep: %v", err)
			}
		}
		if it.PC != uintptr(base)+9 {
			t.Fatalf("blocked nanosleep: %v", err)
		}
		if m.Regs.RIP != base+9 || int64(m.Regs.GPR[RAX]) != -int64(syscall.EINTR) || m.Regs.GPR[RCX] != base+9 {
			t.Fatalf("after the cancellation: rip +%d, rax %d, rcx %#x", m.Regs.RIP-base, int64(m.Regs.GPR[RAX]), m.Regs.GPR[RCX])
		}
		runtime.KeepAlive(ts) // the kernel read it
	})
}

// readMachineStack copies the machine's stack at a into buf.
func readMachineStack(m *Machine, a uintptr, buf []byte) int {
	return copy(buf, m.stack.Bytes()[a-m.stack.Addr():])
}

// BenchmarkStepParts breaks a step's cost down: reading the instruction's
// bytes (directly, and with process_vm_readv), a RunMachine that ends at once in an INT3 (the
// trampoline's way in and out with the whole FPU state, plus a trap the
// hypervisor does not intercept), and a whole step (the same with the
// single-step trap instead).
//
//	go test -run '^$' -bench StepParts -count 6 ./trampoline/
func BenchmarkStepParts(b *testing.B) {
	b.Run("ReadMemory", func(b *testing.B) { // what the step read its instruction with at first
		code := load(b, stepSpin)
		var text [MaxInstructionLen]byte
		for b.Loop() {
			platform.ReadMemory(code.Addr(), text[:])
		}
	})
	b.Run("ReadText", func(b *testing.B) {
		code := load(b, stepSpin)
		var text [MaxInstructionLen]byte
		for b.Loop() {
			readText(code.Addr(), text[:], code.Addr(), code.Len(), false)
		}
	})
	b.Run("RunMachineINT3", func(b *testing.B) {
		m, code := newStepMachine(b, codeINT3)
		for b.Loop() {
			m.Regs.RIP = uint64(code.Addr())
			if err := RunMachine(context.Background(), m, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Step", func(b *testing.B) {
		m, _ := newStepMachine(b, stepSpin)
		for b.Loop() {
			if err := StepMachine(context.Background(), m, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	// A getpid SYSCALL stepped out of line (with /proc/self/maps read to
	// check the instruction is executable).
	b.Run("StepSyscall", func(b *testing.B) {
		m, code := newStepMachine(b, stepGetpid)
		for b.Loop() {
			m.Regs.RIP, m.Regs.GPR[RAX] = uint64(code.Addr())+5, 39
			if err := StepMachine(context.Background(), m, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// readText reads what is readable of the code at an address and never
// faults: a whole instruction, the part before an unreadable page, none
// of an unmapped, null or non-canonical address, whether the address lies
// in the code's pages (a direct read) or not (ReadMemory). A step from an
// unreadable RIP is the fault of fetching it.
func TestStepReadText(t *testing.T) {
	loadStateBlock(t)
	ps := execmem.PageSize()
	mem, err := execmem.Map(2*ps, execmem.MapOptions{Prot: execmem.ProtRW})
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	copy(mem.Bytes()[ps-3:], []byte{0x0f, 0x05, 0x90})
	if err := mem.ProtectRange(ps, ps, execmem.ProtNone); err != nil {
		t.Fatal(err)
	}
	var buf [MaxInstructionLen]byte
	for _, code := range []struct {
		name    string
		base    uintptr
		n       int
		fetched bool
	}{
		{"no code", 0, 0, false},
		{"no code, fetched", 0, 0, true},
		{"code elsewhere", 1 << 20, 100, false},
		{"code in the first page", mem.Addr(), 10, false},
		{"code in both pages", mem.Addr(), 2 * ps, false},
	} {
		for _, c := range []struct {
			addr uintptr
			want int
		}{
			{mem.Addr(), MaxInstructionLen},
			{mem.Addr() + uintptr(ps) - 3, 3},
			{mem.Addr() + uintptr(ps), 0},
			{0, 0},
			{1 << 63, 0},
			{^uintptr(0) - 3, 0},
		} {
			if n := readText(c.addr, buf[:], code.base, code.n, code.fetched); n != c.want {
				t.Errorf("%s: readText(%#x) = %d, want %d", code.name, c.addr, n, c.want)
			}
		}
		if n := readText(mem.Addr()+uintptr(ps)-3, buf[:], code.base, code.n, code.fetched); n != 3 || classifyStep(buf[:n]) != (stepInsn{stepSyscall, 2}) {
			t.Errorf("%s: the syscall before the unreadable page: %x", code.name, buf[:n])
		}
	}
	m, _ := newStepMachine(t, codeINT3)
	m.Regs.RIP = uint64(mem.Addr() + uintptr(ps))
	err = StepMachine(context.Background(), m, nil)
	var f *Fault
	if !errors.As(err, &f) || f.Signal != syscall.SIGSEGV || f.PC != mem.Addr()+uintptr(ps) || f.ErrorCode&pfFetchBit == 0 {
		t.Fatalf("step at an unmapped page: %v", err)
	}
	checkGoState(t, "after reading unreadable text")
}

// A machine whose RIP is not canonical does not start: the CPU refuses
// the jump into it (IRETQ for a step, RET for a run), and the *Fault says
// so at that address, with the machine as it was.
func TestStepNonCanonical(t *testing.T) {
	const rip = 0x8000_0000_0000_0000
	for _, c := range []struct {
		name string
		run  func(context.Context, *Machine, *Options) error
	}{{"StepMachine", StepMachine}, {"RunMachine", RunMachine}} {
		t.Run(c.name, func(t *testing.T) {
			m, _ := newStepMachine(t, codeINT3)
			m.Regs.RIP = rip
			before := m.Regs
			err := c.run(context.Background(), m, nil)
			var f *Fault
			if !errors.As(err, &f) || f.Signal != syscall.SIGSEGV || f.Trap != 13 || !f.AtCall || f.PC != rip || m.Regs != before {
				t.Fatalf("%v (%+v)", err, f)
			}
		})
	}
}

var (
	stepMovSS = sn("mov eax, 0x2b; mov ss, ax; nop; nop; int3", 0xb8, 0x2b, 0x00, 0x00, 0x00, 0x8e, 0xd0, 0x90, 0x90, 0xcc)
	stepPopf  = sn("push 0x202; popfq; nop; int3", 0x68, 0x02, 0x02, 0x00, 0x00, 0x9d, 0x90, 0xcc)
	stepRep   = sn("lea rdi, ptr [rsp-0x40]; mov ecx, 0x3; rep stosb byte ptr [rdi]; nop; int3", 0x48, 0x8d, 0x7c, 0x24, 0xc0, 0xb9, 0x03, 0x00, 0x00, 0x00, 0xf3, 0xaa, 0x90, 0xcc)
	stepICEBP = sn("int1; nop", 0xf1, 0x90)
)

func init() {
	allSnippets["step/movss"] = stepMovSS
	allSnippets["step/popf"] = stepPopf
	allSnippets["step/rep"] = stepRep
	allSnippets["step/icebp"] = stepICEBP
}

// What the CPU's trap flag does with a few instructions, as StepMachine
// documents it: a POPFQ that clears TF is still one step; MOV SS holds
// the trap for one more instruction (one step for two); a REP string
// instruction is one step per iteration, RIP staying on it; INT1 (ICEBP)
// raises its own debug trap, a *Fault like INT3's.
func TestStepHardwareCases(t *testing.T) {
	for _, c := range []struct {
		name  string
		code  snippet
		after []uint64 // RIP offsets after each step up to the last
		last  string   // the last step's error
	}{
		{"popfq", stepPopf, []uint64{5, 6, 7, 8}, "SIGTRAP SI_KERNEL trap 3"},
		{"mov ss", stepMovSS, []uint64{5, 8, 9, 10}, "SIGTRAP SI_KERNEL trap 3"},
		{"rep stosb", stepRep, []uint64{5, 10, 10, 10, 12, 13, 14}, "SIGTRAP SI_KERNEL trap 3"},
		{"int1", stepICEBP, []uint64{1}, "SIGTRAP TRAP_BRKPT trap 1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.name == "int1" {
				if cpu, err := hostcpu.Read(); err != nil || cpu.Vendor != "AuthenticAMD" {
					t.Skipf("SKIPPED: INT1 under the trap flag is measured on AMD only (this CPU: %v %v)", cpu.Vendor, err)
				}
			}
			m, b := newStepMachine(t, c.code)
			base := uint64(b.Addr())
			for i, off := range c.after {
				err := StepMachine(context.Background(), m, nil)
				if m.Regs.RIP != base+off {
					t.Fatalf("step %d: rip +%d, want +%d (%v)", i, m.Regs.RIP-base, off, err)
				}
				if i < len(c.after)-1 {
					if err != nil {
						t.Fatalf("step %d: %v", i, err)
					}
					continue
				}
				var f *Fault
				if !errors.As(err, &f) || fmt.Sprintf("%s %s trap %d", f.SignalName(), f.CodeName(), f.Trap) != c.last {
					t.Fatalf("last step: %v; want %s", err, c.last)
				}
			}
			if c.name == "rep stosb" && m.Regs.GPR[RCX] != 0 {
				t.Errorf("rcx %d after rep stosb", m.Regs.GPR[RCX])
			}
		})
	}
}

// A SYSCALL in memory that is not executable does not run: its fetch
// faults, as it would without stepping.
func TestStepSyscallNotExecutable(t *testing.T) {
	ps := execmem.PageSize()
	mem, err := execmem.Map(ps, execmem.MapOptions{Prot: execmem.ProtRW})
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	copy(mem.Bytes(), sysGetpid.code)
	m, _ := newStepMachine(t, codeINT3)
	m.Regs.RIP = uint64(mem.Addr() + 5) // the syscall
	err = StepMachine(context.Background(), m, nil)
	var f *Fault
	if !errors.As(err, &f) || f.Signal != syscall.SIGSEGV || f.PC != mem.Addr()+5 || f.ErrorCode&pfFetchBit == 0 || m.Regs.GPR[RAX] != 0 {
		t.Fatalf("syscall on a read+write page: %v", err)
	}
}

// Whether a system call's bytes are executable, asked of the kernel for
// one address and read from all of /proc/self/maps (older kernels): both
// agree, also for an instruction that runs from an executable page into
// one that is not.
func TestStepExecutable(t *testing.T) {
	ps := execmem.PageSize()
	mem, err := execmem.Map(3*ps, execmem.MapOptions{Prot: execmem.ProtRW})
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	if err := mem.ProtectRange(0, 2*ps, execmem.ProtRX); err != nil {
		t.Fatal(err)
	}
	m, _ := newStepMachine(t, codeINT3)
	p := uintptr(ps)
	for _, c := range []struct {
		addr uintptr
		want bool
	}{
		{mem.Addr(), true},
		{mem.Addr() + p - 1, true},    // runs into the next r-x page
		{mem.Addr() + 2*p - 1, false}, // runs into the rw- page
		{mem.Addr() + 2*p, false},
		{0, false},
	} {
		byQuery, err1 := m.executable(c.addr, 2)
		byMaps, err2 := executableFromMaps(c.addr, 2)
		if byQuery != c.want || byMaps != c.want || err1 != nil || err2 != nil {
			t.Errorf("%#x: query %v %v, maps %v %v; want %v", c.addr, byQuery, err1, byMaps, err2, c.want)
		}
	}
}

// A done context runs no step; a nil context's options are the defaults,
// a bad timeout is refused; a closed machine does not step.
func TestStepRefused(t *testing.T) {
	m, _ := newStepMachine(t, stepLoop)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	before := m.Regs
	err := StepMachine(ctx, m, nil)
	var it *Interrupted
	if !errors.As(err, &it) || it.PC != 0 || !errors.Is(err, context.Canceled) || m.Regs != before {
		t.Fatalf("done context: %v", err)
	}
	if err := StepMachine(context.Background(), m, &Options{Timeout: time.Microsecond}); err == nil || m.Regs != before {
		t.Fatalf("1µs timeout: %v", err)
	}
	m.Regs.GPR[RSP] = uint64(m.StackBottom())
	want := fmt.Sprintf("trampoline: StepMachine with RSP %#x, not on the machine's stack [%#x, %#x]: a run starts with RSP between StackBottom+144 and StackTop (the trampoline writes RIP and RFLAGS below its red zone)", m.StackBottom(), m.StackBottom(), m.StackTop())
	if err := StepMachine(context.Background(), m, nil); err == nil || err.Error() != want {
		t.Fatalf("RSP at the bottom: %v", err)
	}
	m.Regs.GPR[RSP] = uint64(m.StackTop())
	m.Close()
	if err := StepMachine(context.Background(), m, nil); err == nil || err.Error() != "trampoline: StepMachine on a closed Machine" {
		t.Fatalf("closed: %v", err)
	}
}

// Close unmaps the page a machine ran its system calls from and closes
// the /proc/self/maps it checked them with.
func TestStepCloseUnmapsStub(t *testing.T) {
	m, b := newStepMachine(t, stepGetpid)
	for range 2 {
		if err := StepMachine(context.Background(), m, nil); err != nil {
			t.Fatal(err)
		}
	}
	if m.sysStub == nil || m.maps == nil || m.Regs.RIP != uint64(b.Addr())+7 {
		t.Fatalf("after a stepped syscall: stub %v, maps %v, rip +%d", m.sysStub, m.maps, m.Regs.RIP-uint64(b.Addr()))
	}
	stub, maps := m.sysStub.Addr(), m.maps
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if maps.Fd() != ^uintptr(0) {
		t.Errorf("/proc/self/maps still open after Close (fd %d)", maps.Fd())
	}
	regions, err := execmem.Maps()
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := execmem.FindRegion(regions, stub); ok && r.Prot&execmem.ProtExec != 0 {
		t.Errorf("the system-call page %#x is still mapped after Close: %+v", stub, r)
	}
}

// A step and a run of a machine that end as expected allocate nothing.
func TestMachineRunAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("SKIPPED: under -race a run allocates now and then (seen: 1 in RunMachine)")
	}
	spin, _ := newStepMachine(t, stepSpin)
	m, code := newStepMachine(t, codeINT3)
	ctx := context.Background()
	for _, c := range []struct {
		name string
		run  func()
	}{
		{"StepMachine", func() {
			if err := StepMachine(ctx, spin, nil); err != nil {
				t.Fatal(err)
			}
		}},
		{"RunMachine", func() {
			m.Regs.RIP = uint64(code.Addr())
			if err := RunMachine(ctx, m, nil); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		if n := allocsPerRun(200, c.run); n != 0 {
			t.Errorf("%s: %v allocations a run, want 0", c.name, n)
		}
	}
}

// With PrivateTLS a machine's FS-relative writes reach a block of its
// own, which keeps them from step to step and run to run: without it,
// the first write below would overwrite the Go runtime's thread-local
// storage (a trace of such code killed jitrun).
func TestMachinePrivateTLS(t *testing.T) {
	code := sn("mov fs:[0x10], rax; mov rbx, fs:[0x10]; mov rcx, fs:[0]; int3",
		0x64, 0x48, 0x89, 0x04, 0x25, 0x10, 0, 0, 0, // mov qword fs:[0x10], rax
		0x64, 0x48, 0x8b, 0x1c, 0x25, 0x10, 0, 0, 0, // mov rbx, qword fs:[0x10]
		0x64, 0x48, 0x8b, 0x0c, 0x25, 0, 0, 0, 0, // mov rcx, qword fs:[0] (the thread pointer)
		0xcc)
	opt := &Options{PrivateTLS: true}
	m, b := newStepMachine(t, code)
	m.Regs.GPR[RAX] = 0x1234
	if err := StepMachine(context.Background(), m, opt); err != nil {
		t.Fatal(err)
	}
	// The write is kept between steps; the next ones read it back.
	for range 2 {
		if err := StepMachine(context.Background(), m, opt); err != nil {
			t.Fatal(err)
		}
	}
	if m.Regs.GPR[RBX] != 0x1234 || m.Regs.GPR[RCX] != uint64(m.tlsBase) || m.tlsBase == 0 {
		t.Errorf("rbx %#x, rcx %#x; want 0x1234 and the block's own address %#x", m.Regs.GPR[RBX], m.Regs.GPR[RCX], m.tlsBase)
	}
	// A whole run reads what the steps wrote.
	m.Regs.RIP = uint64(b.Addr()) + 9
	m.Regs.GPR[RBX] = 0
	if err := RunMachine(context.Background(), m, opt); err != nil {
		t.Fatal(err)
	}
	if m.Regs.GPR[RBX] != 0x1234 {
		t.Errorf("RunMachine: rbx %#x, want 0x1234", m.Regs.GPR[RBX])
	}
	// The units lent to the machine have their own FS base back: a call
	// with PrivateTLS afterwards uses a block of its own.
	if _, err := Run(context.Background(), b.Addr()+18, nil, &Options{PrivateTLS: true}); err == nil {
		t.Errorf("Run of the INT3-ended code returned without a fault")
	}
	if err := m.Close(); err != nil || m.tls != nil {
		t.Errorf("Close: %v, tls %v", err, m.tls)
	}
}
