package serve

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestBenchSVG(t *testing.T) {
	doc := &benchDoc{Clock: "tsc <&>"}
	doc.Kernels = []benchRow{{"imul", 3.001, 3.0, 3.001, 3.2}, {"<add>", 1.0, 0.98, 1.0, 1.1}}
	svg, err := benchSVG(doc)
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "chart.svg")
	if *update {
		if err := os.WriteFile(golden, svg, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(svg) != string(want) {
		t.Errorf("benchSVG differs from %s (go test -run TestBenchSVG -update rewrites it):\n%s", golden, svg)
	}
	if !strings.Contains(string(svg), ">&lt;add&gt;<") || !strings.Contains(string(svg), "clock tsc &lt;&amp;&gt;") {
		t.Errorf("names are not escaped:\n%s", svg)
	}
}

func TestBenchSVGRefuses(t *testing.T) {
	tests := []struct {
		json string
		want string
	}{
		{`{"kernels": []}`, "0 kernels: a chart shows 1 to 4"},
		{`{"kernels": [{"name": "a", "median": -1}]}`, `kernel "a": -1 cycles is not a measurement`},
		{`{"kernels": [{"name": "a", "max": 1e308}]}`, `kernel "a": 1e+308 cycles is not a measurement`},
		{`{"kernels": [{"name": "a", "max": 2e12}]}`, `kernel "a": 2e+12 cycles is not a measurement`},
	}
	ts := startServer(t, Config{})
	for _, tc := range tests {
		status, _, body := ts.post(t, "/api/chart", tc.json, nil)
		if got := decodeDoc(t, body)["error"]; status != 400 || got != tc.want {
			t.Errorf("%s: HTTP %d %v, want 400 %q", tc.json, status, got, tc.want)
		}
	}
	status, _, body := ts.post(t, "/api/chart", `{"clock": "`+strings.Repeat("x", maxBody)+`"}`, nil)
	if got := decodeDoc(t, body)["error"]; status != 413 || got != "request body larger than 1 MiB: source, arguments and stdin together take at most that" {
		t.Errorf("a chart body over 1 MiB: HTTP %d %v, want 413", status, got)
	}
	status, h, body := ts.post(t, "/api/chart", `{"kernels": [{"name": "a", "cycles": 2, "min": 1, "median": 2, "max": 3}], "clock": "tsc"}`, nil)
	if status != 200 || h.Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(body, "<svg ") {
		t.Errorf("chart: HTTP %d %s %.40q", status, h.Get("Content-Type"), body)
	}
}

func TestAxisStep(t *testing.T) {
	for top, want := range map[float64]float64{0: 1, 3.2: 0.5, 8: 1, 9: 2, 45: 10, 100: 20, 0.07: 0.01, 5e-324: 1} {
		if got := axisStep(top); got != want {
			t.Errorf("axisStep(%v) = %v, want %v", top, got, want)
		}
	}
}
