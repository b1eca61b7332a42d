package disasm

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/jitrun/jitrun/asm"
)

// roundTrip is one instruction whose text must read back: its bytes, its
// Text in Go, Intel and AT&T syntax, and, when an assembler would not make
// the same bytes of the text, a substring of the Note (WriteAsm then
// writes the bytes). goNote is the note in Go syntax where it differs.
// noGo and noIntel, when set, say why jitrun's Go or Intel front end does
// not read the source WriteAsm makes (GNU as must read the Intel and
// AT&T source).
type roundTrip struct {
	name, hex     string
	text          [3]string
	note, goNote  string
	noGo, noIntel string
}

// absoluteTrips are memory operands with neither base nor index: x86asm
// prints address 0 as nothing ([], "mov ,%rax", "jmpq *").
var absoluteTrips = []roundTrip{
	{name: "mov from address 0", hex: "48 8b 04 25 00 00 00 00", text: [3]string{"MOVQ 0, AX", "mov rax, qword ptr [0x0]", "mov 0x0,%rax"}},
	{name: "jmp through address 0", hex: "ff 24 25 00 00 00 00", text: [3]string{"JMP 0", "jmp qword ptr [0x0]", "jmpq *0x0"}},
	{name: "call through address 0", hex: "ff 14 25 00 00 00 00", text: [3]string{"CALL 0", "call qword ptr [0x0]", "callq *0x0"}},
	{name: "mov from address 0x10", hex: "8b 04 25 10 00 00 00", text: [3]string{"MOVL 0x10, AX", "mov eax, dword ptr [0x10]", "mov 0x10,%eax"}},
	{name: "store an immediate at 0", hex: "c7 04 25 00 00 00 00 05 00 00 00", text: [3]string{"MOVL $0x5, 0", "mov dword ptr [0x0], 0x5", "movl $0x5,0x0"}},
	{name: "negative address", hex: "8b 04 25 00 00 00 80", text: [3]string{"MOVL -0x80000000, AX", "mov eax, dword ptr [-0x80000000]", "mov -0x80000000,%eax"}},
	{name: "push from address 0", hex: "ff 34 25 00 00 00 00", text: [3]string{"PUSHQ 0", "push qword ptr [0x0]", "pushq 0x0"}},
	{name: "lgdt at 0", hex: "0f 01 14 25 00 00 00 00", text: [3]string{"LGDT 0", "lgdt [0x0]", "lgdt 0x0"}},
	{name: "index without base", hex: "8b 04 cd 00 00 00 00", text: [3]string{"MOVL 0(CX*8), AX", "mov eax, dword ptr [8*rcx]", "mov (,%rcx,8),%eax"}},
	{name: "RIP-relative, no displacement", hex: "48 8b 05 00 00 00 00", text: [3]string{"MOVQ 0(IP), AX", "mov rax, qword ptr [rip]", "mov (%rip),%rax"},
		noGo: "Go syntax has no numeric RIP-relative operand (see the package doc)"},
	{name: "fs:0", hex: "64 48 8b 04 25 00 00 00 00", text: [3]string{"MOVQ FS:0, AX", "mov rax, qword ptr fs:[0x0]", "mov %fs:0x0,%rax"}, goNote: "FS or GS"},
	{name: "fs:0x28", hex: "64 48 8b 04 25 28 00 00 00", text: [3]string{"MOVQ FS:0x28, AX", "mov rax, qword ptr fs:[0x28]", "mov %fs:0x28,%rax"}, goNote: "FS or GS"},
	{name: "movabs from 0", hex: "48 a1 00 00 00 00 00 00 00 00", text: [3]string{"MOVQ 0, AX", "movabs rax, qword ptr [0x0]", "movabs 0x0,%rax"}, note: "64-bit address"},
	{name: "movabs to 0", hex: "a2 00 00 00 00 00 00 00 00", text: [3]string{"MOVB AL, 0", "movabs byte ptr [0x0], al", "movabs %al,0x0"}, note: "64-bit address"},
	{name: "movabs from gs:0", hex: "65 48 a1 00 00 00 00 00 00 00 00", text: [3]string{"MOVQ GS:0, AX", "movabs rax, qword ptr gs:[0x0]", "movabs %gs:0x0,%rax"}, note: "64-bit address"},
	{name: "32-bit absolute address", hex: "67 8b 04 25 10 00 00 00", text: [3]string{"MOVL 0x10, AX", "addr32 mov eax, dword ptr [0x10]", "addr32 mov 0x10,%eax"}, note: "prefix 67"},
	{name: "32-bit movabs", hex: "67 a1 00 00 00 00", text: [3]string{"MOVL 0, AX", "addr32 movabs eax, dword ptr [0x0]", "addr32 movabs 0x0,%eax"}, note: "prefix 67"},
}

