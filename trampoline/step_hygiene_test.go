//go:build linux && amd64

package trampoline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jitrun/jitrun/execmem"
)

var (
	// Count RCX down to zero, RAX up: three instructions a round.
	stepCount = sn("add rax, 0x1; sub rcx, 0x1; jnz .-8; int3",
		0x48, 0x83, 0xc0, 0x01, 0x48, 0x83, 0xe9, 0x01, 0x75, 0xf6, 0xcc)
	// The same, then a load from address 0.
	stepCountNull = sn("add rax, 0x1; sub rcx, 0x1; jnz .-8; xor eax, eax; mov rax, qword ptr [rax]",
		0x48, 0x83, 0xc0, 0x01, 0x48, 0x83, 0xe9, 0x01, 0x75, 0xf6, 0x31, 0xc0, 0x48, 0x8b, 0x00)
	// A store to a new page each round: each one page-faults into the
	// kernel, where a pending signal is delivered with RIP at the store.
	stepTouch = sn("mov byte ptr [rdi], al; add rdi, 0x1000; jmp .-9",
		0x88, 0x07, 0x48, 0x81, 0xc7, 0x00, 0x10, 0x00, 0x00, 0xeb, 0xf5)
	// Sets the nested-task flag (NT, which POPFQ may set in user mode)
	// and returns.
	codeSetNT = sn("pushfq; or dword ptr [rsp], 0x4000; popfq; ret", 0x9c, 0x81, 0x0c, 0x24, 0x00, 0x40, 0x00, 0x00, 0x9d, 0xc3)
)

func init() {
	allSnippets["step/count"] = stepCount
	allSnippets["step/countnull"] = stepCountNull
	allSnippets["step/touch"] = stepTouch
	allSnippets["setnt"] = codeSetNT
}

// A call whose code returns with NT set leaves Go's RFLAGS without it: a
// step's IRETQ on the same thread would otherwise raise #GP (IRET with NT
// set is a task return, which 64-bit mode refuses) and every step there
// would fail in the trampoline.
func TestStepAfterNestedTaskFlag(t *testing.T) {
	loadStateBlock(t)
	runtime.LockOSThread() // the call and the step on one thread
	defer runtime.UnlockOSThread()
	m, b := newStepMachine(t, stepLoop)
	setNT := load(t, codeSetNT)
	for i := range 3 {
		if _, err := Call(setNT.Addr()); err != nil {
			t.Fatal(err)
		}
		if got := goRFLAGS(); got&flagNT != 0 {
			t.Fatalf("round %d: Go's RFLAGS %#x after the call: NT set", i, got)
		}
		if err := StepMachine(context.Background(), m, &Options{Code: b}); err != nil {
			t.Fatalf("round %d: the step after the call: %v", i, err)
		}
	}
	if m.Regs.RIP != uint64(b.Addr())+13 || m.Regs.GPR[RAX] != 5 || m.Regs.GPR[RCX] != 3 {
		t.Errorf("after three steps: rip +%d, rax %d, rcx %d; want +13, 5, 3", m.Regs.RIP-uint64(b.Addr()), m.Regs.GPR[RAX], m.Regs.GPR[RCX])
	}
	checkGoState(t, "after a call that set NT")
}

// A step starts whatever Go's RFLAGS holds: with NT set on the thread
// (by C code, say), its IRETQ would raise #GP without running the code.
func TestStepWithNestedTaskFlagInGo(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	m, b := newStepMachine(t, stepLoop)
	// A first step binds the call unit to this thread: the system calls
	// that takes would clear NT on their way back.
	if err := StepMachine(context.Background(), m, &Options{Code: b}); err != nil {
		t.Fatal(err)
	}
	setGoRFLAGS(goRFLAGS() | flagNT)
	err := StepMachine(context.Background(), m, &Options{Code: b})
	setGoRFLAGS(goRFLAGS() &^ flagNT)
	if err != nil || m.Regs.RIP != uint64(b.Addr())+8 || m.Regs.GPR[RAX] != 5 {
		t.Fatalf("a step with NT set in Go: %v, rip +%d, rax %d", err, m.Regs.RIP-uint64(b.Addr()), m.Regs.GPR[RAX])
	}
}

// countOffsets are the RIP offsets in stepCount after each of a round's
// steps, from the start.
var countOffsets = [3]uint64{4, 8, 0}

