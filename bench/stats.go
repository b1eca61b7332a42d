package bench

import (
	"fmt"
	"math"
	"slices"

	"golang.org/x/perf/benchmath"
)

// Confidence is the level of the confidence intervals in results.
const Confidence = 0.95

// maxCalibrationDeviation is how far a batch's TSC calibration may be from
// the median of the batches before it is taken for a disturbed one.
const maxCalibrationDeviation = 0.1

// Comparison compares a kernel with the first kernel of the run (the base),
// over their batch estimates, as benchstat compares two benchmarks: the
// ratio of the medians, and a Mann-Whitney U test of whether the two
// samples come from the same distribution.
type Comparison struct {
	Base, Name string
	// Ratio is Name's cycles over Base's.
	Ratio float64
	// P is the U test's p-value; Significant is set when it is below
	// Alpha (0.05): the two kernels differ.
	P           float64
	Alpha       float64
	Significant bool
	// Delta is the change from Base to Name as benchstat prints it:
	// "-66.67%", or "~" when the difference is not significant.
	Delta string
	// Detail is "p=0.000 n=10".
	Detail string
	// Warnings are benchmath's (too few samples to tell, …).
	Warnings []string
}

// estimates returns the estimates of each batch for a subject with U copies
// and L iterations: per copy, (the smallest (2U, L) reading − the smallest
// (U, L) reading) / (U·L), for the primary clock and for the TSC; and the
// loop's overhead per iteration in primary ticks, (the smallest (U, 2L)
// reading − the smallest (U, L) reading) / L − U·(the copy's estimate).
func (b *batchMins) estimates(unroll, loop int) (primary, tsc, overhead []float64) {
	copies := float64(unroll * loop)
	for i := range b.primary {
		p := b.primary[i]
		k := (float64(p[size2UL]) - float64(p[sizeUL])) / copies
		primary = append(primary, k)
		tsc = append(tsc, (float64(b.tsc[i][size2UL])-float64(b.tsc[i][sizeUL]))/copies)
		overhead = append(overhead, (float64(p[sizeU2L])-float64(p[sizeUL]))/float64(loop)-float64(unroll)*k)
	}
	return primary, tsc, overhead
}

// finish turns the samples into results and comparisons.
func (m *measurement) finish() error {
	var ratios []float64 // ClockTSC: ticks per core cycle, per batch
	if m.cal != nil {
		ratios, _, _ = m.samples[m.cal].estimates(m.cal.unroll(), m.cal.loop)
		mid := summarize(ratios).Center
		if mid <= 0 {
			return fmt.Errorf("bench: the TSC calibration came out at %.4f ticks per cycle: the machine is too busy to measure (try more samples)", mid)
		}
		for i, r := range ratios {
			// A batch whose few runs were all disturbed gives a ratio
			// far from the others (a change of frequency moves it a few
			// percent): use the median instead.
			if r <= 0 || math.Abs(r/mid-1) > maxCalibrationDeviation {
				m.warn("the TSC calibration of batch %d was disturbed (%.4f ticks per cycle, the median of the batches is %.4f): that batch used the median", i+1, r, mid)
				ratios[i] = mid
			}
		}
		m.rep.Calibration.Batches = ratios
	}
	for _, s := range m.subjects {
		primary, tsc, overhead := m.samples[s].estimates(s.unroll(), s.loop)
		r := &Result{Name: s.name, Clock: m.clock, Samples: m.o.Samples, Unroll: s.unroll(), Loop: s.loop, Program: s.single.prog}
		for i := range primary {
			cycles := primary[i]
			if m.cal != nil {
				cycles /= ratios[i]
				overhead[i] /= ratios[i]
			}
			r.BatchCycles = append(r.BatchCycles, cycles)
			r.BatchNS = append(r.BatchNS, tsc[i]/m.probe.TSCHz*1e9)
		}
		r.LoopOverhead = summarize(overhead).Center
		cs := summarize(r.BatchCycles)
		r.Cycles, r.Median, r.Lo, r.Hi = cs.Center, cs.Center, cs.Lo, cs.Hi
		r.Min, r.Max = slices.Min(r.BatchCycles), slices.Max(r.BatchCycles)
		r.NS = summarize(r.BatchNS).Center
		m.rep.Kernels = append(m.rep.Kernels, r)
	}
	base := m.rep.Kernels[0]
	for _, r := range m.rep.Kernels[1:] {
		m.rep.Comparisons = append(m.rep.Comparisons, compare(base, r))
	}
	return nil
}

// summarize returns benchmath's summary of values (median and its
// confidence interval, assuming nothing about the distribution).
func summarize(values []float64) benchmath.Summary {
	s := benchmath.NewSample(slices.Clone(values), &benchmath.DefaultThresholds)
	return benchmath.AssumeNothing.Summary(s, Confidence)
}

// compare compares r with base.
func compare(base, r *Result) Comparison {
	s1 := benchmath.NewSample(slices.Clone(base.BatchCycles), &benchmath.DefaultThresholds)
	s2 := benchmath.NewSample(slices.Clone(r.BatchCycles), &benchmath.DefaultThresholds)
	c := benchmath.AssumeNothing.Compare(s1, s2)
	out := Comparison{
		Base: base.Name, Name: r.Name,
		P: c.P, Alpha: c.Alpha, Significant: c.P < c.Alpha,
		Delta:  c.FormatDelta(base.Cycles, r.Cycles),
		Detail: c.String(),
	}
	if base.Cycles != 0 {
		out.Ratio = r.Cycles / base.Cycles
	}
	for _, w := range c.Warnings {
		out.Warnings = append(out.Warnings, w.Error())
	}
	return out
}
