//go:build linux && amd64

package trace

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jitrun/jitrun/asm"
	"github.com/jitrun/jitrun/execmem"
	"github.com/jitrun/jitrun/internal/hostcpu"
	"github.com/jitrun/jitrun/internal/testsupport"
	"github.com/jitrun/jitrun/trampoline"
)

// TestMain watches the W^X invariant for the whole suite, as
// trampoline's does: the trace's launch page and the machine's stubs are
// never writable and executable at once.
func TestMain(m *testing.M) {
	os.Exit(testsupport.RunWatchingWX(m, testsupport.StartWXWatch(testsupport.SuitePeriod(5*time.Millisecond))))
}

// loaded is assembled code, loaded.
type loaded struct {
	prog *asm.Program
	blk  *execmem.Block
}

func load(t testing.TB, syntax asm.Syntax, src string) *loaded {
	t.Helper()
	p, err := asm.AssembleSource("t.s", []byte(src), syntax)
	if err != nil {
		t.Fatal(err)
	}
	blk, err := execmem.LoadWith(p.Code, execmem.LoadOptions{Writable: writable(p)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { blk.Close() })
	return &loaded{p, blk}
}

func writable(p *asm.Program) int {
	if w := p.WritableStart(); w < len(p.Code) {
		return w
	}
	return 0
}

func (l *loaded) options(args ...uint64) *Options {
	o := &Options{Code: l.blk, Bytes: l.prog.Code, Program: l.prog, Syntax: asm.SyntaxGo}
	copy(o.Args.Int[:], args)
	return o
}

// collect traces and returns every step.
func collect(t testing.TB, opt *Options) ([]*Step, *Summary, error) {
	t.Helper()
	var steps []*Step
	sum, err := Run(context.Background(), opt, func(s *Step) bool {
		steps = append(steps, s)
		return true
	})
	if sum == nil {
		t.Fatalf("Run: no summary: %v", err)
	}
	return steps, sum, err
}

// bigHex matches values that are addresses: they differ between runs.
var bigHex = regexp.MustCompile(`0x[0-9a-f]{9,}`)

// lines writes each step as "where text | changes", addresses masked.
func lines(steps []*Step) []string {
	var out []string
	for _, s := range steps {
		out = append(out, bigHex.ReplaceAllString(fmt.Sprintf("%s %s | %s", s.Place, s.Text, s.Changes()), "ADDR"))
	}
	return out
}

func checkLines(t *testing.T, got []*Step, want []string) {
	t.Helper()
	g := lines(got)
	if strings.Join(g, "\n") != strings.Join(want, "\n") {
		t.Errorf("steps:\n%s\nwant:\n%s", strings.Join(g, "\n"), strings.Join(want, "\n"))
	}
}

const sumSrc = `TEXT sum(SB), NOSPLIT|NOFRAME, $0
	XORL AX, AX
	TESTQ DI, DI
	JLE done
loop:
	ADDQ DI, AX
	DECQ DI
	JNE loop
done:
	RET
`

func TestTraceLoop(t *testing.T) {
	l := load(t, asm.SyntaxGo, sumSrc)
	steps, sum, err := collect(t, l.options(2))
	if err != nil {
		t.Fatal(err)
	}
	checkLines(t, steps, []string{
		"sum+0x0 XORL AX, AX | ",
		"sum+0x2 TESTQ DI, DI | PF 1 -> 0  ZF 1 -> 0",
		"sum+0x5 JLE done | ",
		"loop+0x0 ADDQ DI, AX | rax 0 -> 2",
		"loop+0x3 DECQ DI | rdi 2 -> 1",
		"loop+0x6 JNE loop | ",
		"loop+0x0 ADDQ DI, AX | rax 2 -> 3  PF 0 -> 1",
		"loop+0x3 DECQ DI | rdi 1 -> 0  ZF 0 -> 1",
		"loop+0x6 JNE loop | ",
		"done+0x0 RET | rsp ADDR -> ADDR  [rsp] = ADDR",
	})
	if sum.Stop != Returned || sum.Steps != 10 || sum.Result.RAX != 3 || sum.Regs.RIP != 0 {
		t.Errorf("summary %+v", sum)
	}
	// The RET reads the return address the trace pushed and leaves RSP
	// 16-byte aligned, as after a call.
	last := steps[len(steps)-1]
	if rsp := last.After.GPR[trampoline.RSP]; rsp%16 != 0 || rsp != last.Before.GPR[trampoline.RSP]+8 {
		t.Errorf("RSP after the RET %#x (before %#x)", rsp, last.Before.GPR[trampoline.RSP])
	}
	for i, s := range steps {
		if s.N != i+1 || s.PC != uint64(l.blk.Addr())+uint64(s.Offset) || s.Pos.Line == 0 || len(s.Bytes) == 0 {
			t.Errorf("step %d: N %d, PC %#x offset %d, line %d, bytes % x", i, s.N, s.PC, s.Offset, s.Pos.Line, s.Bytes)
		}
	}
}

func TestTraceMemory(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"push pop", "push 7\npush 0\nmov qword ptr [rsp+8], 0x2a\npop rax\npop rcx\nmov rdx, [rsp]\nret", []string{
			"main+0x0 push 0x7 | rsp ADDR -> ADDR  [rsp-0x8] 0x0 -> 0x7",
			"main+0x2 push 0x0 | rsp ADDR -> ADDR  [rsp-0x8] = 0x0",
			"main+0x4 mov qword ptr [rsp+0x8], 0x2a | [rsp+0x8] 0x7 -> 0x2a",
			"main+0xd pop rax | rsp ADDR -> ADDR  [rsp] = 0x0",
			"main+0xe pop rcx | rcx 0 -> 42  rsp ADDR -> ADDR  [rsp] = 0x2a",
			"main+0xf mov rdx, qword ptr [rsp] | rdx 0 -> ADDR  [rsp] = ADDR",
			"main+0x13 ret | rsp ADDR -> ADDR  [rsp] = ADDR",
		}},
		{"rip-relative data", "section .data\ncounter: dq 41\nsection .text\ninc qword ptr [rel counter]\nmov eax, dword ptr [rel counter]\nret", []string{
			"main+0x0 inc qword ptr [rip+counter] | PF 1 -> 0  ZF 1 -> 0  [counter] 0x29 -> 0x2a",
			"main+0x7 mov eax, dword ptr [rip+counter] | rax 0 -> 42  [counter] = 0x2a",
			"main+0xd ret | rsp ADDR -> ADDR  [rsp] = ADDR",
		}},
		{"vector", "mov eax, 0x2a\nmov [rsp-16], rax\nmovdqu xmm2, [rsp-16]\nmovq xmm1, rax\nret", []string{
			"main+0x0 mov eax, 0x2a | rax 0 -> 42",
			"main+0x5 mov qword ptr [rsp-0x10], rax | [rsp-0x10] 0x0 -> 0x2a",
			"main+0xa movdqu xmm2, xmmword ptr [rsp-0x10] | xmm2 0x0 -> 0x2a  [rsp-0x10] = 2a000000000000000000000000000000",
			"main+0x10 movq xmm1, rax | xmm1 0x0 -> 0x2a",
		}},
		{"pop to [rsp], bts past its operand", "push 7\npush 5\npop qword ptr [rsp]\nmov ecx, 65\nbts qword ptr [rsp-8], rcx\npop rax\nret", []string{
			"main+0x0 push 0x7 | rsp ADDR -> ADDR  [rsp-0x8] 0x0 -> 0x7",
			"main+0x2 push 0x5 | rsp ADDR -> ADDR  [rsp-0x8] 0x0 -> 0x5",
			"main+0x4 pop qword ptr [rsp] | rsp ADDR -> ADDR  [rsp]+0x8 0x7 -> 0x5  [rsp] = 0x5",
			"main+0x7 mov ecx, 0x41 | rcx 0 -> 65",
			"main+0xc bts qword ptr [rsp-0x8], rcx | [rsp-0x8]+0x8 0x5 -> 0x7",
			"main+0x12 pop rax | rax 0 -> 7  rsp ADDR -> ADDR  [rsp] = 0x7",
		}},
		{"call ret", "call f\nadd eax, 1\nret\nf:\nmov eax, 5\nret", []string{
			"main+0x0 call f | rsp ADDR -> ADDR  [rsp-0x8] 0x0 -> ADDR",
			"f+0x0 mov eax, 0x5 | rax 0 -> 5",
			"f+0x5 ret | rsp ADDR -> ADDR  [rsp] = ADDR",
			"main+0x5 add eax, 0x1 | rax 5 -> 6  ZF 1 -> 0",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := load(t, asm.SyntaxIntel, tt.src)
			opt := l.options()
			opt.Syntax = asm.SyntaxIntel
			steps, _, err := collect(t, opt)
			if err != nil {
				t.Fatal(err)
			}
			checkLines(t, steps[:min(len(steps), len(tt.want))], tt.want)
		})
	}
}

