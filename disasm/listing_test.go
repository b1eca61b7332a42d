package disasm

import (
	"bytes"
	"strings"
	"testing"

	"github.com/jitrun/jitrun/asm"
)

// sumLoop is xor eax, eax; mov ecx, 10; loop: add eax, ecx; dec ecx;
// jnz loop; ret.
const sumLoop = "31 c0 b9 0a 00 00 00 01 c8 ff c9 75 fa c3"

// twoFuncs builds a Program by hand: f loads the address of msg and calls
// g; both have a label "loop"; g jumps to its own and to f's; msg is
// static read-only data after three bytes of padding.
func twoFuncs(t testing.TB) *asm.Program {
	code := mustHex(t, ""+
		"48 8d 05 11 00 00 00"+ // 0x00 f: LEAQ msg<>(SB), AX
		"e8 01 00 00 00"+ //       0x07 loop: CALL g(SB)
		"c3"+ //                   0x0c RET
		"48 31 c0"+ //             0x0d g: loop: XORQ AX, AX
		"eb fb"+ //                0x10 JMP loop
		"eb f3"+ //                0x12 JMP f's loop
		"c3"+ //                   0x14 RET
		"00 00 00"+ //             0x15 padding
		"68 65 6c 6c 6f 00") //    0x18 msg<>: "hello\x00"
	line := func(n, off, size int, text string) asm.Line {
		return asm.Line{Pos: asm.Pos{File: "two.s", Line: n, Col: 2}, Offset: off, Len: size, Text: text}
	}
	return &asm.Program{
		File: "two.s",
		Code: code,
		Symbols: []asm.Symbol{
			{Name: "f", Kind: asm.SymText, Offset: 0, Size: 0xd},
			{Name: "g", Kind: asm.SymText, Offset: 0xd, Size: 8},
			{Name: "msg", Static: true, Kind: asm.SymRodata, Offset: 0x18, Size: 6},
		},
		Labels: []asm.Label{{Name: "loop", Func: "f", Offset: 7}, {Name: "loop", Func: "g", Offset: 0xd}},
		Lines: []asm.Line{
			line(2, 0x00, 7, "LEAQ msg<>(SB), AX"),
			line(4, 0x07, 5, "CALL g(SB)"),
			line(5, 0x0c, 1, "RET"),
			line(9, 0x0d, 3, "XORQ AX, AX"),
			line(10, 0x10, 2, "JMP loop"),
			line(11, 0x12, 2, "JMP f+7(SB)"),
			line(12, 0x14, 1, "RET"),
			line(14, 0x18, 6, `DATA msg<>+0(SB)/6, $"hello\x00"`),
		},
	}
}

