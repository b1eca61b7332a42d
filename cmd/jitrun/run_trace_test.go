//go:build linux && amd64

package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/jitrun/jitrun/asm"
)

// traceCases are the goldens of run --trace and --break (issue 13's
// acceptance list), run in this process like runCases.
var traceCases = []runCase{
	{"trace-sum", []string{"run", "../../examples/sum.s", "5", "--trace"}, "", exitOK},
	{"trace-sum-intel-listing", []string{"run", "../../examples/sum.s", "3", "--trace", "--listing-syntax", "intel"}, "", exitOK},
	{"trace-fact", []string{"run", "../../examples/fact.s", "3", "--trace"}, "", exitOK},
	{"trace-call", []string{"run", td("trace-call.s"), "--trace"}, "", exitOK},
	{"trace-entry", []string{"run", td("trace-call.s"), "--entry", "double", "--trace", "21"}, "", exitOK},
	{"trace-stack", []string{"run", td("trace-stack.asm"), "--trace"}, "", exitOK},
	{"trace-movsb", []string{"run", td("trace-movsb.asm"), "--trace"}, "", exitOK},
	{"trace-fault", []string{"run", td("trace-fault.s"), "--trace"}, "", exitFault},
	{"trace-int3", []string{"run", td("trace-int3.asm"), "--trace"}, "", exitOK},
	{"trace-int3-break", []string{"run", td("trace-int3.asm"), "--break", "+0"}, "", exitOK},
	{"trace-break-3", []string{"run", "../../examples/sum.s", "3", "--break", "loop"}, "", exitOK},
	{"trace-break-count", []string{"run", "../../examples/sum.s", "5", "--break", "sum.s:10", "--count", "4", "--break", "done"}, "", exitOK},
	{"trace-break-trace", []string{"run", "../../examples/sum.s", "2", "--trace", "--break", "9"}, "", exitOK},
	{"trace-max-steps", []string{"run", td("trace-spin.s"), "--trace", "--max-steps", "1000"}, "", exitTimeout},
	{"trace-off-stack", []string{"run", "-e", "mov rsp, 8; nop; ret", "--trace"}, "", exitTimeout},
	{"trace-off-stack-json", []string{"run", "-e", "mov rsp, 8; nop; ret", "--trace", "--json"}, "", exitTimeout},
	{"trace-fs-write", []string{"run", "-e", "mov qword fs:[0x10], 42; mov rax, fs:[0x10]; ret", "--trace"}, "", exitOK},
	{"trace-max-steps-break", []string{"run", td("trace-spin.s"), "--break", "loop", "--count", "499", "--max-steps", "1000"}, "", exitTimeout},
	{"trace-show-break", []string{"run", td("trace-stack.asm"), "--break", "+0xd", "--show", "rsp:16/gx"}, "", exitOK},
	{"trace-show-json", []string{"run", td("trace-stack.asm"), "--break", "+0xd", "--show", "rsp:16/gx", "--json"}, "", exitOK},
	{"trace-outside", []string{"run", "../../examples/nx.s", "--trace"}, "", exitFault},
	{"trace-xmm", []string{"run", "--syntax", "intel", "-e", "lea rax, [rip+f]\ncall rax\nret\nf: mov rcx, 0x4045000000000000\nmovq xmm0, rcx\naddsd xmm0, xmm0\nret", "--trace"}, "", exitOK},
	{"trace-ymm", []string{"run", "--syntax", "intel", "-e", "vpcmpeqb ymm1, ymm1, ymm1\nvpxor xmm2, xmm2, xmm1\nvzeroupper\nret", "--trace", "--json"}, "", exitOK},
	{"trace-disasm-regs", []string{"run", "../../examples/sum.s", "2", "--trace", "--disasm", "--regs"}, "", exitOK},
	{"trace-hex", []string{"run", "--hex", "b8 01 00 00 00 ff c0 c3", "--trace", "--break", "+5"}, "", exitOK},
	{"trace-json", []string{"run", "../../examples/sum.s", "2", "--trace", "--json", "--break", "loop", "--count", "2"}, "", exitOK},
	{"trace-json-fault", []string{"run", td("trace-fault.s"), "--json", "--trace"}, "", exitFault},
	{"trace-json-max-steps", []string{"run", td("trace-spin.s"), "--json", "--trace", "--max-steps", "4"}, "", exitTimeout},
	{"trace-json-stack", []string{"run", td("trace-stack.asm"), "--json", "--trace"}, "", exitOK},

	// Bad input: one line, status 2.
	{"trace-break-unknown", []string{"run", "../../examples/sum.s", "--break", "lop"}, "", exitInput},
	{"trace-break-no-code", []string{"run", "../../examples/sum.s", "--break", "8"}, "", exitInput},
	{"trace-break-other-file", []string{"run", "../../examples/sum.s", "--break", "fact.s:5"}, "", exitInput},
	{"trace-break-past-end", []string{"run", "../../examples/sum.s", "--break", "+0x100"}, "", exitInput},
	{"trace-break-mid-instruction", []string{"run", "../../examples/sum.s", "--break", "+0x8"}, "", exitInput},
	{"trace-break-data", []string{"run", "../../examples/hello.s", "--break", "+0x1000"}, "", exitInput},
	{"trace-break-padding", []string{"run", "../../examples/hello.s", "--break", "+0x28"}, "", exitInput},
	{"trace-break-bare-hex", []string{"run", "../../examples/sum.s", "--break", "0x10"}, "", exitInput},
	{"trace-break-hex-name", []string{"run", "--hex", "c3", "--break", "main"}, "", exitInput},
	{"trace-break-hex-line", []string{"run", "--hex", "c3", "--break", "3"}, "", exitInput},
	{"trace-count-first", []string{"run", "../../examples/sum.s", "--count", "2", "--break", "loop"}, "", exitInput},
	{"trace-count-twice", []string{"run", "../../examples/sum.s", "--break", "loop", "--count", "2", "--count", "3"}, "", exitInput},
	{"trace-count-zero", []string{"run", "../../examples/sum.s", "--break", "loop", "--count", "0"}, "", exitInput},
	{"trace-max-steps-zero", []string{"run", "../../examples/sum.s", "--trace", "--max-steps", "0"}, "", exitInput},
	{"trace-max-steps-negative", []string{"run", "../../examples/sum.s", "--trace", "--max-steps", "-5"}, "", exitInput},
	{"trace-max-steps-alone", []string{"run", "../../examples/sum.s", "--max-steps", "5"}, "", exitInput},
	{"trace-max-steps-huge", []string{"run", "../../examples/sum.s", "--trace", "--max-steps", "2000000"}, "", exitInput},
	{"trace-json-max-steps-huge", []string{"run", "../../examples/sum.s", "--trace", "--json", "--max-steps", "100001"}, "", exitInput},
	{"trace-break-space", []string{"run", "../../examples/sum.s", "--break", "sum.s: 9"}, "", exitInput},
	{"trace-threads", []string{"run", "../../examples/sum.s", "--trace", "--threads", "2"}, "", exitInput},
	{"trace-time", []string{"run", "../../examples/sum.s", "--break", "loop", "--time"}, "", exitInput},
}

