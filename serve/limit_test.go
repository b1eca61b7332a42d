package serve

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
)

func TestLimiter(t *testing.T) {
	l := newLimiter(1, 1)
	first, ok := l.acquire(context.Background())
	if !ok {
		t.Fatal("the first request was refused")
	}
	// The second waits for the slot…
	got := make(chan bool)
	go func() {
		release, ok := l.acquire(context.Background())
		if ok {
			release()
		}
		got <- ok
	}()
	for len(l.admitted) != 2 {
		// the goroutine has not been admitted yet
		select {
		case ok := <-got:
			t.Fatalf("the second request returned %v before the first released its slot", ok)
		default:
		}
	}
	// …the third finds the queue full.
	if _, ok := l.acquire(context.Background()); ok {
		t.Fatal("a third request was admitted: want 1 running and 1 waiting")
	}
	first()
	if !<-got {
		t.Fatal("the waiting request did not get the slot")
	}
	if len(l.admitted) != 0 || len(l.slots) != 0 {
		t.Errorf("after both released: %d admitted, %d slots taken", len(l.admitted), len(l.slots))
	}
	// A request whose context ends while it waits leaves the queue.
	hold, _ := l.acquire(context.Background())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, ok := l.acquire(ctx); ok {
		t.Fatal("a cancelled request got a slot")
	}
	hold()
	if len(l.admitted) != 0 {
		t.Errorf("%d still admitted", len(l.admitted))
	}
}

// TestBusy fills a server of one slot and one place in the queue with two
// runs and checks that a third is refused at once: 429, Retry-After: 1.
func TestBusy(t *testing.T) {
	ts := startServer(t, Config{MaxRuns: 1, MaxQueued: 1})
	const spin = `{"source": "loop:\nJMP loop\n", "timeout": "500ms"}`
	done := make(chan int, 2)
	for range 2 {
		go func() {
			status, _, _ := ts.post(t, "/api/run", spin, nil)
			done <- status
		}()
	}
	for len(ts.limit.admitted) != 2 {
		runtime.Gosched() // the two requests are on their way in
	}
	status, h, body := ts.post(t, "/api/run", spin, nil)
	if status != 429 || h.Get("Retry-After") != "1" || decodeDoc(t, body)["error"] != "busy: 2 runs are running or waiting; retry in a second" {
		t.Errorf("third request: HTTP %d, Retry-After %q, %s", status, h.Get("Retry-After"), body)
	}
	for range 2 {
		if s := <-done; s != 200 {
			t.Errorf("a run that was admitted: HTTP %d, want 200 (a timeout is a result)", s)
		}
	}
}

// TestCancelledWhileQueued checks that a request whose context ends while
// it waits for a slot (the server stopping) is answered 503 with the
// reason, not left as an empty 200.
func TestCancelledWhileQueued(t *testing.T) {
	s, err := New(Config{Addr: "127.0.0.1:8642", Exe: jitrunExe, MaxRuns: 1, MaxQueued: 1})
	if err != nil {
		t.Fatal(err)
	}
	release, ok := s.limit.acquire(context.Background()) // the one slot
	if !ok {
		t.Fatal("the first slot was refused")
	}
	defer release()
	ctx, cancel := context.WithCancel(context.Background())
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "http://127.0.0.1:8642/api/run", strings.NewReader(`{"hex": "c3"}`))
	rec := httptest.NewRecorder()
	done := make(chan struct{})
	go func() { s.Handler().ServeHTTP(rec, req); close(done) }()
	for len(s.limit.admitted) != 2 {
		runtime.Gosched() // the request is in the queue
	}
	cancel()
	<-done
	if rec.Code != http.StatusServiceUnavailable || decodeDoc(t, rec.Body.String())["error"] != cancelledMessage {
		t.Errorf("HTTP %d %s, want 503 and %q", rec.Code, rec.Body, cancelledMessage)
	}
}