func TestListing(t *testing.T) {
	tests := []struct {
		name string
		code string // hex, when prog is nil
		prog func(testing.TB) *asm.Program
		opts Options
		want string
	}{
		{name: "raw go", code: sumLoop, opts: Options{Base: 0x401000, Mark: 0x40100b, HasMark: true}, want: `
   0x401000  +0x0            31 c0           XORL AX, AX
   0x401002  +0x2            b9 0a 00 00 00  MOVL $0xa, CX
loc_401007:
   0x401007  loc_401007+0x0  01 c8           ADDL CX, AX
   0x401009  loc_401007+0x2  ff c9           DECL CX
=> 0x40100b  loc_401007+0x4  75 fa           JNE loc_401007
   0x40100d  loc_401007+0x6  c3              RET
`},
		{name: "raw intel", code: sumLoop, opts: Options{Syntax: asm.SyntaxIntel, Base: 0x401000}, want: `
   0x401000  +0x0            31 c0           xor eax, eax
   0x401002  +0x2            b9 0a 00 00 00  mov ecx, 0xa
loc_401007:
   0x401007  loc_401007+0x0  01 c8           add eax, ecx
   0x401009  loc_401007+0x2  ff c9           dec ecx
   0x40100b  loc_401007+0x4  75 fa           jnz loc_401007
   0x40100d  loc_401007+0x6  c3              ret
`},
		{name: "raw gnu", code: sumLoop, opts: Options{Syntax: asm.SyntaxATT, Base: 0x401000}, want: `
   0x401000  +0x0            31 c0           xor %eax,%eax
   0x401002  +0x2            b9 0a 00 00 00  mov $0xa,%ecx
loc_401007:
   0x401007  loc_401007+0x0  01 c8           add %ecx,%eax
   0x401009  loc_401007+0x2  ff c9           dec %ecx
   0x40100b  loc_401007+0x4  75 fa           jne loc_401007
   0x40100d  loc_401007+0x6  c3              retq
`},
		{name: "program go", prog: twoFuncs, opts: Options{Base: 0x7f0000001000, Source: true}, want: `
f:
   0x7f0000001000  f+0x0     48 8d 05 11 00 00 00  LEAQ msg<>(SB), AX  // two.s:2  LEAQ msg<>(SB), AX
loop:
   0x7f0000001007  loop+0x0  e8 01 00 00 00        CALL g(SB)          // two.s:4  CALL g(SB)
   0x7f000000100c  loop+0x5  c3                    RET                 // two.s:5  RET
g:
loop:
   0x7f000000100d  g+0x0     48 31 c0              XORQ AX, AX         // two.s:9  XORQ AX, AX
   0x7f0000001010  g+0x3     eb fb                 JMP loop            // two.s:10  JMP loop
   0x7f0000001012  g+0x5     eb f3                 JMP f+0x7(SB)       // two.s:11  JMP f+7(SB)
   0x7f0000001014  g+0x7     c3                    RET                 // two.s:12  RET
   0x7f0000001015  g+0x8     00 00                 WORD $0x0
   0x7f0000001017  g+0xa     00                    BYTE $0x0
msg:
   0x7f0000001018  msg+0x0   68 65 6c 6c           LONG $0x6c6c6568    // two.s:14  DATA msg<>+0(SB)/6, $"hello\x00"
   0x7f000000101c  msg+0x4   6f 00                 WORD $0x6f
`},
		{name: "program intel", prog: twoFuncs, opts: Options{Syntax: asm.SyntaxIntel}, want: `
f:
   0x0000  f+0x0     48 8d 05 11 00 00 00  lea rax, [rip+msg]
loop:
   0x0007  loop+0x0  e8 01 00 00 00        call g
   0x000c  loop+0x5  c3                    ret
g:
loop:
   0x000d  g+0x0     48 31 c0              xor rax, rax
   0x0010  g+0x3     eb fb                 jmp g
   0x0012  g+0x5     eb f3                 jmp f+0x7
   0x0014  g+0x7     c3                    ret
   0x0015  g+0x8     00 00                 .short 0x0
   0x0017  g+0xa     00                    .byte 0x0
msg:
   0x0018  msg+0x0   68 65 6c 6c           .long 0x6c6c6568
   0x001c  msg+0x4   6f 00                 .short 0x6f
`},
		{name: "program gnu", prog: twoFuncs, opts: Options{Syntax: asm.SyntaxATT}, want: `
f:
   0x0000  f+0x0     48 8d 05 11 00 00 00  lea msg(%rip),%rax
loop:
   0x0007  loop+0x0  e8 01 00 00 00        callq g
   0x000c  loop+0x5  c3                    retq
g:
loop:
   0x000d  g+0x0     48 31 c0              xor %rax,%rax
   0x0010  g+0x3     eb fb                 jmp g
   0x0012  g+0x5     eb f3                 jmp f+0x7
   0x0014  g+0x7     c3                    retq
   0x0015  g+0x8     00 00                 .short 0x0
   0x0017  g+0xa     00                    .byte 0x0
msg:
   0x0018  msg+0x0   68 65 6c 6c           .long 0x6c6c6568
   0x001c  msg+0x4   6f 00                 .short 0x6f
`},
		{name: "mark inside an instruction", code: "b8 c3 00 00 00 c3", opts: Options{Mark: 1, HasMark: true}, want: `
   0x0000  +0x0  b8     BYTE $0xb8      // an instruction of 5 bytes here would run over the marked address at 0x1
=> 0x0001  +0x1  c3     RET
   0x0002  +0x2  00 00  ADDB AL, 0(AX)
   0x0004  +0x4  00 c3  ADDB AL, BL
`},
	}
	for _, tt := range tests {
		var code []byte
		if tt.prog != nil {
			tt.opts.Program = tt.prog(t)
			code = tt.opts.Program.Code
		} else {
			code = mustHex(t, tt.code)
		}
		got := Listing(code, tt.opts)
		if want := strings.TrimPrefix(tt.want, "\n"); got != want {
			t.Errorf("%s: listing:\n%s\nwant:\n%s", tt.name, got, want)
		}
	}
}