// YMM and ZMM changes show at the width the register uses, opmask
// registers as numbers.
func TestTraceVectorWidths(t *testing.T) {
	cpu, err := hostcpu.Read()
	if err != nil || !cpu.AVX2 {
		t.Skipf("SKIPPED: no AVX2 here (%v)", err)
	}
	src := "vpcmpeqb ymm1, ymm1, ymm1\nvpxor xmm2, xmm2, xmm1\nvzeroupper\n"
	want := []string{
		"main+0x0 vpcmpeqb ymm1, ymm1, ymm1 | ymm1 0x0 -> 0xffffffffffffffffffffffffffffffff_ffffffffffffffffffffffffffffffff",
		"main+0x4 vpxor xmm2, xmm2, xmm1 | xmm2 0x0 -> 0xffffffffffffffffffffffffffffffff",
		"main+0x8 vzeroupper | ymm1 0xffffffffffffffffffffffffffffffff_ffffffffffffffffffffffffffffffff -> 0xffffffffffffffffffffffffffffffff",
	}
	if cpu.AVX512F {
		src += "kxnorw k1, k1, k1\nvpternlogd zmm17, zmm17, zmm17, 0xff\n"
		want = append(want, "main+0xb kxnorw k1, k1, k1 | k1 0x0 -> 0xffff",
			"main+0xf vpternlogd zmm17, zmm17, zmm17, 0xff | zmm17 0x0 -> 0x"+strings.Repeat("f", 32)+"_"+strings.Repeat("f", 32)+"_"+strings.Repeat("f", 32)+"_"+strings.Repeat("f", 32))
	} else {
		t.Log("no AVX-512 here: opmask and ZMM steps not checked")
	}
	l := load(t, asm.SyntaxIntel, src+"ret")
	opt := l.options()
	opt.Syntax = asm.SyntaxIntel
	steps, _, err := collect(t, opt)
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range want {
		if got := fmt.Sprintf("%s %s | %s", steps[i].Place, steps[i].Text, steps[i].Changes()); got != w {
			t.Errorf("step %d:\n got %s\nwant %s", i+1, got, w)
		}
	}
	if v := steps[0].Vectors; len(v) != 1 || v[0].Index != 1 || v[0].Width != 32 || v[0].Name() != "ymm1" {
		t.Errorf("vectors %+v", v)
	}
}

