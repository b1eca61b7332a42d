package intel

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jitrun/jitrun/asm/internal/asmtest"
	"github.com/jitrun/jitrun/asm/internal/ir"
)

// corpora are the Intel oracle corpora, in testdata/intel.
var corpora = []string{"corpus.s", "corpus_nasm.asm"}

// corpusText returns the text of the oracle corpus name.
func corpusText(t testing.TB, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "intel", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// stmtText writes out a statement: what it asks the encoder for, its
// position and text, and an instruction's spelling.
func stmtText(st ir.Stmt) string {
	switch s := st.(type) {
	case *ir.Inst:
		out := fmt.Sprintf("inst %s.%s %+v at %v %q broken=%v", s.Op, s.Suffix, s.Args, s.Pos, s.Text, ir.IsBroken(s))
		if sp := ir.SpellingOf(s); sp != nil {
			out += fmt.Sprintf(" spelled %q %q %+v %v", sp.Text, sp.Mnem, sp.Ops, sp.ArgOp)
		}
		return out
	case *ir.BytesDef:
		return fmt.Sprintf("bytes %x at %v %q", s.Bytes, s.Pos, s.Text)
	case *ir.LabelDef:
		return fmt.Sprintf("label %s at %v %q", s.Name, s.Pos, s.Text)
	}
	return fmt.Sprintf("%T %+v", st, st)
}

// readAll parses src in mode and writes out every statement and error.
func readAll(src string, opts Options, mode readMode) []string {
	stmts, errs := parse("t.s", []byte(src), opts, mode)
	var out []string
	for _, st := range stmts {
		out = append(out, stmtText(st))
	}
	for _, e := range errs.List() {
		out = append(out, fmt.Sprintf("error %v: %s", e.Pos, e.Msg))
	}
	return out
}

// fastEdges are lines at the edges of what fastInstruction reads.
var fastEdges = []string{
	"mov rax, rbx", "  mov   rax ,  rbx  ", "\tmov\trax,rbx\t", "mov rax,rbx\r", "MOV RAX, RBX", "Mov Rax, qword PTR [Rbx]",
	"add rax, 1", "add rax, -1", "add rax, - 1", "add rax, --1", "add rax, 0x7fffffff", "add rax, 0xffffffffffffffff", "mov rax, 0x1122334455667788",
	"add rax, 010", "add rax, 10h", "add rax, 0b101", "add rax, 1f", "add rax, 1.5", "add rax, 1e+5", "add rax, 0x", "add rax, 1+1", "add rax, N",
	"add rax, 99999999999999999999", "add rax, 0x1e+5", "mov eax, 'a'", "add rax, $", "add rax, $$", "add rax, $1",
	"mov rax, [rsp+8]", "mov rax, [rbp-8]", "mov rax, [rbp+rcx*8-0x10]", "mov rax, [rax+rbx]", "mov rax, [rbx*4]", "mov rax, [4*rbx]",
	"mov rax, [rax+rbx*3]", "mov rax, [rax+rsp]", "mov rax, [rsp+rax]", "mov rax, [rax+rsp*2]", "mov rax, [rsp*1]", "mov rax, [rsp+rsp]",
	"mov rax, [eax]", "mov rax, [rip]", "mov rax, [rip+8]", "mov rax, [rip-8]", "mov rax, [8+rip]", "mov rax, [8-rip]", "mov rax, [rip+rip]",
	"mov rax, [rip*1]", "mov rax, [rip*2]", "mov rax, [rip+rax]", "mov rax, [rax+rip]", "mov rax, [rip+xmm1]", "mov rax, [rip+0x7fffffff]",
	"mov rax, [rip+0x80000000]", "mov rax, [rip-0x80000000]", "mov rax, [rip-0x80000001]", "mov rax, [-0x80000001]", "mov rax, qword ptr [rip+0x40]", "mov rax, [rax*1]", "mov rax, [rax*1+rbx]", "mov rax, [rbx+rax*1]",
	"mov rax, [rax+rbx+rcx]", "mov rax, [rax*2+rbx*2]", "mov rax, [-8]", "mov rax, [-rax]", "mov rax, [rax-rbx]", "mov rax, [8-rax]",
	"mov rax, [rax + - 8]", "mov rax, [rax+8-4+0x10]", "mov rax, [rax+0x7fffffffffffffff+1]", "mov rax, [0x10]", "mov rax, []", "mov rax, [ ]",
	"mov rax, [rax", "mov rax, [-", "mov rax, [rax+", "mov rax, [rax*", "mov rax, [rax]]", "mov rax, [[rax]]", "mov rax, [rax*rbx]", "mov rax, [rax*0]", "mov rax, [rax*2*2]", "mov rax, [rax * 2]",
	"mov rax, [ rax + rbx * 8 + 16 ]", "mov rax, [rax+xmm1]", "mov rax, [xmm1+xmm2]", "mov rax, [rax+label]", "mov rax, [label]", "mov rax, [rel 8]",
	"mov rax, qword ptr [rax]", "mov rax, qword [rax]", "mov rax, QWORD PTR [rax]", "mov rax, qword ptr ptr [rax]", "mov rax, dword ptr [rax]",
	"mov rax, qword rax", "mov qword rax, 1", "mov rax, ptr [rax]", "mov rax, qword", "mov rax, qword ptr", "mov rax, [qword rax]",
	"mov rax, fs:[rax]", "mov rax, [fs:rax]", "mov ax, fs", "mov rax, fs:0x28", "fadd st(1)", "fadd st, st(1)", "fadd st0, st1", "fadd st (1)",
	"mov rax, rip", "jmp rax", "jmp 5", "jmp label", "jmp short label", "call [rax]", "lock inc dword ptr [rax]", "rep movsb", "rep", "nop",
	"nop ; comment", "nop # comment", "mov rax, rbx ; c", "mov rax,", "mov ,rax", "mov rax,, rbx", "mov zzz, rax", "mov rax rbx", "mov rax, rbx rcx",
	"mov rax, rbx, rcx, rdx, rsi", "vpternlogd zmm1, zmm2, zmm3, 0x1, 2, 3, 4", "shl eax", "shl eax, 1", "shl eax, cl", "x equ 5", "nop equ 5",
	"y: nop", "section .text", "foo", "foo rax", "times 2 nop", "db 1", "align 8", "rax", "$nop", "nop$",
	"vaddps zmm1{k1}, zmm2, zmm3", "vaddps zmm1{k1}{z}, zmm2, zmm3", "vaddps zmm1 {k1} {z}, zmm2, zmm3", "vaddps zmm1{z}{k1}, zmm2, zmm3",
	"vaddps zmm1{k0}, zmm2, zmm3", "vaddps zmm1{k1}{k2}, zmm2, zmm3", "vaddps zmm1{z}{z}, zmm2, zmm3", "vaddps zmm1{K1}, zmm2, zmm3",
	"vaddps zmm1{ k1 }, zmm2, zmm3", "vaddps zmm1{k8}, zmm2, zmm3", "vaddps zmm1{}, zmm2, zmm3", "vaddps zmm1{k1, zmm2, zmm3",
	"vaddps zmm1, zmm2, dword ptr [rax]{1to16}", "vaddps zmm1, zmm2, [rax]{1to16}", "vaddps zmm1, zmm2, [rax]{1to8}", "vaddps zmm1, zmm2, [rax]{1to016}",
	"vaddps zmm1, zmm2, [rax]{1to3}", "vaddps zmm1, zmm2, [rax]{1to128}", "vaddps zmm1, zmm2, zmm3{1to16}", "vaddps zmm1, zmm2, [rax]{1to16}{1to16}",
	"vaddps zmm1, zmm2, zmm3, {rn-sae}", "vaddps zmm1, zmm2, zmm3, {rn-sae}, {rz-sae}", "vaddps zmm1, zmm2, zmm3{rn-sae}", "vaddps zmm1, zmm2, zmm3, {sae}",
	"vaddps zmm1, zmm2, zmm3, {RN-SAE}", "vaddps zmm1, zmm2, zmm3, {rn-sae} , ", "vaddps {rn-sae}, zmm1, zmm2, zmm3", "vaddps zmm1, zmm2, zmm3, {bad}",
	"vgatherdps zmm1{k1}, [rax+zmm2*4]", "vgatherdps zmm1{k1}, [zmm2*4+rax]", "vpgatherdd xmm1, [rax+xmm2*8], xmm3", "vcmpltps xmm1, xmm2, xmm3",
	"vcmpltps k1, zmm2, zmm3", "vpcmpltud k1, zmm2, zmm3", "cmpxchg16b [rdi]", "xchg eax, eax", "lea rdx, [rax*8+0x0]", "push 5", "push word 5",
	"mov rax, rbx\x85", "mov\u00a0rax, rbx", "mov rax, [rax]\u00a0", "out dx, al", "in al, dx", "int 3", "int3", "enter 8, 0", "ret 8",
	"mov al, ah", "mov spl, ah", "movsb", "movs byte ptr [rdi], byte ptr [rsi]", "xlat", "xlat byte ptr [rbx]", "fst st0", "fst st(0)",
	"fxch st1", "fxch", "mov [rax], 1", "mov byte ptr [rax], 256", "mov byte ptr [rax], 255", "mov word ptr [rax], -32769",
}

// TestFastInstruction checks that a line fastInstruction reads comes out
// as the tokens make it: the same statements, positions, texts,
// spellings and errors, for the oracle corpora and lines at the edges of
// what it reads, with either option of reading semicolons.
func TestFastInstruction(t *testing.T) {
	sources := map[string]string{
		"edges": strings.Join(fastEdges, "\n"),
		"data":  "section .data\nmov rax, rbx\nsection .text\nmov rax, rbx\nsection .bss\nnop\n",
	}
	for _, name := range corpora {
		sources[name] = corpusText(t, name)
	}
	for name, src := range sources {
		for _, semi := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/semicolons=%v", name, semi), func(t *testing.T) {
				opts := Options{Semicolons: semi}
				asmtest.CompareReads(t, "read at once", readAll(src, opts, readMode{}), "token by token", readAll(src, opts, readMode{slowOnly: true}))
			})
		}
	}
	for _, semi := range []bool{false, true} {
		t.Run(fmt.Sprintf("each edge/semicolons=%v", semi), func(t *testing.T) {
			opts := Options{Semicolons: semi}
			asmtest.CompareEachLine(t, fastEdges, "read at once", "token by token", func(line string, slow bool) []string {
				return readAll(line, opts, readMode{slowOnly: slow})
			})
		})
	}
}

