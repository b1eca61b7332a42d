package bench

import (
	"bytes"
	"encoding/json"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"
)

// syntheticReport is a report with known numbers.
func syntheticReport(kernels int) *Report {
	probe := &Probe{CPU: CPU{Vendor: "GenuineIntel", Brand: "Test CPU", Family: 6, Model: 0xa7}, TSCHz: 2.6e9}
	rep := &Report{Clock: ClockTSC, Probe: probe, PinnedCPU: 1,
		Calibration: &Calibration{Before: 0.62, After: 0.63, Drift: 0.63/0.62 - 1}}
	base := []float64{3, 3.001, 2.999, 3, 3, 3.002, 2.998, 3, 3, 3}
	for i := 0; i < kernels; i++ {
		r := &Result{Name: []string{"imul", "add chain", "x"}[i], Clock: ClockTSC, Samples: 200, Unroll: 100, Loop: 698}
		for _, v := range base {
			c := v / float64(i+1)
			r.BatchCycles = append(r.BatchCycles, c)
			r.BatchNS = append(r.BatchNS, c*0.2386)
		}
		cs := summarize(r.BatchCycles)
		r.Cycles, r.Median, r.Lo, r.Hi = cs.Center, cs.Center, cs.Lo, cs.Hi
		r.Min, r.Max = 2.998/float64(i+1), 3.002/float64(i+1)
		r.NS = summarize(r.BatchNS).Center
		rep.Kernels = append(rep.Kernels, r)
	}
	for _, r := range rep.Kernels[1:] {
		rep.Comparisons = append(rep.Comparisons, compare(rep.Kernels[0], r))
	}
	return rep
}

func TestWriteText(t *testing.T) {
	for _, n := range []int{1, 2} {
		var b bytes.Buffer
		if err := syntheticReport(n).WriteText(&b); err != nil {
			t.Fatal(err)
		}
		golden(t, []string{"", "text1.golden", "text2.golden"}[n], b.String())
	}
}

func TestWriteJSON(t *testing.T) {
	for _, n := range []int{1, 2} {
		var b bytes.Buffer
		if err := syntheticReport(n).WriteJSON(&b); err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		want := map[int]string{1: "clock cycles kernels", 2: "kernels"}[n]
		if got := strings.Join(sortedKeys(doc), " "); got != want {
			t.Errorf("%d kernels: top-level keys %q, want %q", n, got, want)
		}
		ks := doc["kernels"].([]any)
		if len(ks) != n {
			t.Fatalf("%d kernels in JSON, want %d", len(ks), n)
		}
		k0 := ks[0].(map[string]any)
		if got := strings.Join(sortedKeys(k0), " "); got != "clock cycles loop max median min name ns samples unroll" {
			t.Errorf("kernel keys %q", got)
		}
		if k0["name"] != "imul" || k0["cycles"] != 3.0 || k0["clock"] != "tsc" || k0["samples"] != 200.0 || k0["unroll"] != 100.0 || k0["loop"] != 698.0 || k0["min"] != 2.998 || k0["max"] != 3.002 {
			t.Errorf("kernel %v", k0)
		}
		if n == 1 && (doc["cycles"] != 3.0 || doc["clock"] != "tsc") {
			t.Errorf("top level %v", doc)
		}
		golden(t, []string{"", "json1.golden", "json2.golden"}[n], b.String())
	}
}

func sortedKeys(m map[string]any) []string { return slices.Sorted(maps.Keys(m)) }

