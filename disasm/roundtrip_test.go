package disasm

import (
	"bytes"
	"strings"
	"testing"

	"github.com/jitrun/jitrun/asm"
)

// roundTrip is one instruction whose text must read back: its bytes, its
// Text in Go, Intel and AT&T syntax, and, when an assembler would not make
// the same bytes of the text, a substring of the Note (WriteAsm then
// writes the bytes).
type roundTrip struct {
	name string
	hex  string
	text [3]string
	note string
}

// absoluteTrips are memory operands with neither base nor index: x86asm
// prints address 0 as nothing ([], "mov ,%rax", "jmpq *").
var absoluteTrips = []roundTrip{
	{"mov from address 0", "48 8b 04 25 00 00 00 00", [3]string{"MOVQ 0, AX", "mov rax, qword ptr [0x0]", "mov 0x0,%rax"}, ""},
	{"jmp through address 0", "ff 24 25 00 00 00 00", [3]string{"JMP 0", "jmp qword ptr [0x0]", "jmpq *0x0"}, ""},
	{"call through address 0", "ff 14 25 00 00 00 00", [3]string{"CALL 0", "call qword ptr [0x0]", "callq *0x0"}, ""},
	{"mov from address 0x10", "8b 04 25 10 00 00 00", [3]string{"MOVL 0x10, AX", "mov eax, dword ptr [0x10]", "mov 0x10,%eax"}, ""},
	{"store an immediate at 0", "c7 04 25 00 00 00 00 05 00 00 00", [3]string{"MOVL $0x5, 0", "mov dword ptr [0x0], 0x5", "movl $0x5,0x0"}, ""},
	{"negative address", "8b 04 25 00 00 00 80", [3]string{"MOVL -0x80000000, AX", "mov eax, dword ptr [-0x80000000]", "mov -0x80000000,%eax"}, ""},
	{"push from address 0", "ff 34 25 00 00 00 00", [3]string{"PUSHQ 0", "push qword ptr [0x0]", "pushq 0x0"}, ""},
	{"lgdt at 0", "0f 01 14 25 00 00 00 00", [3]string{"LGDT 0", "lgdt [0x0]", "lgdt 0x0"}, ""},
	{"index without base", "8b 04 cd 00 00 00 00", [3]string{"MOVL 0(CX*8), AX", "mov eax, dword ptr [8*rcx]", "mov (,%rcx,8),%eax"}, ""},
	{"RIP-relative, no displacement", "48 8b 05 00 00 00 00", [3]string{"MOVQ 0(IP), AX", "mov rax, qword ptr [rip]", "mov (%rip),%rax"}, "IP"},
	{"fs:0", "64 48 8b 04 25 00 00 00 00", [3]string{"MOVQ FS:0, AX", "mov rax, qword ptr fs:[0x0]", "mov %fs:0x0,%rax"}, "FS or GS"},
	{"fs:0x28", "64 48 8b 04 25 28 00 00 00", [3]string{"MOVQ FS:0x28, AX", "mov rax, qword ptr fs:[0x28]", "mov %fs:0x28,%rax"}, "FS or GS"},
	{"movabs from 0", "48 a1 00 00 00 00 00 00 00 00", [3]string{"MOVQ 0, AX", "movabs rax, qword ptr [0x0]", "movabs 0x0,%rax"}, "64-bit address"},
	{"movabs to 0", "a2 00 00 00 00 00 00 00 00", [3]string{"MOVB AL, 0", "movabs byte ptr [0x0], al", "movabs %al,0x0"}, "64-bit address"},
	{"movabs from gs:0", "65 48 a1 00 00 00 00 00 00 00 00", [3]string{"MOVQ GS:0, AX", "movabs rax, qword ptr gs:[0x0]", "movabs %gs:0x0,%rax"}, "64-bit address"},
	{"32-bit absolute address", "67 8b 04 25 10 00 00 00", [3]string{"MOVL 0x10, AX", "addr32 mov eax, dword ptr [0x10]", "addr32 mov 0x10,%eax"}, "prefix 67"},
	{"32-bit movabs", "67 a1 00 00 00 00", [3]string{"MOVL 0, AX", "addr32 movabs eax, dword ptr [0x0]", "addr32 movabs 0x0,%eax"}, "prefix 67"},
}

// checkTrips checks the first row of each case in the three syntaxes:
// its length, Text, Note and Asm.
func checkTrips(t *testing.T, trips []roundTrip) {
	for _, tt := range trips {
		code := mustHex(t, tt.hex)
		for _, s := range asm.Syntaxes {
			t.Run(tt.name+"/"+s.String(), func(t *testing.T) {
				r := Decode(code, Options{Syntax: s})[0]
				if r.Text != tt.text[slot(s)] || len(r.Bytes) != len(code) || r.Bad {
					t.Fatalf("% x: %q (%d bytes, bad %v, %s); want %q", code, r.Text, len(r.Bytes), r.Bad, r.Note, tt.text[slot(s)])
				}
				// RIP-relative operands without a name are Go's only
				// unreadable text (see the package doc).
				wantNote := tt.note
				if tt.note == "IP" || tt.note == "FS or GS" {
					if s != asm.SyntaxGo {
						wantNote = ""
					} else if tt.note == "IP" {
						return
					}
				}
				if (r.Asm != "") != (wantNote != "") || !strings.Contains(r.Note, wantNote) {
					t.Errorf("note %q, Asm %q; want a note saying %q", r.Note, r.Asm, wantNote)
				}
			})
		}
	}
}

// jitrunTrip assembles the WriteAsm source of code in syntax s (Go or
// Intel) with jitrun's assembler and checks that it gives code back.
func jitrunTrip(t *testing.T, code []byte, s asm.Syntax) {
	t.Helper()
	var src strings.Builder
	if err := WriteAsm(&src, Decode(code, Options{Syntax: s})); err != nil {
		t.Fatal(err)
	}
	p, err := asm.AssembleSource("trip.s", []byte(src.String()), s)
	switch {
	case err != nil:
		t.Errorf("% x: %s source %q does not assemble: %v", code, s, src.String(), err)
	case !bytes.Equal(p.Code, code):
		t.Errorf("% x: %s source %q assembles to % x", code, s, src.String(), p.Code)
	}
}

// TestAbsoluteAddresses: the text of memory operands with no base or
// index, and the source WriteAsm makes of them, which jitrun's Go and
// Intel front ends read back into the same bytes (TestOracleRoundTrip
// feeds the Intel and AT&T source to GNU as).
func TestAbsoluteAddresses(t *testing.T) {
	checkTrips(t, absoluteTrips)
	for _, tt := range absoluteTrips {
		if tt.note == "IP" {
			continue
		}
		for _, s := range []asm.Syntax{asm.SyntaxGo, asm.SyntaxIntel} {
			t.Run(tt.name+"/"+s.String(), func(t *testing.T) { jitrunTrip(t, mustHex(t, tt.hex), s) })
		}
	}
}

// allTrips lists the cases of every round-trip table.
func allTrips() []roundTrip {
	return absoluteTrips
}
