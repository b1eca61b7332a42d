//go:build linux && amd64

package trampoline

import (
	"bufio"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jitrun/jitrun/execmem"
	"github.com/jitrun/jitrun/internal/testsupport"
)

// The random-code fuzz: blobs of 16–64 random bytes followed by RET, run
// one after another in one process under GuardSyscalls(SyscallsGuard).
// Whatever a blob does, the call must end as a result — a return, a
// fault (a refused system call included) or a timeout — and the process
// must go on. A child process (this test binary, re-executed) runs the
// blobs and reports each one before and after its call on a pipe, so
// that the parent can tell which blob killed or hung it, record it, and
// start a new child after it.
//
// The default size runs in every `go test`; a large run is on demand:
//
//	JITRUN_RANDOM_N=100000 go test -run '^TestRandomCode$' -v -timeout 2h ./trampoline
//
// (JITRUN_RANDOM_SEED picks another sequence; blob i of a seed is the
// same bytes on every run; JITRUN_RANDOM_PRIVATE_TLS=1 runs them with
// Options.PrivateTLS.) Every blob that ever ended a process is kept in
// testdata/random-killers.txt and runs in TestRandomCodeKillers, with
// PrivateTLS: without it, code that writes relative to FS can overwrite
// fields of the Go runtime's M that the trampoline does not guard
// (mguard.go), the one class of code it cannot undo (a few blobs in
// 100,000). The ones the guard undoes run without it too.

const (
	randomChildEnv   = "JITRUN_RANDOM_CHILD"
	randomTLSEnv     = "JITRUN_RANDOM_PRIVATE_TLS" // 1: Options.PrivateTLS
	randomDefaultN   = 1500
	randomTimeout    = 20 * time.Millisecond
	randomHangLimit  = 10 * time.Second // no progress for this long: the child hangs
	randomKillersTxt = "testdata/random-killers.txt"
)

// randomBlob returns blob i of seed: 16–64 random bytes, then RET.
func randomBlob(seed uint64, i int) []byte { return testsupport.RandomBlob(seed, i) }

// blobOutcome classifies what a call of a blob returned: "returned",
// "timeout", "syscall" (a refused system call), the fault's signal name,
// or "error: …" for any other error (a defect).
func blobOutcome(err error) string {
	var f *Fault
	var it *Interrupted
	switch {
	case err == nil:
		return "returned"
	case errors.As(err, &f) && f.Signal == sigSYS:
		return "syscall"
	case errors.As(err, &f):
		return f.SignalName()
	case errors.As(err, &it):
		return "timeout"
	}
	return "error: " + strings.ReplaceAll(err.Error(), "\n", " ")
}

// runBlob loads and calls one blob with a timeout (and with an FS base of
// its own when privateTLS is set).
func runBlob(code []byte, privateTLS bool) string {
	blk, err := execmem.Load(code)
	if err != nil {
		return "error: load: " + err.Error()
	}
	defer blk.Close()
	_, err = Run(context.Background(), blk.Addr(), nil, &Options{Timeout: randomTimeout, Code: blk, PrivateTLS: privateTLS})
	return blobOutcome(err)
}

// TestRandomCodeChild is the child: it runs the blobs the parent names
// and reports on file descriptor 3. It does nothing in a normal test run.
func TestRandomCodeChild(t *testing.T) {
	spec := os.Getenv(randomChildEnv)
	if spec == "" {
		t.Skip("runs only as the child of TestRandomCode")
	}
	report := os.NewFile(3, "report")
	if err := GuardSyscalls(SyscallsGuard); err != nil {
		fmt.Fprintf(report, "setup %v\n", err)
		os.Exit(1)
	}
	// The collector runs all along, so that calls get parked and signals
	// (SIGURG) arrive while the code runs.
	collectAlongside(2 * time.Millisecond)
	w := bufio.NewWriter(report)
	next := func(format string, args ...any) {
		fmt.Fprintf(w, format, args...)
		w.Flush()
	}
	privateTLS := os.Getenv(randomTLSEnv) == "1"
	if rest, ok := strings.CutPrefix(spec, "hex:"); ok {
		// "hex:FROM:BLOB,BLOB,…": the blobs from index FROM on.
		fromText, list, _ := strings.Cut(rest, ":")
		from, err := strconv.Atoi(fromText)
		blobs := strings.Split(list, ",")
		if err != nil || from < 0 || from > len(blobs) {
			next("setup bad spec %q\n", spec)
			os.Exit(1)
		}
		for i := from; i < len(blobs); i++ {
			code, err := hex.DecodeString(blobs[i])
			if err != nil {
				next("setup bad hex %q\n", blobs[i])
				os.Exit(1)
			}
			next("start %d\n", i)
			next("end %d %s\n", i, runBlob(code, privateTLS))
			runtime.GC() // what the blob broke shows at once
		}
		next("done\n")
		os.Exit(0)
	}
	var seed uint64
	var from, to int
	if _, err := fmt.Sscanf(spec, "%d:%d:%d", &seed, &from, &to); err != nil {
		next("setup bad spec %q\n", spec)
		os.Exit(1)
	}
	for i := from; i < to; i++ {
		next("start %d\n", i)
		next("end %d %s\n", i, runBlob(randomBlob(seed, i), privateTLS))
	}
	next("done\n")
	os.Exit(0)
}

