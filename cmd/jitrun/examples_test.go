package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The examples in examples/ document how to run them: a comment line
//
//	// Run: jitrun run examples/add.s 2 3
//
// (; for Intel syntax) for each command. TestExamples runs every such
// command in-process from the repository's root and compares the masked
// transcript with testdata/examples/FILE.golden; TestExampleTwins checks
// that each Go-syntax example has an Intel-syntax twin that assembles to
// the same bytes and prints the same thing.

// repoRoot is the repository's root, relative to this package.
const repoRoot = "../.."

// example is one file of examples/ and the commands it documents.
type example struct {
	file    string // examples/add.s
	summary string // the first line's comment
	runs    [][]string
}

var runLine = regexp.MustCompile(`^(//|;) Run: jitrun (.*)$`)

// readExamples reads every .s and .asm file of root/examples.
func readExamples(t *testing.T, root string) []example {
	t.Helper()
	var files []string
	for _, pat := range []string{"*.s", "*.asm"} {
		m, err := filepath.Glob(filepath.Join(root, "examples", pat))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	slices.Sort(files)
	if len(files) < 26 {
		t.Fatalf("examples/ has %d .s and .asm files, want the 13 examples in both syntaxes", len(files))
	}
	var out []example
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, path)
		ex := example{file: filepath.ToSlash(rel)}
		lines := strings.Split(string(src), "\n")
		comment := "// "
		if strings.HasSuffix(path, ".asm") {
			comment = "; "
		}
		if !strings.HasPrefix(lines[0], comment) {
			t.Errorf("%s: the first line must be a %q comment saying what the example teaches", ex.file, comment)
		}
		ex.summary = strings.TrimPrefix(lines[0], comment)
		for i, l := range lines {
			m := runLine.FindStringSubmatch(l)
			if m == nil {
				continue
			}
			args, err := shellSplit(m[2])
			if err != nil {
				t.Fatalf("%s:%d: %v", ex.file, i+1, err)
			}
			if !slices.Contains(args, ex.file) {
				t.Errorf("%s:%d: the Run: command does not name the example itself", ex.file, i+1)
			}
			ex.runs = append(ex.runs, args)
		}
		if len(ex.runs) == 0 {
			t.Errorf("%s: no %sRun: jitrun … line", ex.file, comment)
		}
		out = append(out, ex)
	}
	return out
}

// exampleTranscript runs every command of ex and returns the masked
// transcript and the exit statuses. It must run in the repository's root.
func exampleTranscript(t *testing.T, ex example) (string, []int) {
	t.Helper()
	var b strings.Builder
	var statuses []int
	for _, args := range ex.runs {
		out, status := childTranscript(t, ".", args...)
		out = checkExampleOutput(t, ex, out)
		b.WriteString(mask(out))
		statuses = append(statuses, status)
	}
	return b.String(), statuses
}

// exampleStatus is the exit status each example's commands must have.
var exampleStatus = map[string][]int{
	"ret42": {0}, "add": {0}, "sum": {0}, "fact": {0}, "sse": {0, exitFault}, "cpuid": {0}, "rdtsc": {0},
	"selfmod": {exitFault}, "nx": {exitFault}, "overflow": {exitFault}, "spin": {exitTimeout},
	"threads": {0}, "mapsum": {0}, "hello": {0, exitFault}, "print": {0},
}

var (
	rdtscLine  = regexp.MustCompile(`(?m)^rax = ([0-9]+) \(0x[0-9a-f]+\)$`)
	vendorLine = regexp.MustCompile(`(?m)^rax = -?[0-9]+ \(0x[0-9a-f]+, "(.{8})"\)\nrdx = [0-9]+ \(0x[0-9a-f]+, "(.{4})"\)$`)
	threadLine = regexp.MustCompile(`(?m)^thread [0-9]+: tid ([0-9]+), stack (0x[0-9a-f]+-0x[0-9a-f]+) \(256 KiB\), rsp (0x[0-9a-f]+) after the return\n  rax = [0-9]+ \((0x[0-9a-f]+)\)\n  rdx = ([0-9]+) \(0x[0-9a-f]+\)$`)
)

// checkExampleOutput checks what the golden file cannot hold because it
// changes from run to run or from machine to machine, and masks it.
func checkExampleOutput(t *testing.T, ex example, out string) string {
	t.Helper()
	name := strings.TrimSuffix(filepath.Base(ex.file), filepath.Ext(ex.file))
	switch name {
	case "cpuid":
		// The vendor string is the machine's: compare it with the
		// kernel's, and mask it.
		m := vendorLine.FindStringSubmatch(out)
		if m == nil {
			t.Errorf("%s: no vendor string in:\n%s", ex.file, out)
			return out
		}
		if want := cpuVendor(t); want != "" && m[1]+m[2] != want {
			t.Errorf("%s: vendor %q, /proc/cpuinfo says %q", ex.file, m[1]+m[2], want)
		}
		return vendorLine.ReplaceAllString(out, "rax = VENDOR[0:8]\nrdx = VENDOR[8:12]")
	case "rdtsc":
		m := rdtscLine.FindStringSubmatch(out)
		if m == nil {
			t.Errorf("%s: no tick count in:\n%s", ex.file, out)
			return out
		}
		// Two back-to-back reads: more than zero ticks, and far less
		// than a second even in a VM.
		if n, _ := strconv.ParseUint(m[1], 10, 64); n == 0 || n > 1e9 {
			t.Errorf("%s: %d ticks between two RDTSCs", ex.file, n)
		}
		return rdtscLine.ReplaceAllString(out, "rax = TICKS")
	case "threads":
		ms := threadLine.FindAllStringSubmatch(out, -1)
		if len(ms) != 4 {
			t.Errorf("%s: want 4 thread results in:\n%s", ex.file, out)
			return out
		}
		tids, stacks := map[string]bool{}, map[string]bool{}
		for _, m := range ms {
			tid, stack, rsp, rax, rdx := m[1], m[2], m[3], m[4], m[5]
			tids[tid], stacks[stack] = true, true
			if rdx != tid {
				t.Errorf("%s: the code's gettid says %s, the thread is %s", ex.file, rdx, tid)
			}
			r, _ := strconv.ParseUint(rax[2:], 16, 64)
			s, _ := strconv.ParseUint(rsp[2:], 16, 64)
			if r+8 != s {
				t.Errorf("%s: the code saw rsp %s, the call returned with rsp %s: want 8 more (the return address)", ex.file, rax, rsp)
			}
		}
		if len(tids) != 4 || len(stacks) != 4 {
			t.Errorf("%s: want 4 threads on 4 stacks, got %d thread ids and %d stacks", ex.file, len(tids), len(stacks))
		}
		return regexp.MustCompile(`rdx = [0-9]+ \(0x[0-9a-f]+\)`).ReplaceAllString(out, "rdx = TID")
	}
	return out
}

