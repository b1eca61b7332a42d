package bench

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jitrun/jitrun/asm"
	"github.com/jitrun/jitrun/trampoline"
)

func TestOptionsCheck(t *testing.T) {
	tests := []struct {
		opt  Options
		want string
	}{
		{Options{}, ""},
		{Options{Unroll: -1}, "bench: unroll -1 is out of range (1 to 10000, or 0 for automatic)"},
		{Options{Unroll: MaxUnroll + 1}, "bench: unroll 10001 is out of range (1 to 10000, or 0 for automatic)"},
		{Options{Loop: -5}, "bench: loop -5 is out of range (1 to 1073741824, or 0 for automatic)"},
		{Options{Samples: -1}, "bench: samples -1 is out of range (1 to 1000000, or 0 for 200)"},
		{Options{Batches: MaxBatches + 1}, "bench: batches 1001 is out of range (1 to 1000, or 0 for 10)"},
		{Options{Samples: 5, Batches: 6}, "bench: 6 batches need at least as many samples, not 5"},
		{Options{Samples: 5}, ""},
		{Options{BufferSize: -1}, "bench: buffer size -1 is out of range (0 to 1073741824 bytes)"},
		{Options{Timeout: -time.Second}, "bench: timeout -1s is negative"},
		{Options{Timeout: time.Nanosecond}, "bench: timeout 1ns is shorter than the measurement's own timed regions can take (about 100µs each): the smallest usable timeout is 1ms"},
		{Options{Timeout: MinTimeout - 1}, "bench: timeout 999.999µs is shorter than the measurement's own timed regions can take (about 100µs each): the smallest usable timeout is 1ms"},
		{Options{Timeout: MinTimeout}, ""},
		{Options{Clock: 9}, "bench: invalid clock 9"},
		{Options{Warmup: -3}, ""},
	}
	for _, tt := range tests {
		err := tt.opt.Check()
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.opt, got, tt.want)
		}
	}
	o, _ := (&Options{Samples: 5}).resolve()
	if o.Batches != 1 || o.Warmup != DefaultWarmup || o.Timeout != DefaultTimeout {
		t.Errorf("defaults: %+v", o)
	}
	for samples, batches := range map[int]int{1: 1, 9: 1, 10: 2, 24: 4, 50: 10, 1000: 10} {
		if o, _ := (&Options{Samples: samples}).resolve(); o.Batches != batches {
			t.Errorf("%d samples: %d batches, want %d", samples, o.Batches, batches)
		}
	}
	var nilOpt *Options
	if o, err := nilOpt.resolve(); err != nil || o.Samples != DefaultSamples || o.Batches != DefaultBatches {
		t.Errorf("nil options: %+v, %v", o, err)
	}
}

func TestKernelNames(t *testing.T) {
	got, err := kernelNames([]Kernel{{}, {Name: "b"}, {}})
	if err != nil || strings.Join(got, ",") != "kernel1,b,kernel3" {
		t.Errorf("%q, %v", got, err)
	}
	if got, _ := kernelNames([]Kernel{{}}); got[0] != "kernel" {
		t.Errorf("one kernel: %q", got)
	}
	if _, err := kernelNames([]Kernel{{Name: "a"}, {Name: "a"}}); err == nil || err.Error() != `bench: two kernels are named "a"` {
		t.Errorf("duplicate: %v", err)
	}
}

