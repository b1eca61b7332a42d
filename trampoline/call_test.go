//go:build linux && amd64

package trampoline

import (
	"context"
	"errors"
	"math"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/jitrun/jitrun/execmem"
)

func TestCallResults(t *testing.T) {
	add, mul, sum6 := load(t, codeAdd), load(t, codeMul), load(t, codeSum6)
	for _, tc := range []struct {
		name     string
		addr     uintptr
		args     []uint64
		rax, rdx uint64
	}{
		{"add", add.Addr(), []uint64{40, 2}, 42, 0},
		{"add wraps", add.Addr(), []uint64{math.MaxUint64, 3}, 2, 0},
		{"mul high word", mul.Addr(), []uint64{1 << 40, 1 << 40}, 0, 1 << 16},
		{"six arguments (RDX keeps the third)", sum6.Addr(), []uint64{1, 2, 4, 8, 16, 32}, 63, 4},
		{"missing arguments are zero", sum6.Addr(), []uint64{5}, 5, 0},
	} {
		r, err := Call(tc.addr, tc.args...)
		if err != nil || r.RAX != tc.rax || r.RDX != tc.rdx {
			t.Errorf("%s: Call = rax %d rdx %d, %v; want %d %d", tc.name, r.RAX, r.RDX, err, tc.rax, tc.rdx)
		}
		// The same through CallContext and Run.
		r2, err := CallContext(context.Background(), tc.addr, tc.args...)
		if err != nil || r2 != r {
			t.Errorf("%s: CallContext = %+v, %v; want %+v", tc.name, r2, err, r)
		}
	}
	if _, err := Call(add.Addr(), 1, 2, 3, 4, 5, 6, 7); err == nil || !strings.Contains(err.Error(), "at most 6") {
		t.Errorf("seven arguments: err = %v", err)
	}
}

func TestRunFloats(t *testing.T) {
	blk := load(t, codeAddsd)
	a := Args{Float: [8]uint64{math.Float64bits(1.5), math.Float64bits(2.25)}}
	r, err := Run(context.Background(), blk.Addr(), &a, nil)
	if err != nil || r.Float64() != 3.75 || r.X1 != math.Float64bits(2.25) {
		t.Fatalf("addsd = %v (x1 %#x), %v; want 3.75", r.Float64(), r.X1, err)
	}
}

// The state the code starts in is the documented one.
func TestEntryState(t *testing.T) {
	state, rsp := load(t, codeState), load(t, codeRSP)
	r, err := Call(state.Addr())
	if err != nil {
		t.Fatal(err)
	}
	// MXCSR's status flags (bits 0–5) are sticky: whatever Go's float
	// code on this thread set.
	if r.RAX&^0x3f != GoMXCSR || r.RDX != GoX87CW || r.X0 != EntryRFLAGS {
		t.Errorf("entry MXCSR %#x x87 CW %#x RFLAGS %#x; want %#x %#x %#x", r.RAX, r.RDX, r.X0, GoMXCSR, GoX87CW, EntryRFLAGS)
	}
	for _, size := range []int{0, 16 << 10, 100000} {
		r, err := Run(context.Background(), rsp.Addr(), nil, &Options{StackSize: size})
		if err != nil || r.RAX%16 != 8 {
			t.Errorf("stack %d: RSP at entry %#x, %v; want 8 mod 16", size, r.RAX, err)
		}
	}

	// Every register at return, for code that only returns: the entry
	// state (RSP is the entry RSP+8; RFLAGS keeps what RET left).
	var regs Regs
	args := Args{Int: [6]uint64{1, 2, 3, 4, 5, 6}, Float: [8]uint64{7, 8, 9, 10, 11, 12, 13, 14}}
	if _, err := Run(context.Background(), load(t, codeRet).Addr(), &args, &Options{Regs: &regs}); err != nil {
		t.Fatal(err)
	}
	want := EntryRegs(&args)
	want.GPR[RSP] = regs.GPR[RSP]
	want.MXCSR |= regs.MXCSR & 0x3f
	want.Vector.Live = regs.Vector.Live // the CPU's tracking of what is in use: the registers are zero
	if !regs.Equal(&want) {
		t.Errorf("registers at return:\n%s\nwant\n%s", regs.String(), want.String())
	}
	if regs.GPR[RSP]%16 != 0 {
		t.Errorf("RSP after return %#x, want 16-byte aligned", regs.GPR[RSP])
	}
}

