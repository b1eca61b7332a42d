package serve

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/jitrun/jitrun/isolate"
)

// The requests and the jitrun command line each becomes. Source is
// written into the child's private directory as prog.s (bench: one file
// per kernel) and named on the command line; every value the request
// gives goes after its flag, and the code's arguments after "--", so no
// request text is ever read as a flag.

// sourceFile is the name the source has in the child, and in positions.
const sourceFile = "prog.s"

// runRequest is the body of POST /api/run.
type runRequest struct {
	Source  *string  `json:"source"`
	Syntax  string   `json:"syntax"`
	Hex     *string  `json:"hex"`
	Args    []string `json:"args"`
	Stdin   string   `json:"stdin"`
	Timeout string   `json:"timeout"`
	Entry   string   `json:"entry"`
	Stack   string   `json:"stack"`
	Trace   bool     `json:"trace"`
	Breaks  []string `json:"breaks"`
}

// runLimits are the child's limits for a run that may take timeout: its
// CPU time and wall clock cover the timeout, jitrun's start and the
// assembly.
func runLimits(timeout time.Duration) isolate.Limits {
	return isolate.Limits{
		CPU:          timeout + 2*time.Second,
		Wall:         timeout + 3*time.Second,
		AddressSpace: 0, // isolate.DefaultLimits: room for the Go runtime's reservations
		FileSize:     0, // the default
		OpenFiles:    0, // the default
		Output:       maxOutput,
	}
}

// job is jitrun run --json for q.
func (q *runRequest) job() (isolate.Job, error) {
	timeout, err := parseTimeout(q.Timeout)
	if err != nil {
		return isolate.Job{}, err
	}
	args := []string{"run", "--json", "--timeout", timeout.String()}
	job := isolate.Job{Stdin: []byte(q.Stdin), Policy: isolate.Web, Limits: runLimits(timeout)}
	switch {
	case q.Source != nil && q.Hex != nil:
		return job, badRequest("give the code as source or as hex, not both")
	case q.Hex != nil:
		if q.Syntax != "" {
			return job, badRequest("syntax is the syntax of source; hex is machine code: drop one")
		}
		args = append(args, "--hex", *q.Hex)
	case q.Source != nil:
		syntax, err := syntaxFlag(q.Syntax)
		if err != nil {
			return job, err
		}
		args = append(args, "--syntax", syntax)
		job.Files = map[string][]byte{sourceFile: []byte(*q.Source)}
	default:
		return job, badRequest(`need the code: "source" (assembly text) or "hex" (machine code)`)
	}
	if q.Entry != "" {
		args = append(args, "--entry", q.Entry)
	}
	if q.Stack != "" {
		args = append(args, "--stack", q.Stack)
	}
	if q.Trace {
		args = append(args, "--trace")
	}
	if len(q.Breaks) > maxArgs {
		return job, badRequest("%d breaks: at most %d", len(q.Breaks), maxArgs)
	}
	for _, b := range q.Breaks {
		args = append(args, "--break", b)
	}
	if err := checkArgs(q.Args); err != nil {
		return job, err
	}
	args = append(args, "--")
	if q.Source != nil {
		args = append(args, sourceFile)
	}
	job.Args = append(args, q.Args...)
	return job, nil
}

// parseTimeout reads a request's "timeout": default 1s, at most 2s.
func parseTimeout(s string) (time.Duration, error) {
	if s == "" {
		return defaultTimeout, nil
	}
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		return 0, badRequest("timeout %q is not a duration: write 100ms or 2s", s)
	case d <= 0:
		return 0, badRequest("timeout %q: want more than 0 (at most %v here)", s, maxTimeout)
	case d > maxTimeout:
		return 0, badRequest("timeout %v: at most %v here", d, maxTimeout)
	}
	return d, nil
}

// checkArgs refuses too many arguments and file: arguments, which would
// read the server's files.
func checkArgs(args []string) error {
	if len(args) > maxArgs {
		return badRequest("%d arguments: at most %d", len(args), maxArgs)
	}
	for i, a := range args {
		if strings.HasPrefix(strings.ToLower(strings.TrimSpace(a)), "file:") {
			return badRequest("argument %d (%q): file: arguments read the server's files and are refused here; pass the bytes as str:TEXT or u8:B,B,…", i+1, a)
		}
	}
	return nil
}

