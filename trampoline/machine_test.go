//go:build linux && amd64

package trampoline

import (
	"context"
	"errors"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/jitrun/jitrun/execmem"
)

// A Machine keeps its state from run to run: registers, flags, vector
// registers, its stack; a breakpoint ends a run, a fault and a timeout end
// it with their error and the state where the code stopped.
func TestMachine(t *testing.T) {
	loadStateBlock(t)
	m, err := NewMachine(0)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if rsp := m.Regs.GPR[RSP]; rsp%16 != 0 || uintptr(rsp) != m.StackTop() || m.Regs.MXCSR != GoMXCSR || m.Regs.X87CW != GoX87CW {
		t.Fatalf("new machine: rsp %#x (top %#x), mxcsr %#x, x87cw %#x", rsp, m.StackTop(), m.Regs.MXCSR, m.Regs.X87CW)
	}
	run := func(s snippet, opt *Options) error {
		t.Helper()
		b := load(t, s)
		m.Regs.RIP = uint64(b.Addr())
		return RunMachine(context.Background(), m, opt)
	}

	// mov rax, 5; add rax, rdi; push rax; int3
	m.Regs.GPR[RDI] = 2
	if err := run(sn("mov eax, 0x5; add rax, rdi; push rax; int3", 0xb8, 0x05, 0, 0, 0, 0x48, 0x01, 0xf8, 0x50, 0xcc), nil); err != nil {
		t.Fatal(err)
	}
	if m.Regs.GPR[RAX] != 7 || uintptr(m.Regs.GPR[RSP]) != m.StackTop()-8 {
		t.Fatalf("after the first run: rax %d, rsp %#x (top %#x)", m.Regs.GPR[RAX], m.Regs.GPR[RSP], m.StackTop())
	}
	// pop rcx; add rcx, rax; pcmpeqd xmm3, xmm3; int3: the stack and
	// RAX are as the first run left them.
	if err := run(sn("pop rcx; add rcx, rax; pcmpeqd xmm3, xmm3; int3", 0x59, 0x48, 0x01, 0xc1, 0x66, 0x0f, 0x76, 0xdb, 0xcc), nil); err != nil {
		t.Fatal(err)
	}
	if m.Regs.GPR[RCX] != 14 || m.Regs.XMM[3] != (XMM{^uint64(0), ^uint64(0)}) || uintptr(m.Regs.GPR[RSP]) != m.StackTop() {
		t.Fatalf("after the second run: rcx %d, xmm3 %v, rsp %#x", m.Regs.GPR[RCX], m.Regs.XMM[3], m.Regs.GPR[RSP])
	}
	// A vector register set from Go reaches the code: movq rax, xmm5; int3.
	m.SetXMM(5, XMM{Lo: 0x1234})
	if err := run(sn("movq rax, xmm5; int3", 0x66, 0x48, 0x0f, 0x7e, 0xe8, 0xcc), nil); err != nil || m.Regs.GPR[RAX] != 0x1234 {
		t.Fatalf("movq rax, xmm5: %v, rax %#x", err, m.Regs.GPR[RAX])
	}
	// A fault: the state is where it happened (RIP at the faulting load).
	b := load(t, codeNull)
	m.Regs.RIP = uint64(b.Addr())
	err = RunMachine(context.Background(), m, &Options{Code: b})
	var f *Fault
	if !errors.As(err, &f) || f.Signal != syscall.SIGSEGV || m.Regs.RIP != uint64(b.Addr())+2 || m.Regs.GPR[RAX] != 0 {
		t.Fatalf("null load: %v, rip %#x (code %#x), rax %d", err, m.Regs.RIP, b.Addr(), m.Regs.GPR[RAX])
	}
	// A timeout: the state is where the loop was stopped.
	if err := run(codeLoop, &Options{Timeout: 20 * time.Millisecond}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("loop: %v", err)
	}
	// Go's own state is intact after all of it.
	checkGoState(t, "after the machine's runs")
}

// A vector register set from Go before the first run, and before a run
// that follows one which left every vector register zero, reaches the
// code: XRSTOR ignores an XSAVE image's XMM registers unless its header
// marks the SSE state in use.
func TestMachineSetXMM(t *testing.T) {
	m, err := NewMachine(0)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	movq := load(t, sn("movq rax, xmm5; int3", 0x66, 0x48, 0x0f, 0x7e, 0xe8, 0xcc))
	zero := load(t, sn("pxor xmm5, xmm5; int3", 0x66, 0x0f, 0xef, 0xed, 0xcc))
	for _, c := range []struct {
		name   string
		before *execmem.Block // a run before SetXMM, or nil
		x      uint64
	}{{"before the first run", nil, 0x1234}, {"after a run that zeroed them", zero, 0x5678}} {
		t.Run(c.name, func(t *testing.T) {
			if c.before != nil {
				m.Regs.RIP = uint64(c.before.Addr())
				if err := RunMachine(context.Background(), m, nil); err != nil {
					t.Fatal(err)
				}
			}
			m.SetXMM(5, XMM{Lo: c.x})
			m.Regs.RIP = uint64(movq.Addr())
			if err := RunMachine(context.Background(), m, nil); err != nil || m.Regs.GPR[RAX] != c.x {
				t.Errorf("movq rax, xmm5: %v, rax %#x; want %#x", err, m.Regs.GPR[RAX], c.x)
			}
		})
	}
}

