package serve

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// field walks doc (decoded JSON) along path: keys of objects, indexes
// (as "0", "1") of arrays.
func field(t *testing.T, doc any, path ...string) any {
	t.Helper()
	v := doc
	for _, p := range path {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[p]; !ok {
				t.Fatalf("no %q in %v (path %v)", p, x, path)
			}
		case []any:
			i := 0
			for _, c := range p {
				i = i*10 + int(c-'0')
			}
			if i >= len(x) {
				t.Fatalf("index %d past %d elements (path %v)", i, len(x), path)
			}
			v = x[i]
		default:
			t.Fatalf("%v is not an object or array (path %v)", v, path)
		}
	}
	return v
}

func decodeDoc(t *testing.T, body string) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatalf("answer is not a JSON object: %v\n%s", err, body)
	}
	return doc
}

// want is an expected value at a path of the answer.
type want struct {
	path  []string
	value any
}

func TestAPI(t *testing.T) {
	ts := startServer(t, Config{})
	const add = "TEXT ·add(SB), NOSPLIT|NOFRAME, $0\n\tMOVQ DI, AX\n\tADDQ SI, AX\n\tRET\n"
	tests := []struct {
		name   string
		path   string
		body   string
		status int    // HTTP
		exit   string // X-Jitrun-Status
		wants  []want
	}{
		{"run returns", "/api/run", `{"source": ` + quote(add) + `, "args": ["2", "3"]}`, 200, "0", []want{
			{[]string{"rax"}, 5.0}, {[]string{"fault"}, nil}, {[]string{"timeout"}, false}, {[]string{"regs", "rsi"}, "0x3"},
		}},
		{"run intel with stdin and output", "/api/run", `{"source": "sub rsp, 16\nxor edi, edi\nmov rsi, rsp\nmov edx, 3\nxor eax, eax\nsyscall\nmov edi, 1\nmov rsi, rsp\nmov rdx, rax\nmov eax, 1\nsyscall\nadd rsp, 16\nret\n", "syntax": "intel", "stdin": "hi\nthere"}`, 200, "0", []want{
			{[]string{"rax"}, 3.0}, {[]string{"stdout"}, "hi\n"},
		}},
		{"run AT&T", "/api/run", `{"source": "movq %rdi, %rax\naddq %rsi, %rax\nret\n", "syntax": "att", "args": ["2", "3"]}`, 200, "0", []want{{[]string{"rax"}, 5.0}}},
		{"run AT&T as gnu", "/api/run", `{"source": "movq $7, %rax\nret\n", "syntax": "gnu"}`, 200, "0", []want{{[]string{"rax"}, 7.0}}},
		{"bad syntax", "/api/run", `{"source": "RET", "syntax": "cobol"}`, 400, "", []want{{[]string{"error"}, `syntax "cobol": want go, intel, att or auto`}}},
		{"run hex", "/api/run", `{"hex": "48c7c02a000000c3"}`, 200, "0", []want{{[]string{"rax"}, 42.0}}},
		{"run memory argument", "/api/run", `{"source": "MOVBQZX 1(DI), AX\nRET\n", "args": ["str:hi"]}`, 200, "0", []want{
			{[]string{"rax"}, float64('i')}, {[]string{"memargs", "0", "arg"}, "str:hi"}, {[]string{"memargs", "0", "reg"}, "rdi"},
		}},
		{"run fault", "/api/run", `{"source": "MOVQ $1, AX\nMOVQ (AX), AX\nRET\n"}`, 200, "3", []want{
			{[]string{"rax"}, nil}, {[]string{"fault", "signal"}, "SIGSEGV"}, {[]string{"fault", "code"}, "SEGV_MAPERR"},
			{[]string{"fault", "addr"}, "0x1"}, {[]string{"fault", "offset"}, 7.0}, {[]string{"fault", "access"}, "read"},
		}},
		{"run timeout", "/api/run", `{"source": "loop:\n\tJMP loop\n", "timeout": "100ms"}`, 200, "4", []want{
			{[]string{"timeout"}, true}, {[]string{"rax"}, nil},
		}},
		{"run refused syscall", "/api/run", `{"source": "MOVQ $231, AX\nMOVQ $7, DI\nSYSCALL\nRET\n"}`, 200, "3", []want{
			{[]string{"fault", "signal"}, "SIGSYS"}, {[]string{"fault", "syscall", "name"}, "exit_group"},
		}},
		{"run cannot open files", "/api/run", `{"source": "mov rdi, -100\nlea rsi, [rip+path]\nxor edx, edx\nmov eax, 257\nsyscall\nret\npath: .asciz \"/etc/passwd\"\n", "syntax": "intel"}`, 200, "3", []want{
			{[]string{"fault", "signal"}, "SIGSYS"}, {[]string{"fault", "syscall", "name"}, "openat"},
		}},
		{"run does not assemble", "/api/run", `{"source": "MOVQ $1, AX\nFOO AX\nRET\n"}`, 200, "2", []want{
			{[]string{"errors", "0", "file"}, "prog.s"}, {[]string{"errors", "0", "line"}, 2.0}, {[]string{"errors", "0", "col"}, 1.0},
			{[]string{"errors", "0", "message"}, "unknown instruction FOO"},
		}},
		{"trace", "/api/run", `{"source": "MOVQ $1, AX\nINCQ AX\nRET\n", "trace": true}`, 200, "0", []want{
			{[]string{"stopped"}, "return"}, {[]string{"steps", "1", "text"}, "INCQ AX"}, {[]string{"steps", "1", "line"}, 2.0},
			{[]string{"steps", "1", "regs", "0", "name"}, "rax"}, {[]string{"steps", "1", "regs", "0", "new"}, "0x2"},
		}},
		{"trace to the step cap (a document over 1 MiB)", "/api/run", `{"source": "loop:\n\tJMP loop\n", "trace": true, "timeout": "2s"}`, 200, "4", []want{
			{[]string{"stopped"}, "max-steps"}, {[]string{"steps", "9999", "n"}, 10000.0}, {[]string{"steps", "9999", "text"}, "JMP loop(SB)"},
		}},
		{"break", "/api/run", `{"source": "MOVQ $1, AX\nINCQ AX\nRET\n", "breaks": ["2"]}`, 200, "0", []want{
			{[]string{"stopped"}, "return"}, {[]string{"rax"}, 2.0},
		}},
		{"asm", "/api/asm", `{"source": "MOVQ $1, AX\nRET\n"}`, 200, "0", []want{
			{[]string{"code"}, "48c7c001000000c3"}, {[]string{"lines", "1", "line"}, 2.0}, {[]string{"lines", "1", "offset"}, 7.0},
		}},
		{"asm errors", "/api/asm", `{"source": "FOO\nRET\nBAR\n"}`, 200, "2", []want{
			{[]string{"errors", "0", "line"}, 1.0}, {[]string{"errors", "1", "line"}, 3.0}, {[]string{"errors", "1", "message"}, "unknown instruction BAR"},
		}},
		{"disasm", "/api/disasm", `{"hex": "48c7c02a000000c3", "syntax": "intel"}`, 200, "0", []want{
			{[]string{"rows", "0", "text"}, "mov rax, 0x2a"}, {[]string{"rows", "1", "text"}, "ret"}, {[]string{"size"}, 8.0},
		}},
		{"disasm bad hex", "/api/disasm", `{"hex": "zz"}`, 400, "2", []want{
			{[]string{"error"}, `jitrun disasm: --hex: column 1: "z" is not a hex digit`},
		}},
		{"bench", "/api/bench", `{"source": "IMULQ BX, AX"}`, 200, "0", []want{
			{[]string{"kernels", "0", "name"}, "kernel"},
		}},
		{"bench kernels", "/api/bench", `{"kernels": [{"name": "lat", "source": "IMULQ BX, AX"}, {"name": "bad", "source": "FOO"}]}`, 200, "2", []want{
			{[]string{"errors", "0", "file"}, "k2_bad.s"}, {[]string{"errors", "0", "message"}, "unknown instruction FOO"},
		}},
		{"bench fault", "/api/bench", `{"source": "MOVQ (AX), AX"}`, 200, "", []want{
			{[]string{"errors", "0", "file"}, "prog.s"}, {[]string{"errors", "0", "line"}, 1.0},
		}},
		{"bad argument", "/api/run", `{"source": "RET", "args": ["xyz"]}`, 400, "2", []want{
			{[]string{"error"}, `jitrun run: argument 1 ("xyz") is not a number: integers (42, 0x2a, -1) go to rdi, rsi, rdx, rcx, r8, r9; floats (1.5, 2e3) to xmm0-xmm7; memory (str:TEXT, buf:N, i64:1,2) as a pointer in the next integer register`},
		}},
		{"stack past the address-space limit", "/api/run", `{"source": "RET", "stack": "3G"}`, 400, "1", []want{
			{[]string{"error"}, "jitrun run: trampoline: map a 3221225472-byte stack: execmem: mmap 0x0+0xc0200000 ---: cannot allocate memory (ENOMEM); a run's address space is limited here (2 GiB with jitrun itself): ask for less memory"},
		}},
		{"file argument", "/api/run", `{"source": "RET", "args": ["file:/etc/passwd"]}`, 400, "", []want{
			{[]string{"error"}, `argument 1 ("file:/etc/passwd"): file: arguments read the server's files and are refused here; pass the bytes as str:TEXT or u8:B,B,…`},
		}},
		{"timeout too long", "/api/run", `{"source": "RET", "timeout": "5s"}`, 400, "", []want{{[]string{"error"}, "timeout 5s: at most 2s here"}}},
		{"no code", "/api/run", `{}`, 400, "", []want{{[]string{"error"}, `need the code: "source" (assembly text) or "hex" (machine code)`}}},
		{"bad JSON", "/api/run", `{"source": `, 400, "", []want{{[]string{"error"}, "bad JSON request: unexpected EOF"}}},
		{"unknown field", "/api/run", `{"sauce": "RET"}`, 400, "", []want{{[]string{"error"}, `bad JSON request: json: unknown field "sauce"`}}},
		{"two values", "/api/run", `{"source": "RET"} {}`, 400, "", []want{{[]string{"error"}, "bad JSON request: more than one JSON value"}}},
		{"hex too large for a command line", "/api/run", `{"hex": "` + strings.Repeat("c3", 33000) + `"}`, 413, "", []want{
			{[]string{"error"}, "hex is 66000 bytes: one value takes at most 64 KiB here (a program's command line cannot carry more); pass data as stdin"},
		}},
		{"argument too large for a command line", "/api/run", `{"source": "RET", "args": ["str:` + strings.Repeat("a", 70000) + `"]}`, 413, "", []want{
			{[]string{"error"}, `argument "str:aaaaaaaaaaaaaaaa"… is 70004 bytes: one value takes at most 64 KiB here (a program's command line cannot carry more); pass data as stdin`},
		}},
		{"NUL in an argument", "/api/run", `{"source": "RET", "args": ["1\u00002"]}`, 400, "", []want{
			{[]string{"error"}, `argument "1\x002" holds a NUL byte (\u0000), which a command line cannot carry; pass bytes as u8:B,B,… or as stdin`},
		}},
		{"NUL in the hex", "/api/run", `{"hex": "c3\u0000"}`, 400, "", []want{
			{[]string{"error"}, `hex holds a NUL byte (\u0000), which a command line cannot carry; pass bytes as u8:B,B,… or as stdin`},
		}},
		{"too large", "/api/run", `{"source": "` + strings.Repeat("x", maxBody) + `"}`, 413, "", []want{
			{[]string{"error"}, "request body larger than 1 MiB: source, arguments and stdin together take at most that"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, h, body := ts.post(t, tc.path, tc.body, nil)
			if status != tc.status || h.Get(statusHeader) != tc.exit {
				t.Fatalf("HTTP %d, %s %q; want %d, %q\n%s", status, statusHeader, h.Get(statusHeader), tc.status, tc.exit, body)
			}
			if ct := h.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			doc := decodeDoc(t, body)
			for _, w := range tc.wants {
				if got := field(t, doc, w.path...); !reflect.DeepEqual(got, w.value) {
					t.Errorf("%v = %#v, want %#v\n%s", w.path, got, w.value, body)
				}
			}
		})
	}
}

// TestAPIPaths checks the answers to a path that is no API (404) and to
// an API asked with the wrong method (405 with Allow).
func TestAPIPaths(t *testing.T) {
	ts := startServer(t, Config{})
	tests := []struct {
		method, path string
		status       int
		allow, msg   string
	}{
		{"GET", "/api/run", 405, "POST", "GET /api/run: this API takes POST"},
		{"POST", "/api/examples", 405, "GET, HEAD", "POST /api/examples: this API takes GET, HEAD"},
		{"POST", "/api/nope", 404, "", "no API POST /api/nope: the API is POST /api/run, /api/bench, /api/asm, /api/disasm, /api/chart and GET /api/examples"},
	}
	for _, tc := range tests {
		status, h, body := ts.send(t, tc.method, tc.path, "{}", nil)
		if status != tc.status || h.Get("Allow") != tc.allow || decodeDoc(t, body)["error"] != tc.msg {
			t.Errorf("%s %s: HTTP %d, Allow %q, %s; want %d, %q, %q", tc.method, tc.path, status, h.Get("Allow"), body, tc.status, tc.allow, tc.msg)
		}
	}
}

// TestRunIsRunJSON checks that /api/run answers with exactly what
// jitrun run --json prints: the same keys, in the same order.
func TestRunIsRunJSON(t *testing.T) {
	ts := startServer(t, Config{})
	_, _, body := ts.post(t, "/api/run", `{"hex": "48c7c02a000000c3"}`, nil)
	var keys []string
	dec := json.NewDecoder(strings.NewReader(body))
	dec.Token() // {
	for dec.More() {
		k, _ := dec.Token()
		keys = append(keys, k.(string))
		var skip json.RawMessage
		dec.Decode(&skip)
	}
	want := []string{"rax", "rdx", "xmm0", "regs", "fault", "timeout", "duration_ns", "stdout", "stderr"}
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("keys %v, want %v\n%s", keys, want, body)
	}
}

