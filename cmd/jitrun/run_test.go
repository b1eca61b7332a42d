package main

import (
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jitrun/jitrun/execmem"
	"github.com/jitrun/jitrun/trampoline"
)

// runCase is one `jitrun run` command: its masked transcript is compared
// with testdata/run/NAME.golden, and its exit status with status.
type runCase struct {
	name   string
	args   []string
	stdin  string // standard input; stdinFails for one that fails
	status int
}

// stdinFails is a runCase.stdin whose reads fail.
const stdinFails = "\x00fails"

// td is a file of testdata/run.
func td(name string) string { return filepath.Join("testdata", "run", name) }

// errReader fails every read, to reach the system-error path.
type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("input/output error") }

var runCases = []runCase{
	// Results.
	{"return", []string{"run", "-e", "MOVQ $42, AX; RET"}, "", exitOK},
	{"negative", []string{"run", "-e", "MOVQ $-1, AX; RET"}, "", exitOK},
	{"int-args", []string{"run", "../../examples/add.s", "0x10", "-3"}, "", exitOK},
	{"six-int-args", []string{"run", "-e", "MOVQ DI, AX; ADDQ SI, AX; ADDQ DX, AX; ADDQ CX, AX; ADDQ R8, AX; ADDQ R9, AX; RET", "1", "2", "3", "4", "5", "0x7fffffffffffffff"}, "", exitOK},
	{"unsigned-arg", []string{"run", "-e", "MOVQ DI, AX; RET", "0xffffffffffffffff"}, "", exitOK},
	{"float-args", []string{"run", "-e", "ADDSD X1, X0; RET", "1.5", "2e3"}, "", exitOK},
	// A float result equal to its argument, and float code with no
	// argument: xmm0 is shown (issue 11: only rax was).
	{"float-equal-arg", []string{"run", "--syntax", "intel", "-e", "sqrtsd xmm0, xmm0\nret", "1.0"}, "", exitOK},
	{"float-code", []string{"run", "-e", "SQRTSD X0, X0; RET"}, "", exitOK},
	{"float32-result", []string{"run", "-e", "MOVL $0x40200000, AX; MOVQ AX, X0; XORL AX, AX; RET"}, "", exitOK},
	{"rdx", []string{"run", "-e", "MOVQ $1, AX; MOVQ $-2, DX; RET"}, "", exitOK},
	{"ascii", []string{"run", "-e", "MOVQ $0x77202c6f6c6c6548, AX; RET"}, "", exitOK},
	{"regs", []string{"run", "--regs", "-e", "MOVQ $-1, BX; ADDQ $1, BX; MOVQ $3, R15; STD; CLD; PCMPEQB X9, X9; RET", "7"}, "", exitOK},
	{"disasm", []string{"run", "../../examples/sum.s", "10", "--disasm"}, "", exitOK},
	{"disasm-intel-listing", []string{"run", "../../examples/sum.s", "10", "--disasm", "--listing-syntax", "intel"}, "", exitOK},
	{"hex", []string{"run", "--hex", "48 c7 c0 2a 00 00 00 c3", "--disasm"}, "", exitOK},
	{"hex-c-array", []string{"run", "--hex", "{0x48, 0xc7, 0xc0, 0x2a, 0, 0, 0, 0xc3}"}, "", exitOK},
	{"bin", []string{"run", "--bin", td("ret42.bin")}, "", exitOK},
	{"bin-stdin", []string{"run", "--bin", "-"}, "\xb8\x07\x00\x00\x00\xc3", exitOK},
	{"stdin-source", []string{"run", "-", "5"}, "LEAQ 1(DI), AX\nRET\n", exitOK},
	{"intel-expr", []string{"run", "--syntax", "intel", "-e", "lea rax, [rdi + rsi*4]\nret", "2", "10"}, "", exitOK},
	{"entry-symbol", []string{"run", "--entry", "second", td("two.s")}, "", exitOK},
	{"entry-func-label", []string{"run", "--entry", "second.loop", td("two.s")}, "", exitOK},
	{"entry-offset", []string{"run", "--entry", "6", td("two.s")}, "", exitOK},
	{"entry-hex-offset", []string{"run", "--hex", "b8 01 00 00 00 c3 b8 02 00 00 00 c3", "--entry", "0x6"}, "", exitOK},
	{"map", []string{"run", "--map", "../../examples/numbers.txt", "-e", "MOVQ SI, AX; MOVBQZX (DI), DX; RET"}, "", exitOK},
	{"map-with-args", []string{"run", "--map", td("ab.txt"), "-e", "MOVQ DX, AX; RET", "9"}, "", exitOK},
	{"stack-size", []string{"run", "--stack", "64k", "-e", "MOVQ SP, AX; RET", "--regs"}, "", exitOK},
	{"threads-one", []string{"run", "--threads", "1", "--disasm", "-e", "MOVQ $1, AX; RET"}, "", exitOK},
	{"json", []string{"run", "../../examples/add.s", "2", "3", "--json"}, "", exitOK},
	{"json-float", []string{"run", "--json", "-e", "DIVSD X1, X0; RET", "0.0", "0.0"}, "", exitOK},

	// Faults.
	{"fault-write", []string{"run", "../../examples/selfmod.s"}, "", exitFault},
	{"fault-ud2", []string{"run", "--entry", "ud2", td("faults.s")}, "", exitFault},
	{"fault-int3", []string{"run", "--entry", "int3", td("faults.s")}, "", exitFault},
	{"fault-div0", []string{"run", "--entry", "div0", td("faults.s")}, "", exitFault},
	{"fault-null", []string{"run", "--entry", "null", td("faults.s")}, "", exitFault},
	{"fault-hlt", []string{"run", "--entry", "hlt", td("faults.s")}, "", exitFault},
	{"fault-ac", []string{"run", "--entry", "ac", td("faults.s")}, "", exitFault},
	{"fault-map-write", []string{"run", "--entry", "readmap", "--map", td("ab.txt"), td("faults.s")}, "", exitFault},
	{"fault-missing-ret", []string{"run", "-e", "MOVL $1, AX"}, "", exitFault},
	{"fault-intel", []string{"run", "--syntax", "intel", "-e", "xor eax, eax\nmov [rax], eax\nret"}, "", exitFault},
	{"fault-json", []string{"run", "--json", "../../examples/selfmod.s"}, "", exitFault},
	{"fault-json-nx", []string{"run", "--json", "../../examples/nx.s"}, "", exitFault},
	{"fault-threads", []string{"run", "--threads", "1", "--entry", "ud2", td("faults.s")}, "", exitFault},
	{"fault-time", []string{"run", "--time", "--entry", "ud2", td("faults.s")}, "", exitFault},
	// The first call returns, a repeated one faults (its counter in
	// writable data is past 1).
	{"fault-time-repeated", []string{"run", "--time", "--syntax", "intel", "-e", "section .data; calls: dq 0; section .text; inc qword [rel calls]; cmp qword [rel calls], 1; jne again; mov eax, 1; ret; again: ud2"}, "", exitFault},

	// Timeouts.
	{"timeout", []string{"run", "--timeout", "50ms", "-e", "MOVQ $9, BX; loop: JMP loop"}, "", exitTimeout},
	{"timeout-json", []string{"run", "--timeout", "50ms", "--json", "-e", "loop: JMP loop"}, "", exitTimeout},
	{"timeout-threads", []string{"run", "--timeout", "50ms", "--threads", "1", "-e", "loop: JMP loop"}, "", exitTimeout},
	// The current address: a jump to itself.
	{"timeout-intel-here", []string{"run", "--timeout", "50ms", "--syntax", "intel", "-e", "mov ebx, 9; jmp $"}, "", exitTimeout},
	{"timeout-att-here", []string{"run", "--timeout", "50ms", "--syntax", "att", "-e", "movl $9, %ebx; jmp ."}, "", exitTimeout},

	// Timing.
	{"time", []string{"run", "--time", "../../examples/add.s", "2", "3"}, "", exitOK},
	{"time-regs-disasm", []string{"run", "--time", "--regs", "--disasm", "--stack", "64k", "-e", "MOVQ $1, AX; RET"}, "", exitOK},
	{"time-floats", []string{"run", "--time", "-e", "ADDSD X1, X0; RET", "1", "2", "--", "1.0", "2.0"}, "", exitOK},

	// Bad input: one line on standard error, status 2.
	{"no-source", []string{"run"}, "", exitInput},
	{"missing-file", []string{"run", td("missing.s")}, "", exitInput},
	{"asm-error", []string{"run", "-e", "MOVQ $1, AX\nMOV AX, BX\nRET"}, "", exitInput},
	{"asm-error-file", []string{"run", filepath.Join("testdata", "asm", "bad.s")}, "", exitInput},
	{"bad-flag", []string{"run", "--frobnicate", "-e", "RET"}, "", exitInput},
	{"bad-arg", []string{"run", "-e", "RET", "abc"}, "", exitInput},
	{"big-arg", []string{"run", "-e", "RET", "1e999"}, "", exitInput},
	{"too-many-ints", []string{"run", "-e", "RET", "1", "2", "3", "4", "5", "6", "7"}, "", exitInput},
	{"too-many-floats", []string{"run", "-e", "RET", "1.0", "2.0", "3.0", "4.0", "5.0", "6.0", "7.0", "8.0", "9.0"}, "", exitInput},
	{"too-many-with-map", []string{"run", "--map", td("ab.txt"), "-e", "RET", "1", "2", "3", "4", "5"}, "", exitInput},
	{"two-sources", []string{"run", "-e", "RET", "--hex", "c3"}, "", exitInput},
	{"syntax-with-hex", []string{"run", "--hex", "c3", "--syntax", "intel"}, "", exitInput},
	{"bad-hex", []string{"run", "--hex", "c3 zz"}, "", exitInput},
	{"empty-bin", []string{"run", "--bin", td("empty.bin")}, "", exitInput},
	{"missing-bin", []string{"run", "--bin", td("missing.bin")}, "", exitInput},
	{"bin-dir", []string{"run", "--bin", "testdata"}, "", exitInput},
	{"entry-unknown", []string{"run", "--entry", "third", td("two.s")}, "", exitInput},
	{"entry-ambiguous", []string{"run", "--entry", "loop", td("two.s")}, "", exitInput},
	{"entry-data", []string{"run", "--entry", "table", td("two.s")}, "", exitInput},
	{"entry-past-end", []string{"run", "--hex", "c3", "--entry", "1"}, "", exitInput},
	{"entry-negative", []string{"run", "--hex", "c3", "--entry", "-1"}, "", exitInput},
	{"source-dir", []string{"run", "testdata"}, "", exitInput},
	{"source-empty", []string{"run", "-e", "// nothing"}, "", exitInput},
	{"entry-name-hex", []string{"run", "--hex", "c3", "--entry", "main"}, "", exitInput},
	{"no-instructions", []string{"run", "-e", "DATA x<>+0(SB)/8, $1\nGLOBL x<>(SB), RODATA, $8"}, "", exitInput},
	{"bad-stack", []string{"run", "--stack", "lots", "-e", "RET"}, "", exitInput},
	{"zero-stack", []string{"run", "--stack", "0", "-e", "RET"}, "", exitInput},
	{"negative-timeout", []string{"run", "--timeout", "-1s", "-e", "RET"}, "", exitInput},
	{"bad-timeout", []string{"run", "--timeout", "soon", "-e", "RET"}, "", exitInput},
	{"zero-threads", []string{"run", "--threads", "0", "-e", "RET"}, "", exitInput},
	{"many-threads", []string{"run", "--threads", "100000", "-e", "RET"}, "", exitInput},
	{"json-time", []string{"run", "--json", "--time", "-e", "RET"}, "", exitInput},
	{"json-disasm", []string{"run", "--json", "--disasm", "-e", "RET"}, "", exitInput},
	{"regs-threads", []string{"run", "--regs", "--threads", "2", "-e", "RET"}, "", exitInput},
	{"time-threads", []string{"run", "--time", "--threads", "2", "-e", "RET"}, "", exitInput},
	{"map-missing", []string{"run", "--map", td("missing.txt"), "-e", "RET"}, "", exitInput},
	{"map-empty", []string{"run", "--map", td("empty.bin"), "-e", "RET"}, "", exitInput},
	{"map-dir", []string{"run", "--map", "testdata", "-e", "RET"}, "", exitInput},
	{"bad-listing-syntax", []string{"run", "--listing-syntax", "att&t", "-e", "RET"}, "", exitInput},
	// A timer this short fired before the code started, and jitrun
	// started the code again for ever.
	{"timeout-1ns", []string{"run", "--timeout", "1ns", "--hex", "c3"}, "", exitInput},
	{"timeout-1us", []string{"run", "--timeout", "1us", "-e", "JMP 0(PC)"}, "", exitInput},
	{"timeout-short", []string{"run", "--timeout", "1ms", "-e", "JMP 0(PC)"}, "", exitTimeout},
	// Writable data is writable (it was mapped read+exec with the code,
	// and its first write faulted), and never executable.
	{"data-counter-intel", []string{"run", "--syntax", "intel", "-e", "section .data; counter: dq 41; section .text; inc qword [rel counter]; inc qword [rel counter]; mov rax, [rel counter]; ret"}, "", exitOK},
	{"data-counter-go", []string{"run", "-e", "GLOBL counter(SB), $8; DATA counter+0(SB)/8, $41; TEXT f(SB), 0, $0; INCQ counter(SB); MOVQ counter(SB), AX; RET"}, "", exitOK},
	{"data-exec", []string{"run", "--syntax", "intel", "-e", "section .data; counter: dq 41; section .text; lea rax, [rel counter]; call rax; ret"}, "", exitFault},

	// System errors: status 1.
	{"stdin-error", []string{"run", "-"}, stdinFails, exitSystem},
	{"bin-stdin-error", []string{"run", "--bin", "-"}, stdinFails, exitSystem},
}

