//go:build linux && amd64

package probe

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/jitrun/jitrun/execmem"
)

func defsNamed(t *testing.T, names ...string) []probeDef {
	t.Helper()
	var out []probeDef
	for _, n := range names {
		found := false
		for _, d := range registry() {
			if d.Name == n {
				out = append(out, d)
				found = true
			}
		}
		if !found {
			t.Fatalf("no probe %s", n)
		}
	}
	return out
}

// TestChildFailures: whatever goes wrong with a child is each of its
// probes' result, never a parent failure.
func TestChildFailures(t *testing.T) {
	tests := []struct {
		name    string
		group   string
		timeout time.Duration
		out     Outcome
		why     string // in the step's detail
		exit    string // prefix of ChildRun.Exit
	}{
		{"timeout", "mdwe", time.Nanosecond, Failed, "timed out after 1ns (killed)", "timed out"},
		{"unknown group", "nosuch", 5 * time.Second, Failed, `refused the request: probe: child group "nosuch" has no probe named mdwe.set,mseal.seal`, "exit 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, run := runChildGroup(context.Background(), tt.group, defsNamed(t, "mdwe.set", "mseal.seal"), tt.timeout)
			if !strings.HasPrefix(run.Exit, tt.exit) {
				t.Errorf("child exit %q, want %q…", run.Exit, tt.exit)
			}
			for _, r := range res {
				o, _ := r.Step("child")
				if r.Result != tt.out || !strings.Contains(o.Detail, tt.why) || !r.Child {
					t.Errorf("%s: %s %q, want %s with %q", r.Name, r.Verdict(), o.Detail, tt.out, tt.why)
				}
			}
		})
	}
}

// TestChildWithoutHook: a program whose main does not call MaybeRunChild
// must not be re-executed (its main would run); its child probes are
// skipped, saying why.
func TestChildWithoutHook(t *testing.T) {
	hookCalled.Store(false)
	defer hookCalled.Store(true)
	rep, err := Run(context.Background(), Options{Only: []string{"mdwe.set", "personality"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Probes {
		o, _ := r.Step("child")
		if r.Result != Skipped || !strings.Contains(o.Detail, "MaybeRunChild") {
			t.Errorf("%s without the hook: %s %q, want skipped naming MaybeRunChild", r.Name, r.Verdict(), o.Detail)
		}
	}
	if len(rep.Children) != 2 || rep.Children[0].Exit != "not started: no MaybeRunChild hook" {
		t.Errorf("children %+v, want two not started", rep.Children)
	}
	if _, err := Mmap(context.Background(), MmapRequest{Size: 1, Addr: 0x10000000, Placement: execmem.PlaceFixed}); err == nil || !strings.Contains(err.Error(), "MaybeRunChild") {
		t.Errorf("Mmap MAP_FIXED without the hook: %v, want an error naming MaybeRunChild", err)
	}
}

// TestChildMain runs the child's entry point in this process with a group
// that does nothing irreversible (an unknown one) and checks its report.
func TestChildMain(t *testing.T) {
	var out bytes.Buffer
	if status := runChildMain("nosuch", &out); status != 2 {
		t.Errorf("status %d, want 2", status)
	}
	var rep childReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("%v in %q", err, out.String())
	}
	if rep.Group != "nosuch" || !strings.Contains(rep.Error, `child group "nosuch" has no probe`) {
		t.Errorf("report %+v", rep)
	}
	t.Setenv(envMmap, "{not json")
	out.Reset()
	if status := runChildMain("mmap", &out); status != 2 || !strings.Contains(out.String(), "bad JITRUN_PROBE_MMAP") {
		t.Errorf("mmap child with a bad request: status %d, %q", status, out.String())
	}
}

func TestParseChildReport(t *testing.T) {
	tests := []struct {
		in, err string
		probes  int
	}{
		{"", "no output", 0},
		{"\n\n", "no output", 0},
		{"hello", "invalid character", 0},
		{`{"group":"x","probes":[{"name":"a","requested":"","evidence":{}}]}`, "", 1},
		{"noise\n" + `{"group":"x","error":"bad"}`, "", 0},
		{`{"group":"x","probes":[{"name":"a","read":"allowed","evidence":{}}]}`, `"read" has no evidence`, 0},
	}
	for _, tt := range tests {
		rep, err := parseChildReport([]byte(tt.in))
		switch {
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("parseChildReport(%q): %v, want %q", tt.in, err, tt.err)
		case tt.err == "" && err != nil:
			t.Errorf("parseChildReport(%q): %v", tt.in, err)
		case tt.err == "" && len(rep.Probes) != tt.probes:
			t.Errorf("parseChildReport(%q): %d probes, want %d", tt.in, len(rep.Probes), tt.probes)
		}
	}
}

func TestHead(t *testing.T) {
	long := strings.Repeat("line\n", 1000)
	h := head(long, 100)
	if len(h) > 100+len("\n…") || !strings.HasSuffix(h, "\n…") || strings.Contains(h, "lin\n") {
		t.Errorf("head: %q", h)
	}
	if got := head("  short\n", 100); got != "short" {
		t.Errorf("head(short) = %q", got)
	}
	if got := firstLine("\nSIGSEGV: x\nPC=1"); got != "SIGSEGV: x" {
		t.Errorf("firstLine = %q", got)
	}
}
