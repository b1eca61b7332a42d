package att

import (
	"fmt"
	"strings"
	"testing"

	"github.com/jitrun/jitrun/asm/internal/asmtest"
	"github.com/jitrun/jitrun/asm/internal/ir"
)

// readAll parses src with the spellings made at once, through
// fastInstruction or token by token only, and writes out every statement
// (with its position, text and spelling) and error.
func readAll(src string, slowOnly bool) []string {
	p := newParser("t.s", []byte(src), Options{}, true, 64)
	p.slowOnly = slowOnly
	p.run(src)
	var out []string
	for _, st := range p.stmts {
		line := stmtText(st)
		switch s := st.(type) {
		case *ir.Inst:
			line += fmt.Sprintf(" at %v %q spelled %s", s.Pos, s.Text, spellingText(ir.SpellingOf(s)))
		case *ir.BytesDef:
			line += fmt.Sprintf(" at %v %q", s.Pos, s.Text)
		case *ir.LabelDef:
			line += fmt.Sprintf(" at %v %q", s.Pos, s.Text)
		}
		out = append(out, line)
	}
	for _, e := range p.errs.List() {
		out = append(out, fmt.Sprintf("error %v: %s", e.Pos, e.Msg))
	}
	return out
}

// TestFastInstruction checks that a line fastInstruction reads comes out
// as the tokens make it: the same statements, positions, texts,
// spellings and errors, for the oracle corpora, the compiler's output
// and lines at the edges of what it reads.
func TestFastInstruction(t *testing.T) {
	sources := map[string]string{
		"edges": strings.Join(fastEdges, "\n"),
		"data":  ".data\nmovq %rax, %rbx\n.text\nmovq %rax, %rbx\n/* a\nmovq %rax, %rbx\n*/ movq %rax, %rbx\n",
	}
	for _, name := range corpora {
		sources[name] = corpusText(t, name)
	}
	for name, src := range sources {
		t.Run(name, func(t *testing.T) {
			asmtest.CompareReads(t, "read at once", readAll(src, false), "token by token", readAll(src, true))
		})
	}
	t.Run("each edge", func(t *testing.T) {
		asmtest.CompareEachLine(t, fastEdges, "read at once", "token by token", readAll)
	})
}

