//go:build linux

package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jitrun/jitrun/internal/platform"
	"github.com/jitrun/jitrun/isolate"
)

// Isolation under fire: hostile code through the isolated web path
// (isolate.Run, Policy Web, `jitrun run --json`), each case ending as a
// clear result, the parent (this test) never dying, no zombie and no
// leaked descriptor left. The random slice runs in every `go test`; the
// full run is on demand:
//
//	JITRUN_ISOLATE_N=100000 go test -run '^TestIsolateUnderFire$' -v -timeout 6h ./cmd/jitrun
//
// (JITRUN_RANDOM_SEED picks another sequence.)

// isolateFireDefaultN is the slice every `go test` runs; under -race,
// where each child is a race-built jitrun several times slower to start,
// isolateFireRaceN: the race detector watches the parent's side, which a
// hundred runs exercise as well as two thousand.
const (
	isolateFireDefaultN = 2000
	isolateFireRaceN    = 100
)

// fireDoc is the part of run --json's document the classification reads.
type fireDoc struct {
	Fault *struct {
		Signal  string `json:"signal"`
		Syscall *struct {
			Name string `json:"name"`
		} `json:"syscall"`
	} `json:"fault"`
	Timeout        bool  `json:"timeout"`
	StdoutCutBytes int64 `json:"stdout_cut_bytes"`
}

// classify names how an isolated run ended: "returned", "SIGSEGV", …,
// "refused write", "timeout", "killed: …" (a child that died: its Died
// line with numbers taken out), "status N".
func classify(res *isolate.Result) (string, error) {
	if res.Died != "" {
		d := res.Died
		if i := strings.IndexAny(d, "0123456789"); i >= 0 {
			d = d[:i] + "…"
		}
		return "died: " + d, nil
	}
	var doc fireDoc
	if err := json.Unmarshal(res.Stdout, &doc); err != nil {
		return "", fmt.Errorf("status %d with a document that is not JSON: %v", res.Status, err)
	}
	switch {
	case res.Status == exitOK && doc.Fault == nil && !doc.Timeout:
		return "returned", nil
	case res.Status == exitFault && doc.Fault != nil && doc.Fault.Syscall != nil:
		return "refused " + doc.Fault.Syscall.Name, nil
	case res.Status == exitFault && doc.Fault != nil:
		return doc.Fault.Signal, nil
	case res.Status == exitTimeout && doc.Timeout:
		return "timeout", nil
	}
	return "", fmt.Errorf("status %d does not match its document %s", res.Status, res.Stdout)
}

// isolatedHex runs `jitrun run --json --timeout 100ms --hex CODE` under
// the web policy.
func isolatedHex(code []byte, lim isolate.Limits) (*isolate.Result, error) {
	return isolate.Run(context.Background(), isolate.Job{
		Args:   []string{"run", "--json", "--timeout", "100ms", "--hex", hex.EncodeToString(code)},
		Policy: isolate.Web, Limits: lim,
	})
}

func TestIsolateUnderFire(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	defaultN := isolateFireDefaultN
	if raceEnabled {
		defaultN = isolateFireRaceN
	}
	n := envCount(t, "JITRUN_ISOLATE_N", defaultN)
	seed := envSeed(t)
	fds, err := platform.OpenFDs()
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	counts := map[string]int{}
	start := time.Now()
	eachBlob(n, seed, func(i int, code []byte) {
		res, err := isolatedHex(code, isolate.Limits{Wall: 5 * time.Second})
		if err != nil {
			t.Errorf("blob %d: %v", i, err)
			return
		}
		class, err := classify(res)
		if err != nil {
			t.Errorf("blob %d (seed %d, --hex %x): %v", i, seed, code, err)
			return
		}
		mu.Lock()
		counts[class]++
		mu.Unlock()
	})
	classes := make([]string, 0, len(counts))
	for c := range counts {
		classes = append(classes, c)
	}
	sort.Slice(classes, func(i, j int) bool { return counts[classes[i]] > counts[classes[j]] })
	var b strings.Builder
	for _, c := range classes {
		fmt.Fprintf(&b, "\n  %7d  %s", counts[c], c)
	}
	t.Logf("%d blobs (seed %d) through the isolated web path in %v:%s", n, seed, time.Since(start).Round(time.Millisecond), b.String())
	if after, err := platform.OpenFDs(); err != nil || after != fds {
		t.Errorf("%d descriptors open before, %d after (%v)", fds, after, err)
	}
	if z, err := platform.ZombieChildren(); err != nil || len(z) > 0 {
		t.Errorf("zombie children %v (%v)", z, err)
	}
}