// TestFastInstructionReads checks that the plain lines of the corpora are
// the ones fastInstruction reads: a line it left to the tokens by
// mistake would pass TestFastInstruction and be slow.
func TestFastInstructionReads(t *testing.T) {
	for _, c := range []struct {
		line string
		fast bool
	}{
		{"mov rax, rbx", true},
		{"vpcmpgtq k1{k7}, zmm21, zmmword ptr [rbp+rsi*2-0x11]", true},
		{"vdivps zmm2{k1}{z}, zmm7, dword ptr [rax]{1to16}", true},
		{"vfnmadd132ss xmm6{k6}{z}, xmm11, xmm0, {rd-sae}", true},
		{"adc word [rbx], -0xedd", true},
		{"xgetbv", true},
		{"vgatherdps zmm1{k1}, [rax+zmm2*4]", true},
		{"mov rax, [rip+8]", true},
		{"adc edi, [rip+0x40]", true},
		{"mov rax, [rip+rax]", false},
		{"mov rax, [rel label]", false},
		{"jmp label", false},
		{"lock inc dword ptr [rax]", false},
		{"nop ; c", false},
		{"x: nop", false},
	} {
		p := &parser{file: "t.s", equs: map[string]ival{}, dataLabels: map[string]dataLabel{}, codeLabels: map[string]ir.Pos{}, mem: newStmtMemory(1)}
		p.line, p.lineText = 1, c.line
		if got := p.fastInstruction(c.line, c.line); got != c.fast {
			t.Errorf("fastInstruction(%q) = %v, want %v", c.line, got, c.fast)
		}
	}
}

