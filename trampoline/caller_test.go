//go:build linux && amd64

package trampoline

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A Caller calls like Call: results, faults with the same fields, a call
// after a fault, errors for bad use.
func TestCaller(t *testing.T) {
	add, ud2, sum6 := load(t, codeAdd), load(t, codeUD2), load(t, codeSum6)
	for _, size := range []int{0, 64 << 10} {
		c, err := NewCaller(size)
		if err != nil {
			t.Fatal(err)
		}
		if r, err := c.Call(add.Addr(), 40, 2); err != nil || r.RAX != 42 {
			t.Errorf("stack %d: add(40, 2) = %d, %v", size, r.RAX, err)
		}
		if r, err := c.Call(sum6.Addr(), 1, 2, 3, 4, 5, 6); err != nil || r.RAX != 21 {
			t.Errorf("stack %d: sum6 = %d, %v", size, r.RAX, err)
		}
		_, err = c.Call(ud2.Addr())
		var f *Fault
		if !errors.As(err, &f) || f.Signal != syscall.SIGILL || f.Trap != 6 || f.PC != ud2.Addr() || f.Entry != ud2.Addr() {
			t.Errorf("stack %d: ud2: %v, want SIGILL #UD at %#x", size, err, ud2.Addr())
		}
		if r, err := c.Call(add.Addr(), 1, 2); err != nil || r.RAX != 3 {
			t.Errorf("stack %d: add after the fault = %d, %v", size, r.RAX, err)
		}
		if _, err := c.Call(add.Addr(), 1, 2, 3, 4, 5, 6, 7); err == nil || !strings.Contains(err.Error(), "7 integer arguments") {
			t.Errorf("stack %d: 7 arguments: %v", size, err)
		}
		if err := c.Close(); err != nil {
			t.Errorf("stack %d: Close: %v", size, err)
		}
		if _, err := c.Call(add.Addr(), 1, 2); err == nil || !strings.Contains(err.Error(), "after Close") {
			t.Errorf("stack %d: Call after Close: %v", size, err)
		}
		if err := c.Close(); err == nil {
			t.Errorf("stack %d: second Close succeeded", size)
		}
	}
	if _, err := NewCaller(-1); err == nil || !strings.Contains(err.Error(), "negative") {
		t.Errorf("NewCaller(-1): %v", err)
	}
}

// A Caller's long call is parked when the runtime stops the world, as
// Call's is: runtime.GC() on another goroutine is not held up.
func TestCallerGCNotDelayed(t *testing.T) {
	count := load(t, codeCountRet)
	c, err := NewCaller(0)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	parked := parks.Load()
	done := make(chan error, 1)
	start := time.Now()
	go func() {
		_, err := c.Call(count.Addr(), 3e9) // a second or so
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	var worst time.Duration
	for i := 0; i < 3; i++ {
		t0 := time.Now()
		runtime.GC()
		worst = max(worst, time.Since(t0))
	}
	err = <-done
	t.Logf("loop of %v: slowest runtime.GC() %v", time.Since(start), worst)
	if err != nil {
		t.Fatal(err)
	}
	if worst > 500*time.Millisecond { // see TestGCNotDelayed
		t.Errorf("runtime.GC() took %v during the loop, want under 500 ms", worst)
	}
	if parks.Load() == parked {
		t.Error("the call was never parked")
	}
}

// Every count of integer arguments reaches the code, and the registers
// past the count are zero, whatever the call before passed: through
// Call, a Caller and Run.
func TestArgumentCounts(t *testing.T) {
	sum6 := load(t, codeSum6) // RDI+RSI+RDX+RCX+R8+R9
	c, err := NewCaller(0)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	all := []uint64{1, 10, 100, 1000, 10000, 100000}
	full := []uint64{1e6, 1e6, 1e6, 1e6, 1e6, 1e6}
	for n := 0; n <= 6; n++ {
		want := uint64(0)
		for _, v := range all[:n] {
			want += v
		}
		for name, call := range map[string]func(args ...uint64) (Result, error){
			"Call":   func(args ...uint64) (Result, error) { return Call(sum6.Addr(), args...) },
			"Caller": func(args ...uint64) (Result, error) { return c.Call(sum6.Addr(), args...) },
			"Run": func(args ...uint64) (Result, error) {
				var a Args
				copy(a.Int[:], args)
				return Run(context.Background(), sum6.Addr(), &a, &Options{Timeout: time.Second})
			},
		} {
			if _, err := call(full...); err != nil {
				t.Fatal(err)
			}
			if r, err := call(all[:n]...); err != nil || r.RAX != want {
				t.Errorf("%s with %d arguments: %d, %v; want %d", name, n, r.RAX, err, want)
			}
		}
	}
	if n := allocsPerRun(1000, func() { c.Call(sum6.Addr(), 1, 2, 3) }); n != 0 {
		t.Errorf("%v allocations per Caller.Call, want 0", n)
	}
}