// TestIsolateHostile: named attacks, each a clear result.
func TestIsolateHostile(t *testing.T) {
	gadget := syscallGadget(t)
	fds, err := platform.OpenFDs()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		src   string // Go syntax, or
		code  string // hex
		args  []string
		lim   isolate.Limits
		class string
		check func(t *testing.T, res *isolate.Result)
	}{
		{name: "fork bomb", src: "loop:\nMOVL $57, AX\nSYSCALL\nJMP loop\n", class: "refused fork"},
		{name: "thread bomb through Go's text", src: gadgetSource(gadget, 56, "0x50f00", "0", "0"), class: "refused clone"},
		{name: "10 GiB mmap", src: "MOVL $9, AX\nXORL DI, DI\nMOVQ $(10<<30), SI\nMOVL $3, DX\nMOVL $0x22, R10\nMOVQ $-1, R8\nXORL R9, R9\nSYSCALL\nRET\n", class: "refused mmap"},
		{name: "10 GiB mmap through Go's text", src: gadgetSource(gadget, 9, "0", "0x280000000", "3") /* prot in DI: see below */, class: "returned",
			check: func(t *testing.T, res *isolate.Result) {
				if !strings.Contains(string(res.Stdout), `"rax": -1,`) || !strings.Contains(string(res.Stdout), `"rdx": 22,`) && !strings.Contains(string(res.Stdout), `"rdx": 12,`) {
					t.Errorf("want rax -1 and rdx EINVAL or ENOMEM:\n%.300s", res.Stdout)
				}
			}},
		{name: "infinite loop", src: "loop:\nJMP loop\n", class: "timeout"},
		{name: "infinite loop, no timeout", src: "loop:\nJMP loop\n", args: []string{"--timeout", "0"}, lim: isolate.Limits{Wall: time.Second}, class: "died: killed at the …"},
		{name: "kill(-1, 9)", src: "MOVL $62, AX\nMOVQ $-1, DI\nMOVL $9, SI\nSYSCALL\nRET\n", class: "refused kill"},
		{name: "kill(-1, 9) through Go's text", src: gadgetSource(gadget, 62, "-1", "9", "0"), class: "refused kill"},
		{name: "1 GiB to stdout", class: "returned",
			// 16384 writes of 64 KiB from the stack: 1 GiB.
			src:  "MOVL $16384, BX\nloop:\nMOVL $1, AX\nMOVL $1, DI\nLEAQ -65536(SP), SI\nMOVL $65536, DX\nSYSCALL\nDECL BX\nJNZ loop\nRET\n",
			args: []string{"--timeout", "60s", "--stack", "128k"}, lim: isolate.Limits{Wall: 2 * time.Minute},
			check: func(t *testing.T, res *isolate.Result) {
				if want := fmt.Sprintf(`"stdout_cut_bytes": %d`, 1<<30-1<<20); !strings.Contains(string(res.Stdout), want) {
					t.Errorf("want %s in\n%.300s", want, res.Stdout[max(0, len(res.Stdout)-300):])
				}
			}},
		{name: "open /etc/hostname through Go's text", src: gadgetSource(gadget, 257, "-100", "path", "0"), class: "returned",
			check: func(t *testing.T, res *isolate.Result) {
				if !strings.Contains(string(res.Stdout), `"rax": -1,`) || !strings.Contains(string(res.Stdout), `"rdx": 13,`) {
					t.Errorf("want rax -1 and rdx 13 (EACCES):\n%.300s", res.Stdout)
				}
			}},
	} {
		t.Run(c.name, func(t *testing.T) {
			lim := c.lim
			if lim.Wall == 0 {
				lim.Wall = 10 * time.Second
			}
			res, err := isolate.Run(context.Background(), isolate.Job{
				Args:   append([]string{"run", "--json", "--timeout", "200ms", "prog.s"}, c.args...),
				Files:  map[string][]byte{"prog.s": []byte(c.src)},
				Policy: isolate.Web, Limits: lim,
			})
			if err != nil {
				t.Fatal(err)
			}
			class, err := classify(res)
			if err != nil {
				t.Fatal(err)
			}
			if !matches(class, c.class) {
				t.Errorf("%s, want %s (status %d, died %q)\n%.400s", class, c.class, res.Status, res.Died, res.Stdout)
			}
			if c.check != nil {
				c.check(t, res)
			}
		})
	}
	if after, err := platform.OpenFDs(); err != nil || after != fds {
		t.Errorf("%d descriptors open before, %d after (%v)", fds, after, err)
	}
	if z, err := platform.ZombieChildren(); err != nil || len(z) > 0 {
		t.Errorf("zombie children %v (%v)", z, err)
	}
}

// matches reports whether got is want, or starts with it when want ends
// in "…".
func matches(got, want string) bool {
	if p, ok := strings.CutSuffix(want, "…"); ok {
		return strings.HasPrefix(got, p)
	}
	return got == want
}
