package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/jitrun/jitrun/probe"
)

const probeUsage = "[--only PATTERN,...] [--json | --list] [-v]"

const probeHelp = "Probe measures what this CPU and kernel really enforce for page protections, NX/XD and W^X.\n" +
	"Each probe does the access for real (a read, a write, or a call of a RET placed beforehand)\n" +
	"under fault recovery and reports allowed, fault (with the signal, si_code, exception and\n" +
	"page-fault error code), refused (with the errno), skipped (with why) or error. Probes that\n" +
	"change a process for good (text, mdwe, memfd, mseal, personality) run in a child process.\n" +
	"Some probes make a page writable and executable for a moment (rwx mappings, adding exec\n" +
	"to the heap or the stack): that is what they measure; each restores what it changed.\n" +
	"The output is the host's posture, a table per section, and a summary in words.\n" +
	"A probe that could not be carried out (error) makes the exit status 1."

// probeFlags are the flags of `jitrun probe`.
type probeFlags struct {
	only                string
	json, list, verbose bool
}

func (f *probeFlags) register(fset *flag.FlagSet) {
	fset.StringVar(&f.only, "only", "", "run only the probes matching one of these comma-separated `patterns`: a pattern with * ? or [ is a\n"+
		"glob matched against the whole name ('exec.*', 'matrix.*.r-x', '*.heap'; * also matches dots);\n"+
		"a probe's full name selects that probe alone ('viol.vsyscall'); any other pattern is a name\n"+
		"prefix ('matrix', 'mdwe.', 'viol.vsyscall.')")
	fset.BoolVar(&f.json, "json", false, "print {\"host\": {...}, \"probes\": [{\"name\", \"requested\", \"read\", \"write\", \"exec\", \"result\", \"evidence\": {...}}, ...], \"summary\": [...]}")
	fset.BoolVar(&f.list, "list", false, "list the probes (those --only selects) with what each does, and run none")
	fset.BoolVar(&f.verbose, "v", false, "verbose: under each probe, every step with its full evidence, the /proc/self/maps line and the time")
}

// cmdProbe is `jitrun probe [--only PATTERNS] [--json | --list] [-v]`.
func cmdProbe(e *env, cl *commandLine, f *probeFlags) error {
	patterns, err := f.patterns(cl)
	if err != nil {
		return err
	}
	if f.list {
		return listProbes(e, patterns)
	}
	rep, err := probe.Run(context.Background(), probe.Options{Only: patterns})
	if err != nil {
		return systemError("%v", err)
	}
	if f.json {
		err = writeJSON(e.stdout, rep)
	} else {
		err = rep.WriteText(e.stdout, f.verbose)
	}
	if err != nil {
		return systemError("%v", err)
	}
	for _, r := range rep.Probes {
		if r.Result == probe.Failed {
			return systemError("%s could not be carried out (see its evidence)", r.Name)
		}
	}
	return nil
}

// patterns checks the arguments and reads --only.
func (f *probeFlags) patterns(cl *commandLine) ([]string, error) {
	if len(cl.pos) > 0 {
		return nil, inputError("takes no arguments, got %q (select probes with --only)", strings.Join(cl.pos, " "))
	}
	if f.json && f.list {
		return nil, inputError("--json and --list are two outputs: give one")
	}
	var patterns []string
	if cl.given("only") {
		for _, p := range strings.Split(f.only, ",") {
			if p = strings.TrimSpace(p); p == "" {
				return nil, inputError("--only %q: empty pattern", f.only)
			}
			patterns = append(patterns, p)
		}
	}
	if _, err := probe.Select(patterns); err != nil {
		return nil, inputError("--only: %v", strings.TrimPrefix(err.Error(), "probe: "))
	}
	return patterns, nil
}

// listProbes prints the probes the patterns select, with what each does.
func listProbes(e *env, patterns []string) error {
	selected, _ := probe.Select(patterns) // checked by patterns
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
	return nil
}