func parse(t *testing.T, name, body, init string) Kernel {
	t.Helper()
	k, err := ParseKernel(name, name+".s", []byte(body), []byte(init), asm.SyntaxGo)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// quick are options for tests that need a measurement, not a precise one.
func quick(p *Probe) *Options {
	return &Options{Probe: p, Samples: 20, Warmup: -1}
}

func TestMeasureFault(t *testing.T) {
	p := probeForTest(t)
	tests := []struct {
		name, body, init string
		signal           syscall.Signal
		pos, source      string
		inst             string // the faulting instruction (Go syntax)
	}{
		{"null load", "ADDQ $1, CX\nMOVQ (AX), BX", "", syscall.SIGSEGV, "null load.s:2:1", "MOVQ (AX), BX", "MOVQ 0(AX), BX"},
		{"ud2", "UD2", "", syscall.SIGILL, "ud2.s:1:1", "UD2", "UD2"},
		{"two on a line", "ADDQ $1, CX; MOVQ (AX), BX", "", syscall.SIGSEGV, "two on a line.s:1:1", "ADDQ $1, CX; MOVQ (AX), BX", "MOVQ 0(AX), BX"},
		{"divide", "DIVQ BX", "", syscall.SIGFPE, "divide.s:1:1", "DIVQ BX", "DIVQ BX"},
		{"init", "NOP", "MOVQ $1, (AX)", syscall.SIGSEGV, "init.s (init):1:1", "MOVQ $1, (AX)", "MOVQ $0x1, 0(AX)"},
		// The PC is past a breakpoint: one byte for cc, two for cd 03.
		{"int3", "BYTE $0xcc", "", syscall.SIGTRAP, "int3.s:1:1", "BYTE $0xcc", "INT $0x3"},
		{"int 3", "INT $3", "", syscall.SIGTRAP, "int 3.s:1:1", "INT $3", "INT $0x3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Measure(context.Background(), quick(p), parse(t, tt.name, tt.body, tt.init))
			var ke *KernelError
			var f *trampoline.Fault
			if !errors.As(err, &ke) || !errors.As(err, &f) {
				t.Fatalf("error %v (%T), want a *KernelError with a *trampoline.Fault", err, err)
			}
			if f.Signal != tt.signal || ke.Kernel != tt.name || !ke.HasSource || ke.Pos.String() != tt.pos || ke.Source != tt.source || !ke.InCode {
				t.Errorf("got %v %q at %v %q (in code %v), want %v %q at %s %q", f.Signal, ke.Kernel, ke.Pos, ke.Source, ke.InCode, tt.signal, tt.name, tt.pos, tt.source)
			}
			if ke.Instruction != tt.inst {
				t.Errorf("instruction %q at +%#x, want %q", ke.Instruction, ke.Offset, tt.inst)
			}
			if !strings.HasPrefix(err.Error(), `bench: kernel "`+tt.name+`": `+tt.pos+": "+tt.source+": ") {
				t.Errorf("message %q", err)
			}
		})
	}
}

func TestMeasureTimeout(t *testing.T) {
	p := probeForTest(t)
	o := quick(p)
	o.Timeout = 200 * time.Millisecond
	start := time.Now()
	_, err := Measure(context.Background(), o, parse(t, "spin", "spin: JMP spin", ""))
	elapsed := time.Since(start)
	var ke *KernelError
	var it *trampoline.Interrupted
	if !errors.As(err, &ke) || !errors.As(err, &it) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v (%T), want a *KernelError with a *trampoline.Interrupted", err, err)
	}
	if ke.Pos.String() != "spin.s:1:7" || ke.Source != "JMP spin" {
		t.Errorf("stopped at %v %q", ke.Pos, ke.Source)
	}
	if !strings.Contains(err.Error(), "did not finish within the timeout") {
		t.Errorf("message %q", err)
	}
	if elapsed > 5*time.Second {
		t.Errorf("a 200ms timeout took %v", elapsed)
	}
}

// TestInternalTimeout: a timeout that stops one of the package's own
// subjects (the TSC calibration) is said in the user's terms, with no
// source line of the package's code.
func TestInternalTimeout(t *testing.T) {
	p := probeForTest(t)
	kc := mustKernel(t, "spin: JMP spin", "")
	s, err := newSubject(subjectSpec{name: "calibration", file: "<calibration>", kernel: kc, clock: ClockTSC, unroll: 1,
		cpu: p.CPU, timeout: 50 * time.Millisecond, internal: `the TSC calibration measured alongside kernel "k"`})
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	s.loop = 1
	_, _, err = s.run(context.Background(), sizeUL)
	var ke *KernelError
	want := `bench: the TSC calibration measured alongside kernel "k" ran past the timeout of 50ms (its timed regions last about 100µs; the thread ran that long on a CPU): give a longer timeout`
	if err == nil || errors.As(err, &ke) || err.Error() != want {
		t.Errorf("error %v (%T), want %q", err, err, want)
	}
}