func TestRunGolden(t *testing.T) {
	for _, tc := range runCases {
		t.Run(tc.name, func(t *testing.T) {
			var stdin io.Reader = strings.NewReader(tc.stdin)
			if tc.stdin == stdinFails {
				stdin = errReader{}
			}
			got, stdout, stderr, status := transcriptParts(stdin, tc.args...)
			if status != tc.status {
				t.Errorf("exit status %d, want %d:\n%s", status, tc.status, got)
			}
			switch {
			case tc.status == exitInput || tc.status == exitSystem:
				// Bad input or a system error: nothing on standard
				// output; one line on standard error, or one per
				// problem, each FILE:LINE:COL: message, for assembly
				// errors.
				lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
				if stdout != "" || stderr == "" || len(lines) > 1 && !positioned(lines) {
					t.Errorf("want one line on standard error and none on standard output:\n%s", got)
				}
			case stderr != "":
				t.Errorf("standard error is not empty:\n%s", got)
			}
			checkGolden(t, td(tc.name+".golden"), mask(got))
		})
	}
}

// positioned reports whether every line is an assembly error,
// FILE:LINE:COL: message.
func positioned(lines []string) bool {
	for _, l := range lines {
		if !positionedLine.MatchString(l) {
			return false
		}
	}
	return true
}

