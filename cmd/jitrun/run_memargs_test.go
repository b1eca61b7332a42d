package main

import (
	"encoding/json"
	"io"
	"strings"
	"testing"
)

// memCases are run's memory arguments and --show views: their masked
// transcripts are compared with testdata/run/NAME.golden. Memory
// arguments end at a page boundary (the guard page follows), so the last
// three hex digits of their addresses, which mask keeps, do not change.
var memCases = []runCase{
	// Memory arguments.
	{"mem-strlen", []string{"run", td("strlen.s"), "str:hello"}, "", exitOK},
	{"mem-strlen-intel", []string{"run", td("strlen.asm"), "str:hello, world"}, "", exitOK},
	{"mem-arraysum", []string{"run", td("arraysum.s"), "i64:1,-2,3,40", "4"}, "", exitOK},
	{"mem-arraysum-intel", []string{"run", td("arraysum.asm"), "i64:1,-2,3,40", "4"}, "", exitOK},
	{"mem-memcpy", []string{"run", td("memcpy.s"), "buf:16", "str:hello,memory", "13"}, "", exitOK},
	// Sixteen bytes into an eight-byte buffer: the ninth lands on the
	// guard page.
	{"mem-memcpy-overrun", []string{"run", td("memcpy.asm"), "buf:8", "buf:16", "16"}, "", exitFault},
	{"mem-types", []string{"run", "-e", "RET", "f64:1.5,-2", "f32:0.5", "u8:1,2,255", "i32:-1,7", "u16:0xbeef", "buf:0"}, "", exitOK},
	{"mem-long", []string{"run", "-e", "MOVQ $-1, AX; MOVQ AX, (DI); RET", "buf:300"}, "", exitOK},
	{"mem-file", []string{"run", "-e", "MOVQ SI, AX; RET", "file:" + td("ab.txt"), "3"}, "", exitOK},
	// --map takes rdi and rsi; the memory argument goes in rdx.
	{"mem-with-map", []string{"run", "--map", td("ab.txt"), "-e", "MOVB (DI), CX; MOVB CX, (DX); MOVQ DX, AX; RET", "buf:4"}, "", exitOK},
	{"mem-json", []string{"run", "--json", td("strlen.s"), "str:hi", "--show", "rdi/s"}, "", exitOK},
	{"mem-threads", []string{"run", "--threads", "1", td("strlen.s"), "str:abc"}, "", exitOK},

	// Views.
	{"show-fault", []string{"run", td("pushes.s"), "--show", "rsp:64/gx", "--show", "SP+8:16/d"}, "", exitFault},
	{"show-fault-intel", []string{"run", "--syntax", "intel", "-e", "push 0x11; push -2; xor eax, eax; mov rax, [rax]; ret", "--show", "rsp:16/gx", "--show", "$rsp:16/gd", "--show", "rsp:16/b"}, "", exitFault},
	{"show-return", []string{"run", td("strlen.s"), "str:hello", "--show", "rdi/s", "--show", "DI:8/c", "--show", "rdi:4/wu"}, "", exitOK},
	{"show-symbol", []string{"run", "-e", "GLOBL counter(SB), $8; DATA counter+0(SB)/8, $41; GLOBL table(SB), $16; DATA table+0(SB)/8, $-1; DATA table+8(SB)/8, $2; TEXT f(SB), 0, $0; INCQ counter(SB); RET", "--show", "counter/d", "--show", "table/d", "--show", "table:8/bx"}, "", exitOK},
	{"show-unmapped", []string{"run", "-e", "RET", "buf:8", "--show", "rdi:16/gx", "--show", "0x10:8"}, "", exitOK},
	{"show-timeout", []string{"run", "--timeout", "50ms", "-e", "PUSHQ $7; loop: JMP loop", "--show", "rsp:8/d"}, "", exitTimeout},
	{"show-json-fault", []string{"run", "--json", td("pushes.s"), "--show", "rsp:16/gd"}, "", exitFault},

	// Bad input: status 2, one line.
	{"mem-bad-type", []string{"run", "-e", "RET", "foo:1"}, "", exitInput},
	{"mem-bad-element", []string{"run", "-e", "RET", "i32:1,3000000000"}, "", exitInput},
	{"mem-too-big", []string{"run", "-e", "RET", "buf:2G"}, "", exitInput},
	{"mem-too-much", []string{"run", "-e", "RET", "buf:1G", "buf:1"}, "", exitInput},
	{"mem-missing-file", []string{"run", "-e", "RET", "file:" + td("missing.bin")}, "", exitInput},
	{"mem-too-many", []string{"run", "-e", "RET", "buf:1", "1", "2", "3", "4", "5", "6"}, "", exitInput},
	{"show-unknown-symbol", []string{"run", td("two.s"), "--show", "cnt"}, "", exitInput},
	{"show-no-symbols", []string{"run", "--hex", "c3", "--show", "counter"}, "", exitInput},
	{"show-bad-length", []string{"run", "-e", "RET", "--show", "rsp:10/g"}, "", exitInput},
	{"show-threads", []string{"run", "--threads", "2", "-e", "RET", "--show", "rsp"}, "", exitInput},
}