// TestInternalDeadline: an internal subject stopped by the deadline of
// ctx, not by its timeout, says so: it did not run past its timeout, and
// a longer timeout would not help.
func TestInternalDeadline(t *testing.T) {
	p := probeForTest(t)
	kc := mustKernel(t, "spin: JMP spin", "")
	s, err := newSubject(subjectSpec{name: "calibration", file: "<calibration>", kernel: kc, clock: ClockTSC, unroll: 1,
		cpu: p.CPU, timeout: time.Minute, internal: `the TSC calibration measured alongside kernel "k"`})
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	s.loop = 1
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, _, err = s.run(ctx, sizeUL)
	want := `bench: the TSC calibration measured alongside kernel "k" was stopped: `
	if err == nil || !errors.Is(err, context.DeadlineExceeded) || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %v, want one that starts %q and is context.DeadlineExceeded", err, want)
	}
}

// TestStoppedWaiting: a region the timeout stopped is run again only when
// the thread ran for less than the timeout, and never when ctx ended.
func TestStoppedWaiting(t *testing.T) {
	tm := &timer{spec: &subjectSpec{timeout: 10 * time.Millisecond}}
	stopped := &trampoline.Interrupted{Err: context.DeadlineExceeded, PC: 1}
	done, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name     string
		ctx      context.Context
		err      error
		cpu, ran time.Duration
		want     bool
	}{
		{"descheduled", context.Background(), stopped, time.Millisecond, 3 * time.Millisecond, true},
		{"ran past the timeout", context.Background(), stopped, 10 * time.Millisecond, 10 * time.Millisecond, false},
		// A kernel that loops runs on a CPU for all but the last moments
		// of the timeout: the CPU time lags the wall clock's a little.
		{"ran nearly all the timeout", context.Background(), stopped, 9900 * time.Microsecond, 9900 * time.Microsecond, false},
		{"ran half the timeout", context.Background(), stopped, 5 * time.Millisecond, 5 * time.Millisecond, false},
		{"waited most of the timeout", context.Background(), stopped, 4 * time.Millisecond, 4 * time.Millisecond, true},
		{"stopped runs add up", context.Background(), stopped, 2 * time.Millisecond, 11 * time.Millisecond, false},
		{"cpu time unknown", context.Background(), stopped, -1, 0, false},
		{"context done", done, stopped, time.Millisecond, time.Millisecond, false},
		{"a fault", context.Background(), &trampoline.Fault{}, time.Millisecond, time.Millisecond, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tm.stoppedWaiting(tc.ctx, tc.err, tc.cpu, tc.ran); got != tc.want {
				t.Errorf("stoppedWaiting = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestMeasureCanceled(t *testing.T) {
	p := probeForTest(t)
	ctx, cancel := context.WithCancel(context.Background())
	o := quick(p)
	o.Samples = MaxSamples
	o.Progress = func(done, total int) {
		if done == 3 {
			cancel()
		}
	}
	_, err := Measure(ctx, o, parse(t, "add", "ADDQ BX, AX", ""))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
}

func TestMeasureErrors(t *testing.T) {
	p := probeForTest(t)
	if _, err := Measure(context.Background(), quick(p)); err == nil || err.Error() != "bench: no kernel to measure" {
		t.Errorf("no kernel: %v", err)
	}
	// Problems in several kernels come back together, positioned.
	_, err := Measure(context.Background(), quick(p), parse(t, "a", "MOVQ AX, R15", ""), parse(t, "b", "NOP\nJMP out", ""))
	var list asm.ErrorList
	if !errors.As(err, &list) || len(list) != 2 || !strings.HasPrefix(list[0].Error(), "a.s:1:1: ") || !strings.HasPrefix(list[1].Error(), "b.s:2:1: ") {
		t.Errorf("error %v", err)
	}
	// An encoding error shows up positioned, too.
	_, err = Measure(context.Background(), quick(p), parse(t, "bad", "MOVQ (AX), (BX)", ""))
	if !errors.As(err, &list) || !strings.HasPrefix(list[0].Error(), "bad.s:1:1: ") {
		t.Errorf("error %v", err)
	}
	// A clock that is not there.
	unavailable := &Probe{CPU: p.CPU, TSCHz: p.TSCHz, Clocks: []ClockStatus{{Clock: ClockTSC, Available: true}, {Clock: ClockAPERF, Reason: "RDPRU raised SIGILL"}}}
	o := quick(unavailable)
	o.Clock = ClockAPERF
	if _, err := Measure(context.Background(), o, parse(t, "a", "NOP", "")); err == nil || err.Error() != "bench: clock aperf is not available: RDPRU raised SIGILL" {
		t.Errorf("unavailable clock: %v", err)
	}
}

// TestMeasureRestores checks that the GC setting comes back and that
// concurrent measurements (serialised) both succeed.
func TestMeasureRestores(t *testing.T) {
	p := probeForTest(t)
	old := debug.SetGCPercent(77)
	defer debug.SetGCPercent(old)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rep, err := Measure(context.Background(), quick(p), parse(t, "imul", "IMULQ BX, AX", ""))
			if err == nil && (rep.Kernels[0].Cycles < 1 || rep.Kernels[0].Cycles > 10) {
				err = errors.New("implausible result")
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if got := debug.SetGCPercent(old); got != 77 {
		t.Errorf("GC percent %d after Measure, want 77", got)
	}
}

// TestMeasureReport checks the shape of a report: every field filled in,
// as many batch estimates as batches, the comparison of the second kernel
// with the first.
func TestMeasureReport(t *testing.T) {
	p := probeForTest(t)
	o := &Options{Probe: p, Samples: 40, Batches: 8, Unroll: 20, Loop: 50}
	rep, err := Measure(context.Background(), o, parse(t, "add", "ADDQ BX, AX", ""), parse(t, "imul", "IMULQ BX, AX", ""))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Clock != p.Best() || len(rep.Kernels) != 2 || len(rep.Comparisons) != 1 || rep.Elapsed <= 0 {
		t.Fatalf("report %+v", rep)
	}
	for _, r := range rep.Kernels {
		if r.Unroll != 20 || r.Loop != 50 || r.Samples != 40 || len(r.BatchCycles) != 8 || len(r.BatchNS) != 8 || r.Program == nil || r.Clock != rep.Clock {
			t.Errorf("%s: %+v", r.Name, r)
		}
		if !(r.Min <= r.Median && r.Median <= r.Max && r.Cycles == r.Median && r.Lo <= r.Cycles && r.Cycles <= r.Hi) {
			t.Errorf("%s: min %v median %v max %v ci [%v, %v]", r.Name, r.Min, r.Median, r.Max, r.Lo, r.Hi)
		}
	}
	c := rep.Comparisons[0]
	if c.Base != "add" || c.Name != "imul" || c.Ratio < 2 || c.Ratio > 4 || !c.Significant || c.Delta == "~" || c.Detail != "p=0.000 n=8" {
		t.Errorf("comparison %+v", c)
	}
	if rep.Clock == ClockTSC {
		cal := rep.Calibration
		if cal == nil || len(cal.Batches) != 8 || cal.Before <= 0 || cal.After <= 0 || cal.Unroll != checkUnroll {
			t.Errorf("calibration %+v", cal)
		}
	}
}

// TestMeasureBuffer checks the scratch buffer: its address in RDI, 64-byte
// aligned and as large as asked (the init code writes its last byte and the
// kernel chases a pointer through it).
func TestMeasureBuffer(t *testing.T) {
	p := probeForTest(t)
	o := quick(p)
	o.BufferSize = 10000
	init := "TESTQ $63, DI; JNE bad; MOVB $1, 9999(DI); MOVQ DI, (DI); MOVQ DI, AX; JMP ok; bad: UD2; ok:"
	if _, err := Measure(context.Background(), o, parse(t, "chase", "MOVQ (AX), AX", init)); err != nil {
		t.Fatal(err)
	}
	// Past either end of the (page-rounded) buffer, an access faults.
	o.BufferSize = 4096
	for _, init := range []string{"MOVB $1, 4096(DI)", "MOVB -1(DI), AX"} {
		_, err := Measure(context.Background(), o, parse(t, "past", "NOP", init))
		var f *trampoline.Fault
		if !errors.As(err, &f) || f.Signal != syscall.SIGSEGV {
			t.Errorf("%s: %v", init, err)
		}
	}
	// Without a buffer RDI is zero.
	o.BufferSize = 0
	if _, err := Measure(context.Background(), o, parse(t, "nobuf", "NOP", "TESTQ DI, DI; JEQ ok; UD2; ok:")); err != nil {
		t.Errorf("RDI without a buffer: %v", err)
	}
}

// TestMeasureStatements measures kernels built in Go, with asm.I and with a
// Builder, and checks that a fault in one is reported at the Go line that
// made the instruction.
func TestMeasureStatements(t *testing.T) {
	p := probeForTest(t)
	b := asm.NewBuilder()
	b.Inst("IMULQ", asm.BX, asm.AX)
	k1 := Kernel{Name: "built", Body: b.Stmts()}
	k2 := Kernel{Name: "plain", Body: []asm.Stmt{asm.I("ADDQ", asm.BX, asm.AX)}}
	// Both kernels must measure as themselves (3 and 1 cycles). 50
	// samples on a busy machine can be off either way (another thread on
	// the core, a clock reading the host spoiled), so a run whose figures
	// are off is repeated, three runs in all; a kernel built wrong is off
	// every time.
	var seen []string
	for range 3 {
		rep, err := Measure(context.Background(), &Options{Probe: p, Samples: 50}, k1, k2)
		if err != nil {
			t.Fatal(err)
		}
		imul, add := rep.Kernels[0].Cycles, rep.Kernels[1].Cycles
		if math.Abs(imul-3) <= 0.5 && math.Abs(add-1) <= 0.2 {
			seen = nil
			break
		}
		seen = append(seen, fmt.Sprintf("IMULQ chain %.3f, ADDQ chain %.3f", imul, add))
	}
	if seen != nil {
		t.Errorf("cycles per copy in 3 runs, want 3±0.5 and 1±0.2: %s", strings.Join(seen, "; "))
	}
	fault := Kernel{Name: "fault", Body: []asm.Stmt{asm.I("MOVQ", asm.Mem(0, asm.AX), asm.BX)}}
	_, err := Measure(context.Background(), quick(p), fault)
	var ke *KernelError
	if !errors.As(err, &ke) || !ke.HasSource || !strings.HasSuffix(ke.Pos.File, "measure_test.go") {
		t.Errorf("fault in a Go-built kernel: %v", err)
	}
}

func TestKernelList(t *testing.T) {
	for _, tc := range []struct {
		names []string
		want  string
	}{
		{[]string{"a"}, `kernel "a"`},
		{[]string{"a", "b"}, `kernels "a" and "b"`},
		{[]string{"a", "b", "c"}, `kernels "a", "b" and "c"`},
	} {
		if got := kernelList(tc.names); got != tc.want {
			t.Errorf("kernelList(%q) = %s, want %s", tc.names, got, tc.want)
		}
	}
}