// fastEdges are lines at the edges of what fastInstruction reads.
var fastEdges = []string{
	"movq %rax, %rbx", "  movq   %rax ,  %rbx  ", "\tmovq\t%rax,%rbx\t", "movq %rax,%rbx\r", "MOVQ %RAX, %RBX", "mov.s %eax, %ebx",
	"addq $1, %rax", "addq $-1, %rax", "addq $0x7fffffff, %rax", "addq $0xffffffffffffffff, %rax", "movabs $0x1122334455667788, %rax",
	"addq $010, %rax", "addq $1f, %rax", "addq $1.5, %rax", "addq $0x, %rax", "addq $ 1, %rax", "addq $1+1, %rax", "addq $N, %rax",
	"movq 8(%rsp), %rax", "movq -8(%rbp), %rax", "movq -0x10(%rbp,%rcx,8), %rax", "movq (%rax,%rbx), %rcx", "movq (,%rbx,4), %rcx",
	"movq (%rax,%rbx,3), %rcx", "movq (%rax,%rsp,2), %rcx", "movq (%eax), %rcx", "movq (%rip), %rcx", "movq 8(%rip), %rcx",
	"movq (%rax,), %rcx", "movq (), %rcx", "movq ( %rax), %rcx", "movq 8 (%rax), %rcx", "movq 0x10, %rax", "movq (%rax,%rbx,08), %rcx",
	"movq (%dx), %rax", "inb (%dx), %al", "movq %fs:0x28, %rax", "movq %st, %rax", "fadd %st(1), %st", "movq %rip, %rax",
	"vgatherdps %xmm1, (%rax,%xmm2,4), %xmm3", "vaddps %zmm1, %zmm2, %zmm3{%k1}", "vaddps {rn-sae}, %zmm1, %zmm2, %zmm3",
	"jmp 1f", "1: jmp 1b", "call *%rax", "jmp *(%rax)", "lock incl (%rax)", "rep movsb", "rep", "nop", "nop # comment", "nop ; nop",
	"movq %rax, %rbx # c", "movq %rax, %rbx /* c */", "movq %rax,", "movq ,%rax", "movq %rax,, %rbx", "movq %zzz, %rax", "movq %rax %rbx",
	"movq %rax, %rbx, %rcx, %rdx, %rsi", "vpternlogd $0x1, %zmm1, %zmm2, %zmm3", "shll %eax", "sall $2, 4(%rsp)", "x = 5", "y: nop",
	".text", "foo", "foo %rax", "movq %db0, %rax", "movq %rax, %dr7", "pushq 0x8(%rsp)", "movl $'a', %eax", "movzbl (%rdi), %eax",
	"movq %rax, %rbx\x85", "movq\u00a0%rax, %rbx", "cmpxchg16b (%rdi)", "xchg %eax, %eax", "leaq 0x0(,%rax,8), %rdx",
	// Decorations, rounding operands and %rip.
	"vaddps %zmm1, %zmm2, %zmm3{%k1}", "vaddps %zmm1, %zmm2, %zmm3{%k7}{z}", "vaddps %zmm1, %zmm2, %zmm3{z}{%k2}",
	"vaddps %zmm1, %zmm2, %zmm3{%k0}", "vaddps %zmm1, %zmm2, %zmm3{%k8}", "vaddps %zmm1, %zmm2, %zmm3{%K1}",
	"vaddps %zmm1, %zmm2, %zmm3{%k1}{%k2}", "vaddps %zmm1, %zmm2, %zmm3{z}{z}", "vaddps %zmm1, %zmm2, %zmm3{z}",
	"vaddps %zmm1, %zmm2, %zmm3 {%k1}", "vaddps %zmm1, %zmm2, %zmm3{ %k1}", "vaddps %zmm1, %zmm2, %zmm3{%k1}x",
	"vaddps %zmm1, %zmm2, %zmm3{%k1", "vaddps %zmm1, %zmm2, %zmm3{", "vaddps %zmm1{%k1}, %zmm2, %zmm3",
	"vaddps (%rax){1to16}, %zmm2, %zmm3{%k1}", "vaddpd 8(%rax,%rbx,8){1to8}, %zmm2, %zmm3", "vaddps (%rax){1to3}, %zmm2, %zmm3",
	"vaddps (%rax){1to016}, %zmm2, %zmm3", "vaddps (%rax){1to64}, %zmm2, %zmm3", "vaddps (%rax){1to128}, %zmm2, %zmm3",
	"vaddps (%rax){1to16}{1to16}, %zmm2, %zmm3", "vaddps %zmm1{1to16}, %zmm2, %zmm3", "vaddps $1{%k1}, %zmm2, %zmm3",
	"vaddps (%rax){1to}, %zmm2, %zmm3", "vaddps (%rax){1to16, %zmm2, %zmm3", "vpaddd (%rax){1to16}{%k1}, %zmm2, %zmm3",
	"vaddps {rn-sae}, %zmm1, %zmm2, %zmm3", "vaddps {rz-sae},%zmm1,%zmm2,%zmm3{%k1}{z}", "vmaxps {sae}, %zmm1, %zmm2, %zmm3",
	"vaddps {rn-sae}, {rd-sae}, %zmm1, %zmm2, %zmm3", "vaddps %zmm1, %zmm2, %zmm3, {rn-sae}", "vaddps { rn-sae }, %zmm1, %zmm2, %zmm3",
	"vaddps {RN-SAE}, %zmm1, %zmm2, %zmm3", "vaddps {rn-sae}x, %zmm1, %zmm2, %zmm3", "vaddps {xx}, %zmm1, %zmm2, %zmm3",
	"vaddps {rn-sae, %zmm1, %zmm2, %zmm3", "vrndscaleps {sae}, $1, %zmm1, %zmm2{%k1}", "vaddps {sae}, %zmm1, %zmm2, %zmm3",
	"vaddps xsae}, %zmm1, %zmm2, %zmm3", "vaddps x{rn-sae}, %zmm1, %zmm2, %zmm3", "vaddps %zmm1, %zmm2, %zmm3 x{sae}",
	"movq 0x40(%rip), %rax", "movq -0x80000000(%rip), %rax", "movq 0x80000000(%rip), %rax", "movq (%rip,%rax), %rcx",
	"movq (%rip,%rax,8), %rcx", "vaddps 8(%rip){1to16}, %zmm2, %zmm3", "movq %rax, 8(%RIP)", "leaq 0x7fffffff(%rip), %rax",
}

