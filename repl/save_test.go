package repl

import (
	"strings"
	"testing"

	"github.com/jitrun/jitrun/asm"
	"github.com/jitrun/jitrun/trampoline"
)

// TestDataBlock checks a block that ends in a data section: it runs
// (its terminator goes back to the code), and Source writes the code
// after it in the code section again.
func TestDataBlock(t *testing.T) {
	s := newSession(t, Options{})
	out := feed(t, s, "start:", "mov rax, [val]", "section .data", "val: dq 7", "")
	if out.Kind != Ran || s.Regs().GPR[trampoline.RAX] != 7 {
		t.Fatalf("%v, rax %d; want ran, 7", out.Kind, s.Regs().GPR[trampoline.RAX])
	}
	feed(t, s, "mov rbx, 1")
	src, err := s.Source(asm.SyntaxIntel)
	if err != nil {
		t.Fatal(err)
	}
	want := "start:\n\tmov rax, [val]\n\tsection .data\n\tval: dq 7\nsection .text\n\tmov rbx, 1\n"
	if !strings.Contains(string(src), want) {
		t.Errorf("Source:\n%s\nwant it to hold:\n%s", src, want)
	}
	p, err := asm.AssembleSource("saved", src, asm.SyntaxIntel)
	if err != nil {
		t.Fatalf("the source does not assemble: %v\n%s", err, src)
	}
	val, ok := p.Symbol("val")
	if !ok || val.Kind != asm.SymData || p.Code[val.Offset] != 7 {
		t.Errorf("val in the saved program: %+v, %v; want writable data holding 7", val, ok)
	}
	if start, ok := p.Symbol("start"); ok && start.Kind != asm.SymText {
		t.Errorf("start: %+v, want code", start)
	}
}