var positionedLine = regexp.MustCompile(`^[^:]+:[0-9]+:[0-9]+: .`)

// TestRunJSONFields decodes --json output and checks the values, beyond
// the golden text.
func TestRunJSONFields(t *testing.T) {
	type doc struct {
		RAX   *int64           `json:"rax"`
		RDX   *int64           `json:"rdx"`
		XMM0  any              `json:"xmm0"`
		Regs  map[string]any   `json:"regs"`
		Fault *json.RawMessage `json:"fault"`
		// Fields of a fault.
		Timeout    bool  `json:"timeout"`
		DurationNS int64 `json:"duration_ns"`
	}
	type fault struct {
		Signal      string  `json:"signal"`
		Code        string  `json:"code"`
		Addr        string  `json:"addr"`
		PC          string  `json:"pc"`
		Offset      *int    `json:"offset"`
		Access      *string `json:"access"`
		ErrorCode   uint64  `json:"error_code"`
		Trap        int     `json:"trap"`
		Instruction *string `json:"instruction"`
	}
	decode := func(args ...string) (doc, *fault) {
		t.Helper()
		_, out, errOut := runCmd(t, "", args...)
		var d doc
		if err := json.Unmarshal([]byte(out), &d); err != nil {
			t.Fatalf("%v: %v\n%s%s", args, err, out, errOut)
		}
		if d.DurationNS <= 0 {
			t.Errorf("%v: duration_ns %d", args, d.DurationNS)
		}
		if len(d.Regs) != 21 {
			t.Errorf("%v: %d registers in regs, want 21", args, len(d.Regs))
		}
		if d.Fault == nil {
			return d, nil
		}
		var f fault
		if err := json.Unmarshal(*d.Fault, &f); err != nil {
			t.Fatal(err)
		}
		return d, &f
	}

	d, f := decode("run", "--json", "-e", "MOVQ $-5, AX; MOVQ $7, DX; RET")
	if f != nil || d.RAX == nil || *d.RAX != -5 || *d.RDX != 7 || d.XMM0 != 0.0 || d.Timeout {
		t.Errorf("return: %+v", d)
	}
	d, _ = decode("run", "--json", "-e", "SQRTSD X0, X0; RET", "--", "-1.0")
	if d.XMM0 != "NaN" {
		t.Errorf("sqrt(-1): xmm0 %v, want \"NaN\"", d.XMM0)
	}
	d, f = decode("run", "--json", "../../examples/selfmod.s")
	if f == nil || d.RAX != nil || d.XMM0 != nil || f.Signal != "SIGSEGV" || f.Code != "SEGV_ACCERR" || f.Trap != 14 ||
		f.ErrorCode != 7 || f.Access == nil || *f.Access != "write" || f.Offset == nil || *f.Offset != 7 ||
		f.Instruction == nil || *f.Instruction != "MOVB $0x90, 0(AX)" {
		t.Errorf("write fault: %+v %+v", d, f)
	}
	_, f = decode("run", "--json", "../../examples/nx.s")
	if f == nil || f.ErrorCode != 0x15 || *f.Access != "exec" || f.Offset != nil || f.Instruction == nil || *f.Instruction != "MOVL $0x7, AX" || f.Addr != f.PC {
		t.Errorf("NX fault: %+v", f)
	}
	_, f = decode("run", "--json", "--entry", "hlt", td("faults.s"))
	if f == nil || f.Signal != "SIGSEGV" || f.Code != "SI_KERNEL" || f.Trap != 13 || f.Access != nil || f.Addr != "0x0" || *f.Instruction != "HLT" {
		t.Errorf("#GP: %+v", f)
	}
	_, f = decode("run", "--json", "--entry", "int3", td("faults.s"))
	if f == nil || f.Signal != "SIGTRAP" || f.Trap != 3 || *f.Offset != 14 || *f.Instruction != "INT $0x3" {
		t.Errorf("int3: %+v", f)
	}
	d, f = decode("run", "--json", "--timeout", "50ms", "-e", "loop: JMP loop")
	if f != nil || !d.Timeout || d.RAX != nil {
		t.Errorf("timeout: %+v", d)
	}
	if d.DurationNS < 50e6 {
		t.Errorf("timeout after 50ms: duration_ns %d", d.DurationNS)
	}
}

