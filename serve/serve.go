// Package serve is jitrun serve: a web page and a JSON API on which a
// browser (or a script) assembles, runs, traces, benchmarks and lists
// x86-64 code, as the jitrun command line does.
//
// The model: the server never runs code, nor assembles it, itself. Every
// API request becomes one jitrun command line (run --json, bench --json,
// asm --format json, disasm --json) that isolate.Run executes in a child
// process under the Web policy (no files, no sockets, no new processes,
// rlimits, a wall-clock deadline after which its process group is
// killed); the child's JSON document is the response body, byte for byte.
// So what a request can do is what that child can do, and a child that
// dies in any way is a result, never the server's crash. Around that, the
// server guards who may ask (guard.go: the Host header, the Origin of
// POSTs, an access token off loopback), how much (size caps, timeouts)
// and how many at once (limit.go: a slot per CPU, a short queue, then 429;
// conns.go: at most 256 connections open).
// The page (page/, embedded) is one HTML file, a script and a style
// sheet; it fetches nothing but this server's API.
//
// The package uses net/http, so a program that links it with cgo on
// links the C library too; jitrun links it only when built without cgo
// (cmd/jitrun/serve.go says why), and the children it runs are that
// same static jitrun.
package serve

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/jitrun/jitrun/internal/examples"
)

// DefaultAddr is the address jitrun serve listens on without --addr.
const DefaultAddr = "127.0.0.1:8642"

// Config is what a Server needs. The zero value of every field but Addr
// is a sensible default.
type Config struct {
	// Addr is the address the server is reached at, host:port, with the
	// port it really listens on (not 0). A loopback host (127.0.0.1,
	// ::1, localhost) serves without a token and checks the Host header;
	// any other host (0.0.0.0, a LAN address, "") requires Token.
	Addr string
	// Token is the access token every request must carry off loopback
	// (NewToken makes one); on loopback, a non-empty Token is required
	// too.
	Token string
	// Exe is the jitrun executable the children run ("" = this
	// program, os.Executable).
	Exe string
	// MaxRuns is how many children run at once (0 = runtime.NumCPU()),
	// MaxQueued how many requests may wait for one (0 = 2*MaxRuns);
	// past that a request gets 429.
	MaxRuns, MaxQueued int
}

// Server is the page and the API. Build it with New; Handler serves it,
// or Serve serves it on a listener until its context ends.
type Server struct {
	cfg         Config
	loopback    bool
	hosts       []string // Host header values accepted on loopback
	tokenCookie string   // the name of the token's cookie: jitrun_token_PORT
	limit       *limiter
	examples    []exampleJSON
	handler     http.Handler
}

// New checks cfg and returns the server.
func New(cfg Config) (*Server, error) {
	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("address %q: %v (want host:port, 127.0.0.1:8642)", cfg.Addr, err)
	}
	if port == "0" || port == "" {
		return nil, fmt.Errorf("address %q: give the port the server listens on, not 0", cfg.Addr)
	}
	s := &Server{cfg: cfg, loopback: IsLoopback(host), tokenCookie: tokenCookiePrefix + port}
	if !s.loopback && cfg.Token == "" {
		return nil, fmt.Errorf("address %q is not a loopback address: a token is required (NewToken makes one)", cfg.Addr)
	}
	if cfg.Token != "" {
		if err := CheckToken(cfg.Token); err != nil {
			return nil, err
		}
	}
	s.hosts = []string{
		strings.ToLower(cfg.Addr), "localhost:" + port, "127.0.0.1:" + port, "[::1]:" + port,
	}
	if port == "80" {
		// A browser leaves the default port out of the Host header.
		s.hosts = append(s.hosts, strings.ToLower(host), "localhost", "127.0.0.1", "[::1]")
	}
	if cfg.MaxRuns <= 0 {
		cfg.MaxRuns = runtime.NumCPU()
	}
	if cfg.MaxQueued <= 0 {
		cfg.MaxQueued = 2 * cfg.MaxRuns
	}
	s.cfg = cfg
	s.limit = newLimiter(cfg.MaxRuns, cfg.MaxQueued)
	list, err := examples.List()
	if err != nil {
		return nil, err
	}
	s.examples = examplesToJSON(list) // examples.go
	s.handler = s.guard(s.routes())   // guard.go
	return s, nil
}

// Handler is the whole server: the page and the API behind the guard.
func (s *Server) Handler() http.Handler { return s.handler }

// URL is the address to open: http://HOST:PORT/, with ?token=T when a
// token is required (the page then keeps it in a cookie).
func (s *Server) URL() string {
	host, port, _ := net.SplitHostPort(s.cfg.Addr) // checked by New
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		if name, err := os.Hostname(); err == nil {
			host = name
		}
	}
	u := "http://" + net.JoinHostPort(host, port) + "/"
	if s.cfg.Token != "" {
		u += "?token=" + s.cfg.Token
	}
	return u
}

// IsLoopback reports whether host (a name or an IP address, no port) is
// this machine's loopback: localhost, 127.0.0.0/8 or ::1.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// minTokenLen is the shortest access token CheckToken accepts.
const minTokenLen = 16

// CheckToken refuses an access token that is short (under 16
// characters) or holds a character other than a letter, a digit, '-',
// '_', '.' or '~': the token travels in a URL's query and in a cookie,
// unescaped, and must not be guessable.
func CheckToken(token string) error {
	if len(token) < minTokenLen {
		return fmt.Errorf("token of %d characters: want at least %d (NewToken makes 32)", len(token), minTokenLen)
	}
	for i, c := range token {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.ContainsRune("-_.~", c)) {
			return fmt.Errorf("token: character %d (%q) is not a letter, a digit, '-', '_', '.' or '~'", i+1, c)
		}
	}
	return nil
}

// NewToken returns a random access token: 32 hex digits (128 bits from
// crypto/rand).
func NewToken() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("making a token: %v", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// shutdownGrace is how long Serve waits for responses in flight after its
// context ends (their children are killed at once).
const shutdownGrace = 5 * time.Second

// Serve answers requests on ln until ctx ends, then kills the children
// still running (their requests' contexts end), waits for the responses
// in flight and returns nil. Any other end is an error.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	runs, stopRuns := context.WithCancel(context.Background())
	defer stopRuns()
	srv := &http.Server{
		Handler:           s.handler,
		BaseContext:       func(net.Listener) context.Context { return runs },
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       30 * time.Second, // an idle connection holds one of maxConns
		MaxHeaderBytes:    maxHeaderBytes,
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(limitConns(ln, maxConns)) }() // conns.go
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	stopRuns() // every request's context: isolate.Run kills the child's process group
	grace, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	err := srv.Shutdown(grace)
	if serveErr := <-done; !errors.Is(serveErr, http.ErrServerClosed) {
		return serveErr
	}
	if err != nil {
		return srv.Close()
	}
	return nil
}
