//go:build linux && amd64

package probe

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestResultJSONRoundTrip: every result of a real run reads back equal
// (elapsed times are kept to the microsecond).
func TestResultJSONRoundTrip(t *testing.T) {
	rep := fullReport(t)
	for _, r := range rep.Probes {
		data, err := json.Marshal(r)
		if err != nil {
			t.Fatalf("%s: %v", r.Name, err)
		}
		var back Result
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatalf("%s: %v in %s", r.Name, err, data)
		}
		want := r
		want.Elapsed = want.Elapsed.Truncate(time.Microsecond)
		if !reflect.DeepEqual(back, want) {
			t.Errorf("%s: round trip\n got %+v\nwant %+v\njson %s", r.Name, back, want, data)
		}
	}
}

// TestReportJSONShape checks the document the issue specifies: {"host":
// {...}, "probes": [{"name", "requested", "read", "write", "exec",
// "evidence"}, ...]}, with "result" on every probe but the matrix rows.
func TestReportJSONShape(t *testing.T) {
	rep := fullReport(t)
	data, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Host     map[string]any   `json:"host"`
		Probes   []map[string]any `json:"probes"`
		Summary  []string         `json:"summary"`
		Children []map[string]any `json:"children"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"cpu", "vendor", "flags", "kernel", "randomize_va_space", "lsm", "seccomp", "mdwe", "vsyscall"} {
		if _, ok := doc.Host[k]; !ok {
			t.Errorf("host lacks %q", k)
		}
	}
	flags, _ := doc.Host["flags"].(map[string]any)
	for _, f := range []string{"nx", "pku", "smep", "smap", "user_shstk", "shstk"} {
		if _, ok := flags[f].(bool); !ok {
			t.Errorf("host.flags lacks %q", f)
		}
	}
	if len(doc.Probes) != len(registry()) || len(doc.Summary) == 0 || len(doc.Children) != 4 {
		t.Errorf("%d probes, %d summary lines, %d children", len(doc.Probes), len(doc.Summary), len(doc.Children))
	}
	for _, p := range doc.Probes {
		name, _ := p["name"].(string)
		ev, ok := p["evidence"].(map[string]any)
		if !ok || p["requested"] == nil {
			t.Errorf("%s: no evidence object or requested", name)
			continue
		}
		matrix := strings.HasPrefix(name, "matrix.")
		if _, has := p["result"]; has == matrix {
			t.Errorf("%s: result present %v, want %v", name, has, !matrix)
		}
		for _, a := range []string{"read", "write", "exec"} {
			v, has := p[a]
			if matrix && !has {
				t.Errorf("%s: no %q", name, a)
			}
			if has {
				e, ok := ev[a].(map[string]any)
				if !ok || e["outcome"] != v {
					t.Errorf("%s: %q is %v but its evidence is %v", name, a, v, ev[a])
				}
			}
		}
	}
	// A fault's evidence, in full.
	for _, p := range doc.Probes {
		if p["name"] != "matrix.mprotect.rw-" {
			continue
		}
		x := p["evidence"].(map[string]any)["exec"].(map[string]any)
		want := map[string]any{"outcome": "fault", "signal": "SIGSEGV", "signo": 11.0, "si_code": "SEGV_ACCERR", "code": 2.0,
			"error_code": "0x15", "error_code_bits": "present, read, user, instruction fetch", "trap": 14.0, "trap_name": "#PF"}
		for k, v := range want {
			if x[k] != v {
				t.Errorf("exec evidence %q = %v, want %v", k, x[k], v)
			}
		}
		if x["addr"] != x["pc"] || !strings.HasPrefix(x["addr"].(string), "0x") {
			t.Errorf("exec evidence addr %v pc %v: want the same 0x… address", x["addr"], x["pc"])
		}
	}
}

func TestResultJSONErrors(t *testing.T) {
	tests := []struct{ in, err string }{
		{`{}`, "result without a name"},
		{`{"name":"a","result":"maybe"}`, `unknown outcome "maybe"`},
		{`{"name":"a","exec":"fault","evidence":{"exec":{"outcome":"allowed"}}}`, `"exec" is "fault" but its evidence says "allowed"`},
		{`{"name":"a","evidence":{"read":{"outcome":"allowed"}}}`, `evidence has read but the result has no "read"`},
		{`{"name":"a","evidence":{"mmap":{"outcome":"fault","signal":"SIGSEGV","signo":11}}}`, "needs signo, code and trap"},
		{`{"name":"a","evidence":{"mmap":{"outcome":"fault","signo":11,"code":1,"trap":14,"addr":"zz"}}}`, `addr "zz"`},
		{`{"name":"a","evidence":{"x":{"outcome":"allowed"},"x":{"outcome":"allowed"}}}`, `step "x" appears twice`},
		{`{"name":"a","evidence":[]}`, "want an object"},
	}
	for _, tt := range tests {
		var r Result
		err := json.Unmarshal([]byte(tt.in), &r)
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("Unmarshal(%s): %v, want %q", tt.in, err, tt.err)
		}
	}
}