// TestRunJSONErrors checks that --json prints source that does not
// assemble as {"errors": [...]}, with status 2 and nothing on standard
// error; other bad input stays one line on standard error.
func TestRunJSONErrors(t *testing.T) {
	status, stdout, stderr := runCmd(t, "", "run", "--json", "-e", "MOVQ $1, AX\nMOV AX, BX\nADDQ $1,\nRET")
	want := `{
  "errors": [
    {
      "file": "<expr>",
      "line": 2,
      "col": 1,
      "message": "unknown instruction MOV: Go syntax puts the operand size in the mnemonic: MOVB, MOVW, MOVL, MOVQ"
    },
    {
      "file": "<expr>",
      "line": 3,
      "col": 8,
      "message": "missing operand after ','"
    }
  ]
}
`
	if status != exitInput || stderr != "" || stdout != want {
		t.Errorf("status %d, stderr %q, stdout:\n%s\nwant:\n%s", status, stderr, stdout, want)
	}
	status, stdout, stderr = runCmd(t, "", "run", "--json", "missing.s")
	if status != exitInput || stdout != "" || stderr != "jitrun run: open missing.s: no such file or directory\n" {
		t.Errorf("missing file: status %d, stdout %q, stderr %q", status, stdout, stderr)
	}
}

// TestRunHelp checks that -h documents every flag.
func TestRunHelp(t *testing.T) {
	status, out, errOut := runCmd(t, "", "run", "-h")
	if status != exitOK || errOut != "" {
		t.Fatalf("status %d, stderr %q", status, errOut)
	}
	for _, flag := range []string{"-e", "-syntax", "-hex", "-bin", "-entry", "-regs", "-disasm", "-time", "-timeout", "-stack", "-json", "-threads", "-map", "-listing-syntax", "-lanes"} {
		if !strings.Contains(out, "\n  "+flag+" ") && !strings.Contains(out, "\n  "+flag+"\n") {
			t.Errorf("-h does not document %s:\n%s", flag, out)
		}
	}
	// Issue 11: -h said ';' starts an Intel comment in -e, and the flag
	// said the opposite (the flag is right).
	if strings.Contains(out, "separate the instructions of -e with newlines") || !strings.Contains(out, "In -e, ';' separates statements in either syntax") {
		t.Errorf("-h does not say that ';' separates statements in -e:\n%s", out)
	}
	checkGolden(t, td("help.golden"), out)
}

