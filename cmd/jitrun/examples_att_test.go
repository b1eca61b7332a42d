package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Every example has an AT&T-syntax twin in examples/att (same base name,
// .s: a .S beside the Go .s would collide on case-insensitive file
// systems and in module zips). TestExampleATTTwins checks that each twin
// documents the same commands as the Intel-syntax example, assembles to
// the same bytes, and prints the same thing.

var attRunLine = regexp.MustCompile(`^# Run: jitrun (.*)$`)

// readATTExamples reads examples/att/*.s.
func readATTExamples(t *testing.T) map[string]example {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("examples", "att", "*.s"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]example{}
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		ex := example{file: filepath.ToSlash(path)}
		lines := strings.Split(string(src), "\n")
		if !strings.HasPrefix(lines[0], "# ") {
			t.Errorf("%s: the first line must be a \"# \" comment saying what the example teaches", ex.file)
		}
		ex.summary = strings.TrimPrefix(lines[0], "# ")
		for i, l := range lines {
			m := attRunLine.FindStringSubmatch(l)
			if m == nil {
				continue
			}
			args, err := shellSplit(m[1])
			if err != nil {
				t.Fatalf("%s:%d: %v", ex.file, i+1, err)
			}
			if !slices.Contains(args, ex.file) {
				t.Errorf("%s:%d: the Run: command does not name the example itself", ex.file, i+1)
			}
			ex.runs = append(ex.runs, args)
		}
		out[strings.TrimSuffix(filepath.Base(path), ".s")] = ex
	}
	return out
}

func TestExampleATTTwins(t *testing.T) {
	t.Chdir(repoRoot)
	atts := readATTExamples(t)
	intels := map[string]example{}
	for _, ex := range readExamples(t, ".") {
		if strings.HasSuffix(ex.file, ".asm") {
			intels[strings.TrimSuffix(filepath.Base(ex.file), ".asm")] = ex
		}
	}
	for name := range atts {
		if _, ok := intels[name]; !ok {
			t.Errorf("examples/att/%s.s has no twin examples/%s.asm", name, name)
		}
	}
	for name, intelEx := range intels {
		t.Run(name, func(t *testing.T) {
			attEx, ok := atts[name]
			if !ok {
				t.Fatalf("%s has no AT&T-syntax twin examples/att/%s.s", intelEx.file, name)
			}
			if len(attEx.runs) != len(intelEx.runs) {
				t.Fatalf("%s documents %d commands, %s %d", intelEx.file, len(intelEx.runs), attEx.file, len(attEx.runs))
			}
			for i := range intelEx.runs {
				in := strings.Join(intelEx.runs[i], " ")
				at := strings.Join(attEx.runs[i], " ")
				if strings.Replace(at, attEx.file, intelEx.file, 1) != in {
					t.Errorf("command %d differs:\n%s\n%s", i+1, in, at)
				}
			}
			// The syntax is detected from the text: no --syntax needed.
			intelHex, _ := transcript(t, strings.NewReader(""), "asm", intelEx.file)
			attHex, _ := transcript(t, strings.NewReader(""), "asm", attEx.file)
			if intelHex[strings.Index(intelHex, "\n"):] != attHex[strings.Index(attHex, "\n"):] {
				t.Errorf("the two syntaxes assemble to different code:\n%s\n%s", intelHex, attHex)
			}
			intelOut, _ := exampleTranscript(t, intelEx)
			attOut, _ := exampleTranscript(t, attEx)
			attOut = strings.ReplaceAll(attOut, "examples/att/", "examples/")
			if a, b := twinNormal(intelOut), twinNormal(attOut); a != b {
				t.Errorf("%s and %s print different things:\n%s", intelEx.file, attEx.file, lineDiff(a, b))
			}
		})
	}
}
