package disasm

import (
	"reflect"
	"strings"
	"testing"

	"github.com/jitrun/jitrun/asm"
)

func TestRows(t *testing.T) {
	p := twoFuncs(t)
	rows := Decode(p.Code, Options{Syntax: SyntaxIntel, Base: 0x1000, Program: p, Source: true, Mark: 0x1012, HasMark: true})
	b := func(h string) []byte { return mustHex(t, h) }
	pos := func(line int) asm.Pos { return asm.Pos{File: "two.s", Line: line, Col: 2} }
	want := []Row{
		{Addr: 0x1000, Offset: 0x00, Bytes: b("488d0511000000"), Text: "lea rax, [rel msg]", Symbol: "f", Labels: []string{"f"},
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
		{Addr: 0x1015, Offset: 0x15, Bytes: b("0000"), Text: "dw 0x0", Symbol: "g", SymOffset: 8, Data: true},
		{Addr: 0x1017, Offset: 0x17, Bytes: b("00"), Text: "db 0x0", Symbol: "g", SymOffset: 10, Data: true},
		{Addr: 0x1018, Offset: 0x18, Bytes: b("68656c6c"), Text: "dd 0x6c6c6568", Symbol: "msg", Labels: []string{"msg"}, Data: true,
			Pos: pos(14), Source: `DATA msg<>+0(SB)/6, $"hello\x00"`},
		{Addr: 0x101c, Offset: 0x1c, Bytes: b("6f00"), Text: "dw 0x6f", Symbol: "msg", SymOffset: 4, Data: true,
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
		{"raw loop, Intel", mustHex(t, sumLoop), Options{Syntax: SyntaxIntel}, `	xor eax, eax
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
		{"data and bad bytes, GNU", mustHex(t, "06 c3"), Options{Syntax: SyntaxGNU}, `	.byte 0x06
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
	rows := Decode(p.Code, Options{Syntax: SyntaxIntel, Base: 0x2000, Program: p})
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
		{"inside data: decoded as the CPU would", p.Code, 0x18, Options{Syntax: SyntaxIntel, Program: p}, "push 0x6f6c6c65", ""},
		{"inside an instruction of the sweep", mustHex(t, "b8 c3 00 00 00 c3"), 0x401, Options{Base: 0x400}, "RET", ""},
		{"undecodable", mustHex(t, "c3 06"), 0x1001, Options{Syntax: SyntaxGNU, Base: 0x1000}, ".byte 0x06", ""},
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
			"mov dword ptr [rel loc_c000000000000010], 0x10"},
		{"branch out of the code", "e9 00 10 00 00", 0x1000, "jmp 0x2005"},
		{"RIP-relative out of the code", "48 8b 05 00 10 00 00", 0x1000, "mov rax, qword ptr [rip+0x1000]"},
		{"RIP-relative with no displacement", "48 8b 05 00 00 00 00", 0x1000, "mov rax, qword ptr [rip]"},
		{"branch into the middle of an instruction", "eb 01 b8 c3 00 00 00", 0x1000, "jmp 0x1003"},
	}
	for _, tt := range tests {
		rows := Decode(mustHex(t, tt.hex), Options{Syntax: SyntaxIntel, Base: tt.base})
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

func TestParseSyntax(t *testing.T) {
	for name, want := range map[string]Syntax{"go": SyntaxGo, "Plan9": SyntaxGo, "intel": SyntaxIntel, " NASM ": SyntaxIntel, "gnu": SyntaxGNU, "att": SyntaxGNU} {
		if got, err := ParseSyntax(name); err != nil || got != want {
			t.Errorf("ParseSyntax(%q) = %v, %v; want %v", name, got, err, want)
		}
	}
	if _, err := ParseSyntax("masm"); err == nil || err.Error() != `unknown syntax "masm": want go, intel or gnu` {
		t.Errorf("ParseSyntax(masm): %v", err)
	}
	if got := Syntax(7).String(); got != "Syntax(7)" {
		t.Errorf("Syntax(7).String() = %q", got)
	}
}
