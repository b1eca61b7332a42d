package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/perf/benchfmt"
)

// In the test binary, as in jitrun's main, a process started with
// JITRUN_BENCH_PROBE=1 is the clock-detection child: benchProbe re-executes
// this binary.
func init() { maybeRunBenchProbe() }

var (
	benchNumberRE = regexp.MustCompile(`[-+]?\b\d+(\.\d+)?(%|µs|ms|s)?`)
	benchSpacesRE = regexp.MustCompile(` +`)
	benchHexRE    = regexp.MustCompile(`0x[0-9a-f]+`)
	benchCPURE    = regexp.MustCompile(`(?m)^cpu: .*$`)
	benchClockRE  = regexp.MustCompile(`clock: (tsc|aperf|perf) \(.*\)`)
	benchWordRE   = regexp.MustCompile(`\b[0-9a-f]{4,16}\b`)
	benchNameRE   = regexp.MustCompile(`\b(tsc|aperf|perf)\b`)
)

// benchMask replaces what changes from run to run and machine to machine —
// numbers, register values, the CPU, the clock and its details, column
// widths — so that the golden files pin the shape of the output.
func benchMask(s string) string {
	s = benchCPURE.ReplaceAllString(s, "cpu: CPU")
	s = benchClockRE.ReplaceAllString(s, "clock: CLOCK (DETAILS)")
	s = benchHexRE.ReplaceAllString(s, "0xH")
	s = benchNameRE.ReplaceAllString(s, "CLOCK")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "\t") { // a register dump: hex values
			lines[i] = benchWordRE.ReplaceAllString(l, "H")
		} else {
			lines[i] = benchNumberRE.ReplaceAllString(l, "N")
		}
	}
	return benchSpacesRE.ReplaceAllString(strings.Join(lines, "\n"), " ")
}

func TestBenchTableGolden(t *testing.T) {
	status, stdout, stderr := runCmd(t, "", "bench", filepath.Join("testdata", "bench", "chain.s"), "-e", "ADDQ BX, AX", "-e", "ADDQ BX, AX; ADDQ BX, CX", "--samples", "30")
	if status != exitOK {
		t.Fatalf("status %d, stderr %q", status, stderr)
	}
	checkGolden(t, filepath.Join("testdata", "bench", "table.golden"), benchMask(stdout))
}

func TestBenchJSON(t *testing.T) {
	for _, tt := range []struct {
		args  []string
		names []string
	}{
		{[]string{"-e", "IMULQ BX, AX"}, []string{"expr"}},
		{[]string{filepath.Join("testdata", "bench", "chain.s"), "-e", "IMULQ BX, AX", "--name", "a", "--name", "b"}, []string{"a", "b"}},
	} {
		// The figures' accuracy is the bench package's acceptance test
		// (30 samples on a busy machine are not enough for it); here
		// each kernel's figure must be the kernel's: 3 cycles for an
		// IMUL, not off by a factor of the unroll or the loop.
		stdout := benchFigures(t, append([]string{"--json", "--samples", "30"}, tt.args...), 3, 0.75, allKernelFigures)
		var doc struct {
			Kernels []struct {
				Name                         string
				Cycles, NS, Min, Median, Max float64
				Clock                        string
				Samples, Unroll, Loop        int
			}
			Cycles *float64
			Clock  *string
		}
		if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
			t.Fatalf("%v:\n%s", err, stdout)
		}
		if len(doc.Kernels) != len(tt.names) {
			t.Fatalf("%d kernels", len(doc.Kernels))
		}
		for i, k := range doc.Kernels {
			if k.Name != tt.names[i] || !(k.Min <= k.Median && k.Median <= k.Max) || k.Cycles != k.Median ||
				k.NS <= 0 || k.Samples != 30 || k.Unroll != 100 || k.Loop <= 0 || k.Clock == "" {
				t.Errorf("kernel %d: %+v", i, k)
			}
		}
		if one := len(tt.names) == 1; one != (doc.Cycles != nil) || one != (doc.Clock != nil) {
			t.Errorf("%d kernels: top-level cycles %v, clock %v", len(tt.names), doc.Cycles, doc.Clock)
		}
		checkGolden(t, filepath.Join("testdata", "bench", "json"+strings.Repeat("2", len(tt.names)-1)+".golden"), benchMask(stdout))
	}
}

