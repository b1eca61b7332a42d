//go:build linux && amd64

package trampoline

import (
	"context"
	"errors"
	"math"
	"runtime"
	"sync"
	"testing"
	"time"
	"unsafe"
)

//go:noinline
func div(a, b float64) float64 { return a / b }

//go:noinline
func div32(a, b float32) float32 { return a / b }

//go:noinline
func misaligned(b []byte) uint64 { return *(*uint64)(unsafe.Pointer(&b[1])) }

// checkGoState fails unless Go code on this thread runs as it should:
// round-to-nearest doubles and floats, misaligned loads (which raise
// SIGBUS with EFLAGS.AC left set), and the state the next call starts in.
func checkGoState(t *testing.T, when string) {
	t.Helper()
	if got := math.Float64bits(div(1, 10)); got != 0x3fb999999999999a {
		t.Errorf("%s: 1/10 = %#x, want 0x3fb999999999999a (round to nearest)", when, got)
	}
	if got := math.Float32bits(div32(1, 3)); got != 0x3eaaaaab {
		t.Errorf("%s: float32 1/3 = %#x, want 0x3eaaaaab", when, got)
	}
	if got := div(math.SmallestNonzeroFloat64*4, 2); got != math.SmallestNonzeroFloat64*2 {
		t.Errorf("%s: denormal arithmetic flushed to %v (FTZ/DAZ left on)", when, got)
	}
	buf := []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	if got := misaligned(buf); got != 0x0807060504030201 {
		t.Errorf("%s: misaligned load = %#x", when, got)
	}
	r, err := Call(stateBlock.Addr())
	if err != nil {
		t.Fatalf("%s: reading the state: %v", when, err)
	}
	if r.RAX&^0x3f != GoMXCSR || r.RDX != GoX87CW || r.X0&(flagDF|flagAC|flagTF|flagNT) != 0 {
		t.Errorf("%s: next call starts with MXCSR %#x x87 CW %#x RFLAGS %#x", when, r.RAX, r.RDX, r.X0)
	}
}

var (
	stateOnce  sync.Once
	stateBlock interface{ Addr() uintptr }
	stateErr   error
)

func loadStateBlock(t *testing.T) {
	stateOnce.Do(func() {
		b, err := loadShared(codeState)
		stateBlock, stateErr = b, err
	})
	if stateErr != nil {
		t.Fatal(stateErr)
	}
}

// withFPUMode runs test with exactFPU set as given (the mode of a program
// with cgo, or of a pure Go one), and restores the mode afterwards.
func withFPUMode(t *testing.T, test func(t *testing.T)) {
	for _, exact := range []bool{false, true} {
		name := "defaults"
		if exact {
			name = "exact"
		}
		t.Run(name, func(t *testing.T) {
			if _, err := Call(0); err == nil { // installs the handler, which sets the mode
				t.Fatal("a call to 0 did not fault")
			}
			old := exactFPU
			exactFPU = exact
			defer func() {
				// What the exact mode saved must not linger in the frames.
				exactFPU = old
				for _, f := range frameTable[:frameCount] {
					f.goMXCSR, f.goFCW = GoMXCSR, GoX87CW
				}
			}()
			test(t)
		})
	}
}

// Whatever the code does to registers, flags, MXCSR and the x87 control
// word, Go resumes intact — after a return, a fault, a timeout, and a
// call that was parked for the garbage collector — whether the trampoline
// saves the FPU control words on entry (exactFPU) or compares them with
// Go's defaults.
func TestHygiene(t *testing.T) { withFPUMode(t, testHygiene) }