// randomRun is what the parent saw: the outcome of every blob, and the
// blobs that ended a child (killed it, or hung it).
type randomRun struct {
	outcomes map[string]int
	killers  []killer
}

type killer struct {
	index int
	how   string // "exit status 2: fatal error: …", "signal: segmentation fault", "hang"
}

// runChildren runs blobs [0, n) (spec "SEED:FROM:TO" per child), or the
// listed hex blobs ("hex:" spec), in as many children as it takes.
func runChildren(t *testing.T, n int, privateTLS bool, spec func(from int) string) randomRun {
	t.Helper()
	run := randomRun{outcomes: map[string]int{}}
	for from := 0; from < n; {
		last, how := runChild(t, spec(from), privateTLS, run.outcomes)
		if how == "" {
			break
		}
		if last < from {
			t.Fatalf("a child died before its first blob (%s): the harness is broken", how)
		}
		run.killers = append(run.killers, killer{last, how})
		from = last + 1
	}
	// Every blob ends as an outcome or a killer: a report that lost some
	// would otherwise pass with fewer blobs run than asked.
	got := len(run.killers)
	for _, c := range run.outcomes {
		got += c
	}
	if got != n {
		t.Errorf("the children accounted for %d of %d blobs", got, n)
	}
	return run
}

// runChild runs one child to its end. It returns "" when the child ran
// every blob, or the index of the blob it died (or hung) in and how.
func runChild(t *testing.T, spec string, privateTLS bool, outcomes map[string]int) (int, string) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^TestRandomCodeChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), randomChildEnv+"="+spec)
	if privateTLS {
		cmd.Env = append(cmd.Env, randomTLSEnv+"=1")
	}
	cmd.ExtraFiles = []*os.File{w}
	var stderr tail
	cmd.Stdout, cmd.Stderr = &stderr, &stderr // the code's own writes, and a crash report
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	current, done := -1, false
	timer := time.NewTimer(randomHangLimit)
	defer timer.Stop()
	for !done {
		select {
		case l, ok := <-lines:
			if !ok {
				done = true
				break
			}
			timer.Reset(randomHangLimit)
			switch f := strings.Fields(l); {
			case f[0] == "start":
				current, _ = strconv.Atoi(f[1])
			case f[0] == "end" && len(f) >= 3:
				outcomes[strings.Join(f[2:], " ")]++
			case f[0] == "done":
				cmd.Wait()
				return -1, ""
			case f[0] == "setup":
				t.Fatalf("child: %s", l)
			}
		case <-timer.C:
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			cmd.Wait()
			return current, "hang"
		}
	}
	err = cmd.Wait()
	how := "exited"
	if err != nil {
		how = err.Error()
	}
	if last := stderr.firstInteresting(); last != "" {
		how += ": " + last
	}
	return current, how
}

// tail keeps the end of what a child wrote (the code's writes and any
// crash report), to say how a child died.
type tail struct{ b []byte }

func (t *tail) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > 64<<10 {
		t.b = append(t.b[:0], t.b[len(t.b)-32<<10:]...)
	}
	return len(p), nil
}

// firstInteresting returns the first line of a Go crash report, if any.
func (t *tail) firstInteresting() string {
	for _, l := range strings.Split(string(t.b), "\n") {
		for _, p := range []string{"fatal error:", "panic:", "unexpected signal", "SIGSEGV", "signal arrived"} {
			if strings.Contains(l, p) {
				return strings.TrimSpace(l)
			}
		}
	}
	return ""
}

