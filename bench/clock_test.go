package bench

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestParseClock(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Clock
		err  string
	}{
		{"auto", ClockAuto, ""},
		{"perf", ClockPerf, ""},
		{"APERF", ClockAPERF, ""},
		{"tsc", ClockTSC, ""},
		{"", 0, `unknown clock "": want auto, perf, aperf or tsc`},
		{"rdtsc", 0, `unknown clock "rdtsc": want auto, perf, aperf or tsc`},
	} {
		got, err := ParseClock(tt.in)
		msg := ""
		if err != nil {
			msg = err.Error()
		}
		if got != tt.want || msg != tt.err {
			t.Errorf("ParseClock(%q) = %v, %q; want %v, %q", tt.in, got, msg, tt.want, tt.err)
		}
	}
	if s := Clock(7).String(); s != "Clock(7)" {
		t.Errorf("String of a bad clock: %q", s)
	}
	if _, err := Clock(7).MarshalText(); err == nil {
		t.Error("MarshalText of a bad clock succeeded")
	}
}

func FuzzParseClock(f *testing.F) {
	for _, s := range []string{"auto", "perf", "aperf", "tsc", "TSC", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseClock(s)
		if err != nil {
			return
		}
		if !strings.EqualFold(c.String(), s) {
			t.Fatalf("ParseClock(%q) = %v", s, c)
		}
	})
}

func testProbeValue() *Probe {
	return &Probe{
		CPU:   CPU{Vendor: "AuthenticAMD", Brand: "Test", Family: 0x1a, Model: 0x11},
		TSCHz: 2.096e9,
		Clocks: []ClockStatus{
			{Clock: ClockPerf, Reason: "perf_event_open(cycles): no such file or directory"},
			{Clock: ClockAPERF, Available: true, CyclesPerADD: 1},
			{Clock: ClockTSC, Available: true, CyclesPerADD: 0.6},
		},
	}
}

func TestProbeChoose(t *testing.T) {
	p := testProbeValue()
	if p.Best() != ClockAPERF {
		t.Errorf("Best = %v", p.Best())
	}
	for _, tt := range []struct {
		ask  Clock
		want Clock
		err  string
	}{
		{ClockAuto, ClockAPERF, ""},
		{ClockTSC, ClockTSC, ""},
		{ClockPerf, 0, "bench: clock perf is not available: perf_event_open(cycles): no such file or directory"},
	} {
		got, err := p.choose(tt.ask)
		msg := ""
		if err != nil {
			msg = err.Error()
		}
		if got != tt.want || msg != tt.err {
			t.Errorf("choose(%v) = %v, %q; want %v, %q", tt.ask, got, msg, tt.want, tt.err)
		}
	}
	none := &Probe{TSCHz: 1e9, Clocks: []ClockStatus{{Clock: ClockTSC, Reason: "RDTSC raised SIGSEGV"}}}
	if _, err := none.choose(ClockAuto); err == nil || !strings.Contains(err.Error(), "no clock works on this machine: tsc: RDTSC raised SIGSEGV") {
		t.Errorf("no clock: %v", err)
	}
	noTSCHz := &Probe{Clocks: []ClockStatus{{Clock: ClockTSC, Available: true}}}
	for _, c := range []Clock{ClockAuto, ClockTSC} {
		if _, err := noTSCHz.choose(c); err == nil || err.Error() != "bench: the probe has no TSC frequency" {
			t.Errorf("choose(%v) without a TSC frequency: %v", c, err)
		}
	}
	if s := none.Status(ClockAPERF); s.Available || s.Reason != "not probed" {
		t.Errorf("status of a clock not in the probe: %+v", s)
	}
}

// TestProbeJSON round-trips a Probe, as the jitrun command passes it from
// its child process.
func TestProbeJSON(t *testing.T) {
	p := testProbeValue()
	data, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"clock":"aperf"`) {
		t.Errorf("clocks are not encoded by name: %s", data)
	}
	q, err := ParseProbe(data)
	if err != nil {
		t.Fatal(err)
	}
	if q.String() != p.String() {
		t.Errorf("round trip:\n%s\nwant\n%s", q, p)
	}
	for _, bad := range []string{"", "{", `{"tsc_hz": 0}`, `{"tsc_hz": 1, "clocks": [{"clock": "sundial"}]}`} {
		if _, err := ParseProbe([]byte(bad)); err == nil {
			t.Errorf("ParseProbe(%q) succeeded", bad)
		}
	}
}

func FuzzParseProbe(f *testing.F) {
	data, _ := json.Marshal(testProbeValue())
	f.Add(data)
	f.Add([]byte(`{"tsc_hz": 1e9, "clocks": []}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseProbe(data)
		if err != nil {
			return
		}
		// Whatever decodes must be usable: choosing a clock either works
		// or says why not, and the text form never fails.
		_ = p.String()
		if c, err := p.choose(ClockAuto); err == nil && !p.Status(c).Available {
			t.Fatalf("chose unavailable clock %v", c)
		}
	})
}

// TestDetect checks what Detect finds on this machine: a CPU, a TSC rate,
// one status per clock, and an explanation for every unavailable one.
func TestDetect(t *testing.T) {
	p := probeForTest(t)
	if p.CPU.Vendor == "" || p.TSCHz < 1e8 || p.TSCHz > 1e10 || len(p.Clocks) != 3 {
		t.Fatalf("probe %+v", p)
	}
	for i, s := range p.Clocks {
		if s.Clock != concreteClocks[i] {
			t.Errorf("clock %d is %v, want %v", i, s.Clock, concreteClocks[i])
		}
		if !s.Available && s.Reason == "" {
			t.Errorf("%v: unavailable without a reason", s.Clock)
		}
	}
	if !p.Status(ClockTSC).Available {
		t.Errorf("the TSC is not available: %s", p.Status(ClockTSC).Reason)
	}
	// RDPRU: on an Intel CPU it must have been caught as #UD.
	if p.CPU.Vendor == "GenuineIntel" {
		if s := p.Status(ClockAPERF); s.Available || !strings.Contains(s.Reason, "RDPRU raised SIGILL") {
			t.Errorf("aperf on Intel: %+v", s)
		}
	}
	t.Logf("\n%s", p)
	q, err := Detect(context.Background(), ClockTSC)
	if err != nil {
		t.Fatal(err)
	}
	if q.Status(ClockAPERF).Reason != "not probed" || !q.Status(ClockTSC).Available {
		t.Errorf("Detect(tsc): %s", q)
	}
	if _, err := Detect(context.Background(), ClockAuto); err == nil {
		t.Error("Detect(ClockAuto) succeeded")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Detect(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Detect with a canceled context: %v", err)
	}
}
