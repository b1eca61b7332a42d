package serve

import (
	"syscall"
	"testing"

	"github.com/jitrun/jitrun/isolate"
)

// TestResultBody maps each way a child can end to its answer.
func TestResultBody(t *testing.T) {
	const runDoc = "{\n  \"rax\": 5\n}\n"
	tests := []struct {
		name   string
		k      kind
		res    isolate.Result
		status int
		body   string
	}{
		{"a document", kindRun, isolate.Result{Stdout: []byte(runDoc)}, 200, runDoc},
		{"a fault's document", kindRun, isolate.Result{Status: 3, Stdout: []byte(runDoc)}, 200, runDoc},
		{"killed at the deadline", kindRun, isolate.Result{Status: 4, Died: "killed at the 4s wall-clock deadline", Signal: syscall.SIGKILL},
			200, "{\n  \"rax\": null,\n  \"rdx\": null,\n  \"xmm0\": null,\n  \"regs\": null,\n  \"fault\": null,\n  \"timeout\": true,\n  \"broken\": \"killed at the 4s wall-clock deadline\"\n}\n"},
		{"killed by a limit", kindBench, isolate.Result{Status: 5, Died: "killed by SIGKILL (the address-space limit?)", Signal: syscall.SIGKILL},
			200, "{\n  \"broken\": \"killed by SIGKILL (the address-space limit?)\",\n  \"timeout\": false\n}\n"},
		{"cut", kindRun, isolate.Result{Status: 5, Stdout: []byte("{\"rax\": 5, \"stdout\": \"xxxx"), Truncated: true, Died: "garbage on the result pipe: more output than the limit"},
			200, "{\n  \"rax\": null,\n  \"rdx\": null,\n  \"xmm0\": null,\n  \"regs\": null,\n  \"fault\": null,\n  \"timeout\": false,\n  \"broken\": \"the result was larger than 8 MiB and was cut\"\n}\n"},
		{"garbage", kindRun, isolate.Result{Status: 5, Stdout: []byte("hello"), Died: "garbage on the result pipe: 5 bytes that are not one JSON document (\"hello\"…)"},
			200, "{\n  \"rax\": null,\n  \"rdx\": null,\n  \"xmm0\": null,\n  \"regs\": null,\n  \"fault\": null,\n  \"timeout\": false,\n  \"broken\": \"garbage on the result pipe: 5 bytes that are not one JSON document (\\\"hello\\\"…)\"\n}\n"},
		{"bad input", kindRun, isolate.Result{Status: 2, Stderr: []byte("jitrun run: --entry: no symbol x\n")},
			400, "{\n  \"error\": \"jitrun run: --entry: no symbol x\"\n}\n"},
		{"a kernel that faulted", kindBench, isolate.Result{Status: 5, Died: "garbage on the result pipe: no JSON document", NoDocument: true, Stderr: []byte("jitrun bench: warning: w\nprog.s:1:1: kernel \"kernel\" faulted: MOVQ (AX), AX\n\trax 0\n")},
			200, "{\n  \"errors\": [\n    {\n      \"file\": \"prog.s\",\n      \"line\": 1,\n      \"col\": 1,\n      \"message\": \"kernel \\\"kernel\\\" faulted: MOVQ (AX), AX\"\n    }\n  ],\n  \"detail\": \"jitrun bench: warning: w\\n\\trax 0\"\n}\n"},
		{"asm errors", kindAsm, isolate.Result{Status: 2, Stderr: []byte("prog.s:2:1: unknown instruction FOO\n")},
			200, "{\n  \"errors\": [\n    {\n      \"file\": \"prog.s\",\n      \"line\": 2,\n      \"col\": 1,\n      \"message\": \"unknown instruction FOO\"\n    }\n  ]\n}\n"},
		{"disasm's positions are not errors", kindDisasm, isolate.Result{Status: 2, Stderr: []byte("x:1:1: y\n")},
			400, "{\n  \"error\": \"x:1:1: y\"\n}\n"},
		{"memory past the address-space limit", kindRun, isolate.Result{Status: 1, Stderr: []byte("jitrun run: memory argument buf:1G: execmem: mmap 0x0+0x40001000 rw-: cannot allocate memory (ENOMEM)\n")},
			400, "{\n  \"error\": \"jitrun run: memory argument buf:1G: execmem: mmap 0x0+0x40001000 rw-: cannot allocate memory (ENOMEM); a run's address space is limited here (2 GiB with jitrun itself): ask for less memory\"\n}\n"},
		{"a system error", kindRun, isolate.Result{Status: 1, Stderr: []byte("jitrun run: mmap: out of memory\n")},
			500, "{\n  \"error\": \"jitrun run: mmap: out of memory\"\n}\n"},
		{"nothing at all", kindRun, isolate.Result{Status: 1},
			500, "{\n  \"error\": \"jitrun printed nothing (exit status 1)\"\n}\n"},
	}
	for _, tc := range tests {
		status, body := resultBody(tc.k, &tc.res)
		if status != tc.status || string(body) != tc.body {
			t.Errorf("%s: HTTP %d\n%s\nwant %d\n%s", tc.name, status, body, tc.status, tc.body)
		}
	}
}
