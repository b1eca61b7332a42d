package disasm

import (
	"reflect"
	"strings"
	"testing"

	"github.com/jitrun/jitrun/asm"
)

func TestRows(t *testing.T) {
	p := twoFuncs(t)
	rows := Decode(p.Code, Options{Syntax: asm.SyntaxIntel, Base: 0x1000, Program: p, Source: true, Mark: 0x1012, HasMark: true})
	b := func(h string) []byte { return mustHex(t, h) }
	pos := func(line int) asm.Pos { return asm.Pos{File: "two.s", Line: line, Col: 2} }
	want := []Row{
		{Addr: 0x1000, Offset: 0x00, Bytes: b("488d0511000000"), Text: "lea rax, [rip+msg]", Symbol: "f", Labels: []string{"f"},
			Target: 0x1018, HasTarget: true, Pos: pos(2), Source: "LEAQ msg<>(SB), AX"},
		{Addr: 0x1007, Offset: 0x07, Bytes: b("e801000000"), Text: "call g", Symbol: "loop", Labels: []string{"loop"},
			Target: 0x100d, HasTarget: true, Pos: pos(4), Source: "CALL g(SB)"},
		{Addr: 0x100c, Offset: 0x0c, Bytes: b("c3"), Text: "ret", Symbol: "loop", SymOffset: 5, Pos: pos(5), Source: "RET"},
		{Addr: 0x100d, Offset: 0x0d, Bytes: b("4831c0"), Text: "xor rax, rax", Symbol: "g", Labels: []string{"g", "loop"},
			Pos: pos(9), Source: "XORQ AX, AX"},
		{Addr: 0x1010, Offset: 0x10, Bytes: b("ebfb"), Text: "jmp g", Symbol: "g", SymOffset: 3,
			Target: 0x100d, HasTarget: true, Pos: pos(10), Source: "JMP loop"},
		{Addr: 0x1012, Offset: 0x12, Bytes: b("ebf3"), Text: "jmp f+0x7", Symbol: "g", SymOffset: 5, Marked: true,
			Target: 0x1007, HasTarget: true, Pos: pos(11), Source: "JMP f+7(SB)"},
		{Addr: 0x1014, Offset: 0x14, Bytes: b("c3"), Text: "ret", Symbol: "g", SymOffset: 7, Pos: pos(12), Source: "RET"},
		{Addr: 0x1015, Offset: 0x15, Bytes: b("0000"), Text: ".short 0x0", Symbol: "g", SymOffset: 8, Data: true},
		{Addr: 0x1017, Offset: 0x17, Bytes: b("00"), Text: ".byte 0x0", Symbol: "g", SymOffset: 10, Data: true},
		{Addr: 0x1018, Offset: 0x18, Bytes: b("68656c6c"), Text: ".long 0x6c6c6568", Symbol: "msg", Labels: []string{"msg"}, Data: true,
			Pos: pos(14), Source: `DATA msg<>+0(SB)/6, $"hello\x00"`},
		{Addr: 0x101c, Offset: 0x1c, Bytes: b("6f00"), Text: ".short 0x6f", Symbol: "msg", SymOffset: 4, Data: true,
			Pos: pos(14), Source: `DATA msg<>+0(SB)/6, $"hello\x00"`},
	}
	if len(rows) != len(want) {
		t.Fatalf("got %d rows, want %d: %+v", len(rows), len(want), rows)
	}
	for i := range want {
		if !reflect.DeepEqual(rows[i], want[i]) {
			t.Errorf("row %d:\n got %+v\nwant %+v", i, rows[i], want[i])
		}
	}
}

// endLabel is f: test rdi, rdi; jz done; nop; done: (at the very end).
func endLabel(t testing.TB) *asm.Program {
	return &asm.Program{
		Code:    mustHex(t, "48 85 ff 74 01 90"),
		Symbols: []asm.Symbol{{Name: "f", Kind: asm.SymText, Size: 6}},
		Labels:  []asm.Label{{Name: "done", Func: "f", Offset: 6}},
	}
}