// A REP MOVSB of 16 bytes is 16 steps at the same PC, one per byte: RCX
// counts down, RSI and RDI up, and each step writes one byte.
func TestTraceRepMovsb(t *testing.T) {
	l := load(t, asm.SyntaxIntel, `sub rsp, 32
mov rax, 0x1122334455667788
mov [rsp], rax
mov [rsp+8], rax
lea rsi, [rsp]
lea rdi, [rsp+16]
mov ecx, 16
rep movsb
add rsp, 32
ret`)
	steps, sum, err := collect(t, l.options())
	if err != nil || sum.Stop != Returned {
		t.Fatal(err, sum.Stop)
	}
	var reps []*Step
	for _, s := range steps {
		if strings.HasPrefix(s.Text, "REP; MOVSB") || strings.Contains(s.Text, "MOVSB") {
			reps = append(reps, s)
		}
	}
	if len(reps) != 16 {
		t.Fatalf("%d MOVSB steps, want 16: %q", len(reps), lines(steps))
	}
	for i, s := range reps {
		want := byte(0x88 - 0x11*(i%8))
		if s.PC != reps[0].PC || s.After.GPR[trampoline.RCX] != uint64(15-i) ||
			len(s.Mem) != 2 || s.Mem[0].Operand != "[rdi]" || !s.Mem[0].Changed() || s.Mem[0].After[0] != want ||
			s.Mem[1].Operand != "[rsi]" || s.Mem[1].Changed() || s.Mem[1].Before[0] != want {
			t.Errorf("iteration %d: %s", i, lines([]*Step{s}))
		}
	}
}

func TestTraceSyscall(t *testing.T) {
	l := load(t, asm.SyntaxIntel, "mov eax, 39\nsyscall\nret") // getpid
	steps, sum, err := collect(t, l.options())
	if err != nil || len(steps) != 3 {
		t.Fatal(err, len(steps))
	}
	s := steps[1]
	if s.Syscall == nil || s.Syscall.Number != 39 || s.Syscall.Name() != "getpid" || s.SyscallResult != int64(os.Getpid()) || sum.Result.RAX != uint64(os.Getpid()) {
		t.Errorf("syscall step: %+v, result %d", s.Syscall, s.SyscallResult)
	}
	if !strings.HasPrefix(s.Changes(), fmt.Sprintf("getpid() = %d  rax 39 -> ", os.Getpid())) {
		t.Errorf("changes %q", s.Changes())
	}
}