func testHygiene(t *testing.T) {
	loadStateBlock(t)
	runtime.LockOSThread() // the checks must run on the thread the code ran on
	defer runtime.UnlockOSThread()
	checkGoState(t, "before")

	ret := load(t, then(clobber, codeRet))
	ud2 := load(t, then(clobber, codeUD2))
	loop := load(t, then(clobber, codeLoop))
	long := load(t, then(codeCount, clobber, codeRet))

	// Go's own callee-saved values must survive too.
	a, b, c, d := div(1, 3), div(2, 3), div(4, 3), div(5, 3)
	p, q := &a, &b

	if _, err := Call(ret.Addr()); err != nil {
		t.Fatal(err)
	}
	checkGoState(t, "after a return")

	var f *Fault
	if _, err := Call(ud2.Addr()); !errors.As(err, &f) {
		t.Fatalf("ud2: %v", err)
	}
	checkGoState(t, "after a fault")
	if f.Regs.RFLAGS&(flagDF|flagAC) != flagDF|flagAC || f.Regs.GPR[RBX] != 0xdead {
		t.Errorf("fault registers: RFLAGS %#x RBX %#x; want the code's", f.Regs.RFLAGS, f.Regs.GPR[RBX])
	}

	_, err := Run(context.Background(), loop.Addr(), nil, &Options{Timeout: 20 * time.Millisecond})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("loop: %v", err)
	}
	checkGoState(t, "after a timeout")

	// A call long enough to be parked when the collector stops the world.
	before := parks.Load()
	stop := collectAlongside(time.Millisecond)
	for i := 0; i < 20 && parks.Load() == before; i++ {
		if _, err := Call(long.Addr(), 200_000_000); err != nil {
			t.Fatal(err)
		}
	}
	stop()
	if parks.Load() == before {
		t.Error("no call was parked while the collector ran")
	}
	checkGoState(t, "after a parked call")

	if *p != 1.0/3 || *q != 2.0/3 || c != 4.0/3 || d != 5.0/3 {
		t.Errorf("Go values changed: %v %v %v %v", *p, *q, c, d)
	}
}

// A thread whose MXCSR and x87 control word C code changed (here: flush to
// zero and denormals are zero, round toward zero, 53-bit x87 precision):
// with exactFPU, the mode of programs with cgo, the code starts with the
// thread's values and they are restored after a return, a fault, a
// timeout and a parked call. Without it (pure Go programs, where only
// foreign assembly could have changed them) they come back as Go's
// defaults: the documented cost of not reading them on every call.
func TestThreadFPUControl(t *testing.T) {
	loadStateBlock(t)
	const cMXCSR, cFCW = GoMXCSR | 0x8040 | 0x6000, GoX87CW&^0x300 | 0x200
	ret := load(t, codeRet)
	clobbered := load(t, then(clobber, codeRet))
	ud2 := load(t, then(clobber, codeUD2))
	loop := load(t, then(clobber, codeLoop))
	withFPUMode(t, func(t *testing.T) {
		// The whole subtest on one thread, given back as it was found:
		// the values set here must not leak to other tests' threads.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		mx0, cw0 := fpuControl()
		defer setFPUControl(mx0, cw0)
		want := func(when string) {
			t.Helper()
			mx, cw := fpuControl()
			wantMX, wantCW := uint32(cMXCSR), uint16(cFCW)
			if !exactFPU {
				wantMX, wantCW = GoMXCSR, GoX87CW
			}
			if mx&^0x3f != wantMX || cw != wantCW {
				t.Errorf("%s: MXCSR %#x x87 CW %#x, want %#x %#x", when, mx, cw, wantMX, wantCW)
			}
			setFPUControl(cMXCSR, cFCW)
		}
		setFPUControl(cMXCSR, cFCW)
		r, err := Call(stateBlock.Addr())
		if err != nil || r.RAX&^0x3f != cMXCSR || r.RDX != cFCW {
			t.Errorf("entry state: MXCSR %#x x87 CW %#x, %v; want the thread's %#x %#x", r.RAX, r.RDX, err, cMXCSR, cFCW)
		}
		want("after reading them")
		if _, err := Call(ret.Addr()); err != nil {
			t.Fatal(err)
		}
		want("after a bare return")
		if _, err := Call(clobbered.Addr()); err != nil {
			t.Fatal(err)
		}
		want("after code that changed them")
		if _, err := Call(ud2.Addr()); err == nil {
			t.Fatal("ud2 did not fault")
		}
		want("after a fault")
		if _, err := Run(context.Background(), loop.Addr(), nil, &Options{Timeout: 15 * time.Millisecond}); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("loop: %v", err)
		}
		want("after a timeout (parked or not)")
	})
}
