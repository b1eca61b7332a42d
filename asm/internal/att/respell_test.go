package att

import (
	"fmt"
	"testing"

	"github.com/jitrun/jitrun/asm/internal/ir"
)

// spellingText writes out a spelling, every field, for comparing.
func spellingText(sp *ir.Spelling) string {
	if sp == nil {
		return "<nil>"
	}
	return fmt.Sprintf("text %q mnem %q ops %q argop %v", sp.Text, sp.Mnem, fmt.Sprint(sp.Ops), fmt.Sprint(sp.ArgOp))
}

// TestLazySpellings checks that the spelling made when a message needs
// it (respell.go) is the one the parser would have recorded at once, for
// every instruction of both oracle corpora and of sources where the
// reading depends on what came before: constants redefined, local
// labels, prefixes, several statements on a line, comments.
func TestLazySpellings(t *testing.T) {
	sources := map[string]string{
		"constants": "" +
			".set N, 1\n" +
			"shll $N, %eax\n" +
			"N = 3\n" +
			"shll $N, %eax\n" +
			"movl N(%rax,%rbx,4), %ecx\n" +
			".equ N, 300\n" +
			"pshufd $N, %xmm1, %xmm0\n" +
			"addq $N+1, 8(%rsp)\n",
		"labels": "" +
			"1: jmp 1b\n" +
			"leaq 1f(%rip), %rax\n" +
			"1: movq 1b(%rip), %rax\n" +
			"call 2f\n" +
			"2: ret\n",
		"lines": "" +
			"lock addl $1, (%rax) # a comment\n" +
			"rep; movsb\n" +
			"movl %eax, %ebx; addl /* two */ $2, %ebx\n" +
			"{evex} vaddps %xmm1, %xmm2, %xmm3\n" +
			"vaddps {rn-sae}, %zmm1, %zmm2, %zmm3{%k1}{z}\n" +
			"vpaddd (%rax){1to16}, %zmm1, %zmm2\n" +
			"MOVL %EAX, %ECX\n" +
			"fadd %st(1), %st\n" +
			"movabsq $0x123456789, %rax\n" +
			"x: movb %ah, %al\n" +
			"movzbl (%rdi), %eax\n",
	}
	for _, name := range corpora {
		sources[name] = corpusText(t, name)
	}
	for name, src := range sources {
		t.Run(name, func(t *testing.T) {
			lazy, lazyErrs := parse(name, []byte(src), Options{}, false)
			eager, eagerErrs := parse(name, []byte(src), Options{}, true)
			if lazyErrs.Len() != eagerErrs.Len() || len(lazy) != len(eager) {
				t.Fatalf("lazy: %d statements, %d errors; eager: %d statements, %d errors", len(lazy), lazyErrs.Len(), len(eager), eagerErrs.Len())
			}
			n := 0
			for i := range lazy {
				in, ok := lazy[i].(*ir.Inst)
				if !ok {
					continue
				}
				want := spellingText(ir.SpellingOf(eager[i].(*ir.Inst)))
				if got := spellingText(ir.SpellingOf(in)); got != want {
					t.Errorf("%s: %s:\n got %s\nwant %s", in.Pos, in.Text, got, want)
				}
				if want != "<nil>" {
					n++
				}
			}
			if n == 0 {
				t.Fatal("no instruction has a spelling")
			}
			t.Logf("%d spellings compared", n)
		})
	}
}