// benchRequest is the body of POST /api/bench: one kernel as "source",
// or several as "kernels" (the first is the base of the comparisons).
type benchRequest struct {
	Source  *string       `json:"source"`
	Kernels []benchKernel `json:"kernels"`
	Syntax  string        `json:"syntax"`
	Init    string        `json:"init"`
	Buffer  string        `json:"buffer"`
}

type benchKernel struct {
	Name   string `json:"name"`
	Source string `json:"source"`
}

// maxKernels caps the kernels of one bench request (each is measured for
// a fraction of a second).
const maxKernels = 4

// benchTimeout is bench's --timeout (one timed region), benchWall the
// whole child's.
const (
	benchTimeout = 2 * time.Second
	benchWall    = 20 * time.Second
)

var kernelName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]{0,63}$`)

// job is jitrun bench --json for q.
func (q *benchRequest) job() (isolate.Job, error) {
	job := isolate.Job{Policy: isolate.Web, Files: map[string][]byte{}, Limits: runLimits(benchWall - 3*time.Second)}
	kernels := q.Kernels
	switch {
	case q.Source != nil && len(kernels) > 0:
		return job, badRequest(`give one kernel as "source" or several as "kernels", not both`)
	case q.Source != nil:
		kernels = []benchKernel{{Name: "kernel", Source: *q.Source}}
	case len(kernels) == 0:
		return job, badRequest(`need a kernel: "source", or "kernels": [{"name", "source"}]`)
	case len(kernels) > maxKernels:
		return job, badRequest("%d kernels: at most %d", len(kernels), maxKernels)
	}
	syntax, err := syntaxFlag(q.Syntax)
	if err != nil {
		return job, err
	}
	args := []string{"bench", "--json", "--timeout", benchTimeout.String(), "--syntax", syntax}
	if q.Init != "" {
		args = append(args, "--init", q.Init)
	}
	if q.Buffer != "" {
		args = append(args, "--buffer", q.Buffer)
	}
	var files []string
	for i, k := range kernels {
		name := k.Name
		if name == "" {
			name = fmt.Sprintf("kernel%d", i+1)
		}
		if !kernelName.MatchString(name) {
			return job, badRequest("kernel name %q: want letters, digits, _ . - (at most 64)", name)
		}
		// One kernel from the editor is the editor's file, prog.s, so
		// that its positions name it; several are k1_NAME.s, ….
		file := sourceFile
		if q.Source == nil {
			file = fmt.Sprintf("k%d_%s.s", i+1, name)
		}
		job.Files[file] = []byte(k.Source)
		args = append(args, "--name", name)
		files = append(files, file)
	}
	job.Args = append(append(args, "--"), files...)
	return job, nil
}

// asmRequest is the body of POST /api/asm.
type asmRequest struct {
	Source string `json:"source"`
	Syntax string `json:"syntax"`
}

// job is jitrun asm --format json for q.
func (q *asmRequest) job() (isolate.Job, error) {
	syntax, err := syntaxFlag(q.Syntax)
	if err != nil {
		return isolate.Job{}, err
	}
	return isolate.Job{
		Args:   []string{"asm", "--format", "json", "--syntax", syntax, "--", sourceFile},
		Files:  map[string][]byte{sourceFile: []byte(q.Source)},
		Policy: isolate.Web, Limits: runLimits(0),
	}, nil
}

// disasmRequest is the body of POST /api/disasm.
type disasmRequest struct {
	Hex    string `json:"hex"`
	Syntax string `json:"syntax"`
	Base   string `json:"base"`
	Mark   string `json:"mark"`
}

// job is jitrun disasm --json for q.
func (q *disasmRequest) job() (isolate.Job, error) {
	if q.Hex == "" {
		return isolate.Job{}, badRequest(`need "hex": the machine code to list`)
	}
	args := []string{"disasm", "--json", "--hex", q.Hex}
	switch strings.ToLower(q.Syntax) {
	case "", "go", "intel", "att":
		if q.Syntax != "" {
			args = append(args, "--syntax", strings.ToLower(q.Syntax))
		}
	default:
		return isolate.Job{}, badRequest("syntax %q: want go, intel or att", q.Syntax)
	}
	if q.Base != "" {
		args = append(args, "--base", q.Base)
	}
	if q.Mark != "" {
		args = append(args, "--mark", q.Mark)
	}
	return isolate.Job{Args: args, Policy: isolate.Web, Limits: runLimits(0)}, nil
}
