package repl

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jitrun/jitrun/asm"
	"github.com/jitrun/jitrun/trampoline"
)

func newSession(t testing.TB, opt Options) *Session {
	t.Helper()
	s, err := New(opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

// feed runs each line and returns the last outcome; any error fails.
func feed(t *testing.T, s *Session, lines ...string) *Outcome {
	t.Helper()
	var out *Outcome
	for _, l := range lines {
		var err error
		out, err = s.Feed(context.Background(), l)
		if err != nil {
			t.Fatalf("%q: %v", l, err)
		}
	}
	return out
}

// gprChanges are the general registers of changes as name=new.
func gprChanges(changes []Change) string {
	var parts []string
	for _, c := range changes {
		switch c.Kind {
		case GPR:
			parts = append(parts, c.Name+"="+hex(c.New))
		case Flags:
			parts = append(parts, "rflags="+hex(c.New))
		default:
			parts = append(parts, c.Name)
		}
	}
	return strings.Join(parts, " ")
}

func hex(v uint64) string { return fmt.Sprintf("%#x", v) }

func TestFeed(t *testing.T) {
	tests := []struct {
		name    string
		syntax  asm.Syntax
		setup   []string
		line    string
		kind    Kind
		changes string // GPR and RFLAGS changes, name=new
	}{
		{"mov", asm.SyntaxIntel, nil, "mov rax, 5", Ran, "rax=0x5"},
		{"add sets CF and ZF", asm.SyntaxIntel, []string{"mov rax, 5"}, "add rax, -5", Ran, "rax=0x0 rflags=0x257"},
		{"sub sets SF", asm.SyntaxIntel, nil, "sub rbx, 1", Ran, "rbx=0xffffffffffffffff rflags=0x297"},
		{"go syntax", asm.SyntaxGo, nil, "MOVQ $7, CX", Ran, "rcx=0x7"},
		{"nothing changed", asm.SyntaxIntel, nil, "nop", Ran, ""},
		{"loop block", asm.SyntaxIntel, []string{"mov rcx, 3", "top:", "add rax, 2", "dec rcx"}, "jnz top", Pending, ""},
		{"blank line", asm.SyntaxIntel, nil, "", Nothing, ""},
		{"sse", asm.SyntaxIntel, []string{"mov rax, 0x3ff8000000000000"}, "movq xmm0, rax", Ran, "xmm0"},
		{"avx", asm.SyntaxIntel, nil, "vpcmpeqd ymm2, ymm2, ymm2", Ran, "ymm2"},
		{"null read faults", asm.SyntaxIntel, []string{"mov rax, 1"}, "mov rax, [0]", Faulted, ""},
		{"ud2 faults", asm.SyntaxIntel, nil, "ud2", Faulted, ""},
		{"divide by zero", asm.SyntaxIntel, nil, "div rcx", Faulted, ""},
		{"int3 is a breakpoint", asm.SyntaxIntel, nil, "int3", Breakpoint, ""},
		{"rsp off the stack", asm.SyntaxIntel, nil, "mov rsp, 0", Refused, ""},
		{"push", asm.SyntaxIntel, nil, "push 7", Ran, "rsp=" + "STACK"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSession(t, Options{Syntax: tc.syntax})
			feed(t, s, tc.setup...)
			before := *s.Regs()
			out := feed(t, s, tc.line)
			if out.Kind != tc.kind {
				t.Fatalf("kind %v (%s %s), want %v", out.Kind, out.Where, out.Why, tc.kind)
			}
			got := gprChanges(out.Changes)
			if strings.HasSuffix(tc.changes, "STACK") {
				want := strings.Replace(tc.changes, "STACK", hex(s.StackTop()-8), 1)
				if got != want {
					t.Errorf("changes %q, want %q", got, want)
				}
				return
			}
			if got != tc.changes {
				t.Errorf("changes %q, want %q", got, tc.changes)
			}
			if out.Kind == Faulted || out.Kind == Refused {
				if !s.m.Regs.Equal(&before) || !s.Regs().Equal(&before) {
					t.Errorf("the registers after a %v differ from those before it", out.Kind)
				}
			}
		})
	}
}

func TestLoopBlock(t *testing.T) {
	s := newSession(t, Options{})
	out := feed(t, s, "mov rcx, 3", "top:", "add rax, 2", "dec rcx", "jnz top", "")
	if out.Kind != Ran || s.Regs().GPR[trampoline.RAX] != 6 || s.Regs().GPR[trampoline.RCX] != 0 {
		t.Fatalf("%v: rax %d rcx %d, want ran, 6, 0", out.Kind, s.Regs().GPR[trampoline.RAX], s.Regs().GPR[trampoline.RCX])
	}
	// A forward jump opens a block too.
	out = feed(t, s, "jmp over")
	if out.Kind != Pending {
		t.Fatalf("jmp over: %v, want pending", out.Kind)
	}
	out = feed(t, s, "mov rbx, 1", "over:", "mov rdx, 2", "")
	if out.Kind != Ran || s.Regs().GPR[trampoline.RBX] != 0 || s.Regs().GPR[trampoline.RDX] != 2 {
		t.Fatalf("%v: rbx %d rdx %d, want ran, 0, 2", out.Kind, s.Regs().GPR[trampoline.RBX], s.Regs().GPR[trampoline.RDX])
	}
}

// TestFaultKeepsState checks that a fault in the middle of a block puts
// back everything the block changed before it: registers, stack memory,
// the scratch area and the vector state.
func TestFaultKeepsState(t *testing.T) {
	s := newSession(t, Options{})
	feed(t, s, "mov rax, 0x1122", "push rax", "mov qword ptr [rdi], 9", "movq xmm3, rax")
	before := *s.Regs()
	stack := append([]byte(nil), s.stackBytes()...)
	out := feed(t, s, "top:", "push 5", "mov qword ptr [rdi], 77", "vpcmpeqd ymm3, ymm3, ymm3", "mov rbx, 3", "mov rax, [0]", "")
	if out.Kind != Faulted || !strings.HasPrefix(out.Where, "line 6 (") {
		t.Fatalf("%v at %q, want a fault at line 6", out.Kind, out.Where)
	}
	if out.Regs.GPR[trampoline.RBX] != 3 {
		t.Errorf("Outcome.Regs at the fault: rbx %d, want 3", out.Regs.GPR[trampoline.RBX])
	}
	if !s.m.Regs.Equal(&before) || !s.Regs().Equal(&before) {
		t.Error("registers changed by a faulting block")
	}
	if string(s.stackBytes()) != string(stack) {
		t.Error("stack changed by a faulting block")
	}
	if got := s.scratch.Bytes()[0]; got != 9 {
		t.Errorf("scratch[0] = %d after the fault, want 9", got)
	}
	// The machine really holds the old vector state: the next line sees it.
	out = feed(t, s, "movq rcx, xmm3")
	if out.Kind != Ran || s.Regs().GPR[trampoline.RCX] != 0x1122 {
		t.Fatalf("rcx %#x after movq rcx, xmm3, want 0x1122", s.Regs().GPR[trampoline.RCX])
	}
	if v := s.Regs().Vec(3); v[16] != 0 {
		t.Error("ymm3's upper half set after the fault was undone")
	}
}

func TestTimeoutAndCancel(t *testing.T) {
	s := newSession(t, Options{Timeout: 20 * time.Millisecond})
	feed(t, s, "mov rax, 1")
	before := *s.Regs()
	out := feed(t, s, "spin: jmp spin")
	if out.Kind != TimedOut || !errors.Is(out.Interrupted.Err, context.DeadlineExceeded) {
		t.Fatalf("%v, want a timeout", out.Kind)
	}
	if !s.m.Regs.Equal(&before) || !s.Regs().Equal(&before) {
		t.Error("a timed-out line changed the state")
	}
	ctx, cancel := context.WithCancel(context.Background())
	s2 := newSession(t, Options{Timeout: 10 * time.Second})
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	out, err := s2.Feed(ctx, "spin: jmp spin")
	if err != nil {
		t.Fatal(err)
	}
	if out.Kind != TimedOut || !errors.Is(out.Interrupted.Err, context.Canceled) {
		t.Fatalf("%v, want an interruption by the context", out.Kind)
	}
}

func TestUndoReset(t *testing.T) {
	s := newSession(t, Options{})
	feed(t, s, "mov rax, 1", "push rax", "mov rax, [0]", "mov rbx, 2")
	e, err := s.Undo()
	if err != nil || e.Text != "mov rbx, 2" || s.Regs().GPR[trampoline.RBX] != 0 {
		t.Fatalf("undo: %q %v, rbx %d", e.Text, err, s.Regs().GPR[trampoline.RBX])
	}
	// The faulted line goes with the line before it.
	e, err = s.Undo()
	if err != nil || e.Text != "push rax" || s.Regs().GPR[trampoline.RSP] != s.StackTop() {
		t.Fatalf("undo: %q %v", e.Text, err)
	}
	if n := len(s.Entries()); n != 1 {
		t.Fatalf("%d entries after two undos, want 1", n)
	}
	if err := s.Reset(); err != nil {
		t.Fatal(err)
	}
	if !s.Regs().Equal(s.InitialRegs()) || len(s.Entries()) != 0 {
		t.Fatal("reset did not return to the start")
	}
	if _, err := s.Undo(); err == nil || err.Error() != "nothing to undo" {
		t.Fatalf("undo after reset: %v, want nothing to undo", err)
	}
	// The undo list is bounded.
	for i := 0; i < MaxUndo+5; i++ {
		feed(t, s, "inc rax")
	}
	for i := 0; i < MaxUndo; i++ {
		if _, err := s.Undo(); err != nil {
			t.Fatalf("undo %d: %v", i, err)
		}
	}
	if got := s.Regs().GPR[trampoline.RAX]; got != 5 {
		t.Errorf("rax %d after %d undos of %d incs, want 5", got, MaxUndo, MaxUndo+5)
	}
	if _, err := s.Undo(); err == nil || !strings.Contains(err.Error(), "nothing left to undo") {
		t.Errorf("undo past MaxUndo: %v", err)
	}
}

func TestSet(t *testing.T) {
	tests := []struct {
		reg, value string
		err        string
		check      func(r *trampoline.Regs) bool
	}{
		{"rax", "42", "", func(r *trampoline.Regs) bool { return r.GPR[trampoline.RAX] == 42 }},
		{"R9", "-1", "", func(r *trampoline.Regs) bool { return r.GPR[trampoline.R9] == ^uint64(0) }},
		{"bx", "0x10", "unknown register", nil},
		{"BX", "0x10", "", func(r *trampoline.Regs) bool { return r.GPR[trampoline.RBX] == 16 }},
		{"rflags", "0x41", "", func(r *trampoline.Regs) bool { return r.RFLAGS == 0x243 }},
		{"rflags", "0x100", "only CF PF AF ZF SF DF OF", nil},
		{"xmm1", "0x1_0000000000000002", "", func(r *trampoline.Regs) bool { return r.XMM[1] == trampoline.XMM{Lo: 2, Hi: 1} }},
		{"x15", "7", "", func(r *trampoline.Regs) bool { return r.XMM[15].Lo == 7 }},
		{"rsp", "0", "rsp is the REPL's stack pointer", nil},
		{"rax", "0x1_0000_0000_0000_0000", "does not fit in 64 bits", nil},
		{"rax", "twelve", "is not an integer", nil},
		{"xmm16", "1", "unknown register", nil},
	}
	for _, tc := range tests {
		t.Run(tc.reg+"="+tc.value, func(t *testing.T) {
			s := newSession(t, Options{})
			out, err := s.Set(tc.reg, tc.value)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || out.Kind != Ran || !tc.check(s.Regs()) {
				t.Fatalf("err %v, regs not as set", err)
			}
			// The machine runs with it.
			if strings.HasPrefix(tc.reg, "x") {
				return
			}
			if o := feed(t, s, "nop"); o.Kind != Ran || !tc.check(s.Regs()) {
				t.Fatal("the value did not survive a line")
			}
		})
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f.asm")
	if err := os.WriteFile(file, []byte("mov rax, rbx\nadd rax, 7\nret\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := newSession(t, Options{Syntax: asm.SyntaxGo})
	if _, err := s.Set("rbx", "5"); err != nil {
		t.Fatal(err)
	}
	src, _ := os.ReadFile(file)
	out, err := s.Load(context.Background(), file, src)
	if err != nil || out.Kind != Ran {
		t.Fatalf("load: %v %v (%s)", err, out, out.Where)
	}
	if got := s.Regs().GPR[trampoline.RAX]; got != 12 || s.Regs().GPR[trampoline.RSP] != s.StackTop() {
		t.Fatalf("rax %d, rsp %#x; want 12 and the stack's top", got, s.Regs().GPR[trampoline.RSP])
	}
	if e := s.Entries()[1]; e.Kind != LoadEntry || len(e.Sets) != 2 {
		t.Fatalf("entry %+v, want a load setting rax and rflags", e)
	}
	if _, err := s.Load(context.Background(), "big.s", make([]byte, MaxLoadSize+1)); err == nil {
		t.Fatal("an oversized file loaded")
	}
}

func TestSource(t *testing.T) {
	s := newSession(t, Options{})
	feed(t, s, "mov rax, 5", "top:", "dec rax", "jnz top", "", "mov rbx, [0]")
	if _, err := s.Set("xmm2", "3"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSyntax(asm.SyntaxGo); err != nil {
		t.Fatal(err)
	}
	feed(t, s, "MOVQ $9, CX", "INT $3")
	got, err := s.Source(asm.SyntaxIntel)
	if err != nil {
		t.Fatal(err)
	}
	want := `; A jitrun repl session (intel syntax), written by .save. ` + "`jitrun run FILE`" + ` runs it and
; ends with the registers the session had, but for those that held addresses of its
; stack or scratch area. rdi starts at scratch, as in the session.
	mov [repl_rsp], rsp         ; the stack pointer to return with
	lea rsp, [rsp-8]            ; the stack 16-byte aligned, as in the session
	lea rdi, [scratch]
	mov rax, 5
top:
	dec rax
	jnz top
; did not run (SIGSEGV: read from an unmapped address):
;     mov rbx, [0]
; .set xmm2 3
	movdqu xmm2, [repl_set1]
; as bytes (typed in go syntax):
;     MOVQ $9, CX
	db 0x48, 0xc7, 0xc1, 0x09, 0x00, 0x00, 0x00
; stopped at an INT3 of its own; written as the registers it changed:
;     INT $3
	mov rsp, [repl_rsp]
	ret

section .bss
scratch: resb 4096
repl_rsp: resq 1
section .rodata
repl_set1: dq 0x3, 0x0
`
	if string(got) != want {
		t.Errorf("Source:\n%s\nwant:\n%s", got, want)
	}
	// Both syntaxes assemble.
	for _, syn := range []asm.Syntax{asm.SyntaxIntel, asm.SyntaxGo} {
		src, err := s.Source(syn)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := asm.AssembleSource("saved", src, syn); err != nil {
			t.Errorf("%v source does not assemble: %v\n%s", syn, err, src)
		}
	}
}

func TestAddrName(t *testing.T) {
	s := newSession(t, Options{})
	tests := []struct {
		v    uint64
		want string
	}{
		{s.StackTop(), "stack+0x8000"},
		{s.StackTop() - 8, "stack+0x7ff8"},
		{s.StackBottom(), "stack"},
		{s.ScratchAddr(), "scratch"},
		{s.ScratchAddr() + 16, "scratch+0x10"},
		{s.StackTop() + 0x10, "stack+0x8010"},
		{s.StackBottom() - 8, "stack-0x8"},
		{s.StackBottom() - trampoline.StackGuardSize, "stack-0x100000"},
		{s.StackBottom() - trampoline.StackGuardSize - 1, ""},
		{s.StackTop() + trampoline.StackGuardSize, ""},
		{s.ScratchAddr() + ScratchSize + 1, ""},
		{0, ""},
	}
	for _, tc := range tests {
		got, ok := s.AddrName(tc.v)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("AddrName(%#x) = %q, %v; want %q", tc.v, got, ok, tc.want)
		}
	}
}

func TestShow(t *testing.T) {
	s := newSession(t, Options{})
	feed(t, s, "mov dword ptr [rdi+4], 0x41424344")
	shown, err := s.Show("scratch:8/wx")
	if err != nil {
		t.Fatal(err)
	}
	if len(shown.Rows) != 1 || strings.Join(shown.Rows[0].Values, " ") != "0x00000000 0x41424344" {
		t.Fatalf("rows %+v", shown.Rows)
	}
	if _, err := s.Show("nosuch:8"); err == nil {
		t.Fatal("a view of an unknown symbol rendered")
	}
}

func TestClosed(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := s.Feed(context.Background(), "nop"); err != errClosed {
		t.Errorf("Feed: %v", err)
	}
	if _, err := s.Set("rax", "1"); err != errClosed {
		t.Errorf("Set: %v", err)
	}
	if _, err := s.Undo(); err != errClosed {
		t.Errorf("Undo: %v", err)
	}
	if err := s.Reset(); err != errClosed {
		t.Errorf("Reset: %v", err)
	}
	if _, err := s.Load(context.Background(), "f.s", []byte("RET")); err != errClosed {
		t.Errorf("Load: %v", err)
	}
}

func TestNewOptions(t *testing.T) {
	for _, opt := range []Options{{Syntax: asm.SyntaxATT}, {Timeout: time.Nanosecond}, {Timeout: 2 * MaxTimeout}} {
		if s, err := New(opt); err == nil {
			s.Close()
			t.Errorf("New(%+v) accepted", opt)
		}
	}
}

// TestLibraryCall runs a line that calls a routine of the I/O library,
// which is linked after the line's code: the line still ends at its own
// end, not as a breakpoint.
func TestLibraryCall(t *testing.T) {
	s := newSession(t, Options{})
	out := feed(t, s, "mov rbx, 3", "call print_str") // rdi: the scratch area, an empty string
	if out.Kind != Ran || s.Regs().GPR[trampoline.RBX] != 3 {
		t.Fatalf("%v at %s, rbx %d; want ran, 3", out.Kind, out.Where, s.Regs().GPR[trampoline.RBX])
	}
	if e := s.Entries()[1]; len(e.Bytes) != 5 {
		t.Errorf("the entry's bytes are % x; want the 5 of the call", e.Bytes)
	}
}