func TestRegsSnapshot(t *testing.T) {
	var regs Regs
	_, err := Run(context.Background(), load(t, then(clobber, codeRet)).Addr(), nil, &Options{Regs: &regs})
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range regs.GPR {
		if Reg(i) != RSP && v != 0xdead {
			t.Errorf("%s = %#x, want 0xdead", Reg(i), v)
		}
	}
	if regs.RFLAGS&(flagDF|flagAC) != flagDF|flagAC {
		t.Errorf("RFLAGS %#x: want DF and AC as the code left them", regs.RFLAGS)
	}
	if regs.MXCSR&^0x3f != GoMXCSR|0xe000 || regs.X87CW != GoX87CW&0xf0ff|0x0c00 {
		t.Errorf("MXCSR %#x x87 CW %#x: want %#x %#x", regs.MXCSR, regs.X87CW, GoMXCSR|0xe000, GoX87CW&0xf0ff|0x0c00)
	}
	if s := regs.String(); !strings.Contains(s, "rax 000000000000dead") || !strings.Contains(s, "r15 000000000000dead") {
		t.Errorf("String() =\n%s", s)
	}
}

func TestRunErrors(t *testing.T) {
	blk := load(t, codeRet)
	for _, tc := range []struct {
		opt  Options
		want string
	}{
		{Options{StackSize: -1}, "stack size -1 is negative"},
		{Options{Timeout: -1}, "timeout -1ns is negative"},
		// A timer this short fires before the code can start: refused,
		// not retried for ever (jitrun run --timeout 1ns once spun).
		{Options{Timeout: 1}, "timeout 1ns is shorter than MinTimeout (50µs)"},
		{Options{Timeout: MinTimeout - 1}, "shorter than MinTimeout"},
	} {
		_, err := Run(context.Background(), blk.Addr(), nil, &tc.opt)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: err = %v, want %q", tc.opt, err, tc.want)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Run(ctx, blk.Addr(), nil, nil)
	var it *Interrupted
	if !errors.Is(err, context.Canceled) || !errors.As(err, &it) || it.PC != 0 {
		t.Errorf("done context: err = %v, want context.Canceled before the code ran", err)
	}
}

// Every timeout from MinTimeout up ends: a return, or an interruption
// (where the timer fired before the code could start, after a bounded
// number of new starts).
func TestShortTimeouts(t *testing.T) {
	ret, loop := load(t, codeRet), load(t, codeLoop)
	for _, d := range []time.Duration{MinTimeout, MinTimeout + 1, 100 * time.Microsecond} {
		for range 50 {
			if _, err := Run(context.Background(), ret.Addr(), nil, &Options{Timeout: d}); err != nil && !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("ret with timeout %v: %v", d, err)
			}
			if _, err := Run(context.Background(), loop.Addr(), nil, &Options{Timeout: d}); !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("loop with timeout %v: %v, want DeadlineExceeded", d, err)
			}
		}
	}
}

// A RET placed in the Go heap, called directly, faults on the JIT stack
// and comes back as a Fault (probe relies on this).
func TestCallIntoGoHeap(t *testing.T) {
	data := heapRet()
	a := uintptr(unsafe.Pointer(&data[0]))
	_, err := Call(a)
	var f *Fault
	if !errors.As(err, &f) || f.PC != a || f.Addr != a || f.ErrorCode != 0x15 {
		t.Fatalf("err = %v, want an NX fault at %#x", err, a)
	}
}