func TestWriteAsm(t *testing.T) {
	tests := []struct {
		name string
		code []byte
		opts Options
		want string
	}{
		{"raw loop, Intel", mustHex(t, sumLoop), Options{Syntax: asm.SyntaxIntel}, `	xor eax, eax
	mov ecx, 0xa
loc_7:
	add eax, ecx
	dec ecx
	jnz loc_7
	ret
`},
		{"label at the end, Go", endLabel(t).Code, Options{Program: endLabel(t)}, `f:
	TESTQ DI, DI
	JE done
	NOPL
done:
`},
		{"data and bad bytes, GNU", mustHex(t, "06 c3"), Options{Syntax: asm.SyntaxATT}, `	.byte 0x06
	retq
`},
	}
	for _, tt := range tests {
		var out strings.Builder
		if err := WriteAsm(&out, Decode(tt.code, tt.opts)); err != nil {
			t.Fatal(err)
		}
		if out.String() != tt.want {
			t.Errorf("%s:\n%s\nwant:\n%s", tt.name, out.String(), tt.want)
		}
	}
}

func TestEndRow(t *testing.T) {
	p := endLabel(t)
	rows := Decode(p.Code, Options{Syntax: asm.SyntaxIntel, Base: 0x2000, Program: p})
	last := rows[len(rows)-1]
	want := Row{Addr: 0x2006, Offset: 6, Symbol: "done", Labels: []string{"done"}}
	if !last.End() || !reflect.DeepEqual(last, want) {
		t.Errorf("last row %+v; want the end row %+v", last, want)
	}
	if got := rows[1].Text; got != "jz done" {
		t.Errorf("branch to the end label: %q", got)
	}
	if got, want := Listing(p.Code, Options{Program: p}), "f:\n   0x0000  f+0x0  48 85 ff  TESTQ DI, DI\n   0x0003  f+0x3  74 01     JE done\n   0x0005  f+0x5  90        NOPL\ndone:\n"; got != want {
		t.Errorf("listing:\n%s\nwant:\n%s", got, want)
	}
}

func TestAt(t *testing.T) {
	p := twoFuncs(t)
	tests := []struct {
		name string
		code []byte
		pc   uint64
		opts Options
		text string
		err  string
	}{
		{"an instruction, named target", p.Code, 0x10, Options{Program: p}, "JMP loop", ""},
		{"inside data: decoded as the CPU would", p.Code, 0x18, Options{Syntax: asm.SyntaxIntel, Program: p}, "push 0x6f6c6c65", ""},
		{"inside an instruction of the sweep", mustHex(t, "b8 c3 00 00 00 c3"), 0x401, Options{Base: 0x400}, "RET", ""},
		{"undecodable", mustHex(t, "c3 06"), 0x1001, Options{Syntax: asm.SyntaxATT, Base: 0x1000}, ".byte 0x06", ""},
		{"before the code", mustHex(t, "c3"), 0xfff, Options{Base: 0x1000}, "", "disasm: address 0xfff is outside the code (0x1000-0x1000)"},
		{"after the code", mustHex(t, "c3 c3"), 0x1002, Options{Base: 0x1000}, "", "disasm: address 0x1002 is outside the code (0x1000-0x1001)"},
		{"no code", nil, 0, Options{}, "", "disasm: address 0x0 is outside the code (no bytes)"},
	}
	for _, tt := range tests {
		r, err := At(tt.code, tt.pc, tt.opts)
		switch {
		case tt.err != "":
			if err == nil || err.Error() != tt.err {
				t.Errorf("%s: error %v; want %q", tt.name, err, tt.err)
			}
		case err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case r.Text != tt.text || r.Addr != tt.pc || !r.Marked:
			t.Errorf("%s: %+v; want %q at %#x, marked", tt.name, r, tt.text, tt.pc)
		}
	}
}

// TestPrinterLookups covers the addresses x86asm's printers look up: a pc
// of 0 (where they would print .+N), and an immediate equal to the address
// a RIP-relative operand names (which they also look up).
func TestPrinterLookups(t *testing.T) {
	tests := []struct {
		name string
		hex  string
		base uint64
		want string
	}{
		{"pc 0", "eb fe", 0, "jmp loc_0"},
		{"pc wraps to 0 with the first bias", "eb fe", 0xc000000000000000, "jmp loc_c000000000000000"},
		// mov dword ptr [rip-0xa], 0x10: the operand names the
		// instruction itself, and the immediate equals it plus the first
		// bias.
		{"immediate equal to a looked-up address", "c7 05 f6 ff ff ff 10 00 00 00", 0xc000000000000010,
			"mov dword ptr [rip+loc_c000000000000010], 0x10"},
		{"branch out of the code", "e9 00 10 00 00", 0x1000, "jmp 0x2005"},
		{"RIP-relative out of the code", "48 8b 05 00 10 00 00", 0x1000, "mov rax, qword ptr [rip+0x1000]"},
		{"RIP-relative with no displacement", "48 8b 05 00 00 00 00", 0x1000, "mov rax, qword ptr [rip]"},
		{"branch into the middle of an instruction", "eb 01 b8 c3 00 00 00", 0x1000, "jmp 0x1003"},
	}
	for _, tt := range tests {
		rows := Decode(mustHex(t, tt.hex), Options{Syntax: asm.SyntaxIntel, Base: tt.base})
		if rows[0].Text != tt.want {
			t.Errorf("%s: %q; want %q", tt.name, rows[0].Text, tt.want)
		}
	}
}

