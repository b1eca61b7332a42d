package repl

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jitrun/jitrun/internal/hostcpu"
	"github.com/jitrun/jitrun/trampoline"
)

// TestFailedLineRestoresEverything runs, for each way a line can fail,
// a block that first changes every kind of state — general registers,
// RFLAGS (DF included), XMM and the upper YMM half, MXCSR, the x87
// control word, the stack and the scratch area (and ZMM and an opmask
// where the CPU has AVX-512) — and then fails. The machine must be
// exactly as before the block: its registers, its memory, and its vector
// state, which a nop run after it must find unchanged.
func TestFailedLineRestoresEverything(t *testing.T) {
	cpu, err := hostcpu.Read()
	if err != nil {
		t.Fatal(err)
	}
	change := []string{
		"top:",
		"mov rax, 0x1111", "mov r15, 0x2222", "push rax", "mov qword ptr [rdi+8], 0x33",
		"std", "stc",
		"pcmpeqd xmm0, xmm0", "vpcmpeqd ymm5, ymm5, ymm5",
		"mov dword ptr [rdi+16], 0x7f80", "ldmxcsr [rdi+16]",
		"mov word ptr [rdi+20], 0x27f", "fldcw [rdi+20]",
	}
	if cpu.AVX512F {
		change = append(change, "vpternlogd zmm20, zmm20, zmm20, 0xff", "kxnorw k3, k3, k3")
	}
	dir := t.TempDir()
	badLoad := filepath.Join(dir, "bad.s")
	if err := os.WriteFile(badLoad, []byte("mov rax, 9\nstd\npcmpeqd xmm1, xmm1\nmov qword ptr [rdi], 5\nud2\nret\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	noRet := filepath.Join(dir, "noret.s")
	if err := os.WriteFile(noRet, []byte("mov rax, 9\nstd\npcmpeqd xmm1, xmm1\nmov qword ptr [rdi], 5\npush rax\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		fail []string // the block's failing end
		load string   // or a file to .load
		want Kind
	}{
		{"segv", []string{"mov rax, [0]"}, "", Faulted},
		{"divide by zero", []string{"xor ecx, ecx", "div rcx"}, "", Faulted},
		{"ud2", []string{"ud2"}, "", Faulted},
		{"privileged", []string{"hlt"}, "", Faulted},
		{"stack overflow", []string{"down: push rax", "jmp down"}, "", Faulted},
		{"timeout", []string{"spin: jmp spin"}, "", TimedOut},
		{"timeout jmp $", []string{"jmp $"}, "", TimedOut},
		{"rsp off the stack", []string{"mov rsp, rdi"}, "", Refused},
		{"rsp at zero", []string{"xor esp, esp"}, "", Refused},
		{"jump past the end", []string{"jmp top+0x400"}, "", Refused},
		{"load faults", nil, badLoad, Faulted},
		{"load without RET", nil, noRet, Refused},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSession(t, Options{Timeout: 20 * time.Millisecond})
			feed(t, s, "mov rbx, 5", "push rbx", "mov qword ptr [rdi], 7", "movq xmm3, rbx", "vinserti128 ymm3, ymm3, xmm3, 1")
			machine := s.m.Regs
			regs := *s.Regs()
			stack := string(s.stackBytes())
			scratch := string(s.scratch.Bytes())
			var out *Outcome
			if tc.load != "" {
				src, err := os.ReadFile(tc.load)
				if err != nil {
					t.Fatal(err)
				}
				if out, err = s.Load(context.Background(), tc.load, src); err != nil {
					t.Fatal(err)
				}
			} else {
				out = feed(t, s, append(append(append([]string(nil), change...), tc.fail...), "")...)
			}
			if out.Kind != tc.want {
				t.Fatalf("%v (%s), want %v", out.Kind, out.Why, tc.want)
			}
			if !s.m.Regs.Equal(&machine) || !s.Regs().Equal(&regs) {
				t.Errorf("registers changed by a failed line:\n got %+v\nwant %+v", s.m.Regs, machine)
			}
			if string(s.stackBytes()) != stack {
				t.Error("the stack changed by a failed line")
			}
			if string(s.scratch.Bytes()) != scratch {
				t.Error("the scratch area changed by a failed line")
			}
			out = feed(t, s, "nop")
			if out.Kind != Ran || len(out.Changes) != 0 {
				t.Errorf("a nop after the failed line: %v, changes %s; want none (the machine kept some of its state)", out.Kind, gprChanges(out.Changes))
			}
			if r := s.Regs(); r.GPR[trampoline.RBX] != 5 || r.Vec(3)[16] != 5 {
				t.Errorf("rbx %d, ymm3 upper lane %d; want 5 and 5", r.GPR[trampoline.RBX], r.Vec(3)[16])
			}
		})
	}
}

// TestRanPastEnd checks what code that runs on past its end is told: a
// .load file without its RET, a line that jumps into the padding.
func TestRanPastEnd(t *testing.T) {
	file := filepath.Join(t.TempDir(), "noret.s")
	if err := os.WriteFile(file, []byte("mov rax, 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := newSession(t, Options{})
	out, err := s.Load(context.Background(), file, []byte("mov rax, 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := "the file's code ran on past its end (a missing RET?) to the INT3 at +0x7, past the end of the code: it is undone"
	if out.Kind != Refused || out.Why != want {
		t.Errorf("load: %v %q, want refused %q", out.Kind, out.Why, want)
	}
	out = feed(t, s, "here: jmp here+0x100")
	want = "the code jumped past its end, to the INT3 at +0x100, past the end of the code: it is undone"
	if out.Kind != Refused || out.Why != want {
		t.Errorf("line: %v %q, want refused %q", out.Kind, out.Why, want)
	}
	if e := s.Entries(); len(e) != 2 || e[0].Failed != "refused" || e[1].Failed != "refused" || s.Regs().GPR[trampoline.RAX] != 0 {
		t.Errorf("entries %+v, rax %d: want two refused entries and rax 0", e, s.Regs().GPR[trampoline.RAX])
	}
}
