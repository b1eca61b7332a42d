package asm_test

import (
	"context"
	"math"
	"math/bits"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"unsafe"

	"github.com/jitrun/jitrun/asm"
	"github.com/jitrun/jitrun/execmem"
	"github.com/jitrun/jitrun/trampoline"
)

// gccFlags are the flags that make gcc's output assemble here: leaf code
// that is position independent (-fPIE: PC-relative data, jump tables of
// label differences), without unwind tables, with POPCNT inline and
// without calls to memcpy/memset for loops.
var gccFlags = []string{"-O2", "-S", "-fPIE", "-fno-asynchronous-unwind-tables", "-mpopcnt", "-fno-tree-loop-distribute-patterns"}

// TestATTGccOutput compiles testdata/att/gcc/funcs.c with gcc -S, reads
// the output through the AT&T front end (detected from its text), runs
// each function and compares its result with the same function written
// in Go.
func TestATTGccOutput(t *testing.T) {
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skipf("SKIP: running machine code needs linux/amd64, this is %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("SKIP: gcc is not installed: the test that runs gcc's AT&T output needs it (.ci/run installs it)")
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "funcs.s")
	cmd := exec.Command(gcc, append(gccFlags, filepath.Join("testdata", "att", "gcc", "funcs.c"), "-o", out)...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, msg)
	}
	src, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	// What the test is for: gcc wrote a jump table of label differences,
	// an indirect jump, writable data (.comm) and constants.
	for _, want := range []string{"jmp\t*%", ".long\t.L", ".comm\t", ".section\t.rodata.cst8", ".section\t.rodata.str1.1", "popcnt"} {
		if !strings.Contains(string(src), want) {
			t.Errorf("gcc's output has no %q: funcs.c no longer tests it", want)
		}
	}
	if got := asm.DetectSyntax("funcs.s", src); got != asm.SyntaxATT {
		t.Fatalf("DetectSyntax(gcc output) = %v, want att", got)
	}
	p, err := asm.AssembleSource("funcs.s", src, asm.SyntaxAuto)
	if err != nil {
		t.Fatalf("assembling gcc's output: %v\n%s", err, src)
	}
	ro, w := p.LoadLayout()
	b, err := execmem.LoadWith(p.Code, execmem.LoadOptions{Readonly: ro, Writable: w})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	addr := func(name string) uintptr {
		off, ok := p.Lookup(name)
		if !ok {
			t.Fatalf("no label %s in gcc's output", name)
		}
		return b.Addr() + uintptr(off)
	}
	call := func(name string, ints []uint64, floats ...uint64) trampoline.Result {
		t.Helper()
		var a trampoline.Args
		copy(a.Int[:], ints)
		copy(a.Float[:], floats)
		r, err := trampoline.Run(context.Background(), addr(name), &a, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return r
	}
	ptr := func(p unsafe.Pointer) uint64 { return uint64(uintptr(p)) }
	cstr := func(s string) []byte { return append([]byte(s), 0) }

	longs := []int64{3, -7, 1 << 40, 12, 0, 99}
	if got, want := int64(call("sum", []uint64{ptr(unsafe.Pointer(&longs[0])), uint64(len(longs))}).RAX), int64(3-7+1<<40+12+99); got != want {
		t.Errorf("sum = %d, want %d", got, want)
	}
	if got := call("sum", []uint64{0, 0}).RAX; got != 0 {
		t.Errorf("sum(nil, 0) = %d, want 0", got)
	}
	for _, s := range []string{"", "a", "hello, world", string(make([]byte, 300))[:0] + "0123456789abcdef0123456789"} {
		buf := cstr(s)
		if got := call("my_strlen", []uint64{ptr(unsafe.Pointer(&buf[0]))}).RAX; got != uint64(len(s)) {
			t.Errorf("my_strlen(%q) = %d, want %d", s, got, len(s))
		}
		runtime.KeepAlive(buf)
	}
	srcBytes := []byte("position independent code, copied byte by byte")
	dst := make([]byte, len(srcBytes)+1)
	call("copy_bytes", []uint64{ptr(unsafe.Pointer(&dst[0])), ptr(unsafe.Pointer(&srcBytes[0])), uint64(len(srcBytes))})
	if string(dst[:len(srcBytes)]) != string(srcBytes) || dst[len(srcBytes)] != 0 {
		t.Errorf("copy_bytes wrote %q", dst)
	}
	for _, x := range []uint64{0, 1, 0xff, 0x8000000000000001, math.MaxUint64, 0x123456789abcdef} {
		if got := uint32(call("popcount", []uint64{x}).RAX); int(got) != bits.OnesCount64(x) {
			t.Errorf("popcount(%#x) = %d, want %d", x, got, bits.OnesCount64(x))
		}
	}
	classify := map[int32]int32{0: 17, 1: 4, 2: 99, 3: -3, 4: 12, 5: 1000, 6: 7, 7: 55, 8: -100}
	for x := int32(-2); x <= 10; x++ {
		if got := int32(call("classify", []uint64{uint64(uint32(x))}).RAX); got != classify[x] {
			t.Errorf("classify(%d) = %d, want %d", x, got, classify[x])
		}
	}
	calc := func(op int32, a, b int64) int64 {
		switch op {
		case 0:
			return a + b
		case 1:
			return a - b
		case 2:
			return a * b
		case 3:
			return a & b
		case 4:
			return a | b
		case 5:
			return a ^ b
		case 6:
			return a << (b & 63)
		case 7:
			return a >> (b & 63)
		case 8:
			if b == 0 {
				return 0
			}
			return a / b
		case 9:
			if b == 0 {
				return 0
			}
			return a % b
		}
		return -1
	}
	for op := int32(-1); op <= 11; op++ {
		for _, ab := range [][2]int64{{100, 7}, {-9, 2}, {1 << 40, 0}} {
			if got, want := int64(call("calc", []uint64{uint64(uint32(op)), uint64(ab[0]), uint64(ab[1])}).RAX), calc(op, ab[0], ab[1]); got != want {
				t.Errorf("calc(%d, %d, %d) = %d, want %d", op, ab[0], ab[1], got, want)
			}
		}
	}
	a := []float64{1.5, -2, 3.25, 1e10}
	bb := []float64{2, 0.5, -4, 1e-10}
	want := 0.0
	for i := range a {
		want += a[i] * bb[i]
	}
	if got := call("dot", []uint64{ptr(unsafe.Pointer(&a[0])), ptr(unsafe.Pointer(&bb[0])), uint64(len(a))}).Float64(); got != want {
		t.Errorf("dot = %v, want %v", got, want)
	}
	for _, x := range []float64{0, 1, -2.5, 1e3} {
		want := 3.5*x*x - 1.25*x + 0.1
		if got := call("poly", nil, math.Float64bits(x)).Float64(); got != want {
			t.Errorf("poly(%v) = %v, want %v", x, got, want)
		}
	}
	fs := []float32{1, 2, 3.5, -0.25, 10}
	var fsum float32
	for _, f := range fs {
		fsum += f
	}
	if got, want := call("mean", []uint64{ptr(unsafe.Pointer(&fs[0])), uint64(len(fs))}).Float32(), fsum/float32(len(fs)); got != want {
		t.Errorf("mean = %v, want %v", got, want)
	}
	if got := call("mean", []uint64{0, 0}).Float32(); got != 0 {
		t.Errorf("mean(nil, 0) = %v, want 0", got)
	}
	for _, c := range [][3]uint32{{12, 18, 6}, {17, 5, 1}, {0, 9, 9}, {1071, 462, 21}} {
		if got := uint32(call("gcd", []uint64{uint64(c[0]), uint64(c[1])}).RAX); got != c[2] {
			t.Errorf("gcd(%d, %d) = %d, want %d", c[0], c[1], got, c[2])
		}
	}
	for n, steps := range map[int64]int64{1: 0, 6: 8, 27: 111, 97: 118} {
		if got := int64(call("collatz", []uint64{uint64(n)}).RAX); got != steps {
			t.Errorf("collatz(%d) = %d, want %d", n, got, steps)
		}
	}
	for s, v := range map[string]int64{"0": 0, "ff": 255, "DeadBeef": 0xdeadbeef, "12g": -1, "xyz": -1, "7fffFFFF": 0x7fffffff} {
		buf := cstr(s)
		if got := int64(call("parse_hex", []uint64{ptr(unsafe.Pointer(&buf[0]))}).RAX); got != v {
			t.Errorf("parse_hex(%q) = %d, want %d", s, got, v)
		}
		runtime.KeepAlive(buf)
	}
	// bump: counter (.bss) += step (.data), step++.
	counter, step := int64(0), int64(5)
	for i := 0; i < 4; i++ {
		counter += step
		step++
		if got := int64(call("bump", nil).RAX); got != counter {
			t.Errorf("bump call %d = %d, want %d", i+1, got, counter)
		}
	}
	if got, want := int64(call("widen", []uint64{uint64(0xff), uint64(0xfffe), uint64(uint32(0x80000000))}).RAX), int64(-1)+0xfffe+math.MinInt32; got != want {
		t.Errorf("widen = %d, want %d", got, want)
	}
	for i, c := range []byte("hello, AT&T") {
		if got := int32(call("greeting_char", []uint64{uint64(i)}).RAX); got != int32(c) {
			t.Errorf("greeting_char(%d) = %d, want %d", i, got, c)
		}
	}
	if got := int32(call("greeting_char", []uint64{uint64(11)}).RAX); got != -1 {
		t.Errorf("greeting_char(11) = %d, want -1", got)
	}
	runtime.KeepAlive(longs)
	runtime.KeepAlive(dst)
	runtime.KeepAlive(srcBytes)
	runtime.KeepAlive(a)
	runtime.KeepAlive(bb)
	runtime.KeepAlive(fs)
}