func TestBenchFormatGo(t *testing.T) {
	// Each line is one batch's estimate, a sample with its own noise: the
	// median of the samples is the figure (3 cycles for an IMUL; its
	// accuracy is the bench package's acceptance test, here only that it
	// is the kernel's).
	stdout := benchFigures(t, []string{"--format=go", "--name", "chain", "-e", "IMULQ BX, AX", "--samples", "50"}, 3, 0.75, goFormatFigures)
	checkGolden(t, filepath.Join("testdata", "bench", "go.golden"), benchMask(stdout))
}

// goFormatFigures returns the median of the batch estimates in bench
// --format=go output, checking each line's shape and that there is one
// line per batch (10).
func goFormatFigures(stdout string) ([]float64, error) {
	r := benchfmt.NewReader(strings.NewReader(stdout), "out.txt")
	var cycles []float64
	for r.Scan() {
		res, ok := r.Result().(*benchfmt.Result)
		if !ok {
			return nil, fmt.Errorf("%v", r.Result())
		}
		c, _ := res.Value("cycles/op")
		if ns, _ := res.Value("sec/op"); string(res.Name) != "chain" || c <= 0 || ns <= 0 || res.GetConfig("clock") == "" {
			return nil, fmt.Errorf("result %s %v", res.Name, res.Values)
		}
		cycles = append(cycles, c)
	}
	if len(cycles) != 10 {
		return nil, fmt.Errorf("%d results, want 10 (one per batch)", len(cycles))
	}
	slices.Sort(cycles)
	return []float64{cycles[5]}, nil
}

func TestBenchIntelFile(t *testing.T) {
	// Load-to-use latency of an L1 hit: 4 or 5 cycles.
	benchFigures(t, []string{"--json", "--samples", "30", "--buffer", "4K",
		"--init", "mov [rdi], rdi\nmov rax, rdi", filepath.Join("testdata", "bench", "chase.asm")}, 4.5, 1, allKernelFigures)
}

func TestBenchStdin(t *testing.T) {
	status, stdout, stderr := runCmd(t, "IMULQ BX, AX\n", "bench", "--json", "--samples", "10", "-")
	if status != exitOK || !strings.Contains(stdout, `"name": "stdin"`) {
		t.Errorf("status %d, stdout %q, stderr %q", status, stdout, stderr)
	}
}

func TestBenchFault(t *testing.T) {
	status, stdout, stderr := runCmd(t, "", "bench", "-e", "ADDQ $1, CX\nMOVQ (AX), BX", "--samples", "10")
	if status != exitFault || stdout != "" {
		t.Fatalf("status %d, stdout %q", status, stdout)
	}
	first, _, _ := strings.Cut(stderr, "\n")
	want := `<expr>:2:1: kernel "expr" faulted: MOVQ (AX), BX: read from an unmapped address at 0x0 (SIGSEGV SEGV_MAPERR, #PF)`
	if first != want {
		t.Errorf("first line %q, want %q", first, want)
	}
	checkGolden(t, filepath.Join("testdata", "bench", "fault.golden"), benchMask(stderr))
}

func TestBenchTimeout(t *testing.T) {
	status, stdout, stderr := runCmd(t, "", "bench", "-e", "spin: JMP spin", "--timeout", "200ms")
	if status != exitTimeout || stdout != "" {
		t.Fatalf("status %d, stdout %q, stderr %q", status, stdout, stderr)
	}
	if want := "<expr>:1:7: kernel \"expr\" did not finish within the timeout: stopped at JMP spin\n"; stderr != want {
		t.Errorf("stderr %q, want %q", stderr, want)
	}
}

func TestBenchUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{nil, "jitrun bench: need a kernel: FILE or -e SRC (see 'jitrun bench -h')\n"},
		{[]string{"-e", "NOP", "--format", "xml"}, "jitrun bench: unknown --format \"xml\": want table, json or go\n"},
		{[]string{"-e", "NOP", "--json", "--format", "go"}, "jitrun bench: --json and --format go ask for two outputs: give one\n"},
		{[]string{"-e", "NOP", "--clock", "sundial"}, "jitrun bench: --clock: unknown clock \"sundial\": want auto, perf, aperf or tsc\n"},
		{[]string{"-e", "NOP", "--syntax", "masm"}, "jitrun bench: --syntax: unknown syntax \"masm\": want go, intel, att or auto\n"},
		{[]string{"-e", "NOP", "--buffer", "lots"}, "jitrun bench: --buffer: \"lots\" is not a size: write 65536, 0x10000, 64k, 1M or 1G\n"},
		{[]string{"-e", "NOP", "--unroll", "-2"}, "jitrun bench: unroll -2 is out of range (1 to 10000, or 0 for automatic)\n"},
		{[]string{"-e", "NOP", "--samples", "2000000"}, "jitrun bench: samples 2000000 is out of range (1 to 1000000, or 0 for 200)\n"},
		{[]string{"-e", "NOP", "--timeout", "0s"}, "jitrun bench: --timeout 0s: want a positive duration\n"},
		{[]string{"-e", "NOP", "--name", "a", "--name", "b"}, "jitrun bench: 2 --name flags for 1 kernels\n"},
		{[]string{"-e", "NOP", "--clocks"}, "jitrun bench: --clocks measures nothing: give no kernel\n"},
		{[]string{"-e", "NOP", "-e", "NOP", "--name", "a", "--name", "a"}, "jitrun bench: two kernels are named \"a\" (give each its own --name)\n"},
		{[]string{filepath.Join("testdata", "bench", "chain.s"), "-e", "NOP", "--name", "expr"}, "jitrun bench: two kernels are named \"expr\" (give each its own --name)\n"},
		{[]string{"-e", "ADDQ $1,"}, "<expr>:1:8: missing operand after ','\n"},
		{[]string{"-e", "ADDQ $1, R15"}, "<expr>:1:1: the kernel may not use R15: it counts the iterations of the measuring loop\n"},
		{[]string{"-e", "NOP", "--init", "MOVQ AX, SP"}, "<init>:1:1: the init code may not use RSP as an operand: it points at the measuring harness's frame (PUSH and POP are fine)\n"},
		{[]string{"-e", "JMP out"}, "<expr>:1:1: the kernel refers to out, which it does not define (it is assembled on its own, inside the measuring loop)\n"},
		{[]string{filepath.Join("testdata", "bench", "missing.s")}, "jitrun bench: open testdata/bench/missing.s: no such file or directory\n"},
		{[]string{"-e", "NOP", "--bogus"}, "jitrun bench: flag provided but not defined: -bogus (see 'jitrun bench -h')\n"},
	}
	for _, tt := range tests {
		status, stdout, stderr := runCmd(t, "", append([]string{"bench"}, tt.args...)...)
		if status != exitInput || stdout != "" || stderr != tt.want {
			t.Errorf("%q: status %d, stdout %q, stderr %q; want %d, %q", tt.args, status, stdout, stderr, exitInput, tt.want)
		}
	}
}

func TestBenchUnavailableClock(t *testing.T) {
	p, _, err := benchProbe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"aperf", "perf"} {
		c, _ := p.Clocks[map[string]int{"perf": 0, "aperf": 1}[name]], 0
		if c.Available {
			continue
		}
		status, stdout, stderr := runCmd(t, "", "bench", "-e", "NOP", "--clock", name)
		want := "jitrun bench: --clock " + name + " is not available on this machine: " + c.Reason + " (see 'jitrun bench --clocks')\n"
		if status != exitSystem || stdout != "" || stderr != want {
			t.Errorf("--clock %s: status %d, stdout %q, stderr %q; want %q", name, status, stdout, stderr, want)
		}
	}
}