// TestMeasure checks the batching of --time with a fake call: the counts
// add up, and an error stops the measurement.
func TestMeasure(t *testing.T) {
	calls := 0
	tm, err := measure(func() error { calls++; return nil }, 0)
	if err != nil || tm.batches != minBatches || tm.calls <= 0 || int64(calls) <= tm.calls || tm.min > tm.median || tm.min < 0 {
		t.Errorf("measure: %+v, %v after %d calls", tm, err, calls)
	}
	boom := errors.New("boom")
	calls = 0
	_, err = measure(func() error {
		calls++
		if calls == 1000 {
			return boom
		}
		return nil
	}, time.Hour)
	if err != boom || calls != 1000 {
		t.Errorf("measure: error %v after %d calls, want boom after 1000", err, calls)
	}
}

// A long program that jumps to its stack: the listing of the NX fault
// keeps the rows next to the marked instruction outside the code, before
// or after them as the stack lies below or above the code.
func TestRunOutsideListingCut(t *testing.T) {
	src := "SUBQ $16, SP; MOVQ $0xc3, AX; MOVQ AX, (SP); MOVQ SP, AX; " + strings.Repeat("NOP; ", 60) + "CALL AX; ADDQ $16, SP; RET"
	out, status := transcript(t, strings.NewReader(""), "run", "-e", src)
	if status != exitFault {
		t.Fatalf("status %d, want %d:\n%s", status, exitFault, out)
	}
	_, listing, _ := strings.Cut(out, "listing (=> the faulting instruction, outside the code):\n")
	listing, _, _ = strings.Cut(listing, "\n\n")
	lines := strings.Split(listing, "\n")
	marked := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "=> ") })
	if marked < 0 || !strings.Contains(lines[marked], " outside ") || !strings.Contains(lines[marked], " c3 ") || !strings.Contains(lines[marked], "RET") {
		t.Fatalf("no marked RET outside the code in the listing:\n%s", listing)
	}
	codeRows := 0
	for _, l := range lines {
		if strings.HasPrefix(l, "   0x") {
			codeRows++
		}
	}
	if want := 2 * listingContext; codeRows != want {
		t.Errorf("%d rows of the code, want %d:\n%s", codeRows, want, listing)
	}
	switch {
	case marked == 0: // the stack below the code: the first rows follow
		if !strings.HasPrefix(lines[len(lines)-1], "   … ") || !strings.HasSuffix(lines[len(lines)-1], " rows after") {
			t.Errorf("stack below the code: want the marked row first and '… N rows after' last:\n%s", listing)
		}
	default: // above: the last rows come before it
		if marked != len(lines)-1 || !strings.HasSuffix(lines[0], " rows before") {
			t.Errorf("stack above the code: want '… N rows before' first and the marked row last:\n%s", listing)
		}
	}
}

