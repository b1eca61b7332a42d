package bench

import (
	"fmt"
	"time"
)

// Defaults of Options.
const (
	DefaultSamples = 200
	DefaultBatches = 10
	DefaultWarmup  = 10
	DefaultTimeout = 10 * time.Second
	// DefaultRegion is how long the longer timed region (2L iterations)
	// lasts when Options.Loop is zero: short enough that interrupts rarely
	// land in it, long enough to dwarf the clock reads.
	DefaultRegion = 100 * time.Microsecond
	// MinTimeout is the shortest Options.Timeout Measure accepts: ten
	// timed regions. With Options.Loop zero every region Measure runs
	// (the kernels', and the TSC calibration's) lasts about DefaultRegion,
	// so a shorter timeout would stop the measurement itself rather than a
	// kernel that runs away.
	MinTimeout = 10 * DefaultRegion
)

// minBatchSamples is the fewest samples per batch when Options.Batches is
// zero: a batch's estimate takes the fastest of its runs of each size, and
// with fewer a burst of interference can spoil all of them.
const minBatchSamples = 5

// Limits of Options.
const (
	MaxUnroll    = 10000
	MaxLoop      = 1 << 30
	MaxSamples   = 1000000
	MaxBatches   = 1000
	MaxBuffer    = 1 << 30
	maxCodeBytes = 16 << 20
)

// Options tune Measure. The zero value (or a nil *Options) is the default.
type Options struct {
	// Clock to count with; ClockAuto picks the best available.
	Clock Clock
	// Unroll is U, the copies of the kernel in the measuring loop. Zero:
	// up to 100, fewer so that one iteration has about 200 instructions and
	// 4 KiB of code at most.
	Unroll int
	// Loop is L, the iterations of the shorter timed region (the longer one
	// has 2L). Zero: chosen for each kernel so that the longer region
	// lasts about DefaultRegion.
	Loop int
	// Samples is how many timed regions of each size are measured per
	// kernel (0: DefaultSamples).
	Samples int
	// Batches splits the samples into this many consecutive batches, each
	// giving one estimate (0: DefaultBatches, fewer when there are fewer
	// than 5 samples for each; at most Samples). The estimates are the
	// sample statistics work on.
	Batches int
	// Warmup is how many untimed runs of each size precede the timing, per
	// kernel (0: DefaultWarmup; negative: none).
	Warmup int
	// BufferSize is the size in bytes of a scratch buffer, page aligned
	// (so 64-byte aligned) and rounded up to whole pages, with an
	// inaccessible guard page at either end, whose address is in RDI when
	// the init code runs; each kernel has its own, kept from one run to the
	// next. Zero: none (RDI is 0).
	BufferSize int
	// Timeout bounds each run of the measuring code: a kernel that loops
	// for longer is stopped and Measure returns a *KernelError wrapping a
	// *trampoline.Interrupted (0: DefaultTimeout; at least MinTimeout). It
	// is counted on the wall clock but meant for the time the kernel ran:
	// a region it stops while the measuring thread ran on a CPU for less
	// than half of Timeout (the thread waited for a CPU: a busy machine, a
	// stopped process) is run again, up to 10 times and while the CPU time
	// of the stopped runs adds up to less than Timeout, before it counts
	// as the kernel's.
	Timeout time.Duration
	// Probe is what Detect found (nil: Detect runs in this process, once).
	Probe *Probe
	// Progress, when set, is called after each round of samples with the
	// rounds done and the total, on the measuring goroutine.
	Progress func(done, total int)
}

// Check reports the first option that is out of range, as Measure would.
func (opt *Options) Check() error {
	_, err := opt.resolve()
	return err
}

// resolve returns the options with defaults filled in, or an error naming
// a bad one.
func (opt *Options) resolve() (Options, error) {
	var o Options
	if opt != nil {
		o = *opt
	}
	switch {
	case int(o.Clock) >= len(clockNames):
		return o, fmt.Errorf("bench: invalid clock %d", o.Clock)
	case o.Unroll < 0 || o.Unroll > MaxUnroll:
		return o, fmt.Errorf("bench: unroll %d is out of range (1 to %d, or 0 for automatic)", o.Unroll, MaxUnroll)
	case o.Loop < 0 || o.Loop > MaxLoop:
		return o, fmt.Errorf("bench: loop %d is out of range (1 to %d, or 0 for automatic)", o.Loop, MaxLoop)
	case o.Samples < 0 || o.Samples > MaxSamples:
		return o, fmt.Errorf("bench: samples %d is out of range (1 to %d, or 0 for %d)", o.Samples, MaxSamples, DefaultSamples)
	case o.Batches < 0 || o.Batches > MaxBatches:
		return o, fmt.Errorf("bench: batches %d is out of range (1 to %d, or 0 for %d)", o.Batches, MaxBatches, DefaultBatches)
	case o.BufferSize < 0 || o.BufferSize > MaxBuffer:
		return o, fmt.Errorf("bench: buffer size %d is out of range (0 to %d bytes)", o.BufferSize, MaxBuffer)
	case o.Timeout < 0:
		return o, fmt.Errorf("bench: timeout %v is negative", o.Timeout)
	case o.Timeout > 0 && o.Timeout < MinTimeout:
		return o, fmt.Errorf("bench: timeout %v is shorter than the measurement's own timed regions can take (about %v each): the smallest usable timeout is %v", o.Timeout, DefaultRegion, MinTimeout)
	}
	if o.Samples == 0 {
		o.Samples = DefaultSamples
	}
	if o.Batches == 0 {
		o.Batches = max(1, min(DefaultBatches, o.Samples/minBatchSamples))
	}
	if o.Batches > o.Samples {
		return o, fmt.Errorf("bench: %d batches need at least as many samples, not %d", o.Batches, o.Samples)
	}
	switch {
	case o.Warmup == 0:
		o.Warmup = DefaultWarmup
	case o.Warmup < 0:
		o.Warmup = 0
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	return o, nil
}
