// Package examples reads the repository's example programs, embedded in
// the binary by the root package (jitrun.Examples), so that jitrun serve
// can offer them without reading the file system.
//
// Every example exists three times, NAME.s in Go syntax, NAME.asm in
// Intel syntax and att/NAME.s in AT&T syntax. Its first line is a comment
// saying what it teaches, and each
// "Run: jitrun run …" comment line below it is a command that runs it
// (cmd/jitrun's tests run every one). List reads those lines into Runs:
// the positional arguments and the flags run takes, with the --map file's
// bytes (numbers.txt) read from the same embedded tree, so that a caller
// that cannot map files can pass them another way.
package examples

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/jitrun/jitrun"
)

// FS is the examples directory itself: the .s and .asm sources and the
// data files they map at its root, the AT&T sources under att/. It is
// read-only.
func FS() fs.FS {
	sub, err := fs.Sub(jitrun.Examples(), "examples")
	if err != nil {
		// fs.Sub fails only for an invalid path; "examples" is valid.
		return jitrun.Examples()
	}
	return sub
}

// Example is one source file of the directory.
type Example struct {
	Name    string // the file's name without extension: "add", "att/add"
	File    string // the file's path in the directory: "add.s", "att/add.s"
	Syntax  string // "go" for .s files, "intel" for .asm files, "att" under att/
	Summary string // the first line's comment: "add.s teaches the calling convention: …"
	Source  string // the whole file
	Runs    []Run  // the Run: lines, in order
}

// Run is one "Run: jitrun run [FLAGS] FILE [ARGS]" line of an example.
// Flags other than those named here make List fail: the examples use no
// others, and a caller must not drop one silently.
type Run struct {
	Args    []string // the positional arguments after FILE
	Entry   string   // --entry
	Timeout string   // --timeout
	Stack   string   // --stack
	Threads string   // --threads
	Map     string   // --map: a file of the directory
	MapData []byte   // the --map file's bytes
}

// maxRunWords caps the words of one Run: line.
const maxRunWords = 64

// List returns every example, sorted by path (add.asm before add.s,
// att/add.s after both).
func List() ([]Example, error) {
	var names []string
	for _, pattern := range []string{"*.s", "*.asm", "att/*.s"} {
		found, err := fs.Glob(FS(), pattern)
		if err != nil {
			return nil, err
		}
		names = append(names, found...)
	}
	slices.Sort(names)
	var out []Example
	for _, name := range names {
		ex, err := read(name)
		if err != nil {
			return nil, err
		}
		out = append(out, ex)
	}
	return out, nil
}

// read parses one example file.
func read(file string) (Example, error) {
	src, err := fs.ReadFile(FS(), file)
	if err != nil {
		return Example{}, err
	}
	ext := path.Ext(file)
	ex := Example{Name: strings.TrimSuffix(file, ext), File: file, Syntax: "go", Source: string(src)}
	comment := "// "
	switch {
	case ext == ".asm":
		ex.Syntax, comment = "intel", "; "
	case path.Dir(file) == "att":
		ex.Syntax, comment = "att", "# "
	}
	lines := strings.Split(ex.Source, "\n")
	if !strings.HasPrefix(lines[0], comment) {
		return Example{}, fmt.Errorf("examples/%s:1:1: the first line is not a %q comment saying what the example teaches", file, comment)
	}
	ex.Summary = strings.TrimPrefix(lines[0], comment)
	prefix := comment + "Run: jitrun run "
	for i, line := range lines {
		if !strings.HasPrefix(line, prefix) {
			continue
		}
		run, err := parseRun(file, strings.TrimPrefix(line, prefix))
		if err != nil {
			return Example{}, fmt.Errorf("examples/%s:%d:%d: %v", file, i+1, len(prefix)+1, err)
		}
		ex.Runs = append(ex.Runs, run)
	}
	if len(ex.Runs) == 0 {
		return Example{}, fmt.Errorf("examples/%s: no %q line", file, prefix)
	}
	return ex, nil
}

// parseRun reads the words after "jitrun run": flags with a value, the
// example's own path, and the arguments after it. Words are separated by
// spaces; the examples quote none.
func parseRun(file, line string) (Run, error) {
	words := strings.Fields(line)
	if len(words) > maxRunWords {
		return Run{}, fmt.Errorf("more than %d words", maxRunWords)
	}
	var run Run
	flags := map[string]*string{"--entry": &run.Entry, "--timeout": &run.Timeout, "--stack": &run.Stack, "--threads": &run.Threads, "--map": &run.Map}
	sawFile := false
	for i := 0; i < len(words); i++ {
		w := words[i]
		switch {
		case sawFile:
			run.Args = append(run.Args, w)
		case w == "examples/"+file:
			sawFile = true
		case flags[w] != nil:
			if i+1 == len(words) {
				return Run{}, fmt.Errorf("%s needs a value", w)
			}
			*flags[w] = words[i+1]
			i++
		default:
			return Run{}, fmt.Errorf("%q is neither examples/%s nor a flag this package knows (--entry, --timeout, --stack, --threads, --map)", w, file)
		}
	}
	if !sawFile {
		return Run{}, fmt.Errorf("the command does not name examples/%s", file)
	}
	if run.Map != "" {
		data, err := fs.ReadFile(FS(), strings.TrimPrefix(run.Map, "examples/"))
		if err != nil {
			return Run{}, fmt.Errorf("--map %s: %v", run.Map, err)
		}
		run.MapData = data
	}
	return run, nil
}