func TestDataChunks(t *testing.T) {
	for n, want := range map[int][]int{0: nil, 1: {1}, 3: {2, 1}, 7: {4, 2, 1}, 8: {8}, 15: {8, 4, 2, 1}, 17: {8, 8, 1}} {
		if got := dataChunks(n); !reflect.DeepEqual(got, want) {
			t.Errorf("dataChunks(%d) = %v; want %v", n, got, want)
		}
	}
}

func TestReadsName(t *testing.T) {
	tests := []struct {
		name               string
		goOK, intel, gnuOK bool
	}{
		{"loop", true, true, true},
		{"_start", true, true, true},
		{"f1", true, true, true},
		{"<main>", false, false, false},
		{"", false, false, false},
		{"start.loop", false, true, true},
		{".L1", false, true, true},
		{"a·b", true, false, false},
		{"1f", false, false, false},
		{"$x", false, false, true},
		{"rax", true, false, true},
		{"AX", false, false, true},
		{"zmm31", true, false, true},
		{"ptr", true, false, true},
		{"Byte", true, false, true},
		{"st", true, false, true},
		{"r15w", true, false, true},
		{"r16", true, true, true},
		{"xmm32", true, true, true},
	}
	for _, tt := range tests {
		for s, want := range map[asm.Syntax]bool{asm.SyntaxGo: tt.goOK, asm.SyntaxIntel: tt.intel, asm.SyntaxATT: tt.gnuOK} {
			if got := readsName(s, tt.name); got != want {
				t.Errorf("%s.readsName(%q) = %v; want %v", s, tt.name, got, want)
			}
		}
	}
}

// TestUnreadableNames lists a Program whose names the syntax's assembler
// cannot read back: they are neither label lines nor operands, and the
// listing names their addresses another way.
func TestUnreadableNames(t *testing.T) {
	p := &asm.Program{
		Code:    mustHex(t, "b8 01 00 00 00 ff c8 75 fc c3"), // mov eax, 1; loop: dec eax; jnz loop; ret
		Symbols: []asm.Symbol{{Name: "<main>", Kind: asm.SymText, Size: 10}},
		Labels: []asm.Label{
			{Name: "start", Func: "<main>", Offset: 0},
			{Name: "start.loop", Func: "<main>", Offset: 5},
		},
	}
	tests := []struct {
		syntax asm.Syntax
		want   string
	}{
		{asm.SyntaxIntel, `start:
   0x1000  start+0x0       b8 01 00 00 00  mov eax, 0x1
start.loop:
   0x1005  start.loop+0x0  ff c8           dec eax
   0x1007  start.loop+0x2  75 fc           jnz start.loop
   0x1009  start.loop+0x4  c3              ret
`},
		// Go has no dots in names: the branch target gets a label of its own.
		{asm.SyntaxGo, `start:
   0x1000  start+0x0     b8 01 00 00 00  MOVL $0x1, AX
loc_1005:
   0x1005  loc_1005+0x0  ff c8           DECL AX
   0x1007  loc_1005+0x2  75 fc           JNE loc_1005
   0x1009  loc_1005+0x4  c3              RET
`},
	}
	for _, tt := range tests {
		if got := Listing(p.Code, Options{Syntax: tt.syntax, Base: 0x1000, Program: p}); got != tt.want {
			t.Errorf("%s:\n%s\nwant:\n%s", tt.syntax, got, tt.want)
		}
	}
}