// FuzzFastInstruction checks TestFastInstruction's property on any
// source: read with fastInstruction or token by token only, it makes the
// same statements, spellings and errors.
func FuzzFastInstruction(f *testing.F) {
	for _, s := range fastEdges {
		f.Add(s, false)
	}
	for _, s := range []string{
		"mov rax, [rbp+rcx*8-0x10]\nx equ 8\nmov rax, [rax+x]", "section .data\nmov rax, rbx\nsection .text\nnop",
		"vaddps zmm1{k1}{z}, zmm2, dword ptr [rax]{1to16}\nnop ; mov rax, rbx", "add rax, 1; sub rax, 2 # c",
	} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, src string, semi bool) {
		if len(src) > 4096 {
			return
		}
		opts := Options{Semicolons: semi}
		fast, slow := readAll(src, opts, readMode{}), readAll(src, opts, readMode{slowOnly: true})
		if a, b := strings.Join(fast, "\n\t"), strings.Join(slow, "\n\t"); a != b {
			t.Fatalf("%q (semicolons %v):\n read at once\n\t%s\n token by token\n\t%s", src, semi, a, b)
		}
	})
}

// checkRegAt compares the register identKeyAt and regAt read at the
// start of s with lookupReg of the identifier identAt reads there.
// It reads s with what may follow it in a source (wideTails): a word
// read 8 bytes at a time ends where s does.
func checkRegAt(t *testing.T, s string) {
	key, end := identKeyAt(s, s, 0)
	name := s[:end]
	wantName, wantEnd := identAt(s, 0)
	if name != wantName || end != wantEnd {
		t.Fatalf("identKeyAt(%q) = %q, %d; identAt says %q, %d", s, name, end, wantName, wantEnd)
	}
	for _, tail := range wideTails {
		wide := s + tail
		k, e := identKeyAt(wide[:len(s)], wide, 0)
		n := wide[:e]
		if n != name || k != key || e != end {
			t.Fatalf("identKeyAt(%q) followed by %q = %q, %x, %d; alone %q, %x, %d", s, tail, n, k, e, name, key, end)
		}
	}
	if name == "" {
		return
	}
	if got, want := regAt(ir.IntelRegs(), name, key), lookupReg(name); got != want {
		t.Errorf("regAt(%q) = %+v, lookupReg says %+v", name, got, want)
	}
}