// TestThreadStatus checks the exit status of --threads whose calls ended
// differently: a fault outranks a timeout, which outranks a return.
func TestThreadStatus(t *testing.T) {
	blk, err := execmem.Load([]byte{0xc3})
	if err != nil {
		t.Fatal(err)
	}
	defer blk.Close()
	r := newReport(&runnable{name: "<hex>", code: []byte{0xc3}}, blk, nil, &callArgs{})
	returned := &outcome{}
	stopped := &outcome{intr: &trampoline.Interrupted{}}
	faulted := &outcome{fault: &trampoline.Fault{Signal: syscall.SIGILL, Trap: 6, PC: blk.Addr()}}
	tests := []struct {
		name string
		outs []*outcome
		want int
	}{
		{"returned", []*outcome{returned, returned}, exitOK},
		{"stopped", []*outcome{returned, stopped}, exitTimeout},
		{"faulted", []*outcome{returned, faulted}, exitFault},
		{"faulted then stopped", []*outcome{faulted, stopped, returned}, exitFault},
		{"stopped then faulted", []*outcome{stopped, faulted}, exitFault},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			results := make([]threadResult, len(tt.outs))
			for i, o := range tt.outs {
				results[i].out = o
			}
			var b strings.Builder
			if got := writeThreadResults(&b, r, results, time.Second); got != tt.want {
				t.Errorf("status %d, want %d:\n%s", got, tt.want, b.String())
			}
		})
	}
}
