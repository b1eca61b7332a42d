//go:build linux && amd64

package trampoline

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/jitrun/jitrun/internal/platform"
)

// A 2-second loop in machine code does not hold up runtime.GC() on another
// goroutine (without the park-and-syscall path it takes seconds: the loop
// ignores the runtime's request to stop, and the collector waits for the
// whole loop). The bound, a quarter of the loop, is far above what a
// parked call costs (a few ms here) and far below the defect, so that a
// machine busy with other work does not fail the test.
func TestGCNotDelayed(t *testing.T) {
	const gcBound = 500 * time.Millisecond
	for _, procs := range []int{runtime.GOMAXPROCS(0), 1} {
		t.Run("GOMAXPROCS="+itoa(int64(procs)), func(t *testing.T) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
			loop := load(t, codeLoop)
			done := make(chan error, 1)
			start := time.Now()
			go func() {
				_, err := Run(context.Background(), loop.Addr(), nil, &Options{Timeout: 2 * time.Second})
				done <- err
			}()
			time.Sleep(100 * time.Millisecond)
			var worst, worstSleep time.Duration
			for i := 0; i < 5; i++ {
				t0 := time.Now()
				runtime.GC()
				worst = max(worst, time.Since(t0))
				t0 = time.Now()
				time.Sleep(10 * time.Millisecond)
				worstSleep = max(worstSleep, time.Since(t0)-10*time.Millisecond)
			}
			t.Logf("during a 2 s loop: slowest runtime.GC() %v, slowest 10 ms sleep late by %v (parks %d)", worst, worstSleep, parks.Load())
			if worst > gcBound {
				t.Errorf("runtime.GC() took %v during the loop, want under %v", worst, gcBound)
			}
			if worstSleep > gcBound {
				t.Errorf("a 10 ms sleep was %v late during the loop, want under %v", worstSleep, gcBound)
			}
			err := <-done
			if el := time.Since(start); !errors.Is(err, context.DeadlineExceeded) || el < 2*time.Second {
				t.Errorf("loop ended after %v with %v, want DeadlineExceeded after 2 s", el, err)
			}
		})
	}
}

// A loop of 10 s or more with a 100 ms timeout returns the timeout error in
// under 200 ms, whether the deadline comes from the context or the option,
// and whether the call was parked before it.
func TestTimeout(t *testing.T) {
	long := load(t, codeCountRet) // 2^40 iterations: minutes
	const n = 1 << 40
	for _, tc := range []struct {
		name  string
		procs int
		gc    bool
		run   func() error
	}{
		{"CallContext", 0, false, func() error {
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			_, err := CallContext(ctx, long.Addr(), n)
			return err
		}},
		{"Options.Timeout", 0, false, func() error {
			_, err := Run(context.Background(), long.Addr(), &Args{Int: [6]uint64{n}}, &Options{Timeout: 100 * time.Millisecond, Code: long})
			return err
		}},
		{"GOMAXPROCS=1", 1, false, func() error {
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			_, err := CallContext(ctx, long.Addr(), n)
			return err
		}},
		{"parked by the collector", 0, true, func() error {
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			_, err := CallContext(ctx, long.Addr(), n)
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.procs > 0 {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(tc.procs))
			}
			stop := func() {}
			if tc.gc {
				stop = collectAlongside(10 * time.Millisecond)
			}
			start := time.Now()
			err := tc.run()
			el := time.Since(start)
			stop()
			t.Logf("returned after %v: %v", el, err)
			var it *Interrupted
			if !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &it) {
				t.Fatalf("err = %v, want an *Interrupted with DeadlineExceeded", err)
			}
			if el < 100*time.Millisecond || el >= 200*time.Millisecond {
				t.Errorf("returned after %v, want 100–200 ms", el)
			}
			if it.PC < long.Addr() || it.PC >= long.Addr()+uintptr(long.Len()) {
				t.Errorf("interrupted at pc %#x, want in the loop at %#x", it.PC, long.Addr())
			}
		})
	}
}

func TestCancel(t *testing.T) {
	loop := load(t, codeLoop)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := CallContext(ctx, loop.Addr())
	if el := time.Since(start); !errors.Is(err, context.Canceled) || el > 150*time.Millisecond {
		t.Errorf("after %v: %v, want context.Canceled soon after 50 ms", el, err)
	}
}

