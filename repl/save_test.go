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

// TestEntryCaps checks that the entries kept are bounded in bytes as in
// number, and that a session whose start was dropped is not saved.
func TestEntryCaps(t *testing.T) {
	s := newSession(t, Options{})
	big := strings.Repeat("n", MaxEntryBytes/2-10)
	for range 3 {
		s.record(Entry{Kind: CodeEntry, Text: big, Bytes: make([]byte, 10)})
	}
	if n := len(s.Entries()); n != 2 || s.entryBytes != MaxEntryBytes || !s.truncated {
		t.Fatalf("%d entries of %d bytes (truncated %v); want 2 of %d, truncated", n, s.entryBytes, s.truncated, MaxEntryBytes)
	}
	// One entry larger than the cap is kept alone.
	s.record(Entry{Kind: CodeEntry, Text: big + big + big})
	if n := len(s.Entries()); n != 1 || s.entryBytes != len(big)*3 {
		t.Fatalf("%d entries of %d bytes; want the last one alone", n, s.entryBytes)
	}
	want := "the session is longer than the 100000 lines or 16 MiB it keeps: its start is gone (.reset starts a new one)"
	if _, err := s.Source(asm.SyntaxIntel); err == nil || err.Error() != want {
		t.Errorf("Source: %v, want %q", err, want)
	}
	if err := s.Reset(); err != nil {
		t.Fatal(err)
	}
	feed(t, s, "mov rax, 1", "mov rax, [0]")
	if s.entryBytes != len("mov rax, 1")+7+len("mov rax, [0]")+8 {
		t.Errorf("entryBytes %d after two lines", s.entryBytes)
	}
	if _, err := s.Undo(); err != nil {
		t.Fatal(err)
	}
	if s.entryBytes != 0 || len(s.Entries()) != 0 {
		t.Errorf("entryBytes %d, %d entries after undoing everything; want 0, 0", s.entryBytes, len(s.Entries()))
	}
	if _, err := s.Source(asm.SyntaxIntel); err != nil {
		t.Errorf("Source after .reset: %v", err)
	}
}
