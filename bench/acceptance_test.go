package bench

import (
	"context"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/jitrun/jitrun/asm"
)

// These tests hold the measurements to published figures: a dependency
// chain of an instruction with a fixed latency must come out at that
// latency, within ±4% with the calibrated TSC and within ±0.05 cycles with a
// clock that counts core cycles (APERF, perf); repeated measurements must
// agree within 1%; independent chains must show throughput.
//
// Which figures apply depends on the CPU, so each table names the cores it
// is for and the test picks one from CPUID (see hostLatencies). Hypervisors
// may report another model than the hardware's (this project's Intel VM says
// family 6 model 0xa7, Rocket Lake, while its caches and AMX are those of a
// Granite Rapids server), so the Intel table keeps to instructions whose
// latency is the same on every Intel P-core from Sunny Cove (Ice Lake,
// Rocket Lake) to Golden, Raptor and Redwood Cove (Alder Lake, Sapphire,
// Emerald and Granite Rapids): GFNI in CPUID marks Sunny Cove or later.
// Instructions whose latency changed within that range (FP add, FP multiply,
// BSWAP) are left out.

// latencyCase is one link of a dependency chain: each copy of Body depends
// on the previous copy's result.
type latencyCase struct {
	Name   string
	Body   string // Go syntax
	Init   string
	Buffer int     // bytes of scratch buffer (RDI in Init)
	Cycles float64 // the published latency
	Source string
}

// Sources.
const (
	uopsICLADL = "uops.info, Ice Lake and Alder Lake-P (Golden Cove) measurements; Agner Fog, instruction_tables.pdf, Ice Lake/Tiger Lake and Alder Lake P-core"
	uopsLoad   = "Intel 64 and IA-32 Architectures Optimization Reference Manual, Sunny Cove and Golden Cove cache parameters: 5-cycle L1 data cache load-to-use latency (4 on Skylake); Chips and Cheese, Going Armchair Quarterback on Golden Cove's Caches (2022): 48 KB, 5 cycles"
	amdZen5    = "AMD, Software Optimization Guide for the AMD Zen 5 Microarchitecture (pub. 58455), instruction latency tables; uops.info Zen 4 (same figure)"
	amdLoad    = "AMD, Software Optimization Guide for the AMD Zen 5 Microarchitecture (pub. 58455): load-to-use latency 4 cycles for integer loads"
)

// intelLatencies: Intel P-cores, Sunny Cove to Redwood Cove.
var intelLatencies = []latencyCase{
	{Name: "add", Body: "ADDQ BX, AX", Cycles: 1, Source: uopsICLADL},
	{Name: "adc", Body: "ADCQ BX, AX", Cycles: 1, Source: uopsICLADL},
	{Name: "imul", Body: "IMULQ BX, AX", Cycles: 3, Source: uopsICLADL},
	{Name: "popcnt", Body: "POPCNTQ AX, AX", Cycles: 3, Source: uopsICLADL},
	{Name: "lzcnt", Body: "LZCNTQ AX, AX", Cycles: 3, Source: uopsICLADL},
	{Name: "pdep", Body: "PDEPQ BX, AX, AX", Cycles: 3, Source: uopsICLADL},
	{Name: "crc32", Body: "CRC32Q BX, AX", Cycles: 3, Source: uopsICLADL},
	{Name: "load", Body: "MOVQ (AX), AX", Init: "MOVQ DI, AX; MOVQ DI, (DI)", Buffer: 64, Cycles: 5, Source: uopsLoad},
	{Name: "vpaddd", Body: "VPADDD X1, X0, X0", Cycles: 1, Source: uopsICLADL},
	{Name: "vpshufb", Body: "VPSHUFB X1, X0, X0", Cycles: 1, Source: uopsICLADL},
	{Name: "vpmulld", Body: "VPMULLD X1, X0, X0", Cycles: 10, Source: uopsICLADL},
	{Name: "vpmuludq", Body: "VPMULUDQ X1, X0, X0", Cycles: 5, Source: uopsICLADL},
	{Name: "vpmaddwd", Body: "VPMADDWD X1, X0, X0", Cycles: 5, Source: uopsICLADL},
	{Name: "vfmadd231pd", Body: "VFMADD231PD X1, X2, X0", Cycles: 4, Source: uopsICLADL},
}