// TestFold: a run of data rows alike is one line of the listing, which
// says how many rows and bytes it stands for (resb 4096 was 512 lines),
// and WriteAsm's source still gives every byte back: one .zero or .skip
// directive in Intel and AT&T source, the rows in Go source.
func TestFold(t *testing.T) {
	p, err := asm.AssembleSource("t.asm", []byte("f: mov eax, 1\nret\nsection .data\nbuf: resb 4096\nx: dq 5\n"), asm.SyntaxIntel)
	if err != nil {
		t.Fatal(err)
	}
	// The writable data starts on a page of its own (asm.SectionAlign):
	// the code's page is padded with INT3 up to it.
	want := `f:
   0x1000  f+0x0      b8 01 00 00 00           mov eax, 0x1              ; t.asm:1  f: mov eax, 1
   0x1005  f+0x5      c3                       ret                       ; t.asm:2  ret
   0x1006  f+0x6      cc cc cc cc cc cc cc cc  .quad 0xcccccccccccccccc  ; 511 rows alike: 4088 bytes, 0x1006-0x1ffd
   0x1ffe  f+0xffe    cc cc                    .short 0xcccc
buf:
   0x2000  buf+0x0    00 00 00 00 00 00 00 00  .quad 0x0                 ; 512 rows alike: 4096 bytes, 0x2000-0x2fff
x:
   0x3000  x+0x0      05 00 00 00 00 00 00 00  .quad 0x5                 ; t.asm:5  x: dq 5
`
	opts := Options{Syntax: asm.SyntaxIntel, Base: 0x1000, Program: p, Source: true}
	if got := Listing(p.Code, opts); got != want {
		t.Errorf("listing:\n%s\nwant:\n%s", got, want)
	}
	for _, s := range []asm.Syntax{asm.SyntaxGo, asm.SyntaxIntel} {
		t.Run(s.String(), func(t *testing.T) {
			var src strings.Builder
			if err := WriteAsm(&src, Decode(p.Code, Options{Syntax: s, Program: p})); err != nil {
				t.Fatal(err)
			}
			lines := strings.Count(src.String(), "\n")
			if s == asm.SyntaxIntel && !strings.Contains(src.String(), "buf:\n\t.zero 4096\n") || s == asm.SyntaxGo && lines != 1030 {
				t.Errorf("WriteAsm (%d lines):\n%s", lines, src.String())
			}
			q, err := asm.AssembleSource("back.s", []byte(src.String()), s)
			if err != nil {
				t.Fatalf("WriteAsm's source does not assemble: %v", err)
			}
			if !bytes.Equal(q.Code, p.Code) {
				t.Errorf("WriteAsm's source assembles to %d bytes; want the %d of the code", len(q.Code), len(p.Code))
			}
		})
	}
}

// TestFoldBreaks: what a run does not fold over, each on its own line: a
// label, the marked row, a row with a source line of its own, other
// bytes; and two rows alike are two lines.
func TestFoldBreaks(t *testing.T) {
	code := mustHex(t, "c3"+strings.Repeat("00", 8*6)+strings.Repeat("11", 8*2)+strings.Repeat("00", 8*3))
	p := &asm.Program{
		Code:    code,
		Symbols: []asm.Symbol{{Name: "f", Kind: asm.SymText, Size: 1}, {Name: "d", Kind: asm.SymData, Offset: 1, Size: len(code) - 1}},
		Labels:  []asm.Label{{Name: "half", Offset: 1 + 8*4}},
	}
	got := Listing(code, Options{Syntax: asm.SyntaxATT, Program: p, Mark: 1 + 8*2, HasMark: true})
	want := `f:
   0x0000  f+0x0      c3                       retq
d:
   0x0001  d+0x0      00 00 00 00 00 00 00 00  .quad 0x0
   0x0009  d+0x8      00 00 00 00 00 00 00 00  .quad 0x0
=> 0x0011  d+0x10     00 00 00 00 00 00 00 00  .quad 0x0
   0x0019  d+0x18     00 00 00 00 00 00 00 00  .quad 0x0
half:
   0x0021  half+0x0   00 00 00 00 00 00 00 00  .quad 0x0
   0x0029  half+0x8   00 00 00 00 00 00 00 00  .quad 0x0
   0x0031  half+0x10  11 11 11 11 11 11 11 11  .quad 0x1111111111111111
   0x0039  half+0x18  11 11 11 11 11 11 11 11  .quad 0x1111111111111111
   0x0041  half+0x20  00 00 00 00 00 00 00 00  .quad 0x0                 # 3 rows alike: 24 bytes, 0x41-0x58
`
	if got != want {
		t.Errorf("listing:\n%s\nwant:\n%s", got, want)
	}
}
