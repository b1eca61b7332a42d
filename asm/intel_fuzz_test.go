package asm

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jitrun/jitrun/asm/internal/asmtest"
	"golang.org/x/arch/x86/x86asm"
)

// FuzzIntel feeds arbitrary text to the Intel front end and the encoder
// behind it. It must never panic, print or exit (golang-asm's log.Fatalf
// paths are hooked to fail the input), errors must be a non-empty
// ErrorList of one-line FILE:LINE:COL messages, and a program must hold
// together (checkProgram). The second argument sets Options.Semicolons.
// Seeds: every line of the oracle corpus in both spellings, and whole
// programs.
func FuzzIntel(f *testing.F) {
	for _, name := range []string{"corpus.s", "corpus_nasm.asm"} {
		data, err := os.ReadFile(filepath.Join("testdata", "intel", name))
		if err != nil {
			f.Fatal(err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			if line != "" && line[0] != '#' && line[0] != ';' {
				f.Add(line, false)
			}
		}
	}
	for _, src := range []string{
		"BITS 64\nsection .text\nglobal f\nf:\n.l: dec rcx\njnz .l\nlea rax, [rel msg]\nmov ecx, n\nret\nsection .rodata\nmsg: db 'hi', 0\nn equ $ - msg\nsection .bss\nbuf: resq 4",
		".intel_syntax noprefix\n.text\nf: mov rax, QWORD PTR [rip+x]\n.data\nx: .quad 1\n.asciz \"a\\n\"",
		"times 3 nop\nalign 16\nlock xadd qword [rdi], rax\nrep movsb\nvcmpltps k1{k2}, zmm3, [rax]{1to16}",
		"mov rax, [rip+0x10]\ntimes 2 mov eax, [rip-4]\njmp $+5",
		"jmp $\ncall $+5\nlea rax, [rel $-8]\ntimes 2 jmp $$+1\nlock inc qword [rel $]\ndq $",
		"a: equ b+1\nb equ 2\nmov eax, a",
		"dd 0",
		"mov rax, fs:[0x28]\nmov rbx, qword ptr gs:0x10\nadd [fs:rax+rbx*8], ecx\nret 8",
		"xor spl, spl\nsetne dil\ncrc32 eax, sil\nmovsx rax, spl",
		"fld qword [rdi]\nfmul st0, st1\nfstp st0\nfistp dword [rax]\nin al, dx",
		"section .data\na: db 1\nb:\nc: dw 2\nalign 256\nd: dq 3\nend:\nsection .text\nlea rax, [rel end]\nlea rbx, [rip-7]",
	} {
		f.Add(src, false)
	}
	for _, src := range []string{
		"mov eax, 7; add eax, edi; ret",
		"top: dec ecx; jnz top; mov al, ';'; ret # done; nop",
		"db 'a;b'; times 2 nop;; ret",
	} {
		f.Add(src, true)
	}
	defer asmtest.HookFatal()()
	f.Fuzz(func(t *testing.T, src string, semicolons bool) {
		asmtest.FatalHit()
		opts := Options{Syntax: SyntaxIntel, Semicolons: semicolons}
		p, err := opts.Assemble("fuzz.asm", []byte(src))
		if hit := asmtest.FatalHit(); hit != "" {
			t.Fatalf("%q reached golang-asm's log.Fatalf: %s", src, hit)
		}
		if err != nil {
			list, ok := err.(ErrorList)
			if !ok || len(list) == 0 {
				t.Fatalf("%q: error %T %q is not a non-empty ErrorList", src, err, err)
			}
			for _, e := range list {
				if e.Msg == "" || strings.Contains(e.Msg, "\n") || e.Pos.Line < 1 || e.Pos.File != "fuzz.asm" {
					t.Fatalf("%q: bad error %q at %+v", src, e.Msg, e.Pos)
				}
			}
			return
		}
		checkIntelProgram(t, src, opts, p)
	})
}

// checkIntelProgram checks the invariants of a program: lines in order,
// not overlapping and inside the code, symbols and labels inside the code,
// and a lone instruction decoding to its own length (when x86asm knows it).
func checkIntelProgram(t *testing.T, src string, opts Options, p *Program) {
	n := len(p.Code)
	end := 0
	for _, l := range p.Lines {
		if l.Offset < end || l.Len <= 0 || l.Offset+l.Len > n {
			t.Fatalf("%q: line %+v out of order, overlapping or outside the code (%d bytes)", src, l, n)
		}
		end = l.Offset + l.Len
	}
	for _, s := range p.Symbols {
		if s.Offset < 0 || s.Size < 0 || s.Offset+s.Size > n {
			t.Fatalf("%q: symbol %+v outside the code (%d bytes)", src, s, n)
		}
	}
	for _, l := range p.Labels {
		if l.Offset < 0 || l.Offset > n {
			t.Fatalf("%q: label %+v outside the code", src, l)
		}
	}
	stmts, err := opts.Parse("fuzz.asm", []byte(src))
	if err != nil {
		t.Fatalf("%q: assembles, but parsing it again fails: %v", src, err)
	}
	var insts []*Inst
	for _, st := range stmts {
		switch s := st.(type) {
		case *Inst:
			insts = append(insts, s)
		case *BytesDef, *AlignDef, *GloblDef:
			return
		}
	}
	if len(insts) != 1 || len(p.Symbols) != 1 || isPrefixOp(insts[0].Op) {
		return
	}
	d, err := x86asm.Decode(p.Code, 64)
	if err == nil && d.Op != 0 && d.Len != n {
		t.Fatalf("%q: encoded %x (%d bytes) decodes as %v (%d bytes)", src, p.Code, n, d, d.Len)
	}
}

func isPrefixOp(op string) bool { return op == "LOCK" || op == "REP" || op == "REPN" }
