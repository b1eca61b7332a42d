package serve

import (
	"bytes"
	"fmt"
	"html"
	"math"
	"net/http"
)

// The bench chart: POST /api/chart takes the document POST /api/bench
// answered and returns an SVG image, a bar per kernel to its median
// cycles with a whisker from the minimum to the maximum batch estimate.
// It is drawn here, in Go, rather than by a chart library in the page:
// the page stays a few hundred lines of script with nothing vendored,
// the drawing is a pure function the tests compare byte for byte, and
// the page shows it as an image (no script runs in it).

// benchDoc is the part of bench --json the chart reads.
type benchDoc struct {
	Kernels []benchRow `json:"kernels"`
	Clock   string     `json:"clock"`
}

// benchRow is one kernel's cycles per copy: the estimate, and the
// minimum, median and maximum of the batch estimates.
type benchRow struct {
	Name   string  `json:"name"`
	Cycles float64 `json:"cycles"`
	Min    float64 `json:"min"`
	Median float64 `json:"median"`
	Max    float64 `json:"max"`
}

// Chart geometry, in SVG user units.
const (
	chartWidth  = 560
	chartLabel  = 150 // the kernel names' column
	chartRight  = 20
	chartRow    = 30
	chartTop    = 24
	chartBottom = 30
)

func (s *Server) chart(w http.ResponseWriter, r *http.Request) {
	var doc benchDoc
	// The document /api/bench answered, whose other fields the chart
	// does not read.
	if !decodeBody(w, r, &doc, true, " (want the document /api/bench answered)") {
		return
	}
	svg, err := benchSVG(&doc)
	if err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	writeBody(w, http.StatusOK, "image/svg+xml", svg)
}

// maxChartCycles is the largest value a chart draws: past it (Inf, 1e308)
// the axis has no round step, and no kernel bench times takes that long.
const maxChartCycles = 1e12

// benchSVG draws doc.
func benchSVG(doc *benchDoc) ([]byte, error) {
	n := len(doc.Kernels)
	if n == 0 || n > maxKernels {
		return nil, fmt.Errorf("%d kernels: a chart shows 1 to %d", n, maxKernels)
	}
	top := 0.0
	for _, k := range doc.Kernels {
		for _, v := range []float64{k.Min, k.Median, k.Max, k.Cycles} {
			if math.IsNaN(v) || v < 0 || v > maxChartCycles {
				return nil, fmt.Errorf("kernel %q: %v cycles is not a measurement", k.Name, v)
			}
			top = math.Max(top, v)
		}
	}
	// Room past the largest value for its label.
	top *= 1.15
	step := axisStep(top)
	top = math.Max(step, math.Ceil(top/step)*step)
	plot := float64(chartWidth - chartLabel - chartRight)
	x := func(v float64) float64 { return chartLabel + v/top*plot }
	height := chartTop + n*chartRow + chartBottom
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", chartWidth, height, chartWidth, height)
	fmt.Fprintf(&b, `<text x="%d" y="16">cycles per copy; bar: median, line: min to max (clock %s)</text>`+"\n", 4, html.EscapeString(doc.Clock))
	axisY := chartTop + n*chartRow
	for v := 0.0; v <= top+step/2; v += step {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/><text x="%.1f" y="%d" text-anchor="middle">%s</text>`+"\n",
			x(v), chartTop, x(v), axisY, x(v), axisY+16, axisLabel(v))
	}
	for i, k := range doc.Kernels {
		y := chartTop + i*chartRow
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`+"\n", chartLabel-8, y+19, html.EscapeString(k.Name))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="#4a7bd0"/>`+"\n", chartLabel, y+6, x(k.Median)-chartLabel, chartRow-12)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#222" stroke-width="2"/>`+"\n", x(k.Min), y+15, x(k.Max), y+15)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d">%.2f</text>`+"\n", x(k.Max)+6, y+19, k.Median)
	}
	b.WriteString("</svg>\n")
	return b.Bytes(), nil
}

// axisStep is a round step (1, 2 or 5 times a power of ten) that cuts
// [0, top] into at most 8 intervals; 1 for a top too small to cut
// (0, or a denormal whose eighth is 0).
func axisStep(top float64) float64 {
	if top < 1e-6 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(top/8)))
	for _, m := range []float64{1, 2, 5, 10} {
		if top/(m*p) <= 8 {
			return m * p
		}
	}
	return 10 * p
}

// axisLabel writes an axis value without trailing zeros.
func axisLabel(v float64) string {
	return fmt.Sprintf("%g", math.Round(v*1000)/1000)
}