// identAt returns the identifier at line[i:] as the lexer reads it and
// where it ends; "" when there is none, or it is one the lexer reads
// otherwise ($$, $name): identKeyAt and mnemAt read byte by byte, the
// reference the tests compare them with.
func identAt(line string, i int) (string, int) {
	if i >= len(line) || !isIntelIdentStart(line[i]) || line[i] == '$' {
		return "", i
	}
	j := i + 1
	for j < len(line) && isIntelIdentChar(line[j]) {
		j++
	}
	return line[i:j], j
}

// regAt is what fastOperand and fastMem look up for an identifier
// identKeyAt read (written out there): the register of its packed word
// when it packs, lookupReg's otherwise.
func regAt(regs *ir.IntelRegTable, name string, key uint64) ireg {
	if key != 0 {
		return regs.LookupPacked(key)
	}
	return lookupReg(name)
}

// wideTails are what may follow a line in the source, as the words of
// the line are read 8 bytes at a time from it: the next line, another
// statement, or a word that goes on past the end of the line.
var wideTails = []string{"", "ab, rax", "7]", "_x{k1}", "\n", "\nmov rax, rbx\n", "; add rax, 1", "abcdefghijklmnopqrstuvwxyz", "RAX12345_ZMM31xyz", "        ", "\xff\xfe"}

