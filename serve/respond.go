package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/jitrun/jitrun/isolate"
)

// kind is which subcommand a request runs, for the answers that differ.
type kind int

const (
	kindRun kind = iota
	kindBench
	kindAsm
	kindDisasm
)

// statusHeader carries the child's exit status (0 ok, 2 bad input, 3
// fault, 4 timeout, 5 the code broke jitrun) beside the document.
const statusHeader = "X-Jitrun-Status"

// answer runs the job mk makes and answers with what the child printed:
//
//   - its JSON document, byte for byte, 200 (every run that produced a
//     result: returns, faults, timeouts, source that does not assemble);
//   - for a child that printed no document:
//     killed (a limit, the deadline) or cut at maxOutput: 200 and the
//     object run --json prints for a child that died, {"broken": why};
//     positioned problems on standard error (asm's and bench's
//     assembly errors, a bench kernel that faulted): 200 and
//     {"errors": [{"file", "line", "col", "message"}]};
//     bad input (status 2): 400 {"error"}; anything else 500 {"error"};
//   - a request jitrun cannot take: 400; the queue full: 429.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, k kind, mk jobFunc) {
	job, err := mk()
	if err == nil {
		err = checkArgValues(job.Args)
	}
	var bad *requestError
	switch {
	case errors.As(err, &bad):
		writeError(w, bad.status, "%s", bad.msg)
		return
	case err != nil:
		writeError(w, http.StatusInternalServerError, "%v", err)
		return
	}
	job.Exe = s.cfg.Exe
	release, ok := s.limit.acquire(r.Context())
	if !ok {
		if r.Context().Err() != nil {
			// The server is stopping (or the client left) while the
			// request waited for a slot.
			writeError(w, http.StatusServiceUnavailable, "%s", cancelledMessage)
			return
		}
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusTooManyRequests, "busy: %d runs are running or waiting; retry in a second", s.cfg.MaxRuns+s.cfg.MaxQueued)
		return
	}
	res, err := isolate.Run(r.Context(), job)
	release()
	switch {
	case errors.Is(err, context.Canceled) || r.Context().Err() != nil:
		writeError(w, http.StatusServiceUnavailable, "%s", cancelledMessage)
		return
	case err != nil:
		writeError(w, http.StatusInternalServerError, "starting the run: %v", err)
		return
	}
	if !res.NoDocument {
		// isolate's verdict replaces jitrun's status of a child that
		// printed no document: then there is none to give.
		w.Header().Set(statusHeader, strconv.Itoa(res.Status))
	}
	status, body := resultBody(k, res)
	writeBody(w, status, "application/json", body)
}

// cancelledMessage answers a request whose context ended before its
// child did (503): Serve's context ended, or the client went away.
const cancelledMessage = "the server is stopping, or the request was cancelled: the run was killed"

// resultBody is the HTTP status and body for a finished child.
func resultBody(k kind, res *isolate.Result) (int, []byte) {
	out := bytes.TrimSpace(res.Stdout)
	if res.Died == "" && !res.Truncated && len(out) > 0 && out[0] == '{' && json.Valid(out) {
		return http.StatusOK, res.Stdout
	}
	refused := res.Signal == 0 && res.NoDocument // jitrun said why on standard error
	switch {
	case res.Truncated:
		return http.StatusOK, brokenDocument(k, "the result was larger than "+sizeText(maxOutput)+" and was cut", false)
	case res.Died != "" && !refused:
		return http.StatusOK, brokenDocument(k, res.Died, res.Status == 4)
	}
	stderr := strings.TrimSpace(string(res.Stderr))
	if k != kindDisasm {
		if errs := positionedErrors(stderr); errs != nil {
			b, _ := json.MarshalIndent(errs, "", "  ")
			return http.StatusOK, append(b, '\n')
		}
	}
	if stderr == "" {
		stderr = "jitrun printed nothing (exit status " + strconv.Itoa(res.Status) + ")"
	}
	// A system error that is an allocation refused (a --stack, buf:N or
	// --buffer past the child's address-space limit) is the request's
	// doing: 400, said so.
	outOfMemory := res.Status == 1 && strings.Contains(stderr, "(ENOMEM)")
	if outOfMemory {
		stderr += "; a run's address space is limited here (" + sizeText(int(isolate.DefaultLimits().AddressSpace)) + " with jitrun itself): ask for less memory"
	}
	msg, _ := json.MarshalIndent(map[string]string{"error": stderr}, "", "  ")
	if res.Status == 2 || refused || outOfMemory {
		return http.StatusBadRequest, append(msg, '\n')
	}
	return http.StatusInternalServerError, append(msg, '\n')
}

// brokenJSON is the object run --json prints for a child that died: no
// registers, no fault, and why.
type brokenJSON struct {
	RAX     *int64 `json:"rax"`
	RDX     *int64 `json:"rdx"`
	XMM0    any    `json:"xmm0"`
	Regs    any    `json:"regs"`
	Fault   any    `json:"fault"`
	Timeout bool   `json:"timeout"`
	Broken  string `json:"broken"`
}

func brokenDocument(k kind, why string, timeout bool) []byte {
	var v any = brokenJSON{Timeout: timeout, Broken: why}
	if k != kindRun {
		v = map[string]any{"broken": why, "timeout": timeout}
	}
	b, _ := json.MarshalIndent(v, "", "  ")
	return append(b, '\n')
}

// errorsJSON is {"errors": [...]}, as run --json prints for source that
// does not assemble.
type errorsJSON struct {
	Errors []errorJSON `json:"errors"`
	// Detail is the rest of jitrun's message (a faulting bench
	// kernel's registers), when there is more than the lines above.
	Detail string `json:"detail,omitempty"`
}

type errorJSON struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Col     int    `json:"col"`
	Message string `json:"message"`
}

// positionLine is one positioned message of jitrun: FILE:LINE:COL: text.
var positionLine = regexp.MustCompile(`^([^:\s]+):([0-9]+):([0-9]+): (.*)$`)

// positionedErrors reads jitrun's positioned messages from stderr; the
// other lines (warnings, a faulting kernel's registers) are the detail.
// It returns nil when no line is positioned.
func positionedErrors(stderr string) *errorsJSON {
	doc := &errorsJSON{Errors: []errorJSON{}}
	var detail []string
	for _, line := range strings.Split(stderr, "\n") {
		m := positionLine.FindStringSubmatch(line)
		if m == nil {
			detail = append(detail, line)
			continue
		}
		ln, _ := strconv.Atoi(m[2])
		col, _ := strconv.Atoi(m[3])
		doc.Errors = append(doc.Errors, errorJSON{File: m[1], Line: ln, Col: col, Message: m[4]})
	}
	if len(doc.Errors) == 0 {
		return nil
	}
	doc.Detail = strings.Join(detail, "\n")
	return doc
}
