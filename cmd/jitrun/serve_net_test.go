//go:build linux && (!cgo || netgo)

package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jitrun/jitrun/serve"
)

// childrenOf lists the processes whose parent is pid (from /proc).
func childrenOf(t *testing.T, pid int) []int {
	t.Helper()
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var kids []int
	for _, s := range stats {
		b, err := os.ReadFile(s)
		if err != nil {
			continue // the process ended meanwhile
		}
		// pid (comm) state ppid …: comm may hold spaces, so split after ')'.
		i := strings.LastIndexByte(string(b), ')')
		f := strings.Fields(string(b[i+1:]))
		if len(f) > 1 && f[1] == strconv.Itoa(pid) {
			n, _ := strconv.Atoi(strings.Split(s, "/")[2])
			kids = append(kids, n)
		}
	}
	return kids
}

var serveURLLine = regexp.MustCompile(`^jitrun serve: open (http://127\.0\.0\.1:[0-9]+/) \(Ctrl-C stops\)$`)

// TestServeStops starts jitrun serve on a free port, starts a run that
// would take two seconds, and sends SIGTERM while it runs: the run's
// child is killed, the request answered 503, and serve exits 0.
func TestServeStops(t *testing.T) {
	exe, err := filepath.Abs(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	cmd := childCommand(context.Background(), exe, nil, []string{"serve", "--addr", "127.0.0.1:0"})
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := bufio.NewScanner(stdout)
	if !lines.Scan() {
		t.Fatalf("serve printed nothing; stderr:\n%s", stderr.String())
	}
	m := serveURLLine.FindStringSubmatch(lines.Text())
	if m == nil {
		t.Fatalf("first line %q, want %s", lines.Text(), serveURLLine)
	}
	url := m[1]

	type answer struct {
		status int
		body   string
		err    error
	}
	answered := make(chan answer, 1)
	go func() {
		resp, err := http.Post(url+"api/run", "application/json", strings.NewReader(`{"source": "loop:\nJMP loop\n", "timeout": "2s"}`))
		if err != nil {
			answered <- answer{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		answered <- answer{resp.StatusCode, string(b), err}
	}()
	// Wait for the run's child (a safety net of 30s, not a measurement).
	var kids []int
	for deadline := time.Now().Add(30 * time.Second); len(kids) == 0; {
		if time.Now().After(deadline) {
			t.Fatal("the run's child never appeared")
		}
		kids = childrenOf(t, cmd.Process.Pid)
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	a := <-answered
	if a.err != nil || a.status != http.StatusServiceUnavailable || !strings.Contains(a.body, "the server is stopping, or the request was cancelled: the run was killed") {
		t.Errorf("the run in progress was answered %d %q (%v), want 503 saying it was killed", a.status, a.body, a.err)
	}
	rest, _ := io.ReadAll(stdout)
	if err := cmd.Wait(); err != nil {
		t.Errorf("serve ended with %v; stderr:\n%s", err, stderr.String())
	}
	if string(rest) != "jitrun serve: stopped\n" {
		t.Errorf("after SIGTERM serve printed %q, want \"jitrun serve: stopped\\n\"", rest)
	}
	for _, k := range kids {
		if err := syscall.Kill(k, 0); err != syscall.ESRCH {
			t.Errorf("the run's child %d is still there after serve stopped (kill 0: %v)", k, err)
		}
	}
}

func TestDefaultServeAddr(t *testing.T) {
	if defaultServeAddr != serve.DefaultAddr {
		t.Errorf("defaultServeAddr %q, serve.DefaultAddr %q", defaultServeAddr, serve.DefaultAddr)
	}
}

// TestServeBadToken checks that a --token serve.CheckToken refuses is bad
// input (status 2), said before anything listens.
func TestServeBadToken(t *testing.T) {
	for token, want := range map[string]string{
		"short":               "jitrun serve: --token: token of 5 characters: want at least 16 (NewToken makes 32)\n",
		"0123456789abcdef&x=": "jitrun serve: --token: token: character 17 ('&') is not a letter, a digit, '-', '_', '.' or '~'\n",
	} {
		status, stdout, stderr := runCmd(t, "", "serve", "--addr", "127.0.0.1:0", "--token", token)
		if status != exitInput || stdout != "" || stderr != want {
			t.Errorf("serve --token %q: status %d, stdout %q, stderr %q; want %d, \"\", %q", token, status, stdout, stderr, exitInput, want)
		}
	}
}