// FuzzFastInstruction checks TestFastInstruction's property on any
// source: read with fastInstruction or token by token only, it makes the
// same statements, spellings and errors.
func FuzzFastInstruction(f *testing.F) {
	for _, s := range []string{
		"movq %rax, %rbx", "addq $-0x10, 8(%rsp)", "movq -8(%rbp,%rcx,8), %rax", "vgatherdps %xmm1, (%rax,%xmm2,4), %xmm3",
		"  MOVQ\t%RAX ,%RBX  \r", "movq (,%rbx,4), %rcx\nnop\n.data\nmovq %rax, %rbx", "shll %eax\nlock incl (%rax)\nx: nop",
		"movq 8 (%rax), %rcx", "addq $010, %rax", "movq (%rax,%rsp,2), %rcx", "inb (%dx), %al", "/* a\nmovq %rax, %rbx\n*/ nop",
		"vaddps (%rax){1to16}, %zmm2, %zmm3{%k1}{z}", "vaddps {rn-sae}, %zmm1, %zmm2, %zmm3", "movq 0x40(%rip), %rax",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 4096 {
			return
		}
		fast, slow := readAll(src, false), readAll(src, true)
		if a, b := strings.Join(fast, "\n\t"), strings.Join(slow, "\n\t"); a != b {
			t.Fatalf("%q:\n read at once\n\t%s\n token by token\n\t%s", src, a, b)
		}
	})
}

// TestFastInstructionReads checks that plain lines are the ones
// fastInstruction reads: a line it left to the tokens by mistake would
// pass TestFastInstruction and be slow.
func TestFastInstructionReads(t *testing.T) {
	for _, c := range []struct {
		line string
		fast bool
	}{
		{"movq %rax, %rbx", true},
		{"addq $-0x10, 8(%rsp)", true},
		{"vaddps %zmm1, %zmm2, %zmm3{%k1}{z}", true},
		{"vaddps (%rax){1to16}, %zmm2, %zmm3{%k1}", true},
		{"vaddps {rn-sae}, %zmm1, %zmm2, %zmm3", true},
		{"vrndscaleps {sae}, $1, %zmm1, %zmm2{%k1}", true},
		{"movq 0x40(%rip), %rax", true},
		{"vgatherdps (%rax,%zmm2,4), %zmm1{%k1}", true},
		{"vaddps %zmm1, %zmm2, %zmm3 {%k1}", false},
		{"vaddps %zmm1, %zmm2, %zmm3{%k0}", false},
		{"movq (%rip,%rax), %rcx", false},
		{"movq 0x80000000(%rip), %rax", false},
		{"movq x(%rip), %rax", false},
		{"movq %fs:0x28, %rax", false},
		{"lock incl (%rax)", false},
		{"x: nop", false},
	} {
		p := newParser("t.s", []byte(c.line), Options{}, true, 4)
		p.line, p.lineText = 1, c.line
		if got := p.fastInstruction(c.line, c.line); got != c.fast {
			t.Errorf("fastInstruction(%q) = %v, want %v", c.line, got, c.fast)
		}
	}
}

// TestByteClass checks the byte classes against the tests they stand
// for, on every byte.
func TestByteClass(t *testing.T) {
	for c := range 256 {
		b := byte(c)
		start := b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b == '_' || b == '.'
		char := start || b >= '0' && b <= '9' || b == '$'
		space := b == ' ' || b == '\t' || b == '\r' || b == '\f' || b == '\v'
		upper := b >= 'A' && b <= 'Z'
		if isIdentStart(b) != start || isIdentChar(b) != char || isSpace(b) != space || (byteClass[b]&bUpper != 0) != upper {
			t.Errorf("byte %#x: classes %04b", b, byteClass[b])
		}
	}
}

// TestRegisterAt checks that registerAt, which reads a word past the
// name when the source has one, finds what knownRegister finds, and
// where the name ends: names of every length up to past 8 bytes, at the
// end of the source and followed by more.
func TestRegisterAt(t *testing.T) {
	p := newParser("t.s", nil, Options{}, false, 8)
	names := []string{"r", "al", "rax", "r8d", "xmm15", "zmm31", "db7", "DB7", "RAX", "Rax", "nosuch", "cr8", "eflagsxx", "nosuchreg", "r_x", "st"}
	// Every register by its canonical name, in lower and upper case.
	for id := range 256 {
		if name := ir.IntelRegID(id).Name(); name != "" {
			names = append(names, name, strings.ToUpper(name))
		}
	}
	for _, name := range names {
		for _, after := range []string{"", ")", ", %rbx\nmovq %rax, %rbx\n"} {
			line := "  %" + name + after
			wide := line
			if i := strings.IndexByte(line, '\n'); i >= 0 {
				line = line[:i]
			}
			got, end := p.registerAt(line, wide, 3)
			want := p.knownRegister(name)
			if end != 3+len(name) || (got == nil) != (want == nil) || got != nil && *got != *want {
				t.Errorf("registerAt(%q, %q) = %v, %d; want %v, %d", line, wide, got, end, want, 3+len(name))
			}
		}
	}
}
