package bench

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/jitrun/jitrun/asm"
	"github.com/jitrun/jitrun/execmem"
	"github.com/jitrun/jitrun/internal/hostcpu"
	"github.com/jitrun/jitrun/internal/platform"
	"github.com/jitrun/jitrun/trampoline"
)

// Detect finds out about the machine: the CPU (CPUID, as internal/hostcpu
// reads it), the TSC's frequency (against the monotonic clock, over 20 ms)
// and which of clocks work (all of ClockPerf, ClockAPERF and ClockTSC when
// none are given; the others are reported "not probed").
//
// A clock works when it can be read and counts what it should: each is
// tried on a dependent chain of one-cycle ADDs, which perf and APERF must
// count as 1.00 cycle per ADD (±15%). Detect runs in the calling process:
// RDPRU raises #UD on a CPU without it, and the trampoline turns that
// SIGILL into a *trampoline.Fault, which marks the clock unavailable and
// harms nothing. (The jitrun command runs Detect in a child process all the
// same, so that not even a misbehaving hypervisor can take it down; Probe is
// plain data for that purpose.)
func Detect(ctx context.Context, clocks ...Clock) (*Probe, error) {
	if !supported {
		return nil, errUnsupported
	}
	want := map[Clock]bool{}
	for _, c := range clocks {
		if c == ClockAuto || int(c) >= len(clockNames) {
			return nil, fmt.Errorf("bench: Detect: %v is not a clock to probe", c)
		}
		want[c] = true
	}
	p := &Probe{}
	var err error
	if p.CPU, err = hostCPU(); err != nil {
		return nil, err
	}
	tsc, err := loadRDTSC()
	if err != nil {
		return nil, err
	}
	defer tsc.close()
	if p.TSCHz, err = tsc.hz(ctx); err != nil {
		return nil, err
	}
	for _, c := range concreteClocks {
		if len(want) > 0 && !want[c] {
			p.Clocks = append(p.Clocks, ClockStatus{Clock: c, Reason: "not probed"})
			continue
		}
		s, err := checkClock(ctx, c, p.CPU)
		if err != nil {
			return nil, err
		}
		p.Clocks = append(p.Clocks, s)
	}
	return p, nil
}

// The probe Measure uses when Options.Probe is nil: detected once per
// process (a successful detection is kept; a failed one is retried).
var (
	probeMu    sync.Mutex
	probeCache *Probe
)

func cachedProbe(ctx context.Context) (*Probe, error) {
	probeMu.Lock()
	defer probeMu.Unlock()
	if probeCache != nil {
		return probeCache, nil
	}
	p, err := Detect(ctx)
	if err != nil {
		return nil, err
	}
	probeCache = p
	return p, nil
}

// rdtscTool is RDTSC between LFENCEs, loaded as code and run through the
// trampoline: a process whose RDTSC faults (prctl PR_SET_TSC) gets an error,
// not a crash.
type rdtscTool struct {
	block *execmem.Block
	entry uintptr
}

func loadRDTSC() (*rdtscTool, error) {
	prog, err := buildRDTSC()
	if err != nil {
		return nil, fmt.Errorf("bench: internal error: %w", err)
	}
	ro, w := prog.LoadLayout()
	blk, err := execmem.LoadWith(prog.Code, execmem.LoadOptions{Readonly: ro, Writable: w})
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	off, _ := prog.Lookup(toolsRDTSC)
	return &rdtscTool{block: blk, entry: blk.Addr() + uintptr(off)}, nil
}

func (t *rdtscTool) close() { t.block.Close() }

// hostCPU identifies the processor, from the facts hostcpu gathered.
func hostCPU() (CPU, error) {
	f, err := hostcpu.Read()
	if err != nil {
		return CPU{}, fmt.Errorf("bench: %w", err)
	}
	return CPU{
		Vendor: f.Vendor, Brand: f.Brand, Family: f.Family, Model: f.Model, Stepping: f.Stepping,
		Hypervisor: f.Hypervisor, InvariantTSC: f.InvariantTSC,
		AVX: f.AVX, AVX512: f.AVX512F, GFNI: f.GFNI, RDPRU: f.RDPRU,
	}, nil
}

