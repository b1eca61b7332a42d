package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jitrun/jitrun/execmem"
	"github.com/jitrun/jitrun/trace"
	"github.com/jitrun/jitrun/trampoline"
)

// Timing parameters of --time. A batch is long enough for the clock's
// resolution not to matter and short enough to be rarely hit by an
// interrupt (FACTS.md: regions of ~100 µs are clean); the minimum over
// batches is then the cost without interference, the median the typical one.
const (
	timeBatch      = 100 * time.Microsecond // the shortest batch
	timeBudget     = 500 * time.Millisecond // for the code
	baselineBudget = 150 * time.Millisecond // for the empty call
	maxBatches     = 2000
	minBatches     = 5
	maxBatchCalls  = 1 << 24
)

// timing is what measure found.
type timing struct {
	median, min float64 // ns per call
	calls       int64
	batches     int
}

// timeRun is --time: the code already returned once, in first; it is
// called again and again with the same arguments, through the same path a
// Go program would use (trampoline.Call for integer arguments on the
// default stack, trampoline.Run otherwise), and so is a bare RET, to show
// what the call itself costs. The repeated calls have no timeout of their
// own: a supervising parent stops them after timePhaseLimit(first).
func timeRun(e *env, r *report, ca *callArgs, stack int, first time.Duration) error {
	ret, err := execmem.Load([]byte{0xc3})
	if err != nil {
		return systemError("--time: %v", err)
	}
	defer ret.Close()
	e.link.callStarts(timePhaseLimit(first))
	t, err := measure(caller(r.addr(), ca, stack), timeBudget)
	var base timing
	if err == nil {
		base, err = measure(caller(ret.Addr(), ca, stack), baselineBudget)
	}
	e.link.callEnded()
	var f *trampoline.Fault
	switch {
	case errors.As(err, &f):
		fmt.Fprintf(e.stdout, "time: a repeated call faulted: %s\n", r.faultHeadline(f))
		return silentExit(exitFault)
	case err != nil:
		return systemError("--time: %v", err)
	}
	fmt.Fprintf(e.stdout, "time: %.2f ns/call median, %.2f ns min (%s calls in %d batches); an empty call (RET) costs %.2f ns median, included\n",
		t.median, t.min, trace.Count(int(t.calls)), t.batches, base.median)
	return nil
}

// timePhaseLimit is how long --time may take when the first call took
// first: the two budgets, the batches of the slowest case (minBatches
// batches and the doubling that sizes them, each at least one call) and a
// wide margin. Past it the supervising parent kills the child (status 4).
func timePhaseLimit(first time.Duration) time.Duration {
	return 10*(timeBudget+baselineBudget) + 4*(minBatches+2)*max(first, timeBatch)
}

// caller returns a function that calls the code at addr with the
// arguments.
func caller(addr uintptr, ca *callArgs, stack int) func() error {
	if ca.nFloat == 0 && stack == 0 {
		ints := ca.args.Int[:ca.nInt]
		return func() error {
			_, err := trampoline.Call(addr, ints...)
			return err
		}
	}
	args := ca.args
	opts := &trampoline.Options{StackSize: stack}
	ctx := context.Background()
	return func() error {
		_, err := trampoline.Run(ctx, addr, &args, opts)
		return err
	}
}

// measure times call: it finds a batch size whose batch takes at least
// timeBatch, then runs batches until budget is spent (at least minBatches).
func measure(call func() error, budget time.Duration) (timing, error) {
	n := 1
	for {
		start := time.Now()
		for range n {
			if err := call(); err != nil {
				return timing{}, err
			}
		}
		if time.Since(start) >= timeBatch || n >= maxBatchCalls {
			break
		}
		n *= 2
	}
	var per []float64
	var t timing
	begin := time.Now()
	for len(per) < maxBatches {
		start := time.Now()
		for range n {
			if err := call(); err != nil {
				return timing{}, err
			}
		}
		d := time.Since(start)
		per = append(per, float64(d.Nanoseconds())/float64(n))
		t.calls += int64(n)
		if len(per) >= minBatches && time.Since(begin) >= budget {
			break
		}
	}
	slices.Sort(per)
	t.batches = len(per)
	t.min = per[0]
	if len(per)%2 == 1 {
		t.median = per[len(per)/2]
	} else {
		t.median = (per[len(per)/2-1] + per[len(per)/2]) / 2
	}
	return t, nil
}
