package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The README's ```console blocks are transcripts: "$ jitrun ARGS" (or
// "$ go run ./cmd/jitrun ARGS") and the output it printed, standard output
// and standard error together; "$ echo $?" and the exit status of the
// command before it. TestREADME runs each command from the repository's
// root — jitrun run in a child process, as jitrun runs (the code's system
// calls guarded, its own writes in the output), the others in-process —
// and compares the output, masked as the golden files are; a block whose
// output ends with a line "…" shows only its first lines. go test -update
// rewrites the outputs from a real run. Other commands ($ go test ./...)
// are not run and must show no output.

// readmeOutput is the text of one command's output in the README: the
// lines from start (inclusive) to end (exclusive) of the file's lines.
type readmeCommand struct {
	line       int // 0-based index of the "$ " line
	args       []string
	start, end int
	cut        bool // the output ends with "…"
}

const cutMark = "…"

// readmeCutLines is how many lines -update keeps of a cut output that
// shows none yet.
const readmeCutLines = 5

// parseREADME finds the commands of the console blocks.
func parseREADME(t *testing.T, lines []string) []readmeCommand {
	var cmds []readmeCommand
	inConsole := false
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		switch {
		case strings.HasPrefix(l, "```console"):
			inConsole = true
			continue
		case strings.HasPrefix(l, "```"):
			inConsole = false
			continue
		case !inConsole || !strings.HasPrefix(l, "$ "):
			continue
		}
		c := readmeCommand{line: i, start: i + 1}
		j := i + 1
		for j < len(lines) && !strings.HasPrefix(lines[j], "$ ") && !strings.HasPrefix(lines[j], "```") {
			j++
		}
		c.end = j
		if c.end > c.start && lines[c.end-1] == cutMark {
			c.cut = true
		}
		line := strings.TrimPrefix(l, "$ ")
		switch {
		case strings.HasPrefix(line, "jitrun "):
			line = strings.TrimPrefix(line, "jitrun ")
		case strings.HasPrefix(line, "go run ./cmd/jitrun "):
			line = strings.TrimPrefix(line, "go run ./cmd/jitrun ")
		case line == "echo $?":
			c.args = []string{"echo $?"}
			cmds = append(cmds, c)
			continue
		default:
			if c.end > c.start {
				t.Errorf("README.md:%d: %q is not run by the test, so it must show no output", i+1, line)
			}
			continue
		}
		args, err := shellSplit(line)
		if err != nil {
			t.Fatalf("README.md:%d: %v", i+1, err)
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
)

// readmeMask masks output as the golden files are, and what differs
// between machines.
func readmeMask(s string) string {
	s = readmeVendor.ReplaceAllString(s, "rax = VENDOR[0:8]\nrdx = VENDOR[8:12]")
	s = readmeThreadID.ReplaceAllString(s, "  rdx = TID")
	return mask(s)
}

func TestREADME(t *testing.T) {
	readmePath, err := filepath.Abs(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(repoRoot)
	lines := strings.Split(string(data), "\n")
	cmds := parseREADME(t, lines)
	if len(cmds) < 20 {
		t.Fatalf("README.md has %d commands in console blocks; the tour should have more", len(cmds))
	}
	replaced := map[int][]string{} // command index → new output lines
	last := -1
	for k, c := range cmds {
		var got string
		if c.args[0] == "echo $?" {
			if last < 0 {
				t.Errorf("README.md:%d: echo $? before any command", c.line+1)
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
		gotLines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
		want := lines[c.start:c.end]
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
			n := append([]string{}, gotLines...)
			if c.cut {
				n = append(n, cutMark)
			}
			replaced[k] = n
			continue
		}
		g, w := readmeMask(strings.Join(gotLines, "\n")), readmeMask(strings.Join(want, "\n"))
		if g != w {
			t.Errorf("README.md:%d: $ %s\noutput differs (go test ./cmd/jitrun -run TestREADME -update rewrites it):\n%s", c.line+1, strings.Join(c.args, " "), lineDiff(w, g))
		}
	}
	if *update {
		var out []string
		next := 0
		for k, c := range cmds {
			out = append(out, lines[next:c.start]...)
			out = append(out, replaced[k]...)
			next = c.end
		}
		out = append(out, lines[next:]...)
		if err := os.WriteFile(readmePath, []byte(strings.Join(out, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestREADMESideBySide checks that the code the README shows side by side
// is the examples' code: each of its lines is a line of the file named
// in the table's header.
func TestREADMESideBySide(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	header := regexp.MustCompile(`<tr><th>(examples/[^<]+)</th><th>(examples/[^<]+)</th></tr>`)
	blocks := regexp.MustCompile("(?s)```(?:asm|nasm)\n(.*?)```")
	text := string(data)
	hs := header.FindAllStringSubmatchIndex(text, -1)
	if len(hs) == 0 {
		t.Fatal("README.md shows no example side by side (<tr><th>examples/…</th><th>examples/…</th></tr>)")
	}
	for _, h := range hs {
		files := []string{text[h[2]:h[3]], text[h[4]:h[5]]}
		bs := blocks.FindAllStringSubmatch(text[h[1]:], 2)
		if len(bs) != 2 {
			t.Fatalf("README.md: want two code blocks after the header naming %v", files)
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
					t.Errorf("README.md shows %q as a line of %s, which has no such line", l, file)
				}
			}
		}
	}
}

// TestREADMELibrary checks that the README's Go program is
// Example_library's code and prints what the example's Output says.
func TestREADMELibrary(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	example, err := os.ReadFile("readme_example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	prog := regexp.MustCompile("(?s)```go\n(package main\n.*?)```").FindSubmatch(readme)
	if prog == nil {
		t.Fatal("README.md has no ```go block with a package main program")
	}
	body := regexp.MustCompile(`(?s)\nfunc main\(\) \{\n(.*?)\n\}\n`).FindSubmatch(prog[1])
	exBody := regexp.MustCompile(`(?s)\nfunc Example_library\(\) \{\n(.*?)\n\}\n`).FindSubmatch(example)
	if body == nil || exBody == nil {
		t.Fatal("cannot find func main in the README or func Example_library in readme_example_test.go")
	}
	if string(body[1]) != string(exBody[1]) {
		t.Errorf("the README's main and Example_library differ:\n%s", lineDiff(string(exBody[1]), string(body[1])))
	}
	imports := regexp.MustCompile(`(?s)import \((.*?)\)`)
	if a, b := imports.FindSubmatch(prog[1]), imports.FindSubmatch(example); a == nil || b == nil || string(a[1]) != string(b[1]) {
		t.Errorf("the README's program and readme_example_test.go import different packages")
	}
}