// cpuVendor returns the vendor_id /proc/cpuinfo shows, or "" (with a log
// line) when it cannot be read.
func cpuVendor(t *testing.T) string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		t.Logf("cannot check the CPUID vendor against /proc/cpuinfo: %v", err)
		return ""
	}
	for _, l := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "vendor_id" {
			return strings.TrimSpace(v)
		}
	}
	t.Log("cannot check the CPUID vendor: /proc/cpuinfo has no vendor_id")
	return ""
}

func TestExamples(t *testing.T) {
	goldenDir, err := filepath.Abs(filepath.Join("testdata", "examples"))
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(repoRoot)
	for _, ex := range readExamples(t, ".") {
		t.Run(filepath.Base(ex.file), func(t *testing.T) {
			got, statuses := exampleTranscript(t, ex)
			name := strings.TrimSuffix(filepath.Base(ex.file), filepath.Ext(ex.file))
			if want, ok := exampleStatus[name]; !ok {
				t.Errorf("no expected exit statuses for %s: add it to exampleStatus", name)
			} else if !slices.Equal(statuses, want) {
				t.Errorf("exit statuses %v, want %v", statuses, want)
			}
			checkGolden(t, filepath.Join(goldenDir, filepath.Base(ex.file)+".golden"), got)
		})
	}
}

// twinLine reduces a transcript line to what must be equal between the
// Go-syntax and the Intel-syntax run of the same example: the command
// without the file's extension, listing rows without their text (the
// address, marker and bytes stay), label lines dropped (Intel code has its
// labels in one function, Go code in several TEXT symbols).
var (
	listingRow = regexp.MustCompile(`^(=>|  ) (0x[0-9a-fX]+)  \S+ +((?:[0-9a-f]{2} )*[0-9a-f]{2})  `)
	labelLine  = regexp.MustCompile(`^[^ ].*:$`)
	pcLine     = regexp.MustCompile(`^(  pc .*mapped [-rwxps]{4}[^:]*): .*$`)
)

func twinNormal(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		switch {
		case strings.HasPrefix(l, "$ jitrun "):
			l = strings.NewReplacer(".asm", ".X", ".s", ".X").Replace(l)
		case labelLine.MatchString(l) && !strings.Contains(l, " "):
			continue
		}
		if m := listingRow.FindStringSubmatch(l); m != nil {
			l = m[1] + " " + m[2] + "  " + m[3]
		}
		l = pcLine.ReplaceAllString(l, "$1: INSTRUCTION")
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

func TestExampleTwins(t *testing.T) {
	t.Chdir(repoRoot)
	exs := map[string]example{}
	for _, ex := range readExamples(t, ".") {
		exs[ex.file] = ex
	}
	for file, goEx := range exs {
		if !strings.HasSuffix(file, ".s") {
			continue
		}
		intelFile := strings.TrimSuffix(file, ".s") + ".asm"
		t.Run(filepath.Base(file), func(t *testing.T) {
			intelEx, ok := exs[intelFile]
			if !ok {
				t.Fatalf("%s has no Intel-syntax twin %s", file, intelFile)
			}
			if len(intelEx.runs) != len(goEx.runs) {
				t.Fatalf("%s documents %d commands, %s %d", file, len(goEx.runs), intelFile, len(intelEx.runs))
			}
			for i := range goEx.runs {
				g := strings.Join(goEx.runs[i], " ")
				in := strings.Join(intelEx.runs[i], " ")
				if strings.Replace(in, intelFile, file, 1) != g {
					t.Errorf("command %d differs:\n%s\n%s", i+1, g, in)
				}
			}
			// Same machine code.
			goHex, _ := transcript(t, strings.NewReader(""), "asm", file)
			intelHex, _ := transcript(t, strings.NewReader(""), "asm", intelFile)
			if goHex[strings.Index(goHex, "\n"):] != intelHex[strings.Index(intelHex, "\n"):] {
				t.Errorf("the two syntaxes assemble to different code:\n%s\n%s", goHex, intelHex)
			}
			// Same output, but for the syntax of listings.
			goOut, _ := exampleTranscript(t, goEx)
			intelOut, _ := exampleTranscript(t, intelEx)
			if a, b := twinNormal(goOut), twinNormal(intelOut); a != b {
				t.Errorf("%s and %s print different things:\n%s", file, intelFile, lineDiff(a, b))
			}
		})
	}
}
