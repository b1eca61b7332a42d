package examples

import (
	"io/fs"
	"reflect"
	"strings"
	"testing"
)

func TestList(t *testing.T) {
	list, err := List()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 45 {
		t.Fatalf("List returned %d examples, want 45 (15 in each of three syntaxes)", len(list))
	}
	byFile := map[string]Example{}
	for _, ex := range list {
		byFile[ex.File] = ex
		src, err := fs.ReadFile(FS(), ex.File)
		if err != nil || string(src) != ex.Source {
			t.Errorf("%s: Source differs from the embedded file (%v)", ex.File, err)
		}
	}
	tests := []struct {
		file, syntax, summaryStart string
		runs                       []Run
	}{
		{"add.s", "go", "add.s teaches the calling convention", []Run{{Args: []string{"2", "3"}}}},
		{"hello.asm", "intel", "hello.asm teaches system calls", []Run{{}, {Entry: "bye"}}},
		{"spin.s", "go", "spin.s teaches", []Run{{Timeout: "100ms"}}},
		{"overflow.s", "go", "overflow.s teaches", []Run{{Stack: "64k"}}},
		{"sse.s", "go", "sse.s teaches", []Run{{Args: []string{"2.5"}}, {Entry: "misaligned", Args: []string{"2.5"}}}},
		{"threads.s", "go", "threads.s teaches", []Run{{Threads: "4"}}},
		{"mapsum.s", "go", "mapsum.s teaches", []Run{{Map: "examples/numbers.txt", MapData: []byte("10\n20\n3\n4\n5\n")}}},
		{"att/add.s", "att", "add.s teaches the calling convention", []Run{{Args: []string{"2", "3"}}}},
		{"att/hello.s", "att", "hello.s teaches system calls", []Run{{}, {Entry: "bye"}}},
		{"att/mapsum.s", "att", "mapsum.s teaches", []Run{{Map: "examples/numbers.txt", MapData: []byte("10\n20\n3\n4\n5\n")}}},
	}
	for _, tc := range tests {
		ex, ok := byFile[tc.file]
		if !ok {
			t.Errorf("no %s", tc.file)
			continue
		}
		if ex.Syntax != tc.syntax || !strings.HasPrefix(ex.Summary, tc.summaryStart) {
			t.Errorf("%s: syntax %q, summary %q; want %q, %q…", tc.file, ex.Syntax, ex.Summary, tc.syntax, tc.summaryStart)
		}
		if !reflect.DeepEqual(ex.Runs, tc.runs) {
			t.Errorf("%s: Runs = %+v, want %+v", tc.file, ex.Runs, tc.runs)
		}
	}
}

func TestParseRunErrors(t *testing.T) {
	tests := []struct{ line, want string }{
		{"examples/other.s", `"examples/other.s" is neither examples/add.s nor a flag`},
		{"--regs examples/add.s", `"--regs" is neither`},
		{"--entry", "--entry needs a value"},
		{"2 3", `"2" is neither`},
		{"--entry x", "the command does not name examples/add.s"},
		{"--map examples/none.txt examples/add.s", "--map examples/none.txt: open none.txt"},
		// --map reads the embedded directory only: no way out of it.
		{"--map examples/../go.mod examples/add.s", "--map examples/../go.mod: read ../go.mod: invalid argument"},
		{"--map /etc/passwd examples/add.s", "--map /etc/passwd: read /etc/passwd: invalid argument"},
		{strings.Repeat("x ", 65), "more than 64 words"},
	}
	for _, tc := range tests {
		_, err := parseRun("add.s", tc.line)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("parseRun(%q) = %v, want an error containing %q", tc.line, err, tc.want)
		}
	}
}

// FuzzParseRun reads any line as a Run: line: never a panic, and a line
// it accepts names the example and only known flags.
func FuzzParseRun(f *testing.F) {
	f.Add("--entry bye examples/add.s 2 3")
	f.Add("--map examples/numbers.txt examples/add.s")
	f.Add("--timeout")
	f.Fuzz(func(t *testing.T, line string) {
		run, err := parseRun("add.s", line)
		if err != nil {
			return
		}
		if !strings.Contains(line, "examples/add.s") {
			t.Fatalf("%q accepted without the example's path: %+v", line, run)
		}
		if run.Map != "" && run.MapData == nil {
			t.Fatalf("%q: --map %s without its bytes", line, run.Map)
		}
	})
}