// TestRegAt checks the registers read by packed word (regAt) against
// lookupReg: every register name of both corpora's lines in three
// cases, and words that are none.
func TestRegAt(t *testing.T) {
	words := []string{"rax", "RAX", "Xmm31", "r15b", "r8l", "st", "zmm31,", "rip]", "eaxeaxeax", "xmm32", "\u212a1", "r\u0131p", "k1{", "ptr", "dword", "a$b", "_r", "..x"}
	for _, name := range corpora {
		for _, line := range strings.Split(corpusText(t, name), "\n") {
			words = append(words, strings.FieldsFunc(line, func(r rune) bool { return strings.ContainsRune(" ,[]+-*{}", r) })...)
		}
	}
	for _, w := range words {
		for _, s := range []string{w, strings.ToUpper(w), strings.ToLower(w)} {
			checkRegAt(t, s)
		}
	}
}

// FuzzRegAt checks TestRegAt's property on any text.
func FuzzRegAt(f *testing.F) {
	for _, s := range []string{"rax", "R8L", "zmm31{k1}", "eaxeaxeax", "\u212a1"} {
		f.Add(s)
	}
	f.Fuzz(checkRegAt)
}

// TestPlainSignature checks that plainSignature, of the signatures
// fastOperand writes as it reads an operand, gives opSignature's
// signature for the same operands: registers of several classes,
// immediates, memory operands of every size keyword, with broadcasts
// and vector indexes, single, in pairs, and too many.
func TestPlainSignature(t *testing.T) {
	var ops []plainOp
	for _, text := range []string{
		"rax", "xmm1", "zmm3", "k1{z}", "st0", "5", "-0x10", "[rax]", "dword ptr [rax+rbx*2]", "qword ptr [rax+ymm2*4]",
		"dword ptr [rax]{1to16}", "qword [rbx+8]{1to2}", "[rax+xmm1*8]{1to4}", "zmmword ptr [rsp+zmm9*1]", "tword ptr [rax]",
		"fword ptr [rax]", "byte ptr [rip+8]", "xmmword ptr [rax]", "ymmword ptr [rax]", "mmword ptr [rsp+rbp]", "word ptr [rsp]",
	} {
		var o plainOp
		end, _, ok := fastOperand(&o, ir.IntelRegs(), text, text, 0)
		if !ok || end != len(text) {
			t.Fatalf("fastOperand(%q) = %d, %v", text, end, ok)
		}
		ops = append(ops, o)
	}
	ops = append(ops, plainOp{}) // no signature
	// Every pair and every single operand, and a list too long.
	var lists [][]plainOp
	for i := range ops {
		lists = append(lists, []plainOp{ops[i]})
		for j := range ops {
			lists = append(lists, []plainOp{ops[i], ops[j]})
		}
	}
	lists = append(lists, ops[:sigOps+1])
	for _, list := range lists {
		parsed := make([]*intelOperand, len(list))
		for i := range list {
			parsed[i] = &intelOperand{}
			list[i].fill(parsed[i], strings.Repeat(" ", 64))
		}
		gotSig, gotOK := plainSignature(list)
		wantSig, wantOK := opSignature(parsed)
		if gotSig != wantSig || gotOK != wantOK {
			t.Errorf("plainSignature(%+v) = %#x, %v; opSignature gives %#x, %v", list, gotSig, gotOK, wantSig, wantOK)
		}
	}
}

// TestSizeKeywordKey checks the size keywords by packed word
// (sizeKeywordKey, which sizeKeyword reads too) against the sizes NASM
// gives them, and ptr's packed word, in any case; words that are none
// have no size.
func TestSizeKeywordKey(t *testing.T) {
	for _, c := range []struct {
		word string
		bits int
	}{
		{"byte", 8}, {"word", 16}, {"dword", 32}, {"fword", 48}, {"qword", 64}, {"mmword", 64},
		{"tbyte", 80}, {"tword", 80}, {"oword", 128}, {"xmmword", 128}, {"yword", 256}, {"ymmword", 256},
		{"zword", 512}, {"zmmword", 512}, {"Dword", 32}, {"XMMWORD", 128},
		{"ptr", 0}, {"PTR", 0}, {"dwor", 0}, {"dwordd", 0}, {"words", 0}, {"bytes", 0}, {"rax", 0}, {"xmmwords", 0}, {"", 0},
	} {
		key, _ := identKeyAt(c.word, c.word, 0)
		got, code := sizeKeywordKey(key)
		if wantCode := sizeCode(c.bits); got != c.bits || int(code) != wantCode {
			t.Errorf("sizeKeywordKey(%q) = %d, code %d; want %d, code %d", c.word, got, code, c.bits, wantCode)
		}
		if bits, ok := sizeKeyword(strings.ToLower(c.word)); bits != c.bits || ok != (c.bits != 0) {
			t.Errorf("sizeKeyword(%q) = %d, %v; want %d", c.word, bits, ok, c.bits)
		}
		if isPtr := key == keyPtr; isPtr != strings.EqualFold(c.word, "ptr") {
			t.Errorf("%q: packed ptr %v", c.word, isPtr)
		}
	}
	// sizeKeyword reads a whole word, not its start.
	if bits, ok := sizeKeyword("byte+"); ok {
		t.Errorf("sizeKeyword(%q) = %d, true", "byte+", bits)
	}
}