// Many timed calls that finish before their deadline, and concurrent
// timeouts: no signal of a finished call interrupts a later one.
func TestNoStrayTimeouts(t *testing.T) {
	ret, add, loop := load(t, codeRet), load(t, codeAdd), load(t, codeLoop)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				if _, err := Run(context.Background(), ret.Addr(), nil, &Options{Timeout: time.Second}); err != nil {
					t.Errorf("timed call %d: %v", i, err)
					return
				}
				if r, err := Call(add.Addr(), 1, 2); err != nil || r.RAX != 3 {
					t.Errorf("call %d: %d, %v", i, r.RAX, err)
					return
				}
				if i%50 == 0 {
					_, err := Run(context.Background(), loop.Addr(), nil, &Options{Timeout: 5 * time.Millisecond})
					if !errors.Is(err, context.DeadlineExceeded) {
						t.Errorf("loop: %v", err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
}

// spinners starts n goroutines that keep a P busy in Go code (preemptible
// everywhere) until the returned function is called.
func spinners(n int) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
			}
		}()
	}
	return func() { close(done); wg.Wait() }
}

// A call that has started is never reported as "not started". With one P
// and a goroutine competing for it, the runtime parks the looping call
// (after 10 ms) and runs the other goroutine for its time slice, so the
// 20 ms deadline falls while the call waits, parked: it is reported
// where the code was, with its registers (issue: it used to come back as
// an *Interrupted with PC 0, "call not started").
func TestTimeoutWhileParked(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	loop := load(t, then(clobber, codeLoop)) // registers worth checking, then jmp .+0
	loopPC := loop.Addr() + uintptr(len(clobber.code))
	stop := spinners(1)
	defer stop()
	parked := parks.Load()
	for i := 0; i < 20; i++ {
		var regs Regs
		_, err := Run(context.Background(), loop.Addr(), nil, &Options{Timeout: 20 * time.Millisecond, Code: loop, Regs: &regs})
		var it *Interrupted
		if !errors.As(err, &it) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("run %d: %v, want an *Interrupted with DeadlineExceeded", i, err)
		}
		if it.PC != loopPC || it.Regs.RIP != uint64(loopPC) || it.Regs.GPR[RBX] != 0xdead || it.Regs.GPR[R15] != 0xdead ||
			it.Regs.MXCSR&^0x3f != GoMXCSR|0xe000 || it.Regs.X87CW != GoX87CW&0xf0ff|0x0c00 || !regs.Equal(&it.Regs) {
			t.Errorf("run %d: %v; registers\n%s\nwant the loop's pc %#x and the code's registers", i, err, it.Regs.String(), loopPC)
		}
	}
	if parks.Load() == parked {
		t.Error("no call was parked: the test did not test the parked path")
	}
}

// Under load — many timed calls at once, more runnable goroutines than
// Ps — every call that times out has started: its deadline was far away
// when it began.
func TestTimeoutsUnderLoad(t *testing.T) {
	loop := load(t, codeLoop)
	stop := spinners(2)
	defer stop()
	var wg sync.WaitGroup
	var mu sync.Mutex
	notStarted := 0
	for g := 0; g < 6; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 5; i++ {
				_, err := Run(context.Background(), loop.Addr(), nil, &Options{Timeout: 20 * time.Millisecond})
				var it *Interrupted
				if !errors.As(err, &it) {
					t.Errorf("%v, want an *Interrupted", err)
					return
				}
				if it.PC != loop.Addr() {
					mu.Lock()
					notStarted++
					mu.Unlock()
					t.Errorf("%v, want the loop interrupted at %#x", err, loop.Addr())
				}
			}
		}()
	}
	wg.Wait()
	if notStarted > 0 {
		t.Errorf("%d of 30 calls reported as not started", notStarted)
	}
}

// codeCountFS counts RDI down, then loads a null FS selector and returns:
// the epilogue then repairs the FS base (fsProbe, setFS, system calls of
// microseconds) before the call can end.
var codeCountFS = sn("dec rdi; jnz .-3; xor eax, eax; mov fs, ax; ret", 0x48, 0xff, 0xcf, 0x75, 0xfb, 0x31, 0xc0, 0x8e, 0xe0, 0xc3)

func init() { allSnippets["countfs"] = codeCountFS }

// A timeout that fires after the code has returned, while the epilogue
// repairs the FS base, lets the call finish: it came back as "code
// interrupted at pc" fsProbe's or setFS's address, outside the code. The
// loop lengths spread the code's end around the deadline (on this
// package's VM about half the calls time out): every call must return, or
// time out with its PC in the code.
func TestTimeoutInEpilogue(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	b := load(t, codeCountFS)
	const calls = 3000
	returned, inCode := 0, 0
	for i := range calls {
		n := uint64(300_000 + i%300*2000)
		_, err := Run(context.Background(), b.Addr(), &Args{Int: [6]uint64{n}}, &Options{Timeout: 4 * MinTimeout, Code: b})
		var it *Interrupted
		switch {
		case err == nil:
			returned++
		case errors.As(err, &it) && it.PC >= b.Addr() && it.PC-b.Addr() < uintptr(b.Len()):
			inCode++
		default:
			t.Fatalf("call %d (count %d): %v; want a return or a timeout in the code", i, n, err)
		}
	}
	t.Logf("%d calls: %d returned, %d timed out in the code", calls, returned, inCode)
	if returned == 0 || inCode == 0 {
		t.Skipf("SKIPPED: no deadline fell near the code's end (%d returned, %d timed out)", returned, inCode)
	}
}

