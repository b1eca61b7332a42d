package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// statusInputs are the inputs of TestBadInputEverywhere: a directory, a
// missing file, an empty file, and files one byte past each cap (sparse:
// they take no disk space).
type statusInputs struct {
	dir, missing, empty, bigSource, bigCode, bigMap string
}

func makeStatusInputs(t *testing.T) statusInputs {
	t.Helper()
	dir := t.TempDir()
	in := statusInputs{
		dir:       dir,
		missing:   filepath.Join(dir, "missing.s"),
		empty:     filepath.Join(dir, "empty.s"),
		bigSource: filepath.Join(dir, "big.s"),
		bigCode:   filepath.Join(dir, "big.bin"),
		bigMap:    filepath.Join(dir, "big.txt"),
	}
	for path, size := range map[string]int64{in.empty: 0, in.bigSource: maxSource + 1, in.bigCode: maxCode + 1, in.bigMap: maxMapFile + 1} {
		f, err := os.Create(path)
		if err == nil {
			err = f.Truncate(size)
		}
		if err == nil {
			err = f.Close()
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return in
}

// statusCase is one command and the one line it must print.
type statusCase struct {
	args []string
	line *regexp.Regexp
}

// badInputCases are, for every subcommand, a directory, a missing file,
// an empty input, an oversized input and a bad flag where it takes them.
func badInputCases(in statusInputs) map[string][]statusCase {
	isDir := regexp.MustCompile(`^jitrun \w+: (--\w+: )?` + regexp.QuoteMeta(in.dir) + ` is a directory$`)
	missing := regexp.MustCompile(`^jitrun \w+: (--\w+: )?open ` + regexp.QuoteMeta(in.missing) + `: no such file or directory$`)
	empty := regexp.MustCompile(`^jitrun \w+: (--\w+: )?` + regexp.QuoteMeta(in.empty) + `: empty input: (no instructions|no machine code|nothing to map)$`)
	tooLarge := regexp.MustCompile(`^jitrun \w+: (--\w+: )?\S+: input too large: jitrun (reads|maps) at most (64 MiB of source|16 MiB of machine code|1 GiB)$`)
	badFlag := regexp.MustCompile(`^jitrun \w+: flag provided but not defined: -bogus \(see 'jitrun \w+ -h'\)$`)
	files := func(run func(string) []string) []statusCase {
		return []statusCase{{run(in.dir), isDir}, {run(in.missing), missing}, {run(in.empty), empty}}
	}
	cases := map[string][]statusCase{
		"run": append(append(append(files(func(p string) []string { return []string{"run", p} }),
			files(func(p string) []string { return []string{"run", "--bin", p} })...),
			files(func(p string) []string { return []string{"run", "--map", p, "-e", "RET"} })...),
			statusCase{[]string{"run", in.bigSource}, tooLarge},
			statusCase{[]string{"run", "--bin", in.bigCode}, tooLarge},
			statusCase{[]string{"run", "--map", in.bigMap, "-e", "RET"}, tooLarge},
			statusCase{[]string{"run", "-e", strings.Repeat("\n", maxSource+1)}, tooLarge},
			statusCase{[]string{"run", "--hex", strings.Repeat("c3", maxCode+1)}, regexp.MustCompile(`^jitrun run: --hex: input too large: jitrun reads at most 16 MiB of machine code$`)},
			statusCase{[]string{"run", "-e", "RET", "--bogus"}, badFlag}),
		"asm": append(files(func(p string) []string { return []string{"asm", p} }),
			statusCase{[]string{"asm", in.bigSource}, tooLarge},
			statusCase{[]string{"asm", "-e", "RET", "--bogus"}, badFlag}),
		"disasm": append(files(func(p string) []string { return []string{"disasm", p} }),
			statusCase{[]string{"disasm", in.bigCode}, tooLarge},
			statusCase{[]string{"disasm", "--hex", "c3", "--bogus"}, badFlag}),
		"bench": append(files(func(p string) []string { return []string{"bench", p} }),
			statusCase{[]string{"bench", in.bigSource}, tooLarge},
			statusCase{[]string{"bench", "-e", "NOP", "--bogus"}, badFlag}),
		"mmap": {
			{[]string{"mmap", "--file", in.dir}, isDir},
			{[]string{"mmap", "--file", in.missing}, missing},
			{[]string{"mmap", "--bogus"}, badFlag},
		},
		"repl": append(files(func(p string) []string { return []string{"repl", p} }),
			statusCase{[]string{"repl", in.bigSource}, tooLarge},
			statusCase{[]string{"repl", "--bogus"}, badFlag}),
		"serve": {
			{[]string{"serve", "--bogus"}, badFlag},
			{[]string{"serve", "extra"}, regexp.MustCompile(`^jitrun serve: serve takes no arguments, got "extra" \(see 'jitrun serve -h'\)$`)},
			{[]string{"serve", "--addr", "8642"}, regexp.MustCompile(`^jitrun serve: --addr "8642" has no port: write HOST:PORT \(127\.0\.0\.1:8642, 0\.0\.0\.0:8642, 127\.0\.0\.1:0\)$`)},
			{[]string{"serve", "--addr", "localhost:http"}, regexp.MustCompile(`^jitrun serve: --addr "localhost:http": port "http" is not a number from 0 to 65535$`)},
		},
		"probe":   {{[]string{"probe", "--bogus"}, badFlag}},
		"version": {{[]string{"version", "--bogus"}, badFlag}},
		"help":    {{[]string{"help", "--bogus"}, badFlag}, {[]string{"help", "nope"}, regexp.MustCompile(`^jitrun help: unknown command "nope"; run 'jitrun help' for the list$`)}},
	}
	return cases
}

// TestBadInputEverywhere holds every subcommand to the table of exit
// statuses: a directory, a missing file, an empty input, an oversized
// input and a bad flag are status 2 with one line on standard error,
// nothing on standard output.
func TestBadInputEverywhere(t *testing.T) {
	in := makeStatusInputs(t)
	cases := badInputCases(in)
	for _, c := range commands() {
		if len(cases[c.name]) == 0 {
			t.Errorf("no bad-input cases for jitrun %s", c.name)
		}
	}
	for name, list := range cases {
		for _, tc := range list {
			t.Run(name+" "+shortArgs(tc.args), func(t *testing.T) {
				if raceEnabled && len(strings.Join(tc.args, " ")) > 1<<20 {
					t.Skip("SKIPPED under -race: a 32-64 MiB argument takes half a minute to parse there; the check is the same without -race")
				}
				status, stdout, stderr := runCmd(t, "", tc.args...)
				checkOneLine(t, status, stdout, stderr, tc.line)
			})
		}
	}
}

// TestBadInputSupervised checks that run's bad input reads the same
// through the supervisor (the child reports it, the parent passes it on).
func TestBadInputSupervised(t *testing.T) {
	in := makeStatusInputs(t)
	for _, tc := range badInputCases(in)["run"] {
		if len(strings.Join(tc.args, " ")) > 4096 {
			continue // an argument the kernel would refuse to pass on
		}
		t.Run(shortArgs(tc.args), func(t *testing.T) {
			stdout, stderr, status := superviseTranscript(t, "", "", tc.args...)
			checkOneLine(t, status, stdout, stderr, tc.line)
		})
	}
}

// TestEndlessInput checks that an endless input ends after the cap, with
// status 2, at a bounded cost (one cap's worth of memory).
func TestEndlessInput(t *testing.T) {
	tests := []struct {
		args  []string
		stdin bool // /dev/zero as standard input
		line  string
	}{
		{[]string{"run", "--bin", "/dev/zero"}, false, "jitrun run: --bin: /dev/zero: input too large: jitrun reads at most 16 MiB of machine code"},
		{[]string{"run", "/dev/zero"}, false, "jitrun run: /dev/zero: input too large: jitrun reads at most 64 MiB of source"},
		{[]string{"disasm", "/dev/zero"}, false, "jitrun disasm: /dev/zero: input too large: jitrun reads at most 16 MiB of machine code"},
		{[]string{"asm", "-"}, true, "jitrun asm: <stdin>: input too large: jitrun reads at most 64 MiB of source"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdin *os.File
			if tt.stdin {
				var err error
				if stdin, err = os.Open("/dev/zero"); err != nil {
					t.Fatal(err)
				}
				defer stdin.Close()
			}
			var stdout, stderr strings.Builder
			e := &env{stdout: &stdout, stderr: &stderr}
			if stdin != nil {
				e.stdin = stdin
			}
			status := run(e, tt.args)
			checkOneLine(t, status, stdout.String(), stderr.String(), regexp.MustCompile("^"+regexp.QuoteMeta(tt.line)+"$"))
		})
	}
}

// checkOneLine wants status 2, nothing on standard output and one line
// matching line on standard error.
func checkOneLine(t *testing.T, status int, stdout, stderr string, line *regexp.Regexp) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	if status != exitInput || stdout != "" || len(lines) != 1 || !line.MatchString(lines[0]) {
		t.Errorf("status %d, stdout %q, stderr %q; want status 2 and one line matching %s", status, stdout, stderr, line)
	}
}