// testTrips checks each case in the three syntaxes: the first row's
// length, Text, Note and Asm; then, in Go and Intel syntax, that jitrun's
// assembler reads the WriteAsm source back into the bytes (jitrunTrip),
// but where the case names a reason why it does not.
func testTrips(t *testing.T, trips []roundTrip) {
	for _, tt := range trips {
		code := mustHex(t, tt.hex)
		for _, s := range asm.Syntaxes() {
			t.Run(tt.name+"/"+s.String(), func(t *testing.T) {
				r := Decode(code, Options{Syntax: s})[0]
				if r.Text != tt.text[slot(s)] || len(r.Bytes) != len(code) || r.Bad {
					t.Fatalf("% x: %q (%d bytes, bad %v, %s); want %q", code, r.Text, len(r.Bytes), r.Bad, r.Note, tt.text[slot(s)])
				}
				wantNote := tt.note
				if s == asm.SyntaxGo && tt.goNote != "" {
					wantNote = tt.goNote
				}
				if (r.Asm != "") != (wantNote != "") || !strings.Contains(r.Note, wantNote) {
					t.Errorf("note %q, Asm %q; want a note saying %q", r.Note, r.Asm, wantNote)
				}
				if s == asm.SyntaxATT {
					return // GNU as reads it: TestOracleRoundTrip
				}
				t.Run("jitrun", func(t *testing.T) {
					if why := map[asm.Syntax]string{asm.SyntaxGo: tt.noGo, asm.SyntaxIntel: tt.noIntel}[s]; why != "" {
						t.Skipf("not read by jitrun: %s", why)
					}
					jitrunTrip(t, code, s)
				})
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
	testTrips(t, absoluteTrips)
}

// aliasTrips are the undocumented alias encodings the CPU runs, which
// x86asm rejects ("not an instruction"). Assemblers write the documented
// encoding of their text (or know no such name), so WriteAsm writes their
// bytes.
var aliasTrips = []roundTrip{
	{name: "sal esp, 1 (d1 /6)", hex: "d1 f4", text: [3]string{"SALL $0x1, SP", "sal esp, 0x1", "sal %esp"}, note: "d1 /6: an undocumented alias of sal/shl (d1 /4)"},
	{name: "sal al, 1 (d0 /6)", hex: "d0 f0", text: [3]string{"SALB $0x1, AL", "sal al, 0x1", "sal %al"}, note: "d0 /6"},
	{name: "sal al, cl (d2 /6)", hex: "d2 f0", text: [3]string{"SALB CL, AL", "sal al, cl", "sal %cl,%al"}, note: "d2 /6"},
	{name: "sal r8d, cl (d3 /6)", hex: "41 d3 f0", text: [3]string{"SALL CL, R8", "sal r8d, cl", "sal %cl,%r8d"}, note: "d3 /6"},
	{name: "sal al, 5 (c0 /6)", hex: "c0 f0 05", text: [3]string{"SALB $0x5, AL", "sal al, 0x5", "sal $0x5,%al"}, note: "c0 /6"},
	{name: "sal rsp, 5 (c1 /6)", hex: "48 c1 f4 05", text: [3]string{"SALQ $0x5, SP", "sal rsp, 0x5", "sal $0x5,%rsp"}, note: "c1 /6"},
	{name: "sal of memory (d1 /6)", hex: "66 d1 74 24 08", text: [3]string{"SALW $0x1, 0x8(SP)", "sal word ptr [rsp+0x8], 0x1", "salw 0x8(%rsp)"}, note: "d1 /6"},
	{name: "test al, 1 (f6 /1)", hex: "f6 c8 01", text: [3]string{"TESTB $0x1, AL", "test al, 0x1", "test $0x1,%al"}, note: "f6 /1: an undocumented alias of test (f6 /0)"},
	{name: "test eax, 1 (f7 /1)", hex: "f7 c8 01 00 00 00", text: [3]string{"TESTL $0x1, AX", "test eax, 0x1", "test $0x1,%eax"}, note: "f7 /1"},
	{name: "test ax, 1 (f7 /1)", hex: "66 f7 c8 01 00", text: [3]string{"TESTW $0x1, AX", "test ax, 0x1", "test $0x1,%ax"}, note: "f7 /1"},
	{name: "test of memory (f7 /1)", hex: "48 f7 4c 24 08 ff ff ff ff", text: [3]string{"TESTQ $-0x1, 0x8(SP)", "test qword ptr [rsp+0x8], -0x1", "testq $-0x1,0x8(%rsp)"}, note: "f7 /1"},
	{name: "fstp1", hex: "d9 db", text: [3]string{"FSTP1 F3", "fstp1 st(3)", "fstp1 %st(3)"}, note: "fstp1 (d9 d8+i): an undocumented alias of fstp (dd d8+i)"},
	{name: "fxch4", hex: "dd c9", text: [3]string{"FXCH4 F1", "fxch4 st(1)", "fxch4 %st(1)"}, note: "fxch4 (dd c8+i): an undocumented alias of fxch (d9 c8+i)"},
	{name: "fxch7", hex: "df cb", text: [3]string{"FXCH7 F3", "fxch7 st(3)", "fxch7 %st(3)"}, note: "fxch7 (df c8+i): an undocumented alias of fxch (d9 c8+i)"},
	{name: "fstp8", hex: "df d0", text: [3]string{"FSTP8 F0", "fstp8 st(0)", "fstp8 %st"}, note: "fstp8 (df d0+i): an undocumented alias of fstp (dd d8+i)"},
	{name: "fstp9", hex: "df df", text: [3]string{"FSTP9 F7", "fstp9 st(7)", "fstp9 %st(7)"}, note: "fstp9 (df d8+i): an undocumented alias of fstp (dd d8+i)"},
	{name: "fcom2", hex: "dc d2", text: [3]string{"FCOM2 F2", "fcom2 st(2)", "fcom2 %st(2)"}, note: "fcom2 (dc d0+i): an undocumented alias of fcom (d8 d0+i)"},
	{name: "fcomp3", hex: "dc db", text: [3]string{"FCOMP3 F3", "fcomp3 st(3)", "fcomp3 %st(3)"}, note: "fcomp3 (dc d8+i): an undocumented alias of fcomp (d8 d8+i)"},
	{name: "fcomp5", hex: "de d5", text: [3]string{"FCOMP5 F5", "fcomp5 st(5)", "fcomp5 %st(5)"}, note: "fcomp5 (de d0+i): an undocumented alias of fcomp (d8 d8+i)"},
}

// TestAliases: the alias encodings decode with their length and a name,
// the listing shows the instruction with the note, and the source WriteAsm
// makes reads back into the same bytes (with jitrun's Go and Intel front
// ends here; with GNU as in TestOracleRoundTrip).
func TestAliases(t *testing.T) {
	testTrips(t, aliasTrips)
	code := mustHex(t, "d1 f4 d9 db c3")
	rows := Decode(code, Options{Syntax: asm.SyntaxIntel, Base: 0x1000})
	checkOutput(t, rows, asm.SyntaxIntel, `   0x1000  +0x0  d1 f4  sal esp, 0x1  ; d1 /6: an undocumented alias of sal/shl (d1 /4) that the CPU runs; assemblers write /4, so --asm writes the bytes
   0x1002  +0x2  d9 db  fstp1 st(3)   ; fstp1 (d9 d8+i): an undocumented alias of fstp (dd d8+i) that the CPU runs; assemblers know no fstp1, so --asm writes the bytes
   0x1004  +0x4  c3     ret
`, "\t.byte 0xd1, 0xf4  # sal esp, 0x1\n\t.byte 0xd9, 0xdb  # fstp1 st(3)\n\tret\n")
}

// intelTrips are the forms whose Intel text x86asm prints in a way GNU as
// rejects (st0, mmx0, lfs eax, [rax], sysret) or reads as another
// instruction (ret far and call far [rax]: a near ret or call with a
// symbol named far; movd mmx0, eax: a store to the symbol mmx0), and their
// AT&T twins (lretq for cb: GNU as makes 48 cb of it).
var intelTrips = []roundTrip{
	{name: "fadd st(0), st(3)", hex: "d8 c3", text: [3]string{"FADD F3, F0", "fadd st(0), st(3)", "fadd %st(3),%st"}, noGo: goX87},
	{name: "fsub st(1), st(0)", hex: "dc e9", text: [3]string{"FSUB F0, F1", "fsub st(1), st(0)", "fsubr %st,%st(1)"}, noGo: goX87, noIntel: "no x87 register form of fsub (jitrunGaps)"},
	{name: "fld st(1)", hex: "d9 c1", text: [3]string{"FLD F1", "fld st(1)", "fld %st(1)"}, noGo: goX87},
	{name: "fxch st(1)", hex: "d9 c9", text: [3]string{"FXCH F1", "fxch st(1)", "fxch %st(1)"}, noGo: goX87},
	{name: "ffreep st(3)", hex: "df c3", text: [3]string{"FFREEP F3", "ffreep st(3)", "ffreep %st(3)"}, noGo: goX87, noIntel: "no ffreep (jitrunGaps)"},
	{name: "movq mm0, mm1", hex: "0f 6f c1", text: [3]string{"MOVQ M1, M0", "movq mm0, mm1", "movq %mm1,%mm0"},
		noGo: "jitrun's Go front end assembles MOVQ M1, M0 to 48 0f 6e c1 (movq mm0, rcx): a defect of asm", noIntel: "no movq mm, mm (jitrunGaps)"},
	{name: "movd mm0, eax", hex: "0f 6e c0", text: [3]string{"MOVD AX, M0", "movd mm0, eax", "movd %eax,%mm0"},
		noGo: "x86asm's Go name MOVD, which jitrun's Go front end assembles as the 64-bit move 48 0f 6e c0"},
	{name: "paddb mm7, [rsi]", hex: "0f fc 3e", text: [3]string{"PADDB 0(SI), M7", "paddb mm7, qword ptr [rsi]", "paddb (%rsi),%mm7"}},
	{name: "far call", hex: "ff 18", text: [3]string{"LCALL 0(AX)", "call fword ptr [rax]", "lcall *(%rax)"}, noGo: goFar, noIntel: "no far transfers (jitrunGaps)"},
	{name: "far call, 16-bit", hex: "66 ff 18", text: [3]string{"LCALL 0(AX)", "call dword ptr [rax]", "lcallw *(%rax)"}, noGo: goFar, noIntel: "no far transfers (jitrunGaps)"},
	{name: "far call, REX.W", hex: "48 ff 18", text: [3]string{"LCALL 0(AX)", "rex.w call fword ptr [rax]", "rex.W lcall *(%rax)"}, noGo: goFar, noIntel: "no far transfers (jitrunGaps)"},
	{name: "far jmp", hex: "ff 28", text: [3]string{"LJMP 0(AX)", "jmp fword ptr [rax]", "ljmp *(%rax)"}, noGo: goFar, noIntel: "no far transfers (jitrunGaps)"},
	{name: "retf", hex: "cb", text: [3]string{"LRET", "retf", "lret"}, noGo: goFar, noIntel: "no far transfers (jitrunGaps)"},
	{name: "retfq", hex: "48 cb", text: [3]string{"LRET", "retfq", "lretq"}, noGo: goFar, noIntel: "no far transfers (jitrunGaps)"},
	{name: "retfw", hex: "66 cb", text: [3]string{"LRET", "retfw", "lretw"}, noGo: goFar, noIntel: "no far transfers (jitrunGaps)"},
	{name: "retf 0x10", hex: "ca 10 00", text: [3]string{"LRET $0x10", "retf 0x10", "lret $0x10"}, noGo: goFar, noIntel: "no far transfers (jitrunGaps)"},
	{name: "lfs", hex: "0f b4 00", text: [3]string{"LFS 0(AX), AX", "lfs eax, fword ptr [rax]", "lfs (%rax),%eax"}, noGo: "x86asm's Go names LFS, LGS and LSS have no size suffix (the Go assembler's LFSL)"},
	{name: "lgs, 16-bit", hex: "66 0f b5 00", text: [3]string{"LGS 0(AX), AX", "lgs ax, dword ptr [rax]", "lgs (%rax),%ax"}, noGo: "x86asm's Go names LFS, LGS and LSS have no size suffix (the Go assembler's LFSL)"},
	{name: "lss, REX.W", hex: "48 0f b2 00", text: [3]string{"LSS 0(AX), AX", "lss rax, tbyte ptr [rax]", "lss (%rax),%rax"}, note: "m16:64", noGo: "x86asm's Go names LFS, LGS and LSS have no size suffix (the Go assembler's LFSL)"},
	{name: "sysret to 32-bit code", hex: "0f 07", text: [3]string{"SYSRET", "sysretd", "sysretl"}, noIntel: "no sysret or sysexit (jitrunGaps)"},
	{name: "sysretq", hex: "48 0f 07", text: [3]string{"SYSRET", "sysretq", "sysretq"}, noGo: "Go syntax has one SYSRET and one SYSEXIT, which jitrun assembles without REX.W", noIntel: "no sysret or sysexit (jitrunGaps)"},
	{name: "sysexit to 32-bit code", hex: "0f 35", text: [3]string{"SYSEXIT", "sysexitd", "sysexitl"}, noIntel: "no sysret or sysexit (jitrunGaps)"},
	{name: "sysexitq", hex: "48 0f 35", text: [3]string{"SYSEXIT", "sysexitq", "sysexitq"}, noGo: "Go syntax has one SYSRET and one SYSEXIT, which jitrun assembles without REX.W", noIntel: "no sysret or sysexit (jitrunGaps)"},
	{name: "xchg ax, ax", hex: "66 90", text: [3]string{"NOPW", "xchg ax, ax", "data16 nop"}, noGo: "x86asm's Go text NOPW has no operand"},
}

// goX87 and goFar say why jitrun does not read the Go text of x87 and far
// instructions: x86asm's Go names are not the Go assembler's (see the
// package doc).
const (
	goX87 = "x86asm's Go names of x87 instructions (FADD F3, F0, FLD F1) are not the Go assembler's (FADDD, FMOVD)"
	goFar = "x86asm's Go names LCALL, LJMP and LRET are not the Go assembler's (it has RETFL, RETFQ, RETFW, and no far call or jmp)"
)

// TestIntelText: the Intel (and AT&T) text of the forms of intelTrips,
// and what jitrun's Go and Intel front ends make of the source WriteAsm
// writes for them (TestOracleRoundTrip feeds it to GNU as;
// TestOracleReassemble and TestOracleAsmCorpus check whole corpora).
func TestIntelText(t *testing.T) {
	testTrips(t, intelTrips)
}

// segmentTrips are FS and GS overrides on operands with a base or an
// index, which jitrun's Go syntax cannot write either (absoluteTrips has
// those without).
var segmentTrips = []roundTrip{
	{name: "fs:[rbx]", hex: "64 48 8b 03", text: [3]string{"MOVQ FS:0(BX), AX", "mov rax, qword ptr fs:[rbx]", "mov %fs:(%rbx),%rax"}, goNote: "FS or GS"},
	{name: "gs:[rax+rcx*8+0x10]", hex: "65 89 54 c8 10", text: [3]string{"MOVL DX, GS:0x10(AX)(CX*8)", "mov dword ptr gs:[rax+8*rcx+0x10], edx", "mov %edx,%gs:0x10(%rax,%rcx,8)"}, goNote: "FS or GS"},
	{name: "fs:[rip+0x10]", hex: "64 48 8b 05 10 00 00 00", text: [3]string{"MOVQ FS:0x10(IP), AX", "mov rax, qword ptr fs:[rip+0x10]", "mov %fs:0x10(%rip),%rax"}, goNote: "FS or GS"},
}

// TestSegmentOverrides: FS- and GS-relative operands with a base or an
// index, whose Go source WriteAsm writes as their bytes.
func TestSegmentOverrides(t *testing.T) {
	testTrips(t, segmentTrips)
}

// allTrips lists the cases of every round-trip table.
func allTrips() []roundTrip {
	return slices.Concat(absoluteTrips, aliasTrips, intelTrips, segmentTrips)
}