// TestPtrAt checks ptrAt against identKeyAt: ptrAt is true where the
// word identKeyAt reads is ptr in any case, whatever follows it on the
// line or past it (the rest of the source).
func TestPtrAt(t *testing.T) {
	for _, s := range []string{
		"ptr", "PTR", "pTr", "ptr [rax]", "ptr[rax]", "ptrx", "ptr_", "ptr.", "ptr$", "ptr?", "ptr@", "ptr1", "ptr\x80",
		"ptr,", "ptr\t", "pt", "p", "", "qtr", "pur", "ptq", "Ptr+", "ptr{", "ptr}", "\x70tr", "\xf0tr", "PtR;",
	} {
		key, end := identKeyAt(s, s, 0)
		name := s[:end]
		want := name != "" && key == keyPtr
		if got := ptrAt(s, 0); got != want {
			t.Errorf("ptrAt(%q) = %v, identKeyAt reads %q (ptr: %v)", s, got, name, want)
		}
		// The line ends before what follows in the source.
		for _, tail := range []string{"\n", "x", "abcdefghij"} {
			wide := s + tail
			key, end := identKeyAt(wide[:len(s)], wide, 0)
			name := wide[:end]
			if got, want := ptrAt(wide[:len(s)], 0), name != "" && key == keyPtr; got != want {
				t.Errorf("ptrAt(%q followed by %q) = %v, want %v", s, tail, got, want)
			}
		}
	}
}

// TestNumberAt checks numberAt against the lexer: the number token at
// the start of each text, its value and its end, read alone and followed
// by what a source may put after it (wideTails); identEnd, which finds
// its end 8 bytes at a time, against a byte-by-byte reading.
func TestNumberAt(t *testing.T) {
	for _, s := range []string{
		"0", "7", "0x10", "0x7fffffff", "0xedcba99", "0xffffffffffffffff", "0x10000000000000000", "123456789012", "1e5", "1e+5",
		"0x1e+5", "1.5", "10h", "0b101", "0o17", "017", "8]", "0x40+rax", "4*rax", "12345678,", "123456789abcdef0123", "0x1_000",
		"9", "0x", "1..2", "0xg", "99999999999999999999",
	} {
		v, end, ok := numberAt(s, s, 0)
		var want itok
		wantOK := false
		if toks, _, _, msg := lexIntelLine(s); msg == "" && toks[0].kind == itInt {
			want, wantOK = toks[0], true
		}
		if ok != wantOK || ok && (v != want.ival || end != len(want.text)) {
			t.Errorf("numberAt(%q) = %d, %d, %v; the lexer reads %+v (%v)", s, v, end, ok, want, wantOK)
		}
		for _, tail := range wideTails {
			wide := s + tail
			v2, end2, ok2 := numberAt(wide[:len(s)], wide, 0)
			if v2 != v || end2 != end || ok2 != ok {
				t.Errorf("numberAt(%q) followed by %q = %d, %d, %v; alone %d, %d, %v", s, tail, v2, end2, ok2, v, end, ok)
			}
			for i := range len(s) + 1 {
				want := i
				for want < len(s) && intelFold[s[want]] != 0 {
					want++
				}
				if got := identEnd(wide[:len(s)], wide, i); got != want {
					t.Errorf("identEnd(%q followed by %q, %d) = %d, want %d", s, tail, i, got, want)
				}
			}
		}
	}
}