// shortArgs names a case: long arguments cut.
func shortArgs(args []string) string {
	var out []string
	for _, a := range args {
		if len(a) > 20 {
			a = a[:8] + "…"
		}
		out = append(out, a)
	}
	return strings.Join(out, " ")
}

// TestExitStatusTable checks that jitrun help and every command's -h show
// the one table of exit statuses, and that it has every status.
func TestExitStatusTable(t *testing.T) {
	var table strings.Builder
	writeExitStatuses(&table)
	for status := exitOK; status <= exitBroken; status++ {
		if !regexp.MustCompile(`(?m)^  ` + string(rune('0'+status)) + `  \S`).MatchString(table.String()) {
			t.Errorf("the table has no row for status %d:\n%s", status, table.String())
		}
	}
	runs := [][]string{{"help"}}
	for _, c := range commands() {
		runs = append(runs, []string{c.name, "-h"})
	}
	for _, args := range runs {
		status, stdout, stderr := runCmd(t, "", args...)
		if status != exitOK || stderr != "" || !strings.HasSuffix(stdout, table.String()) {
			t.Errorf("jitrun %s: status %d, stderr %q; the output does not end with the table of exit statuses:\n%s", strings.Join(args, " "), status, stderr, stdout)
		}
		readsInput := len(args) == 1 || map[string]bool{"run": true, "asm": true, "disasm": true, "bench": true}[args[0]] // jitrun help, or a command that reads input
		if limits := "\nInput limits: 64 MiB of assembly source (a FILE, standard input, -e; bench's kernels and --init\n"; strings.Contains(stdout, limits) != readsInput {
			t.Errorf("jitrun %s: states the input limits: %v, want %v", strings.Join(args, " "), !readsInput, readsInput)
		}
	}
}