func TestExamplesAPI(t *testing.T) {
	ts := startServer(t, Config{})
	status, _, body := ts.get(t, "/api/examples", nil)
	if status != http.StatusOK {
		t.Fatalf("HTTP %d: %s", status, body)
	}
	var list []exampleJSON
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 45 {
		t.Fatalf("%d examples, want 45", len(list))
	}
	byFile := map[string]exampleJSON{}
	for _, ex := range list {
		byFile[ex.File] = ex
	}
	tests := []struct {
		file string
		runs []exampleRunJSON
	}{
		{"add.s", []exampleRunJSON{{Args: []string{"2", "3"}}}},
		{"hello.asm", []exampleRunJSON{{Args: []string{}}, {Args: []string{}, Entry: "bye"}}},
		{"mapsum.s", []exampleRunJSON{{Args: []string{"u8:49,48,10,50,48,10,51,10,52,10,53,10", "12"}, Note: "--map examples/numbers.txt is passed as its bytes (u8:) and its length"}}},
		{"threads.s", []exampleRunJSON{{Args: []string{}, Note: "--threads 4 is not offered here: one thread runs"}}},
		{"spin.s", []exampleRunJSON{{Args: []string{}, Timeout: "100ms"}}},
		{"att/add.s", []exampleRunJSON{{Args: []string{"2", "3"}}}},
	}
	for _, tc := range tests {
		if got := byFile[tc.file].Runs; !reflect.DeepEqual(got, tc.runs) {
			t.Errorf("%s: runs %+v, want %+v", tc.file, got, tc.runs)
		}
	}
	// An AT&T example runs through the API as its Run: line says.
	req, _ := json.Marshal(map[string]any{"source": byFile["att/add.s"].Source, "syntax": byFile["att/add.s"].Syntax, "args": byFile["att/add.s"].Runs[0].Args})
	_, _, body = ts.post(t, "/api/run", string(req), nil)
	if got := field(t, decodeDoc(t, body), "rax"); got != 5.0 {
		t.Errorf("att/add.s through the API: rax %v, want 5\n%s", got, body)
	}
	// mapsum through the API sums the file as --map does: 10+20+3+4+5.
	run := byFile["mapsum.s"].Runs[0]
	req, _ = json.Marshal(map[string]any{"source": byFile["mapsum.s"].Source, "syntax": "go", "args": run.Args})
	_, _, body = ts.post(t, "/api/run", string(req), nil)
	if got := field(t, decodeDoc(t, body), "rax"); got != 42.0 {
		t.Errorf("mapsum through the API: rax %v, want 42\n%s", got, body)
	}
}

// quote is s as a JSON string.
func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