// memChildCases run as jitrun does, in a supervised child process that
// maps the memory arguments and runs the code, with the --syscalls filter
// installed (the in-process runs of memCases have none).
var memChildCases = []runCase{
	{"mem-child-strlen", []string{"run", td("strlen.s"), "str:hello", "--show", "rdi/s"}, "", exitOK},
	{"mem-child-json", []string{"run", "--json", td("arraysum.asm"), "i64:1,-2,3,40", "4", "--show", "rdi:32/d"}, "", exitOK},
	{"mem-child-fault", []string{"run", td("memcpy.s"), "buf:8", "str:0123456789", "11"}, "", exitFault},
	// mprotect(rdi, 4096, PROT_NONE): refused by default (the buffers
	// are jitrun's); allowed, the report says it cannot read the buffer.
	{"mem-mprotect-refused", []string{"run", "-e", "MOVQ $10, AX; MOVQ $4096, SI; XORL DX, DX; SYSCALL; RET", "buf:4096"}, "", exitFault},
	{"mem-mprotect-allowed", []string{"run", "--syscalls", "allow", "-e", "MOVQ $10, AX; MOVQ $4096, SI; XORL DX, DX; SYSCALL; RET", "buf:4096", "--show", "rdi:8"}, "", exitOK},
	{"mem-child-too-big", []string{"run", "-e", "RET", "buf:2G"}, "", exitInput},
}

func TestRunMemoryChild(t *testing.T) {
	for _, tc := range memChildCases {
		t.Run(tc.name, func(t *testing.T) {
			got, status := childTranscript(t, ".", tc.args...)
			if status != tc.status {
				t.Errorf("exit status %d, want %d:\n%s", status, tc.status, got)
			}
			checkGolden(t, td(tc.name+".golden"), mask(got))
		})
	}
}

func TestRunMemoryGolden(t *testing.T) {
	for _, tc := range memCases {
		t.Run(tc.name, func(t *testing.T) {
			var stdin io.Reader = strings.NewReader(tc.stdin)
			got, stdout, stderr, status := transcriptParts(stdin, tc.args...)
			if status != tc.status {
				t.Errorf("exit status %d, want %d:\n%s", status, tc.status, got)
			}
			switch {
			case tc.status == exitInput:
				if stdout != "" || stderr == "" || strings.Count(stderr, "\n") > 1 {
					t.Errorf("want one line on standard error and none on standard output:\n%s", got)
				}
			case stderr != "":
				t.Errorf("standard error is not empty:\n%s", got)
			}
			checkGolden(t, td(tc.name+".golden"), mask(got))
		})
	}
}

// TestRunMemoryJSON checks the memory fields of run --json as a program
// reads them: the buffer in full hex, and a view's rows.
func TestRunMemoryJSON(t *testing.T) {
	_, stdout, _, status := transcriptParts(strings.NewReader(""), "run", "--json", "-e", "MOVQ $0x2a, (DI); RET", "buf:20000", "--show", "rdi:8/gd")
	if status != exitOK {
		t.Fatalf("exit status %d", status)
	}
	var doc runJSON
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.MemArgs) != 1 || len(doc.Show) != 1 {
		t.Fatalf("memargs %d, show %d:\n%s", len(doc.MemArgs), len(doc.Show), stdout)
	}
	m := doc.MemArgs[0]
	wantHex := "2a" + strings.Repeat("00", memArgJSONBytes-1)
	if m.Arg != "buf:20000" || m.Reg != "rdi" || m.Size != 20000 || m.Hex != wantHex || m.CutBytes != 20000-memArgJSONBytes || m.Unreadable {
		t.Errorf("memargs[0] = %+v (hex %d digits)", m, len(m.Hex))
	}
	if s := doc.Show[0]; s.Addr != m.Addr || len(s.Rows) != 1 || len(s.Rows[0].Values) != 1 || s.Rows[0].Values[0] != "42" {
		t.Errorf("show[0] = %+v", s)
	}
}

// TestRunMemoryJSONCap runs the largest --json document memory can make:
// six memory arguments past what --json shows of each, and the most views
// of the most bytes in the most verbose format. It must stay below the
// cap the supervising parent puts on the document.
func TestRunMemoryJSONCap(t *testing.T) {
	args := []string{"run", "--json", "-e", "RET", "buf:1M", "buf:1M", "buf:1M", "buf:1M", "buf:1M", "buf:1M"}
	for _, reg := range []string{"rdi", "rsi", "rdx", "rcx"} {
		args = append(args, "--show", reg+":4096/c")
	}
	_, stdout, stderr, status := transcriptParts(strings.NewReader(""), args...)
	if status != exitOK {
		t.Fatalf("exit status %d: %s", status, stderr)
	}
	if len(stdout) > maxCapturedOutput*7/8 {
		t.Errorf("the --json document is %d bytes; the parent takes at most %d: keep a margin", len(stdout), maxCapturedOutput)
	}
	t.Logf("largest --json document: %d bytes", len(stdout))
	_, _, stderr, status = transcriptParts(strings.NewReader(""), append(args, "--show", "rsp")...)
	if want := "jitrun run: invalid value \"rsp\" for flag -show: at most 4 views (of at most 4096 bytes each) (see 'jitrun run -h')\n"; status != exitInput || stderr != want {
		t.Errorf("a fifth view: status %d, %q; want 2, %q", status, stderr, want)
	}
}
