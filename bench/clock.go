package bench

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Clock is what a measurement counts with.
type Clock uint8

const (
	// ClockAuto picks the best clock the machine has: ClockPerf, then
	// ClockAPERF, then ClockTSC.
	ClockAuto Clock = iota
	// ClockPerf is the perf_event core-cycle counter of the measuring
	// thread, read with RDPMC. It needs a hardware PMU (often absent in
	// VMs) and a kernel that allows user-mode RDPMC.
	ClockPerf
	// ClockAPERF is the core's APERF register (actual cycles), read with
	// AMD's RDPRU instruction (ECX=1). Intel CPUs do not have RDPRU.
	ClockAPERF
	// ClockTSC is the time-stamp counter, which ticks at a constant rate,
	// converted to core cycles by a dependent chain of one-cycle ADDs
	// measured interleaved with the kernels.
	ClockTSC
)

var clockNames = [...]string{ClockAuto: "auto", ClockPerf: "perf", ClockAPERF: "aperf", ClockTSC: "tsc"}

// String returns "auto", "perf", "aperf" or "tsc".
func (c Clock) String() string {
	if int(c) < len(clockNames) {
		return clockNames[c]
	}
	return fmt.Sprintf("Clock(%d)", uint8(c))
}

// ParseClock parses a clock name as String returns it (case-insensitive).
func ParseClock(s string) (Clock, error) {
	for c, name := range clockNames {
		if strings.EqualFold(s, name) {
			return Clock(c), nil
		}
	}
	return 0, fmt.Errorf("unknown clock %q: want auto, perf, aperf or tsc", s)
}

// MarshalText encodes the clock as its name.
func (c Clock) MarshalText() ([]byte, error) {
	if int(c) >= len(clockNames) {
		return nil, fmt.Errorf("bench: invalid clock %d", uint8(c))
	}
	return []byte(c.String()), nil
}

// UnmarshalText decodes a clock name.
func (c *Clock) UnmarshalText(b []byte) error {
	v, err := ParseClock(string(b))
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	*c = v
	return nil
}

// concreteClocks are the clocks Detect tries, in order of preference.
var concreteClocks = [...]Clock{ClockPerf, ClockAPERF, ClockTSC}

// ClockStatus says whether a clock works on this machine, and if not, why.
type ClockStatus struct {
	Clock     Clock `json:"clock"`
	Available bool  `json:"available"`
	// Reason says in words why the clock is unavailable, or that it was
	// not probed.
	Reason string `json:"reason,omitempty"`
	// CyclesPerADD is what the clock measured for a dependent chain of
	// one-cycle ADDs when it was checked (1.00 for a clock that counts
	// core cycles; the TSC's ticks per core cycle for ClockTSC).
	CyclesPerADD float64 `json:"cycles_per_add,omitempty"`
}

// CPU identifies the processor, from CPUID.
type CPU struct {
	Vendor   string `json:"vendor"` // "GenuineIntel", "AuthenticAMD"
	Brand    string `json:"brand"`  // "AMD EPYC 9R45 …", "Intel(R) Xeon(R) Processor"
	Family   int    `json:"family"` // display family, extended family included (0x1A for Zen 5)
	Model    int    `json:"model"`  // display model, extended model included
	Stepping int    `json:"stepping"`
	// Hypervisor is set when CPUID says a hypervisor runs the machine.
	// A hypervisor may report another family and model than the
	// hardware's.
	Hypervisor bool `json:"hypervisor"`
	// InvariantTSC: the TSC ticks at a constant rate in every power state.
	InvariantTSC bool `json:"invariant_tsc"`
	// AVX and AVX512 are set when the CPU has them and the OS saves their
	// registers; GFNI when the CPU has the Galois-field instructions.
	AVX    bool `json:"avx"`
	AVX512 bool `json:"avx512"`
	GFNI   bool `json:"gfni"`
	// RDPRU is set when CPUID advertises RDPRU. Some CPUs execute it
	// without advertising it, so Detect tries the instruction itself.
	RDPRU bool `json:"rdpru"`
}

