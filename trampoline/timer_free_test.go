//go:build linux && amd64

package trampoline

import (
	"context"
	"errors"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// frameTimers counts the kernel timers of frames (timerMagic in their
// signal value) that /proc/self/timers lists.
func frameTimers(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/timers")
	if err != nil {
		t.Skipf("no /proc/self/timers: %v", err)
	}
	n := 0
	for _, line := range strings.Split(string(b), "\n") {
		// "signal: 35/4a54000100000000": the signal and its value.
		if _, v, ok := strings.Cut(line, "signal: "); ok {
			if _, val, ok := strings.Cut(v, "/"); ok && strings.HasPrefix(strings.TrimLeft(val, "0"), "4a54") {
				n++
			}
		}
	}
	return n
}

// FreeIdleStacks deletes the deadline timers of the frames it frees: none
// is left behind (a kernel timer counts against RLIMIT_SIGPENDING and
// would otherwise stay armed for a frame that no longer has a stack).
func TestFreeIdleStacksDeletesTimers(t *testing.T) {
	ret := load(t, codeRet)
	for _, tc := range []struct {
		name string
		run  func() error
	}{
		{"Options.Timeout", func() error {
			_, err := Run(context.Background(), ret.Addr(), nil, &Options{Timeout: time.Hour})
			return err
		}},
		{"context deadline", func() error {
			ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
			defer cancel()
			_, err := CallContext(ctx, ret.Addr())
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for range 4 {
				if err := tc.run(); err != nil {
					t.Fatal(err)
				}
			}
			if n := frameTimers(t); n == 0 {
				t.Fatalf("after timed calls: no frame timer listed, want at least 1 (is the test reading the right field?)")
			}
			FreeIdleStacks()
			if n := frameTimers(t); n != 0 {
				t.Errorf("after FreeIdleStacks: %d frame timers left, want 0", n)
			}
		})
	}
}

// Where the runtime's m.procid is not where getThread reads it (another Go
// release: procidKeys false), a timed call knows its thread by gettid and
// makes its frame a timer on every call: the deadline still stops the
// code, and each frame keeps one timer at most.
func TestTimerWithoutProcid(t *testing.T) {
	if err := setup(); err != nil {
		t.Fatal(err)
	}
	defer func(keys bool) { procidKeys = keys }(procidKeys)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1)) // one P: one cached unit
	procidKeys = false
	FreeIdleStacks()
	ret, loop := load(t, codeRet), load(t, codeLoop)
	for range 3 {
		if _, err := Run(context.Background(), ret.Addr(), nil, &Options{Timeout: time.Hour}); err != nil {
			t.Fatal(err)
		}
	}
	if n := frameTimers(t); n != 1 {
		t.Errorf("after 3 timed calls one after another: %d frame timers, want 1", n)
	}
	_, err := Run(context.Background(), loop.Addr(), nil, &Options{Timeout: 20 * time.Millisecond})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a loop with a 20 ms timeout: err = %v, want DeadlineExceeded", err)
	}
	FreeIdleStacks()
}