// tscHz measures the TSC's frequency against the monotonic clock.
func (t *rdtscTool) hz(ctx context.Context) (float64, error) {
	// read brackets one RDTSC between two clock readings, keeping the
	// tightest of a few tries, and returns their midpoint.
	read := func() (time.Time, uint64, error) {
		var best time.Duration = -1
		var at time.Time
		var tsc uint64
		for i := 0; i < 5; i++ {
			t0 := time.Now()
			r, err := trampoline.Call(t.entry)
			t1 := time.Now()
			if err != nil {
				return at, 0, fmt.Errorf("bench: RDTSC: %w", err)
			}
			if d := t1.Sub(t0); best < 0 || d < best {
				best, at, tsc = d, t0.Add(d/2), r.RAX
			}
		}
		return at, tsc, nil
	}
	t0, c0, err := read()
	if err != nil {
		return 0, err
	}
	select {
	case <-ctx.Done():
		return 0, ctx.Err()
	case <-time.After(20 * time.Millisecond):
	}
	t1, c1, err := read()
	if err != nil {
		return 0, err
	}
	if c1 <= c0 || !t1.After(t0) {
		return 0, errors.New("bench: the TSC did not advance")
	}
	return float64(c1-c0) / t1.Sub(t0).Seconds(), nil
}

// addChain is the calibration kernel: a dependent chain of one-cycle ADDs
// (register to register: an ADD of an immediate may be folded away by the
// renamer of recent Intel cores).
func addChain() *kernelCode {
	kc, _ := checkKernel(Kernel{Name: "add chain", Body: []asm.Stmt{asm.I("ADDQ", asm.BX, asm.AX)}})
	return kc
}

// Probe runs of the ADD chain: 100 copies, L = 100 and 200, best of 7,
// each run stopped after clockCheckTimeout.
const (
	checkUnroll       = 100
	checkLoop         = 100
	checkTries        = 7
	clockCheckTimeout = 5 * time.Second
)

// checkClock tries clock c on the ADD chain.
func checkClock(ctx context.Context, c Clock, cpu CPU) (ClockStatus, error) {
	s := ClockStatus{Clock: c}
	var pmc *platform.PerfCounter
	if c == ClockPerf {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		var err error
		if pmc, err = platform.OpenPerfCycles(); err != nil {
			s.Reason = err.Error()
			return s, nil
		}
		defer pmc.Close()
	}
	sub, err := newSubject(subjectSpec{name: "clock check", file: "<clock check>", kernel: addChain(), clock: c,
		unroll: checkUnroll, cpu: cpu, pmc: pmc, timeout: clockCheckTimeout, internal: "the check of clock " + c.String()})
	if err != nil {
		return s, err
	}
	defer sub.close()
	sub.loop = checkLoop
	perADD, err := quickEstimate(ctx, sub, checkTries)
	if err != nil {
		var f *trampoline.Fault
		if errors.As(err, &f) {
			s.Reason = faultReason(c, f)
			return s, nil
		}
		return s, err
	}
	s.CyclesPerADD = perADD
	switch {
	case c == ClockTSC && perADD > 0:
		s.Available = true
	case c == ClockTSC:
		s.Reason = fmt.Sprintf("the TSC counted %.3f ticks per one-cycle ADD", perADD)
	case perADD < 0.85 || perADD > 1.15:
		s.Reason = fmt.Sprintf("%s can be read but counted %.3f per one-cycle ADD, not core cycles", clockSource(c), perADD)
	default:
		s.Available = true
	}
	return s, nil
}

// clockSource names what reads clock c.
func clockSource(c Clock) string {
	switch c {
	case ClockPerf:
		return "the perf_event counter (RDPMC)"
	case ClockAPERF:
		return "APERF (RDPRU)"
	}
	return "the TSC (RDTSC)"
}

// faultReason explains a fault raised by reading clock c.
func faultReason(c Clock, f *trampoline.Fault) string {
	insn := map[Clock]string{ClockPerf: "RDPMC", ClockAPERF: "RDPRU", ClockTSC: "RDTSC"}[c]
	why := f.Description()
	switch f.Trap {
	case 6:
		why = "this CPU does not implement it"
	case 13:
		why = "the CPU or the kernel does not allow it in user mode"
	}
	return fmt.Sprintf("%s raised %s (%s %s): %s", insn, f.SignalName(), f.CodeName(), f.TrapName(), why)
}

// quickEstimate measures s with (U, L) and (2U, L), the fastest of tries
// runs each, and returns the primary clock's ticks per copy.
func quickEstimate(ctx context.Context, s *subject, tries int) (float64, error) {
	var best [2]uint64
	for i := 0; i < tries; i++ {
		for j, size := range []int{sizeUL, size2UL} {
			p, _, err := s.run(ctx, size)
			if err != nil {
				return 0, err
			}
			if i == 0 || p < best[j] {
				best[j] = p
			}
		}
	}
	return (float64(best[1]) - float64(best[0])) / float64(s.unroll()*s.loop), nil
}