func TestRunTraceGolden(t *testing.T) {
	for _, tc := range traceCases {
		t.Run(tc.name, func(t *testing.T) {
			got, stdout, stderr, status := transcriptParts(strings.NewReader(tc.stdin), tc.args...)
			if status != tc.status {
				t.Errorf("exit status %d, want %d:\n%s", status, tc.status, got)
			}
			switch {
			case tc.status == exitInput:
				if stdout != "" || strings.Count(stderr, "\n") != 1 {
					t.Errorf("want one line on standard error and none on standard output:\n%s", got)
				}
			case stderr != "":
				t.Errorf("standard error is not empty:\n%s", got)
			}
			checkGolden(t, td(tc.name+".golden"), mask(got))
		})
	}
}

// traceChildCases run in a supervised child: the code's system calls go
// through the filter, and what it writes is captured.
var traceChildCases = []runCase{
	{"trace-syscall-write", []string{"run", "../../examples/hello.s", "--trace"}, "", exitOK},
	{"trace-syscall-refused", []string{"run", "--entry", "bye", "../../examples/hello.s", "--trace"}, "", exitFault},
	{"trace-syscall-json", []string{"run", "../../examples/hello.s", "--trace", "--json"}, "", exitOK},
}

func TestRunTraceChildGolden(t *testing.T) {
	for _, tc := range traceChildCases {
		t.Run(tc.name, func(t *testing.T) {
			checkGolden(t, td(tc.name+".golden"), childGoldenTranscript(t, tc.args, tc.status))
		})
	}
}