// TestWriteGo reads the Go benchmark lines back with benchfmt, as
// benchstat does.
func TestWriteGo(t *testing.T) {
	rep := syntheticReport(2)
	var b bytes.Buffer
	if err := rep.WriteGo(&b); err != nil {
		t.Fatal(err)
	}
	golden(t, "go2.golden", b.String())
	r := benchfmt.NewReader(&b, "out.txt")
	n := 0
	for r.Scan() {
		res, ok := r.Result().(*benchfmt.Result)
		if !ok {
			t.Fatalf("not a result: %v", r.Result())
		}
		k := rep.Kernels[n/10]
		wantName := BenchmarkName(k.Name)
		if string(res.Name) != wantName || res.Iters != 69800 {
			t.Errorf("line %d: name %q iters %d, want %q 69800", n, res.Name, res.Iters, wantName)
		}
		cyc, _ := res.Value("cycles/op")
		ns, _ := res.Value("sec/op")
		if math.Abs(cyc-k.BatchCycles[n%10]) > 1e-4 || math.Abs(ns*1e9-k.BatchNS[n%10]) > 1e-4 {
			t.Errorf("line %d: %v cycles/op, %v sec/op; want %v, %v ns", n, cyc, ns, k.BatchCycles[n%10], k.BatchNS[n%10])
		}
		if got := res.GetConfig("clock"); got != "tsc" {
			t.Errorf("clock config %q", got)
		}
		if got := res.GetConfig("cpu"); got != "Test CPU" {
			t.Errorf("cpu config %q", got)
		}
		n++
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	if n != 20 {
		t.Errorf("%d results, want 20", n)
	}
}

func TestBenchmarkName(t *testing.T) {
	for in, want := range map[string]string{"imul": "imul", "add chain": "add_chain", "a\tb\nc": "a_b_c", "": "_", "ü·x": "ü·x"} {
		if got := BenchmarkName(in); got != want {
			t.Errorf("BenchmarkName(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzBenchmarkName(f *testing.F) {
	f.Add("add chain")
	f.Add("")
	f.Add("x\x00\u2028y")
	f.Fuzz(func(t *testing.T, name string) {
		n := BenchmarkName(name)
		line := "Benchmark" + n + " 1 2.5 ns/op 3 cycles/op\n"
		r := benchfmt.NewReader(strings.NewReader(line), "fuzz")
		if !r.Scan() {
			t.Fatalf("%q: no record: %v", line, r.Err())
		}
		res, ok := r.Result().(*benchfmt.Result)
		if !ok {
			t.Fatalf("%q: %v", line, r.Result())
		}
		if string(res.Name) != n {
			t.Fatalf("%q: name read back as %q", n, res.Name)
		}
		if v, _ := res.Value("cycles/op"); v != 3 {
			t.Fatalf("%q: cycles/op %v", n, v)
		}
	})
}

func TestSpread(t *testing.T) {
	r := &Result{Cycles: 2, Lo: 1.9, Hi: 2.02}
	if got := r.Spread(); math.Abs(got-0.05) > 1e-12 {
		t.Errorf("spread %v, want 0.05", got)
	}
	r = &Result{Cycles: 2, Lo: math.Inf(-1), Hi: 3}
	if !math.IsInf(r.Spread(), 1) {
		t.Errorf("spread without an interval: %v", r.Spread())
	}
	for v, want := range map[float64]string{0.0001: "0.01%", 0.012: "1.2%", 0.25: "25%", math.Inf(1): "∞"} {
		if got := formatSpread(v); got != want {
			t.Errorf("formatSpread(%v) = %q, want %q", v, got, want)
		}
	}
}

func TestEstimates(t *testing.T) {
	b := newBatchMins(2)
	// Batch 0: (U,L) readings 1000 and 900, (U,2L) 1900, (2U,L) 1700.
	b.add(0, sizeUL, 1000, 2000)
	b.add(0, sizeUL, 900, 1800)
	b.add(0, sizeU2L, 1900, 3800)
	b.add(0, size2UL, 1700, 3400)
	// Batch 1: one reading each.
	b.add(1, sizeUL, 500, 500)
	b.add(1, sizeU2L, 1000, 1000)
	b.add(1, size2UL, 900, 900)
	primary, tsc, overhead := b.estimates(10, 8)
	// Batch 0: (1700-900)/80 = 10 per copy; (3400-1800)/80 = 20;
	// overhead (1900-900)/8 - 10*10 = 25.
	// Batch 1: (900-500)/80 = 5; overhead (1000-500)/8 - 50 = 12.5.
	if !reflect.DeepEqual(primary, []float64{10, 5}) || !reflect.DeepEqual(tsc, []float64{20, 5}) || !reflect.DeepEqual(overhead, []float64{25, 12.5}) {
		t.Errorf("estimates %v %v %v", primary, tsc, overhead)
	}
}

func TestCompare(t *testing.T) {
	base := &Result{Name: "a", Cycles: 3, BatchCycles: []float64{3, 3.01, 2.99, 3, 3, 3.02, 2.98, 3, 3.01, 2.99}}
	same := &Result{Name: "b", Cycles: 3, BatchCycles: []float64{3.01, 2.99, 3, 3, 3.02, 2.98, 3, 3.01, 2.99, 3}}
	faster := &Result{Name: "c", Cycles: 1, BatchCycles: []float64{1, 1.01, 0.99, 1, 1, 1.02, 0.98, 1, 1.01, 0.99}}
	c := compare(base, same)
	if c.Significant || c.Delta != "~" || c.Ratio != 1 || c.Base != "a" || c.Name != "b" {
		t.Errorf("same: %+v", c)
	}
	c = compare(base, faster)
	if !c.Significant || c.Delta != "-66.67%" || math.Abs(c.Ratio-1.0/3) > 1e-12 || c.Detail != "p=0.000 n=10" {
		t.Errorf("faster: %+v", c)
	}
	few := &Result{Name: "d", Cycles: 1, BatchCycles: []float64{1, 1}}
	c = compare(&Result{Name: "a", Cycles: 3, BatchCycles: []float64{3, 3}}, few)
	if c.Significant || len(c.Warnings) == 0 {
		t.Errorf("two samples each: %+v", c)
	}
}

// TestFinishDisturbedCalibration: a batch whose TSC calibration is far from
// the others (all its runs disturbed) is converted with the median instead,
// and the report says so.
func TestFinishDisturbedCalibration(t *testing.T) {
	fake := func(name string, unroll, loop int, perCopy []float64) (*subject, *batchMins) {
		s := &subject{name: name, single: &timer{unroll: unroll}, loop: loop}
		b := newBatchMins(len(perCopy))
		for i, k := range perCopy {
			base := uint64(1000)
			b.add(i, sizeUL, base, base)
			b.add(i, sizeU2L, base+uint64(k*float64(unroll*loop)), base+uint64(k*float64(unroll*loop)))
			b.add(i, size2UL, base+uint64(k*float64(unroll*loop)), base+uint64(k*float64(unroll*loop)))
		}
		return s, b
	}
	cal, calSamples := fake("calibration", 100, 100, []float64{0.62, 0.63, -0.1, 0.62, 0.9})
	k, kSamples := fake("k", 10, 100, []float64{1.86, 1.89, 1.86, 1.86, 1.86})
	m := &measurement{
		o:     Options{Samples: 5, Batches: 5},
		probe: &Probe{TSCHz: 2.6e9}, clock: ClockTSC,
		rep: &Report{Clock: ClockTSC, Calibration: &Calibration{}},
		cal: cal, subjects: []*subject{k},
		samples: map[*subject]*batchMins{cal: calSamples, k: kSamples},
	}
	if err := m.finish(); err != nil {
		t.Fatal(err)
	}
	if got := m.rep.Calibration.Batches; !reflect.DeepEqual(got, []float64{0.62, 0.63, 0.62, 0.62, 0.62}) {
		t.Errorf("calibration %v", got)
	}
	if len(m.rep.Warnings) != 2 || !strings.Contains(m.rep.Warnings[0], "batch 3 was disturbed") || !strings.Contains(m.rep.Warnings[1], "batch 5 was disturbed") {
		t.Errorf("warnings %q", m.rep.Warnings)
	}
	r := m.rep.Kernels[0]
	if math.Abs(r.Cycles-3) > 1e-9 || math.Abs(r.Max-3) > 1e-9 || math.Abs(r.Min-3) > 1e-9 {
		t.Errorf("cycles %v (min %v, max %v), want 3", r.Cycles, r.Min, r.Max)
	}
}