func TestBenchClocks(t *testing.T) {
	status, stdout, stderr := runCmd(t, "", "bench", "--clocks")
	if status != exitOK || stderr != "" {
		t.Fatalf("status %d, stderr %q", status, stderr)
	}
	for _, want := range []string{"cpu: ", "tsc frequency: ", "perf: ", "aperf: ", "tsc: available ("} {
		if !strings.Contains(stdout, want) {
			t.Errorf("no %q in\n%s", want, stdout)
		}
	}
}

// TestBenchProbeChild checks the child protocol: benchProbe re-executes
// the test binary, whose init runs the detection and prints JSON.
func TestBenchProbeChild(t *testing.T) {
	p, warnings, err := benchProbe(context.Background())
	if err != nil || len(warnings) > 0 {
		t.Fatalf("probe %v, warnings %q, error %v", p, warnings, err)
	}
	if p.TSCHz <= 0 || len(p.Clocks) != 3 || !p.Status(3).Available {
		t.Errorf("probe from the child: %s", p)
	}
	var out, errOut bytes.Buffer
	if status := benchProbeChild(&out, &errOut); status != exitOK || errOut.Len() > 0 || !json.Valid(out.Bytes()) {
		t.Errorf("benchProbeChild: status %d, stdout %q, stderr %q", status, out.String(), errOut.String())
	}
}

func TestBenchHelp(t *testing.T) {
	status, stdout, _ := runCmd(t, "", "bench", "-h")
	if status != exitOK || !strings.HasPrefix(stdout, "Usage: jitrun bench FILE...") || !strings.Contains(stdout, "-clock clock") {
		t.Errorf("status %d, usage:\n%s", status, stdout)
	}
	status, stdout2, _ := runCmd(t, "", "help", "bench")
	if status != exitOK || stdout2 != stdout {
		t.Errorf("jitrun help bench: status %d", status)
	}
}

// TestBenchProgress checks the progress lines of a long measurement on a
// clock the test moves: none in the first second, then at most one a
// second.
func TestBenchProgress(t *testing.T) {
	now := time.Unix(1000, 0)
	var out strings.Builder
	p := newProgress(&out, func() time.Time { return now })
	steps := []struct {
		after time.Duration
		done  int
		want  string
	}{
		{500 * time.Millisecond, 10, ""},
		{600 * time.Millisecond, 20, "jitrun bench: 20% (20 of 100 rounds, 1s)\n"},
		{500 * time.Millisecond, 30, ""},
		{600 * time.Millisecond, 40, "jitrun bench: 40% (40 of 100 rounds, 2s)\n"},
		{3 * time.Second, 99, "jitrun bench: 99% (99 of 100 rounds, 5s)\n"},
	}
	for _, s := range steps {
		out.Reset()
		now = now.Add(s.after)
		p.report(s.done, 100)
		if out.String() != s.want {
			t.Errorf("at %d of 100: %q, want %q", s.done, out.String(), s.want)
		}
	}
}

// TestBenchIntelExpression checks that ';' separates Intel statements in -e
// and --init, as it does in run and asm. Two dependent ADDs cost 2 cycles a
// copy, one (the second swallowed as a comment) would cost 1; an --init
// whose second statement is UD2 faults only if that statement is read.
func TestBenchIntelExpression(t *testing.T) {
	// 2 cycles, not 1: both ADDs ran.
	benchFigures(t, []string{"--json", "--samples", "20", "--syntax", "intel", "-e", "add rax, rbx; add rax, rbx"}, 2, 0.5, allKernelFigures)
	status, _, stderr := runCmd(t, "", "bench", "--samples", "20", "--syntax", "intel",
		"-e", "add rax, rbx", "--init", "xor eax, eax; ud2")
	if status != exitFault || !strings.HasPrefix(stderr, "<init>:1:") || !strings.Contains(stderr, "illegal instruction (#UD)") {
		t.Errorf("--init 'xor eax, eax; ud2': status %d, stderr %q; want %d and a #UD fault in <init>", status, stderr, exitFault)
	}
}