// TestOpTables checks that every name in the op tables of evex.go and
// evex_text.go is an op x86asm has (lazyOpSet leaves out a name it does not
// know).
func TestOpTables(t *testing.T) {
	for _, names := range []string{roundingNames, saeNames, fp16BroadcastNames, kOperandNames, prefetchNames, gprRoundingNames} {
		for _, n := range strings.Fields(names) {
			if _, ok := opNamed()[n]; !ok {
				t.Errorf("x86asm has no op %s", n)
			}
		}
	}
}

// TestOutside covers the row for a pc outside the code: the NX fault of
// code run from the stack, a jump back into the code, memory the caller
// could not read, and an instruction cut short by the end of what it read.
func TestOutside(t *testing.T) {
	p := twoFuncs(t)
	const base, pc = 0x1000, 0x7ffc0000efd8
	tests := []struct {
		name string
		pc   uint64
		mem  string
		s    asm.Syntax
		want Row
	}{
		{"code on the stack", pc, "b8 07 00 00 00 c3", asm.SyntaxGo, Row{Addr: pc, Offset: -1, Bytes: mustHex(t, "b8 07 00 00 00"),
			Text: "MOVL $0x7, AX", Marked: true, Outside: true, Note: "the pc is outside the code"}},
		{"a jump back into the code", 0x2000, "e9 fb ef ff ff", asm.SyntaxIntel, Row{Addr: 0x2000, Offset: -1, Bytes: mustHex(t, "e9 fb ef ff ff"),
			Text: "jmp f", Marked: true, Outside: true, Note: "the pc is outside the code", Target: 0x1000, HasTarget: true}},
		{"a label of a function is not seen from outside it (Go)", 0x2000, "e9 02 f0 ff ff", asm.SyntaxGo, Row{Addr: 0x2000, Offset: -1, Bytes: mustHex(t, "e9 02 f0 ff ff"),
			Text: "JMP f+0x7(SB)", Marked: true, Outside: true, Note: "the pc is outside the code", Target: 0x1007, HasTarget: true}},
		{"unreadable", 0x10, "", asm.SyntaxATT, Row{Addr: 0x10, Offset: -1, Marked: true, Outside: true,
			Note: "the pc is outside the code, in memory the caller could not read"}},
		{"cut short", pc, "48 c7 c0", asm.SyntaxIntel, Row{Addr: pc, Offset: -1, Bytes: mustHex(t, "48"), Text: ".byte 0x48", Bad: true, Marked: true, Outside: true,
			Note: "the pc is outside the code; truncated: an instruction of 7 bytes starts here, and the memory read ends after 3"}},
		{"inside after all", base + 0xc, "90", asm.SyntaxIntel, Row{Addr: base + 0xc, Offset: 0xc, Bytes: mustHex(t, "c3"), Text: "ret",
			Symbol: "loop", SymOffset: 5, Marked: true}},
	}
	for _, tt := range tests {
		got := Outside(p.Code, tt.pc, mustHex(t, tt.mem), Options{Syntax: tt.s, Base: base, Program: p})
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.name, got, tt.want)
		}
	}

	// In a listing: after the rows of the code; WriteAsm leaves it out.
	code := mustHex(t, "48 89 e0 ff d0 c3") // mov rax, rsp; call rax; ret
	opts := Options{Syntax: asm.SyntaxIntel, Base: 0x401000}
	rows := append(Decode(code, opts), Outside(code, 0x7ffc0000efd8, mustHex(t, "b8 07 00 00 00 c3"), opts))
	checkOutput(t, rows, asm.SyntaxIntel, `   0x000000401000  +0x0     48 89 e0        mov rax, rsp
   0x000000401003  +0x3     ff d0           call rax
   0x000000401005  +0x5     c3              ret
=> 0x7ffc0000efd8  outside  b8 07 00 00 00  mov eax, 0x7  ; the pc is outside the code
`, "\tmov rax, rsp\n\tcall rax\n\tret\n")
}

// checkOutput checks the listing Write makes of rows in syntax s, and the
// source WriteAsm makes of them.
func checkOutput(t *testing.T, rows []Row, s asm.Syntax, listing, source string) {
	t.Helper()
	var l, src strings.Builder
	if err := Write(&l, rows, s); err != nil {
		t.Fatal(err)
	}
	if l.String() != listing {
		t.Errorf("listing:\n%s\nwant:\n%s", l.String(), listing)
	}
	if err := WriteAsm(&src, rows); err != nil {
		t.Fatal(err)
	}
	if src.String() != source {
		t.Errorf("WriteAsm:\n%s\nwant:\n%s", src.String(), source)
	}
}
