package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jitrun/jitrun/isolate"
	"github.com/jitrun/jitrun/probe"
)

// TestMain lets this test binary serve as the child process of the probes
// that change a process for good (`jitrun probe` re-executes the running
// program, here the test binary, and main's first call does the same),
// and as the supervised child of jitrun run.
func TestMain(m *testing.M) {
	isolate.Child()         // an isolated child sets its limits first, as in main
	maybeRunIsolatedChild() // then runs jitrun, as main
	probe.MaybeRunChild()
	maybeRunTestChild() // supervise_test.go: jitrun's supervised child, as in main
	os.Exit(m.Run())
}

// maybeRunIsolatedChild makes this test binary jitrun's main in an
// isolated child (isolate.Run re-executes it with jitrun's arguments), and
// in the plain child of BenchmarkIsolatedRun (testMainEnv=1).
func maybeRunIsolatedChild() {
	if isolate.IsChild() || os.Getenv(testMainEnv) == "1" {
		os.Exit(run(mainEnv(), os.Args[1:]))
	}
}

// testMainEnv=1 makes this test binary jitrun's main, without isolation.
const testMainEnv = "JITRUN_TEST_MAIN"

var (
	// User-space addresses (up to 48 bits: 12 hex digits) and maps
	// ranges vary from run to run; kernel and non-canonical addresses
	// (16 digits) do not.
	probeUserAddr = regexp.MustCompile(`0x[0-9a-f]{7,12}\b|\b[0-9a-f]{8,12}-[0-9a-f]{8,12}\b`)
	probeDevInode = regexp.MustCompile(`\b[0-9a-f]{2,3}:[0-9a-f]{2,3} [0-9]+\b`)
	probeDuration = regexp.MustCompile(`\b[0-9]+(\.[0-9]+)?(ns|µs|ms|s)\b`)
	probeSlowest  = regexp.MustCompile(`slowest [^ ]+ `)
)

// maskProbe drops the host block (it describes the machine) and masks
// addresses, the device and inode of maps lines, times and the name of
// the slowest probe.
func maskProbe(s string) string {
	if i := strings.Index(s, "\n\n"); i >= 0 && strings.HasPrefix(s, "host\n") {
		s = s[i+2:]
	}
	s = probeUserAddr.ReplaceAllString(s, "ADDR")
	s = probeDevInode.ReplaceAllString(s, "DEV INODE")
	s = probeSlowest.ReplaceAllString(s, "slowest PROBE ")
	return probeDuration.ReplaceAllString(s, "TIME")
}

// The probes of the golden files behave alike on every x86-64 Linux with
// NX, with or without PKU, on Intel and AMD.
const goldenProbes = "matrix.mprotect.rw-,matrix.mprotect.r-x,exec.heap,exec.stack,viol.null,viol.noncanonical,viol.misaligned_sse,viol.alignment_check,viol.file_eof,place,personality"

// (viol.noncanonical.exec is left out: Intel and AMD raise its #GP at
// different places.)

func TestProbeGolden(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"table.golden", []string{"probe", "--only", goldenProbes}},
		{"verbose.golden", []string{"probe", "--only", "matrix.mprotect.r-x,viol.noncanonical,personality.read_implies_exec", "-v"}},
		{"list.golden", []string{"probe", "--list", "--only", "exec.,mdwe.set,memfd"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, stdout, stderr := runCmd(t, "", tt.args...)
			if status != exitOK || stderr != "" {
				t.Fatalf("status %d, stderr %q", status, stderr)
			}
			checkGolden(t, filepath.Join("testdata", "probe", tt.name), maskProbe(stdout))
		})
	}
}

func TestProbeJSON(t *testing.T) {
	status, stdout, stderr := runCmd(t, "", "probe", "--json", "--only", "matrix.mmap.rw-,place.noreplace,mdwe.mmap_wx")
	if status != exitOK || stderr != "" {
		t.Fatalf("status %d, stderr %q", status, stderr)
	}
	var doc struct {
		Host   map[string]any `json:"host"`
		Probes []struct {
			Name      string                    `json:"name"`
			Requested string                    `json:"requested"`
			Read      string                    `json:"read"`
			Write     string                    `json:"write"`
			Exec      string                    `json:"exec"`
			Result    string                    `json:"result"`
			Evidence  map[string]map[string]any `json:"evidence"`
			Child     bool                      `json:"child"`
		} `json:"probes"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("%v in %s", err, stdout)
	}
	if doc.Host["kernel"] == "" || len(doc.Probes) != 3 {
		t.Fatalf("host %v, %d probes", doc.Host, len(doc.Probes))
	}
	rw, nr, wx := doc.Probes[0], doc.Probes[1], doc.Probes[2]
	if rw.Name != "matrix.mmap.rw-" || rw.Requested != "rw-" || rw.Read != "allowed" || rw.Write != "allowed" || rw.Exec != "fault" || rw.Result != "" ||
		rw.Evidence["exec"]["error_code"] != "0x15" || rw.Evidence["exec"]["si_code"] != "SEGV_ACCERR" {
		t.Errorf("matrix.mmap.rw-: %+v", rw)
	}
	if nr.Name != "place.noreplace" || nr.Result != "refused" || nr.Evidence["mmap"]["errno"] != "EEXIST" {
		t.Errorf("place.noreplace: %+v", nr)
	}
	if wx.Name != "mdwe.mmap_wx" || !wx.Child || wx.Result != "refused" || wx.Evidence["mmap"]["errno"] != "EACCES" {
		t.Errorf("mdwe.mmap_wx (in a child): %+v", wx)
	}
}

func TestProbeUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		err  string
	}{
		{[]string{"probe", "--nope"}, "jitrun probe: flag provided but not defined: -nope (see 'jitrun probe -h')\n"},
		{[]string{"probe", "extra"}, "jitrun probe: takes no arguments, got \"extra\" (select probes with --only)\n"},
		{[]string{"probe", "--only", "nothing"}, "jitrun probe: --only: pattern \"nothing\" matches no probe (sections: matrix, exec, mprotect, text, viol, place, pkey, mdwe, memfd, mseal, personality)\n"},
		{[]string{"probe", "--only", "exec.[x"}, "jitrun probe: --only: pattern \"exec.[x\": syntax error in pattern\n"},
		{[]string{"probe", "--only", "exec,,place"}, "jitrun probe: --only \"exec,,place\": empty pattern\n"},
		{[]string{"probe", "--json", "--list"}, "jitrun probe: --json and --list are two outputs: give one\n"},
	}
	for _, tt := range tests {
		status, stdout, stderr := runCmd(t, "", tt.args...)
		if status != exitInput || stdout != "" || stderr != tt.err {
			t.Errorf("%q: status %d, stdout %q, stderr %q; want 2 and %q", tt.args, status, stdout, stderr, tt.err)
		}
	}
	status, stdout, _ := runCmd(t, "", "probe", "-h")
	if status != exitOK || !strings.Contains(stdout, "Usage: jitrun probe") || !strings.Contains(stdout, "glob matched against the whole name") {
		t.Errorf("probe -h: status %d, %q", status, stdout)
	}
}