// The frame's deadline timer is kept from call to call (timer.go): a call
// whose deadline is later than the one the timer is armed for (an earlier
// call's, which returned) is not interrupted at that earlier deadline but
// at its own, and one whose deadline is earlier is interrupted at its
// own, not at the later one. A unit's cancellation registration is kept
// while the contexts share a Done channel (cancel.go): cancelling the
// context of a loop of calls interrupts the last one, and cancelling an
// earlier call's context does not interrupt a later call under another.
// One P, so that the calls share the P's unit.
func TestDeadlineReuse(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	ret, loop := load(t, codeRet), load(t, codeLoop)
	timed := func(code uintptr, d time.Duration) error {
		_, err := Run(context.Background(), code, nil, &Options{Timeout: d})
		return err
	}
	for _, tc := range []struct {
		name     string
		run      func() error
		want     error
		min, max time.Duration // of the last call
	}{
		{"later deadline", func() error {
			if err := timed(ret.Addr(), 100*time.Millisecond); err != nil {
				return err
			}
			return timed(loop.Addr(), 300*time.Millisecond)
		}, context.DeadlineExceeded, 300 * time.Millisecond, time.Second},
		{"earlier deadline", func() error {
			if err := timed(ret.Addr(), 3*time.Second); err != nil {
				return err
			}
			return timed(loop.Addr(), 50*time.Millisecond)
		}, context.DeadlineExceeded, 50 * time.Millisecond, time.Second},
		{"cancel after a loop of calls", func() error {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			for range 1000 {
				if _, err := CallContext(ctx, ret.Addr()); err != nil {
					return err
				}
			}
			time.AfterFunc(50*time.Millisecond, cancel)
			_, err := CallContext(ctx, loop.Addr())
			return err
		}, context.Canceled, 50 * time.Millisecond, time.Second},
		{"another context cancelled", func() error {
			ctx1, cancel1 := context.WithCancel(context.Background())
			defer cancel1()
			if _, err := CallContext(ctx1, ret.Addr()); err != nil {
				return err
			}
			ctx2, cancel2 := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel2()
			time.AfterFunc(20*time.Millisecond, cancel1)
			_, err := CallContext(ctx2, loop.Addr())
			return err
		}, context.DeadlineExceeded, 200 * time.Millisecond, time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			err := tc.run()
			el := time.Since(start)
			var it *Interrupted
			if !errors.Is(err, tc.want) || !errors.As(err, &it) || it.PC != loop.Addr() {
				t.Fatalf("after %v: %v, want an *Interrupted in the loop with %v", el, err, tc.want)
			}
			if el < tc.min || el >= tc.max {
				t.Errorf("interrupted after %v, want %v to %v", el, tc.min, tc.max)
			}
		})
	}
}

// The runtime's M holds the thread id where getThread reads it (checked
// at set-up, procidOK), so that a timed call needs no system call to
// know its thread, and the id it reads is this thread's, on other threads
// too.
func TestThreadIdentity(t *testing.T) {
	if err := setup(); err != nil {
		t.Fatal(err)
	}
	if !procidKeys {
		t.Fatalf("procidKeys is false (threadKeys %v): the runtime's m.procid is not at offset %d", threadKeys, mProcidOffset)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			tid, m, g0 := currentThread()
			if want := platform.Gettid(); tid != want || m != getm() || g0 == 0 {
				t.Errorf("currentThread() = %d, %#x, %#x; want %d, %#x, a g0", tid, m, g0, want, getm())
			}
		}()
	}
	wg.Wait()
}

// A context cancelled just before a call under another context starts
// does not interrupt that call: its AfterFunc may already be running when
// the unit drops its registration, and must not take the new call for its
// own (it did, reading the unit's current thread and call value: calls
// under a fresh context were interrupted after microseconds, about one
// TestTimeout run in four). Each round cancels the first context and at
// once runs a call of about 100 µs under a second one that is never
// cancelled.
func TestCancelledContextBeforeAnotherCall(t *testing.T) {
	ret, count := load(t, codeRet), load(t, codeCountRet)
	for i := range 500 {
		ctx1, cancel1 := context.WithCancel(context.Background())
		if _, err := CallContext(ctx1, ret.Addr()); err != nil {
			t.Fatal(err)
		}
		cancel1()
		ctx2, cancel2 := context.WithCancel(context.Background())
		_, err := CallContext(ctx2, count.Addr(), 100_000)
		cancel2()
		if err != nil {
			t.Fatalf("round %d: a call under a context nobody cancelled: %v", i, err)
		}
	}
}