// TestRandomCode runs random blobs and fails if any of them ended or hung
// the process; it logs the count of each outcome.
func TestRandomCode(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	n := randomDefaultN
	if s := os.Getenv("JITRUN_RANDOM_N"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			t.Fatalf("JITRUN_RANDOM_N=%q: want a positive count", s)
		}
		n = v
	}
	seed := uint64(1)
	if s := os.Getenv("JITRUN_RANDOM_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 0, 64)
		if err != nil {
			t.Fatalf("JITRUN_RANDOM_SEED=%q: %v", s, err)
		}
		seed = v
	}
	privateTLS := os.Getenv(randomTLSEnv) == "1"
	start := time.Now()
	run := runChildren(t, n, privateTLS, func(from int) string { return fmt.Sprintf("%d:%d:%d", seed, from, n) })
	t.Logf("%d blobs (seed %d, PrivateTLS %v) in %v: %s", n, seed, privateTLS, time.Since(start).Round(time.Millisecond), formatOutcomes(run.outcomes))
	for _, k := range run.killers {
		t.Errorf("blob %d (seed %d) ended the process (%s): %x; %s", k.index, seed, k.how, randomBlob(seed, k.index), findCulprit(t, seed, k.index, privateTLS))
	}
	for o := range run.outcomes {
		if strings.HasPrefix(o, "error:") {
			t.Errorf("outcome %q: a call ended with an error that is neither a fault nor a timeout", o)
		}
	}
}

// replayWindow is how many blobs up to a killer findCulprit tries.
const replayWindow = 64

// findCulprit says which blob broke the process that died in blob k. A
// blob that corrupts the runtime (a write relative to FS into its M, say)
// may let a few more run before the runtime trips over the damage, so the
// blob a child died in need not be the one to keep. Going back from k, each
// blob runs alone in a child of its own, three times with a garbage
// collection after each (as TestRandomCodeKillers runs them), then a
// plain RET: the first that ends its child is the culprit.
func findCulprit(t *testing.T, seed uint64, k int, privateTLS bool) string {
	t.Helper()
	first := max(0, k-replayWindow+1)
	for i := k; i >= first; i-- {
		b := hex.EncodeToString(randomBlob(seed, i))
		list := strings.Join([]string{b, b, b, "c3"}, ",")
		run := runChildren(t, 4, privateTLS, func(from int) string { return fmt.Sprintf("hex:%d:%s", from, list) })
		if len(run.killers) > 0 {
			return fmt.Sprintf("blob %d ends a process on its own (%s): %s", i, run.killers[0].how, b)
		}
	}
	return fmt.Sprintf("none of blobs %d to %d ends a process on its own", first, k)
}

// TestRandomCodeKillers runs every blob that ever ended a process.
func TestRandomCodeKillers(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	blobs, notes := readKillers(t)
	// With an FS base of their own: some of them write relative to FS,
	// which nothing else can undo (Options.PrivateTLS).
	run := runChildren(t, len(blobs), true, func(from int) string {
		return fmt.Sprintf("hex:%d:%s", from, strings.Join(blobs, ","))
	})
	t.Logf("%d regression blobs: %s", len(blobs), formatOutcomes(run.outcomes))
	for _, k := range run.killers {
		t.Errorf("%s: %s ended the process (%s)", notes[k.index], blobs[k.index], k.how)
	}
	// The writes relative to FS that the M guard undoes (mguard.go), once
	// more with the runtime's own FS base: each three times, then a RET.
	// (The children run this binary: its runtime, its M layout.)
	if err := setup(); err != nil {
		t.Fatal(err)
	}
	if !guardM {
		t.Skip("SKIPPED LOUDLY: this runtime's M layout is not the one the guard knows (mLayoutOK false): the writes over the M are run only with PrivateTLS")
	}
	var guarded, guardedNotes []string
	for i, n := range notes {
		if strings.Contains(n, "survives without PrivateTLS") {
			guarded = append(guarded, blobs[i], blobs[i], blobs[i])
			guardedNotes = append(guardedNotes, n, n, n)
		}
	}
	guarded, guardedNotes = append(guarded, "c3"), append(guardedNotes, "the RET after them")
	run = runChildren(t, len(guarded), false, func(from int) string {
		return fmt.Sprintf("hex:%d:%s", from, strings.Join(guarded, ","))
	})
	t.Logf("%d runs of writes over the M without PrivateTLS: %s", len(guarded), formatOutcomes(run.outcomes))
	for _, k := range run.killers {
		t.Errorf("%s: %s ended the process without PrivateTLS (%s)", guardedNotes[k.index], guarded[k.index], k.how)
	}
}

func readKillers(t *testing.T) (blobs, notes []string) {
	data, err := os.ReadFile(filepath.FromSlash(randomKillersTxt))
	if err != nil {
		t.Fatal(err)
	}
	for n, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		h, note, _ := strings.Cut(l, " ")
		if _, err := hex.DecodeString(h); err != nil {
			t.Fatalf("%s:%d: %v", randomKillersTxt, n+1, err)
		}
		blobs = append(blobs, h)
		notes = append(notes, fmt.Sprintf("%s:%d (%s)", randomKillersTxt, n+1, strings.TrimSpace(note)))
	}
	return blobs, notes
}

func formatOutcomes(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return m[keys[i]] > m[keys[j]] || m[keys[i]] == m[keys[j]] && keys[i] < keys[j] })
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}
