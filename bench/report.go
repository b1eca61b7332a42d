package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// WriteText prints the report as tables: a header saying which clock was
// used (with the TSC calibration) and on what CPU, one row per kernel
// (cycles and nanoseconds per copy, the spread of the batch estimates,
// U, L and the samples), and, with several kernels, each one against the
// first. Warnings are not printed: see Report.Warnings.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "clock: %s\n", r.clockLine())
	fmt.Fprintf(&b, "cpu: %s", r.Probe.CPU)
	if r.PinnedCPU >= 0 {
		fmt.Fprintf(&b, ", pinned to CPU %d", r.PinnedCPU)
	}
	b.WriteString("\n\n")
	rows := [][]string{{"kernel", "cycles", "ns", "min", "median", "max", "±", "unroll", "loop", "samples"}}
	for _, k := range r.Kernels {
		rows = append(rows, []string{k.Name, f3(k.Cycles), f3(k.NS), f3(k.Min), f3(k.Median), f3(k.Max),
			formatSpread(k.Spread()), strconv.Itoa(k.Unroll), strconv.Itoa(k.Loop), strconv.Itoa(k.Samples)})
	}
	writeColumns(&b, rows)
	if len(r.Comparisons) > 0 {
		b.WriteString("\n")
		rows = [][]string{{"vs " + r.Kernels[0].Name, "ratio", "delta", ""}}
		for _, c := range r.Comparisons {
			rows = append(rows, []string{c.Name, f3(c.Ratio), c.Delta, "(" + c.Detail + ")"})
		}
		writeColumns(&b, rows)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func f3(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }

// writeColumns prints rows as columns two spaces apart: the first column
// left-aligned, the others right-aligned; trailing spaces are trimmed.
func writeColumns(b *strings.Builder, rows [][]string) {
	width := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, cell := range row {
			width[i] = max(width[i], utf8.RuneCountInString(cell))
		}
	}
	for _, row := range rows {
		var line strings.Builder
		for i, cell := range row {
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(cell))
			if i == 0 {
				line.WriteString(cell + pad)
			} else {
				line.WriteString("  " + pad + cell)
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
}

// clockLine describes the clock: "tsc (TSC 2600.0 MHz; 0.6205 ticks per
// core cycle, so the core ran at 4.19 GHz; drift +0.01%)".
func (r *Report) clockLine() string {
	s := fmt.Sprintf("%s (TSC %.1f MHz", r.Clock, r.Probe.TSCHz/1e6)
	if c := r.Calibration; c != nil {
		mid := (c.Before + c.After) / 2
		s += fmt.Sprintf("; %.4f ticks per core cycle, so the core ran at %.2f GHz; drift %+.2f%%", mid, r.Probe.TSCHz/mid/1e9, 100*c.Drift)
	}
	return s + ")"
}

// formatSpread prints a relative spread as benchstat does: "1%", "0.05%", "∞".
func formatSpread(v float64) string {
	switch {
	case math.IsInf(v, 0) || math.IsNaN(v):
		return "∞"
	case v < 0.001:
		return fmt.Sprintf("%.2f%%", 100*v)
	case v < 0.1:
		return fmt.Sprintf("%.1f%%", 100*v)
	}
	return fmt.Sprintf("%.0f%%", 100*v)
}

// jsonKernel and jsonReport are the JSON document.
type jsonKernel struct {
	Name    string  `json:"name"`
	Cycles  float64 `json:"cycles"`
	NS      float64 `json:"ns"`
	Min     float64 `json:"min"`
	Median  float64 `json:"median"`
	Max     float64 `json:"max"`
	Clock   string  `json:"clock"`
	Samples int     `json:"samples"`
	Unroll  int     `json:"unroll"`
	Loop    int     `json:"loop"`
}

type jsonReport struct {
	Kernels []jsonKernel `json:"kernels"`
	Cycles  *float64     `json:"cycles,omitempty"`
	Clock   string       `json:"clock,omitempty"`
}

// WriteJSON prints the report as one JSON document:
//
//	{"kernels": [{"name": "imul", "cycles": 3, "ns": 0.716, "min": 2.999,
//	  "median": 3, "max": 3.001, "clock": "tsc", "samples": 200,
//	  "unroll": 100, "loop": 698}], "cycles": 3, "clock": "tsc"}
//
// The figures are per copy of the kernel; min, median and max are over the
// batch estimates. The top-level cycles and clock are there when the report
// has exactly one kernel.
func (r *Report) WriteJSON(w io.Writer) error {
	doc := jsonReport{Kernels: []jsonKernel{}}
	for _, k := range r.Kernels {
		doc.Kernels = append(doc.Kernels, jsonKernel{
			Name: k.Name, Cycles: k.Cycles, NS: k.NS, Min: k.Min, Median: k.Median, Max: k.Max,
			Clock: k.Clock.String(), Samples: k.Samples, Unroll: k.Unroll, Loop: k.Loop,
		})
	}
	if len(r.Kernels) == 1 {
		c := r.Kernels[0].Cycles
		doc.Cycles, doc.Clock = &c, r.Clock.String()
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// WriteGo prints the report in Go's benchmark format, which benchstat and
// golang.org/x/perf/benchfmt read: configuration lines (goos, goarch, cpu,
// clock), then for each kernel one line per batch,
//
//	BenchmarkNAME 69800 0.7159 ns/op 3.0000 cycles/op
//
// where the count is the copies of the kernel (U·L) the estimate is over and
// "op" is one copy. Each batch is one sample to benchstat, so it can show a
// confidence interval and test differences between runs (benchstat
// old.txt new.txt, for kernels given the same name).
func (r *Report) WriteGo(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "goos: linux\ngoarch: amd64\n")
	if r.Probe.CPU.Brand != "" {
		fmt.Fprintf(&b, "cpu: %s\n", r.Probe.CPU.Brand)
	}
	fmt.Fprintf(&b, "clock: %s\n", r.Clock)
	for _, k := range r.Kernels {
		name := BenchmarkName(k.Name)
		for i := range k.BatchCycles {
			fmt.Fprintf(&b, "Benchmark%s %d %.4f ns/op %.4f cycles/op\n", name, k.Unroll*k.Loop, k.BatchNS[i], k.BatchCycles[i])
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// BenchmarkName turns a kernel name into one field of a benchmark line:
// white space and control characters become '_'.
func BenchmarkName(name string) string {
	if name == "" {
		return "_"
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return '_'
		}
		return r
	}, name)
}
