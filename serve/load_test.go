package serve

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// openFiles counts this process's open descriptors.
func openFiles(t *testing.T) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("cannot count descriptors: %v", err)
	}
	return len(fds)
}

// settled waits until the goroutines and descriptors are back to the
// baseline (the server's connection goroutines end a moment after their
// responses) and returns the last counts. The deadline is a safety net,
// not a measurement.
func settled(t *testing.T, goroutines, fds int) (int, int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		g, f := runtime.NumGoroutine(), openFiles(t)
		if g <= goroutines && f <= fds || time.Now().After(deadline) {
			return g, f
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// steady returns the goroutine and descriptor counts once they have not
// changed for ten readings in a row.
func steady(t *testing.T) (int, int) {
	t.Helper()
	g, f, same := -1, -1, 0
	for same < 10 {
		time.Sleep(10 * time.Millisecond)
		g2, f2 := runtime.NumGoroutine(), openFiles(t)
		if g2 == g && f2 == f {
			same++
		} else {
			g, f, same = g2, f2, 0
		}
	}
	return g, f
}

func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the load test starts many children")
	}
	ts := startServer(t, Config{})
	const body = `{"source": "MOVQ DI, AX\nADDQ SI, AX\nRET\n", "args": ["2", "3"]}`
	// One request first, so the baseline has the client's transport
	// and the server's lazily started goroutines.
	if status, _, b := ts.post(t, "/api/run", body, nil); status != 200 {
		t.Fatalf("warm-up: HTTP %d %s", status, b)
	}
	goroutines, fds := steady(t)
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)

	const n = 200
	type answer struct {
		status     int
		retryAfter string
		rax        any
		err        error
	}
	answers := make([]answer, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			req, _ := http.NewRequest(http.MethodPost, ts.url+"/api/run", strings.NewReader(body))
			resp, err := ts.client.Do(req)
			if err != nil {
				answers[i].err = err
				return
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			var doc map[string]any
			if err == nil {
				err = json.Unmarshal(b, &doc)
			}
			answers[i] = answer{resp.StatusCode, resp.Header.Get("Retry-After"), doc["rax"], err}
		})
	}
	close(start)
	wg.Wait()
	ran, refused := 0, 0
	for i, a := range answers {
		switch {
		case a.err != nil:
			t.Errorf("request %d: %v", i, a.err)
		case a.status == 200 && a.rax == 5.0:
			ran++
		case a.status == 429 && a.retryAfter == "1":
			refused++
		default:
			t.Errorf("request %d: HTTP %d, Retry-After %q, rax %v", i, a.status, a.retryAfter, a.rax)
		}
	}
	if ran == 0 {
		t.Errorf("no request ran")
	}
	g, f := settled(t, goroutines, fds)
	if g > goroutines || f > fds {
		t.Errorf("after the load: %d goroutines, %d descriptors; before: %d, %d", g, f, goroutines, fds)
	}
	answers = nil
	var after runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&after)
	// What a request holds while it runs (its body, the child's output,
	// buffers) is tens of KiB; kept after its answer, 200 of them would
	// show here. The heap of the Go runtime itself moves by a few
	// hundred KiB between collections, far below this.
	const leakPerRequest = 16 << 10
	if grown := int64(after.HeapAlloc) - int64(before.HeapAlloc); grown > n*leakPerRequest {
		t.Errorf("the heap grew by %d KiB over %d requests: more than %d KiB each stayed", grown>>10, n, leakPerRequest>>10)
	}
	t.Logf("%d requests: %d ran, %d refused with 429; goroutines %d -> %d, descriptors %d -> %d, heap allocated %d KiB -> %d KiB",
		n, ran, refused, goroutines, g, fds, f, before.HeapAlloc>>10, after.HeapAlloc>>10)
}

// BenchmarkAPIRun is one POST /api/run of a trivial program, answered:
// HTTP, the isolated child (start, assemble, run, report) and the JSON.
func BenchmarkAPIRun(b *testing.B) {
	ts := startServer(b, Config{})
	const body = `{"source": "MOVQ DI, AX\nADDQ SI, AX\nRET\n", "args": ["2", "3"]}`
	for b.Loop() {
		resp, err := ts.client.Post(ts.url+"/api/run", "application/json", strings.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("HTTP %d", resp.StatusCode)
		}
	}
}