// TestBenchSourceCapInAll checks that the cap on source holds for all the
// kernels together: two files of a little more than half the cap each
// were both read (and assembled: a memory cost of many times their size).
func TestBenchSourceCapInAll(t *testing.T) {
	dir := t.TempDir()
	var files []string
	for _, name := range []string{"a.s", "b.s"} {
		path := filepath.Join(dir, name)
		f, err := os.Create(path)
		if err == nil {
			err = f.Truncate(maxSource/2 + 1) // sparse
		}
		if err == nil {
			err = f.Close()
		}
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, path)
	}
	want := regexp.MustCompile("^jitrun bench: " + regexp.QuoteMeta(files[1]) + ": input too large: jitrun reads at most 64 MiB of source, all kernels together$")
	status, stdout, stderr := runCmd(t, "", append([]string{"bench"}, files...)...)
	checkOneLine(t, status, stdout, stderr, want)
	status, stdout, stderr = runCmd(t, "", "bench", files[0], "-e", strings.Repeat("\n", maxSource/2))
	checkOneLine(t, status, stdout, stderr, regexp.MustCompile("^jitrun bench: <expr>: input too large: jitrun reads at most 64 MiB of source, all kernels together$"))
}

// benchFigures runs jitrun bench with args and checks that every figure
// figures finds in its output is within tol of want, cycles per copy of
// the kernel: that the number is the kernel's, not off by a factor of the
// unroll or the loop, nor one of its statements lost. It returns the
// output (of the last run when no run's figures fit).
//
// Each figure is a median of a few batches on a machine that is never
// quiet (CI runs the packages' tests side by side on 2 CPUs), and noise
// goes both ways: another thread on the core inflated an IMUL's median to
// 4.3 cycles, and a TSC or APERF reading spoiled by the host once put the
// fastest batch of a 2-cycle chain at 0.57. So a run whose figures are
// off is repeated, up to benchAttempts in all; a defect is off every time.
// The status and the shape of the output are checked on every run.
func benchFigures(t *testing.T, args []string, want, tol float64, figures func(stdout string) ([]float64, error)) string {
	t.Helper()
	var seen []string
	var stdout string
	for range benchAttempts {
		status, out, stderr := runCmd(t, "", append([]string{"bench"}, args...)...)
		stdout = out
		if status != exitOK {
			t.Fatalf("bench %q: status %d, stderr %q", args, status, stderr)
		}
		got, err := figures(stdout)
		if err != nil {
			t.Fatalf("bench %q: %v\n%s", args, err, stdout)
		}
		if !slices.ContainsFunc(got, func(c float64) bool { return math.Abs(c-want) > tol }) {
			return stdout
		}
		seen = append(seen, fmt.Sprint(got))
	}
	t.Errorf("bench %q: cycles %s in %d runs, want %v±%v", args, strings.Join(seen, ", "), benchAttempts, want, tol)
	return stdout
}

// benchAttempts is how many runs benchFigures makes before it calls a
// figure wrong.
const benchAttempts = 3

// allKernelFigures returns the figure (the median) of each kernel in a
// bench --json document.
func allKernelFigures(doc string) ([]float64, error) {
	var rep struct {
		Kernels []struct {
			Cycles float64 `json:"cycles"`
		} `json:"kernels"`
	}
	if err := json.Unmarshal([]byte(doc), &rep); err != nil {
		return nil, err
	}
	if len(rep.Kernels) == 0 {
		return nil, fmt.Errorf("no kernels")
	}
	var cycles []float64
	for _, k := range rep.Kernels {
		cycles = append(cycles, k.Cycles)
	}
	return cycles, nil
}
