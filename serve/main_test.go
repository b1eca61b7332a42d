package serve

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The tests run real children: TestMain builds jitrun (cmd/jitrun) once
// into a temporary directory, without cgo as a serving jitrun is built
// (cmd/jitrun/serve.go says why), and every server the tests start runs
// it (Config.Exe). The package's own test binary is not jitrun.

// jitrunExe is the jitrun binary the tests' servers run.
var jitrunExe string

func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	dir, err := os.MkdirTemp("", "serve-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	jitrunExe = filepath.Join(dir, "jitrun")
	build := exec.Command("go", "build", "-o", jitrunExe, "github.com/jitrun/jitrun/cmd/jitrun")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "building jitrun for the tests: %v\n", err)
		return 1
	}
	return m.Run()
}

// testServer is a Server serving on a loopback port of its own.
type testServer struct {
	*Server
	url    string // http://127.0.0.1:PORT
	addr   string // 127.0.0.1:PORT
	client *http.Client
}

// startServer starts a server with cfg (Addr and Exe filled in) and
// stops it, killing its children, when the test ends.
func startServer(t testing.TB, cfg Config) *testServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr == "" {
		cfg.Addr = ln.Addr().String()
	}
	cfg.Exe = jitrunExe
	s, err := New(cfg)
	if err != nil {
		ln.Close()
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	tr := &http.Transport{DisableKeepAlives: true}
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
		tr.CloseIdleConnections()
	})
	return &testServer{Server: s, url: "http://" + ln.Addr().String(), addr: ln.Addr().String(), client: &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// post sends body to path with the headers and returns the status, the
// response's headers and body.
func (ts *testServer) post(t *testing.T, path, body string, header map[string]string) (int, http.Header, string) {
	t.Helper()
	return ts.send(t, http.MethodPost, path, body, header)
}

// get is post's GET, without a body.
func (ts *testServer) get(t *testing.T, path string, header map[string]string) (int, http.Header, string) {
	t.Helper()
	return ts.send(t, http.MethodGet, path, "", header)
}

// send sends a request with method, body (a POST's is JSON) and the
// headers ("Host" sets the request's Host).
func (ts *testServer) send(t *testing.T, method, path, body string, header map[string]string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, ts.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	return ts.do(t, req)
}

func (ts *testServer) do(t *testing.T, req *http.Request) (int, http.Header, string) {
	t.Helper()
	resp, err := ts.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}
