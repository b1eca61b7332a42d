package serve

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
)

// FuzzRequestJobs decodes any body as each request and builds its job:
// never a panic; a refusal is a requestError; and an accepted run puts
// every request value after a flag or after "--", so none is read as a
// flag of jitrun's.
func FuzzRequestJobs(f *testing.F) {
	f.Add(`{"source": "RET", "args": ["-5", "--json"], "breaks": ["--trace"], "entry": "--hex"}`)
	f.Add(`{"hex": "c3", "timeout": "2s"}`)
	f.Add(`{"kernels": [{"name": "a", "source": "NOP"}], "init": "--x"}`)
	f.Add(`{"hex": "--json", "syntax": "att", "base": "-1"}`)
	f.Fuzz(func(t *testing.T, body string) {
		for _, q := range []interface {
			job() (jobArgs, error)
		}{&runJobs{}, &benchJobs{}, &asmJobs{}, &disasmJobs{}} {
			dec := json.NewDecoder(strings.NewReader(body))
			dec.DisallowUnknownFields()
			if dec.Decode(q) != nil {
				continue
			}
			args, err := q.job()
			var bad *requestError
			if err != nil {
				if !errors.As(err, &bad) {
					t.Fatalf("%T: error %v is not a requestError", q, err)
				}
				continue
			}
			checkJobArgs(t, args)
		}
	})
}

// The request types with job returning only the arguments, for the fuzz
// target.
type (
	jobArgs    []string
	runJobs    struct{ runRequest }
	benchJobs  struct{ benchRequest }
	asmJobs    struct{ asmRequest }
	disasmJobs struct{ disasmRequest }
)

func (q *runJobs) job() (jobArgs, error)    { j, err := q.runRequest.job(); return j.Args, err }
func (q *benchJobs) job() (jobArgs, error)  { j, err := q.benchRequest.job(); return j.Args, err }
func (q *asmJobs) job() (jobArgs, error)    { j, err := q.asmRequest.job(); return j.Args, err }
func (q *disasmJobs) job() (jobArgs, error) { j, err := q.disasmRequest.job(); return j.Args, err }

// valueFlags are the flags of the jobs that take a value.
var valueFlags = []string{"--timeout", "--syntax", "--hex", "--entry", "--stack", "--break", "--init", "--buffer", "--name", "--format", "--base", "--mark"}

// checkJobArgs checks that every word before "--" is a flag the server
// chose or the value after one.
func checkJobArgs(t *testing.T, args []string) {
	t.Helper()
	if len(args) == 0 || !slices.Contains([]string{"run", "bench", "asm", "disasm"}, args[0]) {
		t.Fatalf("args %q: no subcommand first", args)
	}
	known := append([]string{"--json", "--trace"}, valueFlags...)
	for i := 1; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return
		}
		if !slices.Contains(known, a) {
			t.Fatalf("args %q: %q at %d is not a flag the server gives", args, a, i)
		}
		if slices.Contains(valueFlags, a) {
			i++ // its value, whatever it holds
		}
	}
}

// FuzzPositionedErrors reads any text as jitrun's standard error: never a
// panic, and each error comes from a line of it.
func FuzzPositionedErrors(f *testing.F) {
	f.Add("prog.s:2:1: unknown instruction FOO\nprog.s:3:5: bad")
	f.Add("jitrun bench: warning\nk1_kernel.s:1:1: kernel faulted\n\trax 0")
	f.Add("a:1:2:")
	f.Fuzz(func(t *testing.T, stderr string) {
		doc := positionedErrors(stderr)
		if doc == nil {
			return
		}
		b, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		if len(doc.Errors) == 0 || !json.Valid(b) {
			t.Fatalf("%q: %s", stderr, b)
		}
		for _, e := range doc.Errors {
			if !bytes.Contains([]byte(stderr), []byte(e.File)) || !strings.Contains(stderr, e.Message) {
				t.Fatalf("%q: error %+v is not from the text", stderr, e)
			}
		}
	})
}
