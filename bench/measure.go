package bench

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"github.com/jitrun/jitrun/asm"
	"github.com/jitrun/jitrun/internal/platform"
)

// measureMu serialises measurements: two at once would disturb each other
// (and share the process-wide GC setting).
var measureMu sync.Mutex

// Measure measures kernels, interleaved. Round after round, each kernel runs
// three timed regions: its measuring loop with U copies for L and for 2L
// iterations, and with 2U copies for L iterations. Each batch of rounds
// gives an estimate of the cycles per copy, (fastest (2U, L) run − fastest
// (U, L) run) / (U·L), free of the clock reads and of the loop's own
// instructions; the (U, 2L) runs give what the loop adds per iteration
// (Result.LoopOverhead). With ClockTSC a dependent ADD chain is measured the
// same way alongside, giving TSC ticks per core cycle for each batch.
//
// During the measurement the goroutine is locked to its thread, the thread
// is pinned to the CPU it runs on, and the garbage collector is off (its
// setting is restored afterwards). Measurements are serialised: Measure may
// be called from many goroutines, one measures at a time.
//
// A kernel that faults or runs past Options.Timeout ends the measurement
// with a *KernelError; errors in the kernel's code are an asm.ErrorList.
func Measure(ctx context.Context, opt *Options, kernels ...Kernel) (*Report, error) {
	if !supported {
		return nil, errUnsupported
	}
	o, err := opt.resolve()
	if err != nil {
		return nil, err
	}
	if len(kernels) == 0 {
		return nil, errors.New("bench: no kernel to measure")
	}
	names, err := kernelNames(kernels)
	if err != nil {
		return nil, err
	}
	codes, err := checkKernels(kernels)
	if err != nil {
		return nil, err
	}
	probe := o.Probe
	if probe == nil {
		if probe, err = cachedProbe(ctx); err != nil {
			return nil, err
		}
	}
	clock, err := probe.choose(o.Clock)
	if err != nil {
		return nil, err
	}
	unrolls := make([]int, len(kernels))
	for i, kc := range codes {
		if unrolls[i], err = chooseUnroll(kc, o.Unroll); err != nil {
			var l asm.ErrorList
			if errors.As(err, &l) {
				return nil, l
			}
			return nil, fmt.Errorf("bench: kernel %q: %w", names[i], err)
		}
	}

	measureMu.Lock()
	defer measureMu.Unlock()
	start := time.Now()
	m := &measurement{o: o, probe: probe, clock: clock, rep: &Report{Clock: clock, Probe: probe, PinnedCPU: -1}}
	defer m.close()
	if err := m.quiet(); err != nil {
		return nil, err
	}
	if err := m.load(kernels, names, codes, unrolls); err != nil {
		return nil, err
	}
	if err := m.run(ctx); err != nil {
		return nil, err
	}
	m.rep.Elapsed = time.Since(start)
	return m.rep, nil
}

// checkKernels checks every kernel: the errors in their code, all of them,
// as one asm.ErrorList, or the first other error.
func checkKernels(kernels []Kernel) ([]*kernelCode, error) {
	codes := make([]*kernelCode, len(kernels))
	var list asm.ErrorList
	for i, k := range kernels {
		kc, err := checkKernel(k)
		if err != nil {
			var l asm.ErrorList
			if !errors.As(err, &l) {
				return nil, err
			}
			list = append(list, l...)
			continue
		}
		codes[i] = kc
	}
	if len(list) > 0 {
		return nil, list
	}
	return codes, nil
}

// kernelNames returns the names of the kernels, defaulted, and checks that
// they are unique.
func kernelNames(ks []Kernel) ([]string, error) {
	names := make([]string, len(ks))
	seen := map[string]bool{}
	for i, k := range ks {
		names[i] = k.Name
		if names[i] == "" {
			names[i] = "kernel"
			if len(ks) > 1 {
				names[i] = fmt.Sprintf("kernel%d", i+1)
			}
		}
		if seen[names[i]] {
			return nil, fmt.Errorf("bench: two kernels are named %q", names[i])
		}
		seen[names[i]] = true
	}
	return names, nil
}

// kernelList names the kernels: `kernel "a"`, `kernels "a" and "b"`,
// `kernels "a", "b" and "c"`.
func kernelList(names []string) string {
	if len(names) == 1 {
		return fmt.Sprintf("kernel %q", names[0])
	}
	s := "kernels "
	for i, n := range names {
		switch {
		case i == len(names)-1:
			s += " and "
		case i > 0:
			s += ", "
		}
		s += strconv.Quote(n)
	}
	return s
}

// kernelFile is the name the measuring Program of k carries.
func kernelFile(k Kernel, name string) string {
	for _, st := range k.Body {
		if f := st.Src().Pos.File; f != "" {
			return f
		}
	}
	return "<" + name + ">"
}

// chooseUnroll returns U for a kernel: the option, or up to 100 copies,
// fewer when one copy is long.
func chooseUnroll(kc *kernelCode, opt int) (int, error) {
	size, err := bodySize(kc)
	if err != nil {
		return 0, err
	}
	if opt > 0 {
		if 2*opt*size > maxCodeBytes {
			return 0, fmt.Errorf("%d copies of %d bytes (and twice as many, which Measure runs too) would be more than %d MiB of code", opt, size, maxCodeBytes>>20)
		}
		return opt, nil
	}
	u := min(100, max(1, 200/kc.insts), max(1, 4096/max(size, 1)))
	return u, nil
}