// zen5Latencies: AMD Zen 5 (family 0x1A). Not run in the session that
// wrote this table (an Intel VM); FACTS.md records ADD 1.00 and IMUL 3.00
// measured with APERF on a Zen 5 VM.
var zen5Latencies = []latencyCase{
	{Name: "add", Body: "ADDQ BX, AX", Cycles: 1, Source: amdZen5},
	{Name: "adc", Body: "ADCQ BX, AX", Cycles: 1, Source: amdZen5},
	{Name: "imul", Body: "IMULQ BX, AX", Cycles: 3, Source: amdZen5},
	{Name: "popcnt", Body: "POPCNTQ AX, AX", Cycles: 1, Source: amdZen5},
	{Name: "lzcnt", Body: "LZCNTQ AX, AX", Cycles: 1, Source: amdZen5},
	{Name: "pdep", Body: "PDEPQ BX, AX, AX", Cycles: 3, Source: amdZen5},
	{Name: "load", Body: "MOVQ (AX), AX", Init: "MOVQ DI, AX; MOVQ DI, (DI)", Buffer: 64, Cycles: 4, Source: amdLoad},
	{Name: "vpaddd", Body: "VPADDD X1, X0, X0", Cycles: 1, Source: amdZen5},
	{Name: "vpmulld", Body: "VPMULLD X1, X0, X0", Cycles: 3, Source: amdZen5},
	{Name: "vpmuludq", Body: "VPMULUDQ X1, X0, X0", Cycles: 3, Source: amdZen5},
	{Name: "vfmadd231pd", Body: "VFMADD231PD X1, X2, X0", Cycles: 4, Source: amdZen5},
}

var (
	testProbeOnce sync.Once
	testProbe     *Probe
	testProbeErr  error
)

// probeForTest detects the clocks once for all tests, or skips where jitrun
// cannot run.
func probeForTest(t *testing.T) *Probe {
	t.Helper()
	testProbeOnce.Do(func() { testProbe, testProbeErr = Detect(context.Background()) })
	if testProbeErr != nil {
		if !supported {
			t.Skipf("SKIP: %v", testProbeErr)
		}
		t.Fatal(testProbeErr)
	}
	return testProbe
}

// hostLatencies returns the latency table for this CPU, or skips loudly.
func hostLatencies(t *testing.T, p *Probe) []latencyCase {
	t.Helper()
	c := p.CPU
	switch {
	case c.Vendor == "GenuineIntel" && c.Family == 6 && c.GFNI:
		return intelLatencies
	case c.Vendor == "AuthenticAMD" && c.Family == 0x1a:
		return zen5Latencies
	}
	t.Skipf("SKIP: no table of published latencies for %s: the latency assertions need an Intel P-core from Sunny Cove on (CPUID GFNI) or AMD Zen 5", c)
	return nil
}

// kernelsOf turns cases into kernels and the largest buffer they need.
func kernelsOf(t *testing.T, cases []latencyCase) ([]Kernel, int) {
	t.Helper()
	var ks []Kernel
	buf := 0
	for _, c := range cases {
		k, err := ParseKernel(c.Name, c.Name+".s", []byte(c.Body), []byte(c.Init), asm.SyntaxGo)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		ks = append(ks, k)
		buf = max(buf, c.Buffer)
	}
	return ks, buf
}

// clockTolerance returns how far from the published latency a measurement
// with clock c may be: ±4% for the TSC, ±0.05 cycles for core-cycle clocks.
func clockTolerance(c Clock, cycles float64) float64 {
	if c == ClockTSC {
		return 0.04 * cycles
	}
	return 0.05
}

// testLatencies measures every case of the host's table with clock, five
// times, and checks each against its published latency and the five
// against each other.
func testLatencies(t *testing.T, clock Clock) {
	p := probeForTest(t)
	if s := p.Status(clock); !s.Available {
		t.Skipf("SKIP: clock %s is not available on this machine (%s): the assertions for it run only where it works", clock, s.Reason)
	}
	cases := hostLatencies(t, p)
	ks, buf := kernelsOf(t, cases)
	problems, table, unsteadyRuns := measureLatencies(t, p, clock, cases, ks, buf)
	t.Log(table)
	missed(t, problems, unsteadyRuns)
}

// problem is a figure of an acceptance measurement that missed.
// clockMoved is set when the miss may be the clock's: it shows only with a
// run whose clock was not steady (see measureSteady).
type problem struct {
	msg        string
	clockMoved bool
}

// missed reports the problems of an acceptance measurement. When every
// miss may be the clock's, the test skips, loudly, with what it saw, unless
// JITRUN_BENCH_STRICT=1; a miss in a run whose clock was steady always
// fails.
func missed(t *testing.T, problems []problem, unsteadyRuns int) {
	t.Helper()
	if len(problems) == 0 {
		return
	}
	excused := os.Getenv("JITRUN_BENCH_STRICT") != "1"
	var msgs []string
	for _, pr := range problems {
		excused = excused && pr.clockMoved
		msgs = append(msgs, pr.msg)
	}
	if excused {
		t.Skipf("SKIP: the core's clock was not steady in %d of the runs (another process on the machine, or the host, changed its frequency), and the figures missed:\n%s\nrun the assertions on a quiet machine: JITRUN_BENCH_STRICT=1 go test -run 'TestLatency|TestThroughput' ./bench",
			unsteadyRuns, strings.Join(msgs, "\n"))
	}
	for _, pr := range problems {
		if pr.clockMoved {
			t.Errorf("%s (with a run whose clock was not steady)", pr.msg)
		} else {
			t.Error(pr.msg)
		}
	}
}