// TestFoldWord compares foldWord, and alnumCount with identBytesCount
// where it leaves the count to it (as identKeyAt, identEnd and mnemAt
// read a word), with intelFold byte by byte: every byte value in every
// place of a word of identifier bytes, and words of random bytes: the
// count of bytes that continue an identifier, and those bytes folded.
func TestFoldWord(t *testing.T) {
	check := func(w []byte) {
		text := string(w)
		folded, n := foldWord(text, 0)
		want := 0
		for want < 8 && intelFold[w[want]] != 0 {
			want++
		}
		if n != want {
			t.Fatalf("foldWord(%q): %d bytes continue an identifier, want %d", text, n, want)
		}
		for k := range n {
			if got := byte(folded >> (8 * k)); got != intelFold[w[k]] {
				t.Fatalf("foldWord(%q): byte %d folded to %q, want %q", text, k, got, intelFold[w[k]])
			}
		}
		word := ir.LoadWord(text, 0)
		n, letter, exact := alnumCount(word)
		if !exact {
			n = identBytesCount(word)
		}
		if n != want {
			t.Fatalf("alnumCount(%q): %d bytes continue an identifier (exact %v), want %d", text, n, exact, want)
		}
		for k := range n {
			if got := byte((word | letter&ir.WordHigh>>2) >> (8 * k)); got != intelFold[w[k]] {
				t.Fatalf("alnumCount(%q): byte %d folded to %q, want %q", text, k, got, intelFold[w[k]])
			}
		}
	}
	base := []byte("aZ_09.$?")
	for place := range 8 {
		for c := range 256 {
			w := append([]byte(nil), base...)
			w[place] = byte(c)
			check(w)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		var w [8]byte
		for k := range w {
			// Mostly identifier bytes, so that long runs are tried.
			if r.IntN(4) == 0 {
				w[k] = byte(r.IntN(256))
			} else {
				w[k] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.$?@"[r.IntN(67)]
			}
		}
		check(w[:])
	}
}

// TestNumberAtShortcuts compares numberAt, whose shortcuts read a digit alone and
// 0x and hex digits from one word (hexWordAt), with numberAtSlow, which
// reads every number as the lexer does: numbers of each length and
// spelling, with each byte after them, at the end of the line and with
// what may follow the line in a source.
func TestNumberAtShortcuts(t *testing.T) {
	var nums []string
	for _, d := range []string{"0", "7", "9"} {
		nums = append(nums, d)
	}
	for n := 0; n <= 10; n++ {
		for _, p := range []string{"0x", "0X"} {
			nums = append(nums, p+"fEdCbA9876543210"[:n], p+"0123456789aBcDeF"[16-n:], p+"1000000000"[:n])
		}
		nums = append(nums, "1234567890123456789012"[:n+1], "0"+"1234567890123"[:n])
	}
	// Bytes after the number: each byte value, and a few spellings that
	// make it another number.
	var afters []string
	for c := range 256 {
		afters = append(afters, string([]byte{byte(c)}))
	}
	afters = append(afters, "", "h", "e+5", "E-3", ".5", "_1", " , rax", "]", "+8]", "*4+rbx]")
	for _, num := range nums {
		for _, after := range afters {
			line := num + after
			for _, tail := range append([]string{""}, wideTails...) {
				for _, cut := range []int{len(line), len(num)} {
					wide := line[:cut] + tail
					l := wide[:cut]
					v, j, ok := numberAt(l, wide, 0)
					wv, wj, wok := numberAtSlow(l, wide, 0)
					if v != wv || j != wj || ok != wok {
						t.Fatalf("numberAt(%q followed by %q) = %d, %d, %v; numberAtSlow says %d, %d, %v", l, tail, v, j, ok, wv, wj, wok)
					}
				}
			}
		}
	}
}
