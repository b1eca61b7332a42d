package serve

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/jitrun/jitrun/isolate"
)

// The API: each handler reads one JSON request, turns it into a jitrun
// command line (request.go) and answers with the child's document
// (respond.go).

const (
	// maxBody caps a request body: source, arguments and standard
	// input together.
	maxBody = 1 << 20
	// maxArgs caps the arguments, breakpoints and kernels of a request.
	maxArgs = 64
	// maxArgValue caps one word of the child's command line (an
	// argument, the hex, any flag's value): Linux refuses to start a
	// program with a word over 128 KiB (MAX_ARG_STRLEN).
	maxArgValue = 64 << 10
	// defaultTimeout and maxTimeout bound a run's --timeout.
	defaultTimeout = time.Second
	maxTimeout     = 2 * time.Second
	// maxOutput caps what a child may print: its JSON document, or the
	// code's output inside it (run caps that at 1 MiB per stream).
	maxOutput = 8 << 20
)

// apiMethods is the method each API path takes, for the 405 of another.
var apiMethods = map[string]string{
	"/api/run": "POST", "/api/bench": "POST", "/api/asm": "POST", "/api/disasm": "POST", "/api/chart": "POST",
	"/api/examples": "GET, HEAD",
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	s.pageRoutes(mux) // page.go
	mux.HandleFunc("POST /api/run", handleJob[runRequest](s, kindRun))
	mux.HandleFunc("POST /api/bench", handleJob[benchRequest](s, kindBench))
	mux.HandleFunc("POST /api/asm", handleJob[asmRequest](s, kindAsm))
	mux.HandleFunc("POST /api/disasm", handleJob[disasmRequest](s, kindDisasm))
	mux.HandleFunc("GET /api/examples", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.examples)
	})
	mux.HandleFunc("POST /api/chart", s.chart) // chart.go
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		if method, ok := apiMethods[r.URL.Path]; ok {
			w.Header().Set("Allow", method)
			writeError(w, http.StatusMethodNotAllowed, "%s %s: this API takes %s", r.Method, r.URL.Path, method)
			return
		}
		writeError(w, http.StatusNotFound, "no API %s %s: the API is POST /api/run, /api/bench, /api/asm, /api/disasm, /api/chart and GET /api/examples", r.Method, r.URL.Path)
	})
	return mux
}

// handleJob is the handler of an API whose request, a Q, becomes one
// child's job: it decodes the body into a Q and answers with what the
// child printed.
func handleJob[Q any, P interface {
	*Q
	job() (isolate.Job, error)
}](s *Server, k kind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := P(new(Q))
		if decodeRequest(w, r, q) {
			s.answer(w, r, k, q.job)
		}
	}
}

// decodeRequest reads r's body, at most maxBody bytes of one JSON object
// with no unknown fields, into v. On failure it answers (413 for a body
// too large, 400 otherwise) and returns false.
func decodeRequest(w http.ResponseWriter, r *http.Request, v any) bool {
	return decodeBody(w, r, v, false, "")
}

// decodeBody is decodeRequest, which also takes fields v does not have
// when allowUnknown is set, and adds hint to a 400's message.
func decodeBody(w http.ResponseWriter, r *http.Request, v any, allowUnknown bool, hint string) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	dec := json.NewDecoder(r.Body)
	if !allowUnknown {
		dec.DisallowUnknownFields()
	}
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("more than one JSON value")
	}
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		writeError(w, http.StatusRequestEntityTooLarge, "request body larger than %s: source, arguments and stdin together take at most that", sizeText(maxBody))
		return false
	case err != nil:
		writeError(w, http.StatusBadRequest, "bad JSON request: %v%s", err, hint)
		return false
	}
	return true
}

// writeError answers with status and {"error": "..."}.
func writeError(w http.ResponseWriter, status int, format string, args ...any) {
	writeJSON(w, status, map[string]string{"error": fmt.Sprintf(format, args...)})
}

// writeJSON answers with status and v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error": "encoding the answer failed"}`)
	}
	writeBody(w, status, "application/json", append(b, '\n'))
}

// writeBody answers with status and body.
func writeBody(w http.ResponseWriter, status int, contentType string, body []byte) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	w.Write(body) // the client may have gone: nothing to do about it
}

// sizeText writes n bytes as 2 GiB, 1 MiB, 64 KiB or 100 bytes.
func sizeText(n int) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// requestError is a request that is well-formed JSON but asks for
// something wrong: its HTTP status (400, or 413 for a value too large)
// with its message.
type requestError struct {
	status int
	msg    string
}

func (e *requestError) Error() string { return e.msg }

// badRequest is a requestError answered 400.
func badRequest(format string, args ...any) error {
	return &requestError{http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

// checkArgValues refuses a command line that no program can be started
// with: a word over maxArgValue bytes (413) or holding a NUL byte (400).
// It names the flag the word is the value of, or the argument by its
// start.
func checkArgValues(args []string) error {
	afterDashes := false
	for i, a := range args {
		if a == "--" {
			afterDashes = true
		}
		if len(a) <= maxArgValue && !strings.Contains(a, "\x00") {
			continue
		}
		what := fmt.Sprintf("argument %q", a)
		if len(a) > 20 {
			what = fmt.Sprintf("argument %.20q…", a)
		}
		if !afterDashes && i > 0 {
			what = strings.TrimPrefix(args[i-1], "--") // a flag's value: hex, break, …
		}
		if len(a) > maxArgValue {
			return &requestError{http.StatusRequestEntityTooLarge, fmt.Sprintf("%s is %s: one value takes at most %s here (a program's command line cannot carry more); pass data as stdin", what, sizeText(len(a)), sizeText(maxArgValue))}
		}
		return badRequest("%s holds a NUL byte (\\u0000), which a command line cannot carry; pass bytes as u8:B,B,… or as stdin", what)
	}
	return nil
}

// jobFunc turns a decoded request into the child's job.
type jobFunc func() (isolate.Job, error)

// syntaxFlag checks a request's "syntax" (go, intel, att, gnu — another
// name for att — or auto; "" is auto) and returns run's --syntax value.
func syntaxFlag(syntax string) (string, error) {
	switch s := strings.ToLower(syntax); s {
	case "", "auto":
		return "auto", nil
	case "go", "intel", "att":
		return s, nil
	case "gnu":
		return "att", nil
	}
	return "", badRequest("syntax %q: want go, intel, att or auto", syntax)
}