// String returns "GenuineIntel family 6 model 167 (Intel(R) Xeon(R) Processor)".
func (c CPU) String() string {
	s := fmt.Sprintf("%s family %#x model %#x", c.Vendor, c.Family, c.Model)
	if c.Brand != "" {
		s += " (" + c.Brand + ")"
	}
	return s
}

// Probe is what Detect found out about the machine: the CPU, the TSC's
// frequency and which clocks work. It is plain data (JSON), so a parent
// process can take it from a child that did the detection.
type Probe struct {
	CPU   CPU     `json:"cpu"`
	TSCHz float64 `json:"tsc_hz"`
	// Clocks has one entry for each of ClockPerf, ClockAPERF and ClockTSC,
	// in that order.
	Clocks []ClockStatus `json:"clocks"`
}

// Status returns the status of clock c (ClockAuto: of the best one).
func (p *Probe) Status(c Clock) ClockStatus {
	if c == ClockAuto {
		c = p.Best()
	}
	for _, s := range p.Clocks {
		if s.Clock == c {
			return s
		}
	}
	return ClockStatus{Clock: c, Reason: "not probed"}
}

// Best returns the best available clock: perf, then aperf, then tsc. It
// returns ClockAuto when none is available.
func (p *Probe) Best() Clock {
	for _, c := range concreteClocks {
		if p.Status(c).Available {
			return c
		}
	}
	return ClockAuto
}

// choose returns the clock to use for c, or an error saying why it cannot
// be used.
func (p *Probe) choose(c Clock) (Clock, error) {
	if p.TSCHz <= 0 {
		return 0, errors.New("bench: the probe has no TSC frequency")
	}
	switch {
	case c == ClockAuto:
		if c = p.Best(); c == ClockAuto {
			return 0, fmt.Errorf("bench: no clock works on this machine: %s", p.reasons())
		}
	case int(c) >= len(clockNames):
		return 0, fmt.Errorf("bench: invalid clock %d", uint8(c))
	default:
		if s := p.Status(c); !s.Available {
			return 0, fmt.Errorf("bench: clock %s is not available: %s", c, s.Reason)
		}
	}
	return c, nil
}

func (p *Probe) reasons() string {
	var parts []string
	for _, s := range p.Clocks {
		parts = append(parts, s.Clock.String()+": "+s.Reason)
	}
	return strings.Join(parts, "; ")
}

// String describes the CPU, the TSC's frequency and the clocks, one a
// line: "tsc: available (0.6206 ticks per core cycle: the core ran at 4.19 GHz)".
func (p *Probe) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "cpu: %s\n", p.CPU)
	fmt.Fprintf(&b, "tsc frequency: %.1f MHz\n", p.TSCHz/1e6)
	for _, s := range p.Clocks {
		switch {
		case s.Available && s.Clock == ClockTSC:
			fmt.Fprintf(&b, "%s: available (%.4f ticks per core cycle: the core ran at %.2f GHz)\n", s.Clock, s.CyclesPerADD, p.TSCHz/s.CyclesPerADD/1e9)
		case s.Available:
			fmt.Fprintf(&b, "%s: available (%.3f cycles per one-cycle ADD)\n", s.Clock, s.CyclesPerADD)
		default:
			fmt.Fprintf(&b, "%s: not available: %s\n", s.Clock, s.Reason)
		}
	}
	return b.String()
}

// ParseProbe decodes a Probe from JSON (as encoding/json encodes it) and
// checks it.
func ParseProbe(data []byte) (*Probe, error) {
	var p Probe
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("bench: decoding the clock probe: %w", err)
	}
	if p.TSCHz <= 0 {
		return nil, fmt.Errorf("bench: decoding the clock probe: no TSC frequency")
	}
	return &p, nil
}