// relSpread returns how far apart the largest and smallest of vs are,
// relative to their midpoint (0 for fewer than two).
func relSpread(vs []float64) float64 {
	if len(vs) < 2 {
		return 0
	}
	lo, hi := slices.Min(vs), slices.Max(vs)
	return (hi - lo) / ((lo + hi) / 2)
}

// measureLatencies measures the cases five times and returns what missed
// (a run off its published latency, runs that disagree by more than 1%),
// the table of figures, and how many runs had an unsteady clock.
func measureLatencies(t *testing.T, p *Probe, clock Clock, cases []latencyCase, ks []Kernel, buf int) (problems []problem, table string, unsteadyRuns int) {
	const runs = 5
	got := make([][]float64, len(cases))
	var steady [runs]bool
	for run := range runs {
		var rep *Report
		rep, steady[run] = measureSteady(t, fmt.Sprintf("run %d", run+1), &Options{Clock: clock, Probe: p, BufferSize: buf}, ks...)
		if !steady[run] {
			unsteadyRuns++
		}
		for i, r := range rep.Kernels {
			got[i] = append(got[i], r.Cycles)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s, clock %s:\n", p.CPU, clock)
	for i, c := range cases {
		tol := clockTolerance(clock, c.Cycles)
		var steadyRuns []float64
		for run, v := range got[i] {
			if math.Abs(v-c.Cycles) > tol {
				problems = append(problems, problem{fmt.Sprintf("%s (%s): run %d measured %.4f cycles, published %.0f±%.2f (%s); all runs: %.4f", c.Name, c.Body, run+1, v, c.Cycles, tol, c.Source, got[i]), !steady[run]})
			}
			if steady[run] {
				steadyRuns = append(steadyRuns, v)
			}
		}
		spread := relSpread(got[i])
		if spread > 0.01 {
			problems = append(problems, problem{fmt.Sprintf("%s (%s): %d runs disagree by %.2f%% (more than 1%%): %.4f", c.Name, c.Body, runs, 100*spread, got[i]), relSpread(steadyRuns) <= 0.01})
		}
		fmt.Fprintf(&b, "  %-12s %-24s published %2.0f  measured %.4f … %.4f (spread %.2f%%)\n", c.Name, c.Body, c.Cycles, slices.Min(got[i]), slices.Max(got[i]), 100*spread)
	}
	return problems, b.String(), unsteadyRuns
}

// measureSteady runs Measure and logs its warnings. With the TSC clock a
// run is only as good as its conversion to core cycles: when the core's
// frequency changes during the run — another process on the machine (go
// test runs packages in parallel, and on a small VM a core's clock follows
// the load of the others) or the host — the calibrations of its batches
// disagree, and the run says itself that its figures are unsure. Such a
// run is measured again, up to steadyTries times, rather than the
// tolerance widened; steady is false when no try was steady (the last is
// returned).
func measureSteady(t *testing.T, label string, opt *Options, ks ...Kernel) (rep *Report, steady bool) {
	t.Helper()
	const steadyTries = 3
	for try := 1; ; try++ {
		rep, err := Measure(context.Background(), opt, ks...)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range rep.Warnings {
			t.Logf("%s: warning: %s", label, w)
		}
		why := unsteady(rep)
		if why == "" {
			return rep, true
		}
		if try == steadyTries {
			t.Logf("%s: the clock was not steady in %d tries (last: %s)", label, steadyTries, why)
			return rep, false
		}
		t.Logf("%s: measured again (%s; try %d of %d)", label, why, try+1, steadyTries)
	}
}

// maxBatchCalibrationSpread is how far apart the TSC calibrations of a
// run's batches may be for the run to count as steady.
const maxBatchCalibrationSpread = 0.005

// unsteady says why rep's conversion to core cycles is unsure, or "".
func unsteady(rep *Report) string {
	c := rep.Calibration
	if c == nil {
		return ""
	}
	if math.Abs(c.Drift) > DriftLimit {
		return fmt.Sprintf("the calibration drifted %+.1f%%", 100*c.Drift)
	}
	if len(c.Batches) > 0 {
		lo, hi := slices.Min(c.Batches), slices.Max(c.Batches)
		if hi/lo-1 > maxBatchCalibrationSpread {
			return fmt.Sprintf("the batches' calibrations range from %.4f to %.4f ticks per cycle", lo, hi)
		}
	}
	return ""
}

func TestLatencyTSC(t *testing.T)   { testLatencies(t, ClockTSC) }
func TestLatencyAPERF(t *testing.T) { testLatencies(t, ClockAPERF) }
func TestLatencyPerf(t *testing.T)  { testLatencies(t, ClockPerf) }

// throughputCase is a kernel of independent chains: one copy holds Ops
// instructions, one per chain, and the copies of each chain depend on each
// other.
type throughputCase struct {
	Name  string
	Body  string
	Ops   int
	PerOp float64 // expected cycles per instruction
	Tol   float64 // ± cycles per instruction
	Why   string
}

// hostThroughput returns the throughput cases for this CPU.
//
// Independent chains of one-cycle ADDs run side by side as long as there are
// ALUs for them: n chains take max(1, n/ALUs) cycles per copy. Zen 5 has six
// integer ALUs, so 4 chains give 0.25 cycles per ADD. Intel P-cores from
// Golden Cove on have five, but assign ports to µops when they are renamed,
// without regard to which are ready when (uiCA, Abel and Reineke 2022,
// describe the algorithm): with exactly four chains two ready ADDs regularly
// wait for the same port, and four chains measure 0.29 cycles per ADD here
// (Redwood Cove, Granite Rapids VM) — the hardware's figure, not the
// harness's, since two and three chains come out exact. So on Intel the
// 4-chain case is bounded on both sides (no better than latency-bound, at
// most 24% worse) and the exact throughput checks are 2 and 3 ADD chains and
// 4 IMUL chains, which one multiplier port (port 1, one per cycle: uops.info
// IMUL (R64, R64) throughput 1.00 on Ice Lake and Alder Lake-P) serialises.
func hostThroughput(t *testing.T, p *Probe) []throughputCase {
	t.Helper()
	common := []throughputCase{
		{Name: "add2", Body: "ADDQ BX, AX; ADDQ BX, CX", Ops: 2, PerOp: 0.5, Tol: 0.02, Why: "2 latency-1 chains: 0.5 cycles per ADD"},
		{Name: "add3", Body: "ADDQ BX, AX; ADDQ BX, CX; ADDQ BX, DX", Ops: 3, PerOp: 1.0 / 3, Tol: 0.02, Why: "3 latency-1 chains: 0.333 cycles per ADD"},
	}
	const add4 = "ADDQ BX, AX; ADDQ BX, CX; ADDQ BX, DX; ADDQ BX, SI"
	c := p.CPU
	switch {
	case c.Vendor == "AuthenticAMD" && c.Family == 0x1a:
		return append(common, throughputCase{Name: "add4", Body: add4, Ops: 4, PerOp: 0.25, Tol: 0.02, Why: "4 latency-1 chains on 6 ALUs: 0.25 cycles per ADD"})
	case c.Vendor == "GenuineIntel" && c.Family == 6 && c.GFNI:
		return append(common,
			throughputCase{Name: "add4", Body: add4, Ops: 4, PerOp: 0.28, Tol: 0.03, Why: "4 latency-1 chains, Intel port assignment: 0.25 to 0.31 cycles per ADD"},
			throughputCase{Name: "imul4", Body: "IMULQ BX, AX; IMULQ BX, CX; IMULQ BX, DX; IMULQ BX, SI", Ops: 4, PerOp: 1, Tol: 0.04, Why: "4 IMUL chains on one multiplier port: 1 cycle per IMUL"},
		)
	}
	t.Skipf("SKIP: no throughput figures for %s", c)
	return nil
}

func TestThroughput(t *testing.T) {
	p := probeForTest(t)
	cases := hostThroughput(t, p)
	var ks []Kernel
	for _, c := range cases {
		k, err := ParseKernel(c.Name, c.Name+".s", []byte(c.Body), nil, asm.SyntaxGo)
		if err != nil {
			t.Fatal(err)
		}
		ks = append(ks, k)
	}
	rep, steady := measureSteady(t, "throughput", &Options{Probe: p}, ks...)
	unsteadyRuns := 0
	if !steady {
		unsteadyRuns = 1
	}
	var problems []problem
	var table strings.Builder
	fmt.Fprintf(&table, "%s, clock %s:\n", p.CPU, rep.Clock)
	for i, c := range cases {
		r := rep.Kernels[i]
		perOp := r.Cycles / float64(c.Ops)
		if math.Abs(perOp-c.PerOp) > c.Tol {
			problems = append(problems, problem{fmt.Sprintf("%s (%s): %.4f cycles per instruction, want %.3f±%.3f (%s)", c.Name, c.Body, perOp, c.PerOp, c.Tol, c.Why), !steady})
		}
		fmt.Fprintf(&table, "  %-6s %.4f cycles per copy, %.4f per instruction (%s)\n", c.Name, r.Cycles, perOp, c.Why)
	}
	t.Log(table.String())
	missed(t, problems, unsteadyRuns)
}
