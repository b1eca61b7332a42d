package bench

import (
	"math"
	"time"

	"github.com/jitrun/jitrun/asm"
)

// Result is the measurement of one kernel. Every cycle figure is per copy
// of the kernel body.
type Result struct {
	Name  string
	Clock Clock
	// Cycles is the kernel's cost in core cycles: the median of the batch
	// estimates. NS is the same in nanoseconds (TSC time).
	Cycles float64
	NS     float64
	// Min, Median and Max are over the batch estimates (Median ==
	// Cycles). Lo and Hi bound the median's 95% confidence interval
	// (benchmath, assuming nothing about the distribution).
	Min, Median, Max float64
	Lo, Hi           float64
	// BatchCycles and BatchNS are the estimates of each batch, in order:
	// the samples for Go's benchmark statistics.
	BatchCycles []float64
	BatchNS     []float64
	// LoopOverhead is what one iteration of the measuring loop (DECQ R15;
	// JNE) adds to U copies of the kernel, in cycles (median over the
	// batches): about 0 when the kernel's latency hides it. It is not part
	// of Cycles.
	LoopOverhead float64
	// Samples per size, copies per iteration, iterations of the shorter
	// region.
	Samples, Unroll, Loop int
	// Program is the measuring code.
	Program *asm.Program
}

// Spread is the half-width of the confidence interval relative to Cycles,
// as benchstat prints it after "±": 0.01 is ±1%. It is +Inf when there are
// too few batches for an interval.
func (r *Result) Spread() float64 {
	if r.Cycles == 0 || math.IsInf(r.Lo, 0) || math.IsInf(r.Hi, 0) {
		return math.Inf(1)
	}
	return math.Max(r.Hi/r.Cycles-1, 1-r.Lo/r.Cycles)
}

// Calibration is the TSC clock's conversion to core cycles: TSC ticks per
// core cycle, from a dependent chain of one-cycle ADDs.
type Calibration struct {
	// Before and After are measured just before and just after the
	// samples; Drift is After/Before - 1.
	Before, After, Drift float64
	// Batches are measured alongside each batch of samples, interleaved
	// with the kernels; each batch's estimates are converted with its own.
	Batches []float64
	// Unroll and Loop of the ADD chain.
	Unroll, Loop int
}

// DriftLimit is the drift of the TSC calibration above which a Report warns.
const DriftLimit = 0.015

// Report is the result of Measure.
type Report struct {
	Clock Clock
	Probe *Probe
	// PinnedCPU is the CPU the measuring thread was pinned to, or -1.
	PinnedCPU int
	// Kernels are the results, in the order the kernels were given.
	Kernels []*Result
	// Comparisons compare each kernel after the first with the first.
	Comparisons []Comparison
	// Calibration is set for ClockTSC.
	Calibration *Calibration
	// Warnings say what may make the figures less exact than they look.
	Warnings []string
	// Elapsed is how long the measurement took.
	Elapsed time.Duration
}