func TestTraceFault(t *testing.T) {
	l := load(t, asm.SyntaxIntel, "mov eax, 1\nxor ecx, ecx\nmov [rcx], eax\nret")
	steps, sum, err := collect(t, l.options())
	var f *trampoline.Fault
	if !errors.As(err, &f) || f.Signal != syscall.SIGSEGV || sum.Fault != f || sum.Stop != Faulted {
		t.Fatalf("err %v, summary %+v", err, sum)
	}
	if len(steps) != 3 || steps[2].Fault != f || steps[2].Offset != 7 || sum.Steps != 3 || sum.Next.Offset != 7 {
		t.Fatalf("%d steps, last %+v; summary %+v", len(steps), steps[len(steps)-1], sum)
	}
	if got := lines(steps[2:]); got[0] != "main+0x7 MOVL AX, 0(CX) | [rcx] unreadable at 0x0" {
		t.Errorf("fault step %q", got[0])
	}
}

func TestTraceINT3(t *testing.T) {
	l := load(t, asm.SyntaxIntel, "mov eax, 1\nint3\nadd eax, 1\nret")
	steps, sum, err := collect(t, l.options())
	if err != nil || sum.Stop != Returned || sum.Result.RAX != 2 || sum.Breaks != 1 {
		t.Fatalf("err %v, summary %+v", err, sum)
	}
	s := steps[1]
	if s.Break == nil || *s.Break != (Hit{Index: -1, Hit: 1}) || s.After.RIP != s.PC+1 || s.Fault != nil {
		t.Errorf("INT3 step: break %+v, RIP after %#x, PC %#x", s.Break, s.After.RIP, s.PC)
	}
}

func TestTraceBreaks(t *testing.T) {
	l := load(t, asm.SyntaxGo, sumSrc)
	loop := 7 // offset of loop:
	tests := []struct {
		name   string
		breaks []Break
		want   string
	}{
		{"entry and loop from the 3rd", []Break{{Offset: 0}, {Offset: loop, From: 3}},
			"0:sum+0x0#1 rdi=5 1:loop+0x0#3 rdi=3 1:loop+0x0#4 rdi=2 1:loop+0x0#5 rdi=1"},
		{"loop from the 5th", []Break{{Offset: loop, From: 5}}, "0:loop+0x0#5 rdi=1"},
		{"past the last hit", []Break{{Offset: loop, From: 6}}, ""},
		// Two breakpoints at one place: the first that applies marks
		// the step; the later From does not hide the earlier.
		{"two at one place", []Break{{Offset: loop, From: 4}, {Offset: loop, From: 2}},
			"1:loop+0x0#2 rdi=4 1:loop+0x0#3 rdi=3 0:loop+0x0#4 rdi=2 0:loop+0x0#5 rdi=1"},
		{"every time, then from the 4th", []Break{{Offset: loop}, {Offset: loop, From: 4}},
			"0:loop+0x0#1 rdi=5 0:loop+0x0#2 rdi=4 0:loop+0x0#3 rdi=3 0:loop+0x0#4 rdi=2 0:loop+0x0#5 rdi=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opt := l.options(5)
			opt.Breaks = tt.breaks
			steps, sum, err := collect(t, opt)
			if err != nil {
				t.Fatal(err)
			}
			var hits []string
			for _, s := range steps {
				if s.Break != nil {
					hits = append(hits, fmt.Sprintf("%d:%s#%d rdi=%d", s.Break.Index, s.Place, s.Break.Hit, s.Before.GPR[trampoline.RDI]))
				}
			}
			if strings.Join(hits, " ") != tt.want || sum.Breaks != len(hits) {
				t.Errorf("hits %q (%d), want %q", hits, sum.Breaks, tt.want)
			}
		})
	}
}