// RunMachine refuses the timeouts Run refuses, with Run's errors, and
// leaves the machine as it was.
func TestMachineBadTimeout(t *testing.T) {
	m, err := NewMachine(0)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	int3 := load(t, codeINT3)
	m.Regs.RIP = uint64(int3.Addr())
	for _, c := range []struct {
		timeout time.Duration
		want    string
	}{
		{-1, "trampoline: timeout -1ns is negative"},
		{1, "trampoline: timeout 1ns is shorter than MinTimeout (50µs)"},
		{MinTimeout - 1, "trampoline: timeout 49.999µs is shorter than MinTimeout (50µs)"},
	} {
		t.Run(c.timeout.String(), func(t *testing.T) {
			err := RunMachine(context.Background(), m, &Options{Timeout: c.timeout})
			if err == nil || !strings.HasPrefix(err.Error(), c.want) {
				t.Errorf("RunMachine with timeout %v: %v; want %q…", c.timeout, err, c.want)
			}
			if m.Regs.RIP != uint64(int3.Addr()) {
				t.Errorf("RIP %#x after a refused run; want %#x", m.Regs.RIP, int3.Addr())
			}
		})
	}
}

// A run starts only with RSP on the machine's stack: the trampoline writes
// the code's RIP and RFLAGS just below the red zone, and an RSP elsewhere
// had it write them there, into whatever memory that was (here a Go
// buffer).
func TestMachineRSPOffStack(t *testing.T) {
	m, err := NewMachine(0)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	int3 := load(t, codeINT3)
	buf := make([]uint64, 64)
	for _, c := range []struct {
		name string
		rsp  uintptr
	}{
		{"in Go memory", uintptr(unsafe.Pointer(&buf[40]))},
		{"too near the bottom", m.StackBottom() + machineStackReserve - 8},
		{"above the top", m.StackTop() + 8},
		{"zero", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			m.Regs.GPR[RSP], m.Regs.RIP = uint64(c.rsp), uint64(int3.Addr())
			if err := RunMachine(context.Background(), m, nil); err == nil || !strings.Contains(err.Error(), "not on the machine's stack") {
				t.Errorf("RunMachine: %v; want the RSP refused", err)
			}
			if m.Regs.RIP != uint64(int3.Addr()) {
				t.Errorf("RIP %#x after a refused run; want %#x", m.Regs.RIP, int3.Addr())
			}
		})
	}
	for i, w := range buf {
		if w != 0 {
			t.Errorf("buf[%d] = %#x: the run wrote Go memory", i, w)
		}
	}
	// The lowest RSP allowed runs.
	m.Regs.GPR[RSP], m.Regs.RIP = uint64(m.StackBottom()+machineStackReserve), uint64(int3.Addr())
	if err := RunMachine(context.Background(), m, nil); err != nil || m.Regs.RIP != uint64(int3.Addr())+1 {
		t.Errorf("RSP at StackBottom+%d: %v, rip %#x", machineStackReserve, err, m.Regs.RIP)
	}
}

// A run that faults in the trampoline before the code starts — resume
// writing below RSP on a stack page the code unmapped in an earlier run —
// ends with the fault and leaves the machine's state as it was, rather
// than taking the trampoline's registers (a Go pointer among them, and
// RIP inside the trampoline) for the machine's.
func TestMachineFaultBeforeStart(t *testing.T) {
	m, err := NewMachine(0)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	unmapTop := load(t, machineUnmapTop)
	m.Regs.RIP = uint64(unmapTop.Addr())
	if err := RunMachine(context.Background(), m, nil); err != nil {
		t.Fatalf("munmap of the stack's top page: %v", err)
	}
	int3 := load(t, codeINT3)
	m.Regs.RIP = uint64(int3.Addr())
	want := m.Regs
	err = RunMachine(context.Background(), m, nil)
	var f *Fault
	if !errors.As(err, &f) || f.Signal != syscall.SIGSEGV {
		t.Fatalf("run on the unmapped page: %v; want a SIGSEGV fault", err)
	}
	if !m.Regs.Equal(&want) {
		t.Errorf("state after the fault:\n%v\nwant it unchanged:\n%v", &m.Regs, &want)
	}
}

// machineUnmapTop unmaps the top page of a machine's stack (RSP at
// StackTop) and stops: munmap(RSP&^0xfff - 0x1000, 0x1000); int3.
var machineUnmapTop = sn("mov rdi, rsp; and rdi, -0x1000; sub rdi, 0x1000; mov esi, 0x1000; mov eax, 0xb; syscall; int3",
	0x48, 0x89, 0xe7, 0x48, 0x81, 0xe7, 0x00, 0xf0, 0xff, 0xff, 0x48, 0x81, 0xef, 0x00, 0x10, 0x00, 0x00,
	0xbe, 0x00, 0x10, 0x00, 0x00, 0xb8, 0x0b, 0x00, 0x00, 0x00, 0x0f, 0x05, 0xcc)

func init() { allSnippets["machine/unmaptop"] = machineUnmapTop }