// A step the runtime parked (SIGURG while the code runs, with TF set in
// the RFLAGS the handler saved) is resumed with IRETQ and the trap flag
// again: the trap comes after the instruction, not before it. The
// white-box half: a frame loaded as the handler leaves a parked step,
// resumed as the park path resumes it; next to it, the same RFLAGS loaded
// by POPFQ (RunMachine's way in) trap before the code has run at all.
func TestStepResumeParked(t *testing.T) {
	m, b := newStepMachine(t, stepCount)
	base := uint64(b.Addr())
	run := func(flags uint32) (status, *frame) {
		l, err := m.borrow()
		if err != nil {
			t.Fatal(err)
		}
		defer l.giveBack()
		u := l.u
		m.load(u, base, flags)
		f := u.f
		f.jitRFLAGS |= flagTF // as the handler saved it
		f.inCall = 1
		st := complete(f, resumeCode(f), nil, 0, true)
		f.inCall = 0
		return st, f
	}
	st, f := run(flagMachine | flagStep)
	if st != statusFault || signal(f.signo) != syscall.SIGTRAP || f.code != trapTrace || f.trapno != trapDebug || f.rip != base+4 || f.gpr[RAX] != 1 {
		t.Fatalf("step resumed: %v %v code %d trap %d rip +%d rax %d; want one instruction run", st, signal(f.signo), f.code, f.trapno, f.rip-base, f.gpr[RAX])
	}
	st, f = run(flagMachine)
	if st != statusFault || signal(f.signo) != syscall.SIGTRAP || f.code != trapTrace || f.rip != base || f.gpr[RAX] != 0 {
		t.Fatalf("POPFQ with TF: %v %v code %d rip +%d rax %d; want a trap before the code ran", st, signal(f.signo), f.code, f.rip-base, f.gpr[RAX])
	}
	if goRFLAGS()&flagTF != 0 {
		t.Fatal("TF set in Go")
	}
}

// The other half: signals sent to the stepping thread as fast as another
// goroutine can, while each step's instruction page-faults into the
// kernel, where a pending signal is delivered with RIP at it. SIGURGs
// park steps for real; SIGWINCHs go on to Go's handler (which ignores
// them) while the code runs with TF set, SIGPROFs to the profiler's. Every step still runs exactly
// one instruction, and Go never sees the trap flag.
func TestStepSignalStorm(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	for _, sig := range []syscall.Signal{syscall.SIGURG, syscall.SIGWINCH, syscall.SIGPROF} {
		t.Run(sig.String(), func(t *testing.T) {
			if sig == syscall.SIGPROF {
				// With the profiler on, Go's handler unwinds the
				// interrupted stack: also from resume's IRETQ, RSP on
				// the frame's IRETQ words.
				if err := pprof.StartCPUProfile(io.Discard); err == nil {
					defer pprof.StopCPUProfile()
				}
			}
			const pages = 4096
			mem, err := execmem.Map(pages*4096, execmem.MapOptions{Prot: execmem.ProtRW})
			if err != nil {
				t.Fatal(err)
			}
			defer mem.Close()
			m, b := newStepMachine(t, stepTouch)
			base := uint64(b.Addr())
			m.Regs.GPR[RDI] = uint64(mem.Addr())
			runtime.LockOSThread() // the signals go to this thread
			defer runtime.UnlockOSThread()
			stop := signalStorm(sig)
			before := parks.Load()
			offsets := [3]uint64{2, 9, 0}
			for i := range 3 * pages {
				err := StepMachine(context.Background(), m, nil)
				if goRFLAGS()&flagTF != 0 {
					stop()
					t.Fatalf("step %d: TF set in Go", i)
				}
				if err != nil || m.Regs.RIP != base+offsets[i%3] || m.Regs.GPR[RDI] != uint64(mem.Addr())+uint64((i+2)/3)*4096 {
					stop()
					t.Fatalf("step %d: %v, rip +%d, rdi %#x; want +%d", i, err, m.Regs.RIP-base, m.Regs.GPR[RDI], offsets[i%3])
				}
			}
			n, parked := stop(), parks.Load()-before
			t.Logf("%d steps, %d signals sent, %d parks", 3*pages, n, parked)
			if sig == syscall.SIGURG && parked == 0 {
				t.Skipf("SKIPPED: no step was parked (%d signals sent)", n)
			}
		})
	}
}

