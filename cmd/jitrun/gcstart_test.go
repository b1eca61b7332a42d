package main

import (
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestStartGCPercent(t *testing.T) {
	for _, c := range []struct {
		name    string
		args    []string
		env     map[string]string
		percent int
		ok      bool
	}{
		{"asm", []string{"asm", "x.s"}, nil, 800, true},
		{"disasm", []string{"disasm", "--hex", "90"}, nil, 0, false},
		{"run is long-lived", []string{"run", "x.s"}, nil, 0, false},
		{"serve", []string{"serve"}, nil, 0, false},
		{"repl", []string{"repl"}, nil, 0, false},
		{"bench", []string{"bench", "x.s"}, nil, 0, false},
		{"version", []string{"version"}, nil, 0, false},
		{"no command", nil, nil, 0, false},
		{"a flag named asm", []string{"--asm"}, nil, 0, false},
		{"GOGC set", []string{"asm", "x.s"}, map[string]string{"GOGC": "100"}, 0, false},
		{"GOGC off", []string{"asm", "x.s"}, map[string]string{"GOGC": "off"}, 0, false},
		{"GOMEMLIMIT set", []string{"asm", "x.s"}, map[string]string{"GOMEMLIMIT": "1GiB"}, 0, false},
		{"GOGC empty is unset", []string{"asm", "x.s"}, map[string]string{"GOGC": ""}, 800, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			percent, ok := startGCPercent(c.args, func(k string) string { return c.env[k] })
			if percent != c.percent || ok != c.ok {
				t.Errorf("startGCPercent(%q, %v) = %d, %v; want %d, %v", c.args, c.env, percent, ok, c.percent, c.ok)
			}
		})
	}
	if p, _ := startGCPercent([]string{"asm"}, func(string) string { return "" }); firstHeapGoal*p/defaultGOGC != startHeapGoal {
		t.Errorf("GOGC %d makes a first heap goal of %d, want %d", p, firstHeapGoal*p/defaultGOGC, startHeapGoal)
	}
}

func TestAfterNextGC(t *testing.T) {
	done := make(chan struct{})
	afterNextGC(func() { close(done) })
	runtime.GC()
	<-done // blocks until the finalizer ran: a missing call hangs the test until go test's timeout
}

// gcStartChildEnv makes TestGCStartChild the child of TestDelayFirstGC:
// the jitrun arguments it delays the first collection for.
const gcStartChildEnv = "JITRUN_GCSTART_CHILD_ARGS"

// gcStartChildMBEnv is the MB of garbage TestGCStartChild makes.
const gcStartChildMBEnv = "JITRUN_GCSTART_CHILD_MB"

// TestGCStartChild, in a child process, calls delayFirstGC for the
// arguments in gcStartChildEnv, then allocates gcStartChildMBEnv MB of
// garbage and exits; GODEBUG=gctrace=1 prints each collection.
func TestGCStartChild(t *testing.T) {
	args := os.Getenv(gcStartChildEnv)
	if args == "" {
		t.Skip("runs only as the child of TestDelayFirstGC")
	}
	mb, err := strconv.Atoi(os.Getenv(gcStartChildMBEnv))
	if err != nil {
		t.Fatal(err)
	}
	delayFirstGC(strings.Fields(args), os.Getenv)
	var keep []byte
	for range mb * 16 {
		keep = make([]byte, 64<<10) // garbage: only the last is kept
		keep[0] = 1
	}
	// A collection still marking prints its line only when it ends: on a
	// busy machine the loop can outrun it (once, a run over 96 MB printed
	// none). Idle, the collector's workers end it.
	time.Sleep(200 * time.Millisecond)
	os.Exit(int(keep[0]) - 1)
}

// TestDelayFirstGC checks, in child processes with GODEBUG=gctrace=1,
// the heap goals of the collections over some MB of garbage: asm runs
// none over 12 MB; over 96 MB, asm's first goal is 32 MB and
// a later one is back at the default pace (the live heap is a few MB: a
// goal of at most 12 MB: twice the live heap plus the 2 MB of globals,
// where GOGC=800 would keep it above 16 MB);
// disasm, run, and asm with GOGC set start at the runtime's default first
// goal, 4 MB.
func TestDelayFirstGC(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child processes")
	}
	goalRE := regexp.MustCompile(`(?m)^gc \d+ @.* (\d+) MB goal,`)
	for _, c := range []struct {
		args, env string
		mb        int
		first     int // the first goal in MB, 0: no collection
	}{
		{"asm x.s", "", 12, 0},
		{"disasm x.bin", "", 12, 4},
		{"asm x.s", "", 96, 32},
		{"run x.s", "", 12, 4},
		{"asm x.s", "GOGC=100", 12, 4},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestGCStartChild$")
		cmd.Env = append(os.Environ(), gcStartChildEnv+"="+c.args, gcStartChildMBEnv+"="+strconv.Itoa(c.mb), "GODEBUG=gctrace=1", "GOGC=", "GOMEMLIMIT=")
		if c.env != "" {
			cmd.Env = append(cmd.Env, c.env)
		}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", c.env, c.args, err, out)
		}
		var goals []int
		for _, m := range goalRE.FindAllStringSubmatch(string(out), -1) {
			g, _ := strconv.Atoi(m[1])
			goals = append(goals, g)
		}
		first, later := 0, 0
		if len(goals) > 0 {
			first = goals[0]
		}
		if len(goals) > 1 {
			later = slices.Min(goals[1:])
		}
		if first != c.first || later > 12 {
			t.Errorf("%s jitrun %s over %d MB of garbage: heap goals %v MB, want the first %d and a later one at most 12\n%s", c.env, c.args, c.mb, goals, c.first, out)
		}
	}
}
