package main

import (
	"bytes"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// The documentation — README.md and the pages in docs/ — shows jitrun as
// transcripts, and the tests here keep every one of them true.
//
// A ```console block holds commands, "$ jitrun ARGS" (or "$ go run
// ./cmd/jitrun ARGS"), each followed by its output, standard output and
// standard error together, and "$ echo $?" followed by the exit status of
// the command before it. TestREADME runs each command from the
// repository's root — jitrun run in a child process, as jitrun runs (the
// code's system calls guarded, its own writes in the output), the others
// in-process — and compares the output, masked as the golden files are; an
// output whose last line is "…" shows only its first lines. go test
// ./cmd/jitrun -run TestREADME -update rewrites these outputs from a real
// run, keeping the lines that differ only in what is masked. Other
// commands in a console block ($ go test ./...) are not run and must show
// no output.
//
// A ```text block holds a recorded session: "$ jitrun bench ARGS" as it
// ran on the machine the page names. TestREADME re-runs each such command
// (one that redirects its output is only shown) and compares its output
// with the numbers, the CPU and the clock masked, and "$ echo $?" with its
// exit status; -update never rewrites a session, whose figures the text
// around it discusses. Other jitrun commands do not belong in a text block.
// Other commands there (benchstat, head) are shown, not run.
//
// Blocks of other kinds (```, ```go, ```asm) are not run.

// docCommand is one "$ " line of a page and the output lines after it.
type docCommand struct {
	line       int      // 0-based index of the "$ " line
	args       []string // the jitrun arguments, or {"echo $?"}
	start, end int      // the output: lines[start:end]
	cut        bool     // the output ends with "…"
	session    bool     // in a ```text block: a recorded bench session
}

const cutMark = "…"

// readmeCutLines is how many lines -update keeps of a cut output that
// shows none yet.
const readmeCutLines = 5

// minREADMECommands is how many commands README.md's tour runs at least:
// fewer means the parser lost some.
const minREADMECommands = 8

// minDocCommands is how many commands README.md and docs/*.md run
// together at least.
const minDocCommands = 50

// docPages lists the pages the documentation tests read: README.md, then
// docs/*.md, as slash-separated paths relative to the repository's root.
func docPages(t *testing.T) []string {
	t.Helper()
	matches, err := filepath.Glob(filepath.Join(repoRoot, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(matches) < 3 {
		t.Fatalf("docs/ has %d pages; want at least 3", len(matches))
	}
	pages := []string{"README.md"}
	for _, m := range matches {
		pages = append(pages, "docs/"+filepath.Base(m))
	}
	return pages
}

// readPage reads a page, given relative to the repository's root.
func readPage(t *testing.T, page string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, filepath.FromSlash(page)))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// parseDocCommands finds the commands of a page's console and text blocks.
func parseDocCommands(t *testing.T, page string, lines []string) []docCommand {
	t.Helper()
	var cmds []docCommand
	block := "" // the info string of the fenced block we are in, or "" outside
	inBlock := false
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if strings.HasPrefix(l, "```") {
			inBlock = !inBlock
			block = strings.TrimSpace(strings.TrimPrefix(l, "```"))
			continue
		}
		if !inBlock || (block != "console" && block != "text") || !strings.HasPrefix(l, "$ ") {
			continue
		}
		c := docCommand{line: i, start: i + 1, session: block == "text"}
		j := i + 1
		for j < len(lines) && !strings.HasPrefix(lines[j], "$ ") && !strings.HasPrefix(lines[j], "```") {
			j++
		}
		c.end = j
		if !c.session && c.end > c.start && lines[c.end-1] == cutMark {
			c.cut = true
		}
		line := strings.TrimPrefix(l, "$ ")
		var rest string
		switch {
		case line == "echo $?":
			c.args = []string{"echo $?"}
			cmds = append(cmds, c)
			continue
		case strings.HasPrefix(line, "jitrun "):
			rest = strings.TrimPrefix(line, "jitrun ")
		case strings.HasPrefix(line, "go run ./cmd/jitrun "):
			rest = strings.TrimPrefix(line, "go run ./cmd/jitrun ")
		default:
			if !c.session && c.end > c.start {
				t.Errorf("%s:%d: %q is not run by the test, so it must show no output", page, i+1, line)
			}
			continue
		}
		if c.session && strings.ContainsAny(rest, "<>|") {
			continue // shown: its output went elsewhere
		}
		args, err := shellSplit(rest)
		if err != nil {
			t.Fatalf("%s:%d: %v", page, i+1, err)
		}
		if c.session && (len(args) == 0 || args[0] != "bench") {
			t.Errorf("%s:%d: a ```text block records jitrun bench sessions; show %q in a ```console block", page, i+1, line)
			continue
		}
		c.args = args
		cmds = append(cmds, c)
	}
	return cmds
}

var (
	// The CPU's vendor string and thread ids differ between machines.
	readmeVendor   = regexp.MustCompile(`rax = -?[0-9]+ \(0x[0-9a-f]+, "[^"]{8}"\)\nrdx = [0-9]+ \(0x[0-9a-f]+, "[^"]{4}"\)`)
	readmeThreadID = regexp.MustCompile(`(?m)^  rdx = [0-9]+ \(0x[0-9a-f]+\)$`)
	// A /proc/self/maps range, as jitrun mmap prints it: hex without 0x.
	readmeMapsRange = regexp.MustCompile(`\b[0-9a-f]{9,16}-[0-9a-f]{9,16}\b`)
)

// readmeMask masks output as the golden files are, and what differs
// between machines.
func readmeMask(s string) string {
	s = readmeVendor.ReplaceAllString(s, "rax = VENDOR[0:8]\nrdx = VENDOR[8:12]")
	s = readmeThreadID.ReplaceAllString(s, "  rdx = TID")
	s = readmeMapsRange.ReplaceAllStringFunc(s, func(r string) string {
		from, to, _ := strings.Cut(r, "-")
		return maskBareAddr(from) + "-" + maskBareAddr(to)
	})
	return mask(s)
}

// maskBareAddr masks a user-space address written in hex without 0x, as
// mask does one with it: all digits but the last three.
func maskBareAddr(h string) string {
	v, err := strconv.ParseUint(h, 16, 64)
	if err != nil || !userAddr(v) {
		return h
	}
	return strings.Repeat("X", len(h)-3) + h[len(h)-3:]
}

func TestReadmeMask(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"intel vendor", "rax = 5288754736637306183 (0x49656e69756e6547, \"GenuineI\")\nrdx = 1818588270 (0x6c65746e, \"ntel\")", "rax = VENDOR[0:8]\nrdx = VENDOR[8:12]"},
		{"amd vendor", "rax = 7598819853104084289 (0x69746e6568747541, \"Authenti\")\nrdx = 1145913699 (0x444d4163, \"cAMD\")", "rax = VENDOR[0:8]\nrdx = VENDOR[8:12]"},
		{"thread id", "  rax = 140517969596392 (0x7fcce3a98fe8)\n  rdx = 9165 (0x23cd)", "  rax = ADDR (0xXXXXXXXXXfe8)\n  rdx = TID"},
		{"maps range", "maps      7fef29a5e000-7fef29a5f000 r--p 00000000 00:00 0", "maps      XXXXXXXXX000-XXXXXXXXX000 r--p 00000000 00:00 0"},
		{"maps range of the binary", "replaces  00400000-006b8000 r-xp", "replaces  00400000-006b8000 r-xp"},
		{"pc", "pc 0x7fef29a5f004; write", "pc 0xXXXXXXXXX004; write"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := readmeMask(tt.in); got != tt.want {
				t.Errorf("readmeMask(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestREADME re-runs the commands of README.md and of every docs/*.md
// page, one subtest per page (TestREADME/docs/run.md), and compares their
// outputs; -update rewrites the console outputs from a real run.
func TestREADME(t *testing.T) {
	pages := docPages(t)
	t.Chdir(repoRoot)
	total, ran := 0, 0
	for _, page := range pages {
		t.Run(page, func(t *testing.T) {
			ran++
			n := checkPageCommands(t, page)
			total += n
			if page == "README.md" && n < minREADMECommands {
				t.Errorf("README.md runs %d commands; the tour should run at least %d", n, minREADMECommands)
			}
		})
	}
	if ran == len(pages) && total < minDocCommands {
		t.Errorf("the documentation runs %d commands in all; want at least %d", total, minDocCommands)
	}
}

// checkPageCommands runs the commands of page (the working directory is
// the repository's root), compares or rewrites their outputs, and returns
// how many it ran.
func checkPageCommands(t *testing.T, page string) int {
	data, err := os.ReadFile(filepath.FromSlash(page))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	cmds := parseDocCommands(t, page, lines)
	replaced := map[int][]string{} // command index → new output lines
	last := -1
	for k, c := range cmds {
		var got string
		if c.args[0] == "echo $?" {
			if last < 0 {
				t.Errorf("%s:%d: echo $? before any command", page, c.line+1)
				continue
			}
			got = strconv.Itoa(last) + "\n"
		} else {
			var out bytes.Buffer
			if c.args[0] == "run" {
				// In a child, as jitrun runs: with its system-call
				// guard, and the code's own writes in the output.
				last = runChild(t, ".", nil, &out, &out, c.args...)
			} else {
				last = run(&env{stdin: strings.NewReader(""), stdout: &out, stderr: &out}, c.args)
			}
			got = out.String()
		}
		want := lines[c.start:c.end]
		if c.session {
			checkSession(t, page, c, strings.TrimSuffix(got, "\n"), strings.Join(want, "\n"))
			continue
		}
		gotLines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
		if c.cut {
			want = want[:len(want)-1]
			keep := len(want)
			if *update && keep == 0 {
				keep = readmeCutLines
			}
			if keep < len(gotLines) {
				gotLines = gotLines[:keep]
			}
		}
		if *update {
			n := keepUnchanged(gotLines, want)
			if c.cut {
				n = append(n, cutMark)
			}
			replaced[k] = n
			continue
		}
		g, w := readmeMask(strings.Join(gotLines, "\n")), readmeMask(strings.Join(want, "\n"))
		if g != w {
			t.Errorf("%s:%d: $ %s\noutput differs (go test ./cmd/jitrun -run TestREADME -update rewrites it):\n%s", page, c.line+1, strings.Join(c.args, " "), lineDiff(w, g))
		}
	}
	if *update && len(replaced) > 0 {
		var out []string
		next := 0
		for k, c := range cmds {
			n, ok := replaced[k]
			if !ok {
				continue
			}
			out = append(out, lines[next:c.start]...)
			out = append(out, n...)
			next = c.end
		}
		out = append(out, lines[next:]...)
		if err := os.WriteFile(filepath.FromSlash(page), []byte(strings.Join(out, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return len(cmds)
}

// keepUnchanged returns the output -update writes: the page's when the
// two differ only in what readmeMask masks; otherwise got, but where got
// has as many lines as the page shows, each line that differs from the
// page's only in what readmeMask masks stays as the page has it. So a
// rewrite changes only what really changed.
func keepUnchanged(got, page []string) []string {
	if readmeMask(strings.Join(got, "\n")) == readmeMask(strings.Join(page, "\n")) {
		return slices.Clone(page) // what spans lines, such as the CPU's vendor
	}
	out := slices.Clone(got)
	if len(got) != len(page) {
		return out
	}
	for i := range out {
		if readmeMask(got[i]) == readmeMask(page[i]) {
			out[i] = page[i]
		}
	}
	return out
}

func TestKeepUnchanged(t *testing.T) {
	page := []string{"rax = 5 (0x5)", "pc 0x7f07a4a88007 in the code", "old words"}
	got := []string{"rax = 5 (0x5)", "pc 0x7fd4a6016007 in the code", "new words"}
	want := []string{"rax = 5 (0x5)", "pc 0x7f07a4a88007 in the code", "new words"}
	if n := keepUnchanged(got, page); !slices.Equal(n, want) {
		t.Errorf("keepUnchanged = %q, want %q", n, want)
	}
	if n := keepUnchanged(got[:2], page); !slices.Equal(n, got[:2]) {
		t.Errorf("keepUnchanged of a shorter output = %q, want it whole %q", n, got[:2])
	}
}

// checkSession compares the output of a command of a recorded bench
// session with the page's, with what changes between runs and machines
// masked: the figures, the CPU, the clock and its details, which clocks a
// machine has, warnings that the TSC's rate drifted during the run or
// that a batch's calibration was disturbed, and the progress lines a run
// longer than a second prints (on a busy machine a short session takes
// that long).
func checkSession(t *testing.T, page string, c docCommand, got, want string) {
	t.Helper()
	if c.args[0] == "echo $?" {
		if got != want {
			t.Errorf("%s:%d: exit status %s, the page shows %s", page, c.line+1, got, want)
		}
		return
	}
	if slices.Contains(c.args, "--clocks") {
		got, want = clockLinePrefixes(got), clockLinePrefixes(want)
	}
	if g, w := sessionMask(got), sessionMask(want); g != w {
		t.Errorf("%s:%d: $ jitrun %s\noutput differs from the recorded session (masked; -update does not rewrite sessions):\n%s", page, c.line+1, shellJoin(c.args), lineDiff(w, g))
	}
}

// benchInsignificant is the delta benchstat prints for a difference the
// U test does not find significant: whether it does depends on the
// machine (four independent IMULs cost as much as one chain of them on
// AMD Zen 5) and on the noise, like the figures.
var benchInsignificant = regexp.MustCompile(`(?m)^(\S+ +N) +~ +\(`)

// sessionMask masks a bench session's output for comparison.
func sessionMask(s string) string {
	return benchInsignificant.ReplaceAllString(benchMask(dropTimingLines(s)), "$1 N (")
}

// benchProgress is a progress line of jitrun bench (progress.report).
var benchProgress = regexp.MustCompile(`^jitrun bench: \d+% \(\d+ of \d+ rounds, \d+s\)$`)

// timingWarnings start the warnings jitrun bench gives of what the host
// did during the run, not jitrun: the TSC's rate drifted (the core's
// frequency changed), or a batch's calibration was disturbed (the
// measuring thread was interrupted: on a busy machine, as when go test
// runs packages side by side, 3 runs in 40 of docs/bench.md's session).
var timingWarnings = []string{
	"jitrun bench: warning: the TSC ticks per core cycle drifted",
	"jitrun bench: warning: the TSC calibration of batch ",
}

// dropTimingLines removes the timing warnings and the progress lines,
// which depend on how long the run took.
func dropTimingLines(s string) string {
	lines := strings.Split(s, "\n")
	lines = slices.DeleteFunc(lines, func(l string) bool {
		for _, w := range timingWarnings {
			if strings.HasPrefix(l, w) {
				return true
			}
		}
		return benchProgress.MatchString(l)
	})
	return strings.Join(lines, "\n")
}

// clockLinePrefixes keeps what comes before the first colon of each line:
// which clocks work differs between machines.
func clockLinePrefixes(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		before, _, _ := strings.Cut(l, ":")
		out = append(out, before)
	}
	return strings.Join(out, "\n")
}

func TestSessionMask(t *testing.T) {
	significant := "vs latency  ratio    delta\nthroughput  1.333  +33.33%  (p=0.000 n=10)"
	insignificant := "vs latency  ratio  delta\nthroughput  0.998      ~  (p=0.631 n=10)"
	if a, b := sessionMask(significant), sessionMask(insignificant); a != b {
		t.Errorf("sessionMask: %q and %q differ", a, b)
	}
	if a, b := sessionMask("latency 3.000 0.716"), sessionMask("latency 3.000 0.716 9"); a == b {
		t.Errorf("sessionMask hides a column: %q", a)
	}
	if a, b := sessionMask("{\n}"), sessionMask("jitrun bench: 60% (3 of 5 rounds, 1s)\n{\n}"); a != b {
		t.Errorf("sessionMask keeps a progress line: %q", b)
	}
	for _, warning := range []string{
		"jitrun bench: warning: the TSC ticks per core cycle drifted +2.1% during the run (0.6240 before, 0.6371 after): the core's frequency changed; each batch is converted with the ratio measured alongside it",
		"jitrun bench: warning: the TSC calibration of batch 7 was disturbed (0.7012 ticks per cycle, the median of the batches is 0.6240): that batch used the median",
	} {
		if a, b := sessionMask("{\n}"), sessionMask(warning+"\n{\n}"); a != b {
			t.Errorf("sessionMask keeps a timing warning: %q", b)
		}
	}
	if a, b := sessionMask("{\n}"), sessionMask("jitrun bench: warning: the measuring thread is not pinned to a CPU: EPERM\n{\n}"); a == b {
		t.Errorf("sessionMask drops a warning that is not about timing: %q", b)
	}
	if a, b := sessionMask("{\n}"), sessionMask("jitrun bench: no kernel\n{\n}"); a == b {
		t.Errorf("sessionMask drops a line that is not progress: %q", b)
	}
}

func TestParseDocCommands(t *testing.T) {
	page := strings.Split(strings.Join([]string{
		"```console",
		"$ jitrun run examples/add.s 2 3",
		"rax = 5 (0x5)",
		"$ go test ./...",
		"$ jitrun run examples/selfmod.s",
		"fault: …",
		"…",
		"$ echo $?",
		"3",
		"```",
		"```text",
		"$ jitrun bench -e 'IMULQ BX, AX' > old.txt",
		"$ head -1 old.txt",
		"goos: linux",
		"$ jitrun bench -e 'IMULQ BX, AX'",
		"kernel  cycles",
		"```",
		"```",
		"$ jitrun probe",
		"host",
		"```",
	}, "\n"), "\n")
	cmds := parseDocCommands(t, "page.md", page)
	type short struct {
		line, start, end int
		args             string
		cut, session     bool
	}
	var got []short
	for _, c := range cmds {
		got = append(got, short{c.line, c.start, c.end, strings.Join(c.args, "|"), c.cut, c.session})
	}
	want := []short{
		{1, 2, 3, "run|examples/add.s|2|3", false, false},
		{4, 5, 7, "run|examples/selfmod.s", true, false},
		{7, 8, 9, "echo $?", false, false},
		{14, 15, 16, "bench|-e|IMULQ BX, AX", false, true},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("parseDocCommands:\n got %v\nwant %v", got, want)
	}
}

// TestREADMESize holds README.md to a front door's length.
func TestREADMESize(t *testing.T) {
	const maxChars = 25000
	text := readPage(t, "README.md")
	if n := utf8.RuneCountInString(text); n > maxChars {
		t.Errorf("README.md has %d characters (%d bytes); keep it at most %d and move the long material to docs/", n, len(text), maxChars)
	}
}

var (
	// mdLink is an inline Markdown link or image: [text](target) or
	// [text](target "title").
	mdLink = regexp.MustCompile(`\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)
	// mdCodeSpan is an inline code span, whose text is not a link.
	mdCodeSpan = regexp.MustCompile("`+[^`]*`+")
	// urlScheme starts an absolute URL (https:, mailto:).
	urlScheme = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:`)
)

// outsideFences returns a page's lines with those of fenced code blocks,
// fences included, emptied: what remains can hold headings and links.
func outsideFences(text string) []string {
	lines := strings.Split(text, "\n")
	inBlock := false
	for i, l := range lines {
		fence := strings.HasPrefix(l, "```")
		if fence {
			inBlock = !inBlock
		}
		if fence || inBlock {
			lines[i] = ""
		}
	}
	return lines
}

// headingAnchors returns the anchors GitHub gives a page's headings (see
// headingAnchor); a repeated anchor gets -1, -2, ….
func headingAnchors(text string) map[string]bool {
	anchors := map[string]bool{}
	seen := map[string]int{}
	for _, l := range outsideFences(text) {
		level := len(l) - len(strings.TrimLeft(l, "#"))
		if level == 0 || level > 6 || !strings.HasPrefix(l[level:], " ") {
			continue
		}
		a := headingAnchor(l[level+1:])
		if n := seen[a]; n > 0 {
			anchors[fmt.Sprintf("%s-%d", a, n)] = true
		} else {
			anchors[a] = true
		}
		seen[a]++
	}
	return anchors
}

// headingAnchor is the anchor of one heading's text: lower case, letters,
// digits, '-' and '_' kept, spaces turned into '-', the rest dropped.
func headingAnchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}

func TestHeadingAnchor(t *testing.T) {
	tests := []struct{ heading, want string }{
		{"Exit statuses", "exit-statuses"},
		{"`jitrun mmap`: try your own address", "jitrun-mmap-try-your-own-address"},
		{"A/B comparisons with benchstat", "ab-comparisons-with-benchstat"},
		{"--json", "--json"},
		{"AT&T source", "att-source"},
		{"Placement, protection keys, and the hardening that cannot be undone", "placement-protection-keys-and-the-hardening-that-cannot-be-undone"},
	}
	for _, tt := range tests {
		t.Run(tt.heading, func(t *testing.T) {
			if got := headingAnchor(tt.heading); got != tt.want {
				t.Errorf("headingAnchor(%q) = %q, want %q", tt.heading, got, tt.want)
			}
		})
	}
	anchors := headingAnchors("# A\n\n```\n# not a heading\n```\n## A\n#nospace\n### `x` y\n")
	want := map[string]bool{"a": true, "a-1": true, "x-y": true}
	if fmt.Sprint(anchors) != fmt.Sprint(want) {
		t.Errorf("headingAnchors = %v, want %v", anchors, want)
	}
}

// TestDocLinks checks that every relative link of README.md and docs/*.md
// names a file or directory of the repository, and that a link to an
// anchor (page.md#anchor, #anchor) names a heading of that page.
func TestDocLinks(t *testing.T) {
	for _, page := range docPages(t) {
		t.Run(page, func(t *testing.T) {
			text := readPage(t, page)
			for i, l := range outsideFences(text) {
				// A link inside a code span is text, not a link.
				l = mdCodeSpan.ReplaceAllString(l, "``")
				for _, m := range mdLink.FindAllStringSubmatch(l, -1) {
					target := m[1]
					if urlScheme.MatchString(target) {
						continue
					}
					file, anchor, _ := strings.Cut(target, "#")
					resolved := page // a bare #anchor is on this page
					if file != "" {
						resolved = path.Join(path.Dir(page), file)
					}
					if strings.HasPrefix(resolved, "../") || path.IsAbs(resolved) {
						t.Errorf("%s:%d: link %s leaves the repository", page, i+1, target)
						continue
					}
					if _, err := os.Stat(filepath.Join(repoRoot, filepath.FromSlash(resolved))); err != nil {
						t.Errorf("%s:%d: link %s: no such file or directory %s", page, i+1, target, resolved)
						continue
					}
					if anchor == "" {
						continue
					}
					if !strings.HasSuffix(resolved, ".md") {
						t.Errorf("%s:%d: link %s: an anchor in a file that is not Markdown", page, i+1, target)
						continue
					}
					if !headingAnchors(readPage(t, resolved))[anchor] {
						t.Errorf("%s:%d: link %s: %s has no heading with the anchor #%s", page, i+1, target, resolved, anchor)
					}
				}
			}
		})
	}
}

// TestREADMESideBySide checks that the code the documentation shows side
// by side is the examples' code: each of its lines is a line of the file
// named in the table's header.
func TestREADMESideBySide(t *testing.T) {
	header := regexp.MustCompile(`<tr>((?:<th>examples/[^<]+</th>){2,})</tr>`)
	cell := regexp.MustCompile(`<th>(examples/[^<]+)</th>`)
	blocks := regexp.MustCompile("(?s)```(?:asm|nasm|gas)\n(.*?)```")
	tables := 0
	for _, page := range docPages(t) {
		text := readPage(t, page)
		hs := header.FindAllStringSubmatchIndex(text, -1)
		tables += len(hs)
		for _, h := range hs {
			var files []string
			for _, c := range cell.FindAllStringSubmatch(text[h[2]:h[3]], -1) {
				files = append(files, c[1])
			}
			bs := blocks.FindAllStringSubmatch(text[h[1]:], len(files))
			if len(bs) != len(files) {
				t.Errorf("%s: want %d code blocks after the header naming %v", page, len(files), files)
				continue
			}
			for i, file := range files {
				src, err := os.ReadFile(filepath.Join(repoRoot, file))
				if err != nil {
					t.Fatal(err)
				}
				have := map[string]bool{}
				for _, l := range strings.Split(string(src), "\n") {
					have[l] = true
				}
				for _, l := range strings.Split(strings.TrimSuffix(bs[i][1], "\n"), "\n") {
					if !have[l] {
						t.Errorf("%s shows %q as a line of %s, which has no such line", page, l, file)
					}
				}
			}
		}
	}
	if tables == 0 {
		t.Error("no page shows an example side by side (<tr><th>examples/…</th><th>examples/…</th>…</tr>)")
	}
}

// libraryPages are the pages that show the library example.
var libraryPages = []string{"README.md", "docs/library.md"}

// TestREADMELibrary checks that every Go program (a ```go block that
// starts with package main) of the documentation is Example_library of
// readme_example_test.go, with its imports and with its body as main, and
// that the README and docs/library.md both show it.
func TestREADMELibrary(t *testing.T) {
	example, err := os.ReadFile("readme_example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	imports := regexp.MustCompile(`(?s)\nimport \(\n(.*?\n)\)\n`).FindSubmatch(example)
	body := regexp.MustCompile(`(?s)\nfunc Example_library\(\) \{\n(.*?\n)\}\n`).FindSubmatch(example)
	if imports == nil || body == nil {
		t.Fatal("cannot find the imports or func Example_library in readme_example_test.go")
	}
	want := "package main\n\nimport (\n" + string(imports[1]) + ")\n\nfunc main() {\n" + string(body[1]) + "}\n"
	programs := regexp.MustCompile("(?s)```go\n(package main\n.*?)```")
	for _, page := range docPages(t) {
		shown := programs.FindAllStringSubmatch(readPage(t, page), -1)
		if len(shown) == 0 && slices.Contains(libraryPages, page) {
			t.Errorf("%s shows no Go program (a ```go block starting with package main); it should show Example_library", page)
		}
		for _, p := range shown {
			if p[1] != want {
				t.Errorf("%s: the Go program differs from Example_library in readme_example_test.go (- the example as a program, + the page):\n%s", page, lineDiff(want, p[1]))
			}
		}
	}
}

// TestExamplesListed checks that docs/examples.md names every example.
func TestExamplesListed(t *testing.T) {
	list := readPage(t, "docs/examples.md")
	for _, ex := range readExamples(t, repoRoot) {
		if !strings.HasSuffix(ex.file, ".s") {
			continue
		}
		if !strings.Contains(list, ex.file) {
			t.Errorf("docs/examples.md does not mention %s", ex.file)
		}
	}
}