// Eight goroutines step at once — long loops, loops that end in a fault,
// system calls that block until their timeout — while the collector runs,
// the CPU profiler samples and other goroutines make plain calls. After every step each goroutine
// checks its exact state and that its own RFLAGS (Go's) has no trap
// flag; every plain call returns its exact result.
func TestStepConcurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	loadStateBlock(t)
	count, countNull, read, add := load(t, stepCount), load(t, stepCountNull), load(t, stepRead), load(t, codeAdd)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	const rounds = 1000 // 3,000 steps a loop
	var failed atomic.Bool
	var wg sync.WaitGroup
	fail := func(format string, args ...any) {
		if !failed.Swap(true) {
			t.Errorf(format, args...)
		}
	}
	tfClear := func(who string, i int) bool {
		if goRFLAGS()&flagTF != 0 {
			fail("%s, step %d: TF set in Go", who, i)
			return false
		}
		return true
	}
	newMachine := func(b *execmem.Block) *Machine {
		m, err := NewMachine(0)
		if err != nil {
			fail("NewMachine: %v", err)
			return nil
		}
		m.Regs.RIP = uint64(b.Addr())
		return m
	}
	// loop steps count (or countNull) through rounds rounds.
	loop := func(g int, b *execmem.Block, faults bool) {
		defer wg.Done()
		m := newMachine(b)
		if m == nil {
			return
		}
		defer m.Close()
		who := fmt.Sprintf("goroutine %d", g)
		base := uint64(b.Addr())
		m.Regs.GPR[RCX] = rounds
		for i := 0; i < 3*rounds && !failed.Load(); i++ {
			err := StepMachine(context.Background(), m, nil)
			if !tfClear(who, i) {
				return
			}
			want := base + countOffsets[i%3]
			if i == 3*rounds-1 {
				want = base + 10 // the last JNZ falls through
			}
			if err != nil || m.Regs.RIP != want || m.Regs.GPR[RAX] != uint64(i/3+1) || m.Regs.RFLAGS&flagTF != 0 {
				fail("%s, step %d: %v, rip +%d, rax %d", who, i, err, m.Regs.RIP-base, m.Regs.GPR[RAX])
				return
			}
		}
		if failed.Load() {
			return
		}
		var f *Fault
		err := StepMachine(context.Background(), m, nil)
		if faults {
			if err == nil {
				err = StepMachine(context.Background(), m, nil) // xor eax, eax; then the load
			}
			if !errors.As(err, &f) || f.Signal != syscall.SIGSEGV || f.PC != b.Addr()+12 {
				fail("%s: the load from 0: %v", who, err)
			}
		} else if !errors.As(err, &f) || f.Signal != syscall.SIGTRAP || f.Trap != 3 || f.PC != b.Addr()+11 {
			fail("%s: int3: %v", who, err)
		}
		tfClear(who, -1)
	}
	// blocked steps a read that blocks until its timeout, again and again.
	blocked := func(g int) {
		defer wg.Done()
		m := newMachine(read)
		if m == nil {
			return
		}
		defer m.Close()
		who := fmt.Sprintf("goroutine %d (read)", g)
		base := uint64(read.Addr())
		m.Regs.GPR[RDI] = uint64(r.Fd())
		for i := 0; i < 3; i++ {
			if err := StepMachine(context.Background(), m, nil); err != nil || !tfClear(who, i) {
				fail("%s, step %d: %v", who, i, err)
				return
			}
		}
		for i := 0; i < 10 && !failed.Load(); i++ {
			err := StepMachine(context.Background(), m, &Options{Timeout: 5 * time.Millisecond})
			if !tfClear(who, i) {
				return
			}
			if !errors.Is(err, context.DeadlineExceeded) || m.Regs.RIP != base+12 {
				fail("%s, read %d: %v, rip +%d", who, i, err, m.Regs.RIP-base)
				return
			}
		}
	}
	// The CPU profiler's SIGPROFs land anywhere, also in resume's last
	// instructions, with RSP on the frame's IRETQ words. (An error: the
	// test binary already profiles, with -cpuprofile.)
	if err := pprof.StartCPUProfile(io.Discard); err == nil {
		defer pprof.StopCPUProfile()
	}
	done := make(chan struct{})
	var bg sync.WaitGroup
	bg.Add(2)
	go func() { // the collector, over and over
		defer bg.Done()
		for {
			select {
			case <-done:
				return
			default:
				runtime.GC()
			}
		}
	}()
	go func() { // plain calls in between
		defer bg.Done()
		for i := uint64(0); ; i++ {
			select {
			case <-done:
				return
			default:
			}
			if res, err := Call(add.Addr(), i, 7); err != nil || res.RAX != i+7 {
				fail("Call(add, %d, 7): %d, %v", i, res.RAX, err)
			}
			var regs Regs
			if res, err := Run(context.Background(), add.Addr(), &Args{Int: [6]uint64{i, 9}}, &Options{Regs: &regs}); err != nil || res.RAX != i+9 || regs.RFLAGS&flagTF != 0 {
				fail("Run(add, %d, 9): %d, %v, rflags %#x", i, res.RAX, err, regs.RFLAGS)
			}
			if goRFLAGS()&flagTF != 0 {
				fail("TF set in Go after a plain call")
			}
		}
	}()
	for g := range 8 {
		wg.Add(1)
		switch {
		case g < 4:
			go loop(g, count, false)
		case g < 6:
			go loop(g, countNull, true)
		default:
			go blocked(g)
		}
	}
	wg.Wait()
	close(done)
	bg.Wait()
	checkGoState(t, "after the concurrent steps")
}