func TestBind(t *testing.T) {
	add, sum6, addsd, ret := load(t, codeAdd), load(t, codeSum6), load(t, codeAddsd), load(t, codeRet)

	add64, err := Bind2[int64, int64, int64](add.Addr())
	if err != nil {
		t.Fatal(err)
	}
	if got := add64(40, 2); got != 42 {
		t.Errorf("add64(40, 2) = %d", got)
	}
	if got := add64(-50, 8); got != -42 {
		t.Errorf("add64(-50, 8) = %d", got)
	}
	// Narrow integers are sign- or zero-extended on the way in.
	add8, err := Bind2[int8, int32, int64](add.Addr())
	if err != nil {
		t.Fatal(err)
	}
	if got := add8(-1, -2); got != -3 {
		t.Errorf("add8(-1, -2) = %d, want -3", got)
	}
	addu, err := Bind2[uint8, uint16, uint32](add.Addr())
	if err != nil {
		t.Fatal(err)
	}
	if got := addu(255, 65535); got != 65790 {
		t.Errorf("addu(255, 65535) = %d", got)
	}
	isNonZero, err := Bind2[int, int, bool](add.Addr())
	if err != nil {
		t.Fatal(err)
	}
	if !isNonZero(0x100, 1) || isNonZero(0x100, 0) {
		t.Error("bool result: want AL != 0")
	}
	// Floats interleaved with integers go to XMM registers in order.
	fadd, err := Bind4[int, float64, unsafe.Pointer, float64, float64](addsd.Addr())
	if err != nil {
		t.Fatal(err)
	}
	if got := fadd(1, 1.5, nil, 2.25); got != 3.75 {
		t.Errorf("fadd = %v, want 3.75", got)
	}
	fadd32, err := Bind2[float32, float32, float32](addsd.Addr())
	if err != nil {
		t.Fatal(err)
	}
	// addsd on float32 bits is not float32 addition; check the bits flow:
	// 0.0 + x (as doubles) leaves the low 32 bits of x.
	if got := fadd32(0, 1.25); got != 1.25 {
		t.Errorf("fadd32 low bits = %v, want 1.25", got)
	}
	six, err := Bind6[uintptr, uint64, int, uint, int64, int32, uint64](sum6.Addr())
	if err != nil {
		t.Fatal(err)
	}
	if got := six(1, 2, 4, 8, 16, 32); got != 63 {
		t.Errorf("six = %d", got)
	}
	// A pointer argument.
	buf := []byte{7}
	load8, err := Bind1[unsafe.Pointer, uint8](load(t, codeLoad).Addr())
	if err != nil {
		t.Fatal(err)
	}
	if got := load8(unsafe.Pointer(&buf[0])); got != 7 {
		t.Errorf("load8 = %d", got)
	}

	// No allocation per call.
	noop, err := Bind0[uint64](ret.Addr())
	if err != nil {
		t.Fatal(err)
	}
	if n := allocsPerRun(1000, func() { noop(); add64(1, 2); fadd(1, 2, nil, 3) }); n != 0 {
		t.Errorf("%v allocations per call, want 0", n)
	}
	// Nor through Call (its variadic arguments stay on the stack) or Run
	// without a deadline.
	var a Args
	if n := allocsPerRun(1000, func() {
		Call(add.Addr(), 1, 2)
		Call(ret.Addr())
		Run(context.Background(), add.Addr(), &a, nil)
	}); n != 0 {
		t.Errorf("%v allocations per Call and Run, want 0", n)
	}

	// Errors at bind time.
	if _, err := Bind7[int, int, int, int, int, int, int, int](add.Addr()); err == nil ||
		!strings.Contains(err.Error(), "7 integer or pointer parameters; at most 6") {
		t.Errorf("seven integers: err = %v", err)
	}
	if _, err := Bind1[int, int](0); err == nil || !strings.Contains(err.Error(), "the address is 0") {
		t.Errorf("address 0: err = %v", err)
	}
	if _, err := Bind8[float64, float64, float64, float64, float64, float64, float64, float64, float64](addsd.Addr()); err != nil {
		t.Errorf("eight floats: %v", err)
	}

	// Faults: BindErr returns them, Bind panics with them.
	ud2 := load(t, codeUD2)
	bad, err := BindErr1[int, int](ud2.Addr())
	if err != nil {
		t.Fatal(err)
	}
	var f *Fault
	if _, err := bad(1); !errors.As(err, &f) || f.Signal != 4 {
		t.Errorf("BindErr fault: err = %v", err)
	}
	badPanics, err := Bind1[int, int](ud2.Addr())
	if err != nil {
		t.Fatal(err)
	}
	func() {
		defer func() {
			if err, ok := recover().(error); !ok || !errors.As(err, &f) {
				t.Errorf("Bind fault: recovered %v, want a *Fault", err)
			}
		}()
		badPanics(1)
	}()
}

// A bound function may be the first call a process makes: binding
// installs the signal handler, so a fault in it is a *Fault (it used not
// to, and the process died — and the FPU save area of a parked call was
// sized before the CPU was probed). Run in a fresh process: the test binary
// again, with the child test selected.
func TestBindFirstInProcess(t *testing.T) {
	if os.Getenv("JITRUN_TRAMPOLINE_BIND_FIRST") == "1" {
		ud2, err := execmem.Load(codeUD2.code)
		if err != nil {
			t.Fatal(err)
		}
		f, err := BindErr0[int](ud2.Addr())
		if err != nil {
			t.Fatal(err)
		}
		var ft *Fault
		if _, err := f(); !errors.As(err, &ft) || ft.Trap != 6 {
			t.Fatalf("first call, bound: %v, want a #UD *Fault", err)
		}
		if xsaveSize < 512 {
			t.Fatalf("FPU save area %d bytes", xsaveSize)
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestBindFirstInProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), "JITRUN_TRAMPOLINE_BIND_FIRST=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "PASS") {
		t.Fatalf("child: %v\n%s", err, out)
	}
}