// A trace that runs out of time: the timeout's report and status 4, with
// "timeout": true and "stopped": "timeout" in JSON (how many steps ran
// varies: no golden).
func TestRunTraceTimeout(t *testing.T) {
	status, stdout, stderr := runCmd(t, "", "run", td("trace-spin.s"), "--trace", "--max-steps", "1000000", "--timeout", "100ms")
	if status != exitTimeout || stderr != "" || !strings.Contains(stdout, "timeout: the code was still running after 100ms and was stopped at") ||
		!strings.Contains(stdout, "more iterations") {
		t.Errorf("status %d, stderr %q:\n%s", status, stderr, stdout)
	}
	status, stdout, _ = runCmd(t, "", "run", td("trace-spin.s"), "--break", "loop", "--count", "99999", "--max-steps", "100000", "--timeout", "100ms", "--json")
	var doc struct {
		Timeout bool
		Stopped string
		Steps   []json.RawMessage
		Breaks  []json.RawMessage
		RAX     *int64
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil || status != exitTimeout || !doc.Timeout || doc.Stopped != "timeout" ||
		doc.Steps != nil || doc.Breaks == nil || len(doc.Breaks) != 0 || doc.RAX != nil {
		t.Errorf("status %d, %v: %+v", status, err, doc)
	}
}

// --json records the first maxJSONBreaks breakpoint hits and counts the
// others.
func TestRunTraceJSONBreaksCut(t *testing.T) {
	status, stdout, _ := runCmd(t, "", "run", td("trace-spin.s"), "--json", "--break", "loop", "--max-steps", "1200")
	var doc struct {
		Stopped   string
		Breaks    []struct{ Hit int }
		BreaksCut int `json:"breaks_cut"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil || status != exitTimeout || len(doc.Breaks) != maxJSONBreaks ||
		doc.Breaks[maxJSONBreaks-1].Hit != maxJSONBreaks || doc.BreaksCut != 600-maxJSONBreaks {
		t.Errorf("status %d, %v: %d breaks, %d cut", status, err, len(doc.Breaks), doc.BreaksCut)
	}
}

// The steps of --json are one object per instruction, in order, up to
// the cap.
func TestRunTraceJSONSteps(t *testing.T) {
	status, stdout, _ := runCmd(t, "", "run", td("trace-spin.s"), "--json", "--trace", "--max-steps", "300")
	var doc struct {
		Stopped string
		Timeout bool
		Steps   []struct {
			N     int
			Where string
		}
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil || status != exitTimeout || doc.Stopped != "max-steps" || doc.Timeout || len(doc.Steps) != 300 {
		t.Fatalf("status %d, %v, stopped %q, %d steps", status, err, doc.Stopped, len(doc.Steps))
	}
	for i, s := range doc.Steps {
		want := []string{"loop+0x0", "loop+0x3"}[(i+1)%2]
		if i == 0 {
			want = "main+0x0"
		}
		if s.N != i+1 || s.Where != want {
			t.Fatalf("step %d: %+v, want %s", i, s, want)
		}
	}
}

func FuzzLookupBreak(f *testing.F) {
	for _, s := range []string{"loop", "+0x10", "+16", "10", "sum.s:10", "x:y:3", "+", "+-1", "0x10", ":5", "sum.loop", ""} {
		f.Add(s)
	}
	src, err := os.ReadFile("../../examples/sum.s")
	if err != nil {
		f.Fatal(err)
	}
	p, err := asm.AssembleSource("sum.s", src, asm.SyntaxGo)
	if err != nil {
		f.Fatal(err)
	}
	rc := &runnable{name: "sum.s", code: p.Code, prog: p}
	f.Fuzz(func(t *testing.T, where string) {
		off, err := rc.lookupBreak(where)
		if err == nil && (off < 0 || off >= len(rc.code)) {
			t.Errorf("%q: offset %d outside the code", where, off)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: error of more than one line: %v", where, err)
		}
	})
}

// The supervising parent keeps a --json document of a trace up to
// maxTraceJSON, any other up to maxCapturedOutput.
func TestJSONDocLimit(t *testing.T) {
	tests := []struct {
		args []string
		want int
	}{
		{[]string{"run", "x.s", "--json", "--trace"}, maxTraceJSON},
		{[]string{"run", "--break", "loop", "x.s", "--json"}, maxTraceJSON},
		{[]string{"run", "x.s", "--trace"}, maxCapturedOutput},
		{[]string{"run", "x.s", "--json"}, maxCapturedOutput},
		{[]string{"bench", "-e", "NOP", "--json"}, maxCapturedOutput},
		{[]string{"run", "--json", "--trace", "--frobnicate"}, maxCapturedOutput},
		{nil, maxCapturedOutput},
	}
	for _, tt := range tests {
		if got := jsonDocLimit(tt.args); got != tt.want {
			t.Errorf("jsonDocLimit(%q) = %d, want %d", tt.args, got, tt.want)
		}
	}
}