// bodySize assembles one copy of the kernel body on its own and returns its
// length in bytes. Assembly errors in the kernel come out here, positioned.
func bodySize(kc *kernelCode) (int, error) {
	b := asm.NewBuilder()
	b.Text("jitrun·size", asm.NOSPLIT|asm.NOFRAME)
	if err := b.AppendCopy(kc.init, initSuffix); err != nil {
		return 0, err
	}
	b.Label("jitrun·body")
	if err := b.AppendCopy(kc.body, copySuffix+"0"); err != nil {
		return 0, err
	}
	b.Label("jitrun·end")
	b.Append(kc.data...)
	prog, err := b.Assemble()
	if err != nil {
		return 0, err
	}
	from, _ := prog.Lookup("jitrun·body")
	to, _ := prog.Lookup("jitrun·end")
	return to - from, nil
}

// measurement is one run of Measure.
type measurement struct {
	o        Options
	probe    *Probe
	clock    Clock
	rep      *Report
	subjects []*subject
	cal      *subject // ClockTSC: the ADD chain
	pmc      *platform.PerfCounter
	undo     []func()
	samples  map[*subject]*batchMins
}

// load loads the subjects: each kernel, and with ClockTSC the ADD chain
// that calibrates the TSC alongside them.
func (m *measurement) load(kernels []Kernel, names []string, codes []*kernelCode, unrolls []int) error {
	for i, kc := range codes {
		s, err := newSubject(subjectSpec{name: names[i], file: kernelFile(kernels[i], names[i]), kernel: kc, clock: m.clock,
			unroll: unrolls[i], cpu: m.probe.CPU, bufSize: m.o.BufferSize, pmc: m.pmc, timeout: m.o.Timeout})
		if err != nil {
			return fmt.Errorf("bench: kernel %q: %w", names[i], err)
		}
		m.subjects = append(m.subjects, s)
	}
	if m.clock != ClockTSC {
		return nil
	}
	var err error
	m.cal, err = newSubject(subjectSpec{name: "calibration", file: "<calibration>", kernel: addChain(), clock: ClockTSC,
		unroll: checkUnroll, cpu: m.probe.CPU, timeout: m.o.Timeout, internal: "the TSC calibration measured alongside " + kernelList(names)})
	return err
}

// quiet locks the goroutine to its thread, pins the thread, turns the GC
// off and, for ClockPerf, opens the thread's cycle counter.
func (m *measurement) quiet() error {
	runtime.LockOSThread()
	m.undo = append(m.undo, runtime.UnlockOSThread)
	cpu, restore, err := platform.PinThread()
	if err != nil {
		m.warn("the measuring thread is not pinned to a CPU: %v", err)
	} else {
		m.rep.PinnedCPU = cpu
		m.undo = append(m.undo, func() {
			if err := restore(); err != nil {
				m.warn("%v", err)
			}
		})
	}
	runtime.GC()
	old := debug.SetGCPercent(-1)
	m.undo = append(m.undo, func() { debug.SetGCPercent(old) })
	if m.clock == ClockPerf {
		pmc, err := platform.OpenPerfCycles()
		if err != nil {
			return fmt.Errorf("bench: clock perf: %w", err)
		}
		m.pmc = pmc
		m.undo = append(m.undo, pmc.Close)
	}
	return nil
}

// close unloads the code and undoes quiet, in reverse order.
func (m *measurement) close() {
	for _, s := range m.subjects {
		s.close()
	}
	if m.cal != nil {
		m.cal.close()
	}
	for i := len(m.undo) - 1; i >= 0; i-- {
		m.undo[i]()
	}
}

func (m *measurement) warn(format string, args ...any) {
	m.rep.Warnings = append(m.rep.Warnings, fmt.Sprintf(format, args...))
}

// all returns the subjects to sample: the calibration chain first.
func (m *measurement) all() []*subject {
	if m.cal != nil {
		return append([]*subject{m.cal}, m.subjects...)
	}
	return m.subjects
}

// run chooses L, warms up, samples and computes the report.
func (m *measurement) run(ctx context.Context) error {
	region := uint64(m.probe.TSCHz * DefaultRegion.Seconds())
	for _, s := range m.all() {
		if m.o.Loop > 0 && s != m.cal {
			s.loop = m.o.Loop
		} else {
			l, err := chooseLoop(ctx, s.single, region)
			if err != nil {
				return err
			}
			s.loop = l
		}
		for i := 0; i < m.o.Warmup; i++ {
			for size := 0; size < numSizes; size++ {
				if _, _, err := s.run(ctx, size); err != nil {
					return err
				}
			}
		}
	}
	var before float64
	if m.cal != nil {
		var err error
		if before, err = robustEstimate(ctx, m.cal); err != nil {
			return err
		}
	}
	if err := m.sample(ctx); err != nil {
		return err
	}
	if m.cal != nil {
		after, err := robustEstimate(ctx, m.cal)
		if err != nil {
			return err
		}
		c := &Calibration{Before: before, After: after, Drift: after/before - 1, Unroll: m.cal.unroll(), Loop: m.cal.loop}
		m.rep.Calibration = c
		if math.Abs(c.Drift) > DriftLimit {
			m.warn("the TSC ticks per core cycle drifted %+.1f%% during the run (%.4f before, %.4f after): the core's frequency changed; each batch is converted with the ratio measured alongside it", 100*c.Drift, before, after)
		}
	}
	return m.finish()
}