func TestTraceMaxSteps(t *testing.T) {
	l := load(t, asm.SyntaxGo, "MOVQ $0, AX\nloop:\nINCQ AX\nADDQ $2, BX\nJMP loop\n")
	opt := l.options()
	opt.MaxSteps = 100
	steps, sum, err := collect(t, opt)
	if err != nil || sum.Stop != MaxSteps || sum.Steps != 100 || len(steps) != 100 {
		t.Fatalf("err %v, summary %+v", err, sum)
	}
	// 1 + 33 iterations of 3: the 34th INCQ is next, after 33 runs.
	if sum.Next.String() != "loop+0x0" || sum.Visits != 33 || sum.Regs.GPR[trampoline.RAX] != 33 || sum.Regs.RIP != sum.Next.PC {
		t.Errorf("next %s, visits %d, rax %d", sum.Next, sum.Visits, sum.Regs.GPR[trampoline.RAX])
	}
}

func TestTraceStopped(t *testing.T) {
	l := load(t, asm.SyntaxGo, sumSrc)
	n := 0
	sum, err := Run(context.Background(), l.options(10), func(*Step) bool { n++; return n < 4 })
	if err != nil || sum.Stop != Stopped || sum.Steps != 4 || n != 4 || sum.Next.String() != "loop+0x3" {
		t.Errorf("err %v, summary %+v", err, sum)
	}
}

func TestTraceTimeout(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	tests := []struct {
		name string
		src  string
		args []uint64
		next string // where it was stopped
	}{
		// read(fd, rsp-64, 8) on a pipe nobody writes to blocks in the
		// SYSCALL step.
		{"blocking syscall", "lea rsi, [rsp-64]\nmov edx, 8\nxor eax, eax\nsyscall\nret", []uint64{uint64(r.Fd())}, "main+0xc"},
		{"long loop", "l: jmp l", nil, "l+0x0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := load(t, asm.SyntaxIntel, tt.src)
			opt := l.options(tt.args...)
			opt.Timeout, opt.MaxSteps = 50*time.Millisecond, MaxMaxSteps
			_, sum, err := collect(t, opt)
			var intr *trampoline.Interrupted
			if !errors.As(err, &intr) || !errors.Is(err, context.DeadlineExceeded) || sum.Stop != TimedOut || sum.Interrupted != intr || sum.Next.String() != tt.next {
				t.Errorf("err %v, summary %+v", err, sum)
			}
		})
	}
}

// Traces run at once, each with its own machine (run with -race).
func TestTraceConcurrent(t *testing.T) {
	l := load(t, asm.SyntaxGo, sumSrc)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 5 {
				n := uint64(g*10 + i)
				sum, err := Run(context.Background(), l.options(n), nil)
				if err != nil || sum.Result.RAX != n*(n+1)/2 || sum.Stop != Returned {
					t.Errorf("sum(%d): %v, %+v", n, err, sum)
				}
			}
		}()
	}
	wg.Wait()
}

func TestOptionsCheck(t *testing.T) {
	l := load(t, asm.SyntaxGo, sumSrc)
	tests := []struct {
		name string
		edit func(*Options)
		want string
	}{
		{"no code", func(o *Options) { o.Code = nil }, "Options.Code is nil"},
		{"no bytes", func(o *Options) { o.Bytes = nil }, "Options.Bytes holds 0 bytes"},
		{"entry", func(o *Options) { o.Entry = len(o.Bytes) }, "entry offset"},
		{"max steps", func(o *Options) { o.MaxSteps = MaxMaxSteps + 1 }, "MaxSteps"},
		{"negative steps", func(o *Options) { o.MaxSteps = -1 }, "MaxSteps -1"},
		{"timeout", func(o *Options) { o.Timeout = time.Microsecond }, "timeout 1µs"},
		{"break", func(o *Options) { o.Breaks = []Break{{Offset: -1}} }, "breakpoint at offset -1"},
		{"break count", func(o *Options) { o.Breaks = []Break{{Offset: 0, From: -2}} }, "counts from hit -2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := l.options()
			tt.edit(o)
			if _, err := Run(context.Background(), o, nil); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

// An engine that fails ends the trace with its error and no summary; a
// Tracer runs once.
func TestTraceEngineError(t *testing.T) {
	l := load(t, asm.SyntaxGo, sumSrc)
	tr, err := New(l.options(1))
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	calls := 0
	boom := errors.New("boom")
	sum, err := tr.run(context.Background(), nil, func(ctx context.Context, m *trampoline.Machine, opt *trampoline.Options) error {
		if calls++; calls == 3 {
			return boom
		}
		return trampoline.StepMachine(ctx, m, opt)
	})
	if sum != nil || err != boom || calls != 3 {
		t.Errorf("summary %+v, err %v, calls %d", sum, err, calls)
	}
	if _, err := tr.Run(context.Background(), nil); err == nil {
		t.Error("a second Run did not fail")
	}
}
