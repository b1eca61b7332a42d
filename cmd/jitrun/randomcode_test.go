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
// or 4 (the timeout), one report and no Go crash trace, and never hang.
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
	seed := uint64(envCount(t, "JITRUN_RANDOM_SEED", 1))
	exe, err := filepath.Abs(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	counts := map[int]int{}
	start := time.Now()
	work := make(chan int)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				code := testsupport.RandomBlob(seed, i)
				status, out := runBlobCLI(exe, code)
				mu.Lock()
				counts[status]++
				mu.Unlock()
				if problem := blobProblem(status, out); problem != "" {
					t.Errorf("blob %d (seed %d, jitrun run --hex %x): %s\n%s", i, seed, code, problem, out)
				}
			}
		}()
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
	t.Logf("%d blobs (seed %d) through jitrun run in %v: statuses %v", n, seed, time.Since(start).Round(time.Millisecond), counts)
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
	return ""
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
