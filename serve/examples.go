package serve

import (
	"strconv"
	"strings"

	"github.com/jitrun/jitrun/internal/examples"
)

// exampleJSON is one example of GET /api/examples: the file and how to
// run it with POST /api/run.
type exampleJSON struct {
	Name    string           `json:"name"`
	File    string           `json:"file"`
	Syntax  string           `json:"syntax"`
	Summary string           `json:"summary"`
	Source  string           `json:"source"`
	Runs    []exampleRunJSON `json:"runs"`
}

// exampleRunJSON is one Run: line as /api/run fields. What the API has no
// field for is translated and said in Note: a --map file becomes a u8:
// memory argument with its bytes and its length (the same two registers),
// --threads is dropped (the page runs one thread).
type exampleRunJSON struct {
	Args    []string `json:"args"`
	Entry   string   `json:"entry,omitempty"`
	Timeout string   `json:"timeout,omitempty"`
	Stack   string   `json:"stack,omitempty"`
	Note    string   `json:"note,omitempty"`
}

func examplesToJSON(list []examples.Example) []exampleJSON {
	out := make([]exampleJSON, 0, len(list))
	for _, ex := range list {
		j := exampleJSON{Name: ex.Name, File: ex.File, Syntax: ex.Syntax, Summary: ex.Summary, Source: ex.Source}
		for _, r := range ex.Runs {
			rj := exampleRunJSON{Args: []string{}, Entry: r.Entry, Timeout: r.Timeout, Stack: r.Stack}
			var notes []string
			if r.Map != "" {
				bytes := make([]string, len(r.MapData))
				for i, b := range r.MapData {
					bytes[i] = strconv.Itoa(int(b))
				}
				rj.Args = append(rj.Args, "u8:"+strings.Join(bytes, ","), strconv.Itoa(len(r.MapData)))
				notes = append(notes, "--map "+r.Map+" is passed as its bytes (u8:) and its length")
			}
			if r.Threads != "" {
				notes = append(notes, "--threads "+r.Threads+" is not offered here: one thread runs")
			}
			rj.Args = append(rj.Args, r.Args...)
			rj.Note = strings.Join(notes, "; ")
			j.Runs = append(j.Runs, rj)
		}
		out = append(out, j)
	}
	return out
}
