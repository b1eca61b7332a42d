package main

import (
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jitrun/jitrun/internal/testsupport"
)

// The random-code fuzz through the CLI: `jitrun run --hex BLOB` on random
// blobs (16–64 bytes, then RET; the same blobs trampoline's in-process
// fuzz runs), each in a jitrun of its own as a user would start it, with
// its supervisor and the default --syscalls guard. Every run must end
// with status 0 (the code returned), 3 (a fault or a refused system call)
// or 4 (the timeout), one report of that status and no Go crash trace,
// and never hang.
// A small slice runs in every `go test`; the full run is on demand:
//
//	JITRUN_RANDOM_CLI_N=10000 go test -run '^TestRandomCodeCLI$' -v -timeout 4h ./cmd/jitrun
//
// (JITRUN_RANDOM_SEED picks another sequence.)

const (
	randomCLIDefaultN = 200
	randomCLIHang     = 20 * time.Second // far past --timeout plus the supervisor's margin
)

// crashSigns are what a Go crash prints; none may reach the user.
var crashSigns = []string{"goroutine ", "fatal error:", "panic:", "[signal ", "SIGSEGV: segmentation violation", "runtime stack:"}

func TestRandomCodeCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	n := envCount(t, "JITRUN_RANDOM_CLI_N", randomCLIDefaultN)
	seed := envSeed(t)
	exe, err := filepath.Abs(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	counts := map[int]int{}
	start := time.Now()
	eachBlob(n, seed, func(i int, code []byte) {
		status, out := runBlobCLI(exe, code)
		mu.Lock()
		counts[status]++
		mu.Unlock()
		if problem := blobProblem(status, out); problem != "" {
			t.Errorf("blob %d (seed %d, jitrun run --hex %x): %s\n%s", i, seed, code, problem, out)
		}
	})
	t.Logf("%d blobs (seed %d) through jitrun run in %v: statuses %v", n, seed, time.Since(start).Round(time.Millisecond), counts)
}

// eachBlob calls do with blobs 0 to n-1 of seed's sequence, on two
// goroutines (one a core: each blob runs in a child process).
func eachBlob(n int, seed uint64, do func(i int, code []byte)) {
	work := make(chan int)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				do(i, testsupport.RandomBlob(seed, i))
			}
		}()
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
}

// runBlobCLI runs `jitrun run --timeout 20ms --hex BLOB` in a jitrun of
// its own (this test binary as jitrun's main) and returns its exit status
// (-1: it hung and was killed) and everything it printed.
func runBlobCLI(exe string, code []byte) (int, string) {
	args := []string{"run", "--timeout", "20ms", "--hex", hex.EncodeToString(code)}
	ctx, cancel := context.WithTimeout(context.Background(), randomCLIHang)
	defer cancel()
	cmd := childCommand(ctx, exe, nil, args)
	cmd.WaitDelay = time.Second
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		return -1, string(out)
	}
	status := 0
	if ee, ok := err.(*exec.ExitError); ok {
		status = ee.ExitCode()
	} else if err != nil {
		return -2, err.Error()
	}
	return status, string(out)
}

// blobProblem says what is wrong with a run's status and output, or "".
func blobProblem(status int, out string) string {
	switch status {
	case exitOK, exitFault, exitTimeout:
	case -1:
		return "it hung"
	default:
		return fmt.Sprintf("exit status %d, want 0, 3 or 4", status)
	}
	for _, s := range crashSigns {
		if strings.Contains(out, s) {
			return fmt.Sprintf("a Go crash trace (%q) reached the output", s)
		}
	}
	reports := 0
	for _, l := range strings.Split(out, "\n") {
		for _, p := range reportStarts[status] {
			if strings.HasPrefix(l, p) {
				reports++
			}
		}
	}
	if reports != 1 {
		return fmt.Sprintf("%d reports (lines starting %q) for exit status %d, want one", reports, reportStarts[status], status)
	}
	return ""
}

// reportStarts are how the report of each status a blob may end with
// starts its line: the result, the fault, the timeout jitrun stopped or
// the one its supervisor's watchdog did.
var reportStarts = map[int][]string{
	exitOK:      {"rax = "},
	exitFault:   {"fault: "},
	exitTimeout: {"timeout: ", "jitrun run: the code was still running "},
}

// TestBlobProblem checks what TestRandomCodeCLI calls a bad run.
func TestBlobProblem(t *testing.T) {
	tests := []struct {
		name   string
		status int
		out    string
		bad    bool
	}{
		{"returned", exitOK, "abc\nrax = 3 (0x3)\n", false},
		{"faulted", exitFault, "fault: SIGILL at +0x0: …\n  signal     SIGILL\n", false},
		{"stopped", exitTimeout, "timeout: the code was still running after 20ms …\n", false},
		{"killed", exitTimeout, "jitrun run: the code was still running 2.02s after the call started …\n", false},
		{"no report", exitOK, "abc\n", true},
		{"two reports", exitFault, "fault: SIGSEGV …\nfault: SIGSEGV …\n", true},
		{"report of another status", exitFault, "rax = 3 (0x3)\n", true},
		{"crash trace", exitOK, "rax = 3 (0x3)\ngoroutine 1 [running]:\n", true},
		{"status 5", exitBroken, "jitrun run: the code broke jitrun: …\n", true},
		{"hung", -1, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if problem := blobProblem(tt.status, tt.out); (problem != "") != tt.bad {
				t.Errorf("blobProblem(%d, %q) = %q, want a problem: %v", tt.status, tt.out, problem, tt.bad)
			}
		})
	}
}

// envSeed reads JITRUN_RANDOM_SEED as trampoline's random-code fuzz does
// (any uint64, 0x… too; 1 when unset), so that a seed it names replays
// here.
func envSeed(t *testing.T) uint64 {
	s := os.Getenv("JITRUN_RANDOM_SEED")
	if s == "" {
		return 1
	}
	v, err := strconv.ParseUint(s, 0, 64)
	if err != nil {
		t.Fatalf("JITRUN_RANDOM_SEED=%q: %v", s, err)
	}
	return v
}

// envCount reads a positive count from an environment variable, or def.
func envCount(t *testing.T, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < 1 {
		t.Fatalf("%s=%q: want a positive count", name, s)
	}
	return v
}
