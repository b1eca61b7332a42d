package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/jitrun/jitrun/probe"
)

// cmdProbe is `jitrun probe [--only PATTERNS] [--json | --list] [-v]`.
func cmdProbe(e *env, args []string) int {
	fs := newFlagSet(e, "probe", "[--only PATTERN,...] [--json | --list] [-v]",
		"Probe measures what this CPU and kernel really enforce for page protections, NX/XD and W^X.\n"+
			"Each probe does the access for real (a read, a write, or a call of a RET placed beforehand)\n"+
			"under fault recovery and reports allowed, fault (with the signal, si_code, exception and\n"+
			"page-fault error code), refused (with the errno), skipped (with why) or error. Probes that\n"+
			"change a process for good (text, mdwe, memfd, mseal, personality) run in a child process.\n"+
			"Some probes make a page writable and executable for a moment (rwx mappings, adding exec\n"+
			"to the heap or the stack): that is what they measure; each restores what it changed.\n"+
			"The output is the host's posture, a table per section, and a summary in words.\n"+
			"Exit status: 0 every probe ran, 1 a probe could not be carried out (error), 2 bad flags.")
	only := fs.String("only", "", "run only the probes matching one of these comma-separated `patterns`: a pattern with * ? or [ is a\n"+
		"glob matched against the whole name ('exec.*', 'matrix.*.r-x', '*.heap'; * also matches dots);\n"+
		"a probe's full name selects that probe alone ('viol.vsyscall'); any other pattern is a name\n"+
		"prefix ('matrix', 'mdwe.', 'viol.vsyscall.')")
	asJSON := fs.Bool("json", false, "print {\"host\": {...}, \"probes\": [{\"name\", \"requested\", \"read\", \"write\", \"exec\", \"result\", \"evidence\": {...}}, ...], \"summary\": [...]}")
	list := fs.Bool("list", false, "list the probes (those --only selects) with what each does, and run none")
	verbose := fs.Bool("v", false, "verbose: under each probe, every step with its full evidence, the /proc/self/maps line and the time")
	pos, status, ok := parseFlags(e, fs, args)
	if !ok {
		return status
	}
	fail := e.usageError("probe")
	if len(pos) > 0 {
		return fail("takes no arguments, got %q (select probes with --only)", strings.Join(pos, " "))
	}
	if *asJSON && *list {
		return fail("--json and --list are two outputs: give one")
	}
	var patterns []string
	if flagGiven(fs, "only") {
		for _, p := range strings.Split(*only, ",") {
			if p = strings.TrimSpace(p); p == "" {
				return fail("--only %q: empty pattern", *only)
			}
			patterns = append(patterns, p)
		}
	}
	selected, err := probe.Select(patterns)
	if err != nil {
		return fail("--only: %v", strings.TrimPrefix(err.Error(), "probe: "))
	}
	if *list {
		width := 0
		for _, p := range selected {
			width = max(width, len(p.Name))
		}
		for _, p := range selected {
			doc := p.Doc
			if p.Child != "" {
				doc += " [child process]"
			}
			fmt.Fprintf(e.stdout, "%-*s  %s\n", width, p.Name, doc)
		}
		return exitOK
	}
	rep, err := probe.Run(context.Background(), probe.Options{Only: patterns})
	if err != nil {
		fmt.Fprintf(e.stderr, "jitrun probe: %v\n", err)
		return exitError
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		err = enc.Encode(rep)
	} else {
		err = rep.WriteText(e.stdout, *verbose)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "jitrun probe: %v\n", err)
		return exitError
	}
	for _, r := range rep.Probes {
		if r.Result == probe.Failed {
			fmt.Fprintf(e.stderr, "jitrun probe: %s could not be carried out (see its evidence)\n", r.Name)
			return exitError
		}
	}
	return exitOK
}
