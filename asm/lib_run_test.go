package asm_test

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/jitrun/jitrun/asm"
	"github.com/jitrun/jitrun/execmem"
	"github.com/jitrun/jitrun/internal/testsupport"
	"github.com/jitrun/jitrun/trampoline"
)

// The library's routines run in a child process, this test binary run
// again with libChildEnv set to a list of calls: its standard output is
// what the routines write, its standard input a file, and it runs them
// under the default system call guard, as jitrun run does. It reports each
// call on standard error, one line each:
//
//	print_int ok                           the contract was kept
//	print_int changed r8                   a register it must keep changed
//	read_int = 42, rdx = 0                 a read routine's result
//	read_line = 3 "abc\x00###"             and the buffer after it

const libChildEnv = "JITRUN_TEST_IOLIB_CALLS"

// libOddEnv set makes the wrappers call the routines with the stack
// misaligned (rsp = 0 mod 16 at their first instruction).
const libOddEnv = "JITRUN_TEST_IOLIB_ODD"

func TestMain(m *testing.M) {
	if calls, ok := os.LookupEnv(libChildEnv); ok {
		os.Exit(libChild(calls))
	}
	os.Exit(m.Run())
}

// libWrapper is an Intel-syntax function that calls the routine NAME as
// System V code would, and checks what the routine keeps: its arguments
// are the routine's two (rdi, rsi) and out (rdx), a *[3]uint64 that gets
// the routine's rax and rdx and a mask of the registers it changed (bit
// 0 rbx, 1 rbp, 2-5 r12-r15, 6-8 r8-r10). It calls with rsp = 0 mod 16.
const libWrapper = `
wrap_NAME:
	push rbx
	push rbp
	push r12
	push r13
	push r14
	push r15
	push rdx                 ; out; 7 pushes: rsp = 0 mod 16
	mov rbx, 0x1111111111111111
	mov rbp, 0x2222222222222222
	mov r12, 0x3333333333333333
	mov r13, 0x4444444444444444
	mov r14, 0x5555555555555555
	mov r15, 0x6666666666666666
	mov r8, 0x7777777777777777
	mov r9, 0x0888888888888888
	mov r10, 0x0999999999999999
	ALIGNINcall NAME
	ALIGNOUTmov rdi, [rsp]
	mov [rdi], rax
	mov [rdi+8], rdx
	xor ecx, ecx
CHECKS	mov [rdi+16], rcx
	pop rdx
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbp
	pop rbx
	ret
`

// libKept are the registers the wrapper checks, with their sentinels.
var libKept = []struct {
	reg  string
	want uint64
}{
	{"rbx", 0x1111111111111111}, {"rbp", 0x2222222222222222}, {"r12", 0x3333333333333333}, {"r13", 0x4444444444444444},
	{"r14", 0x5555555555555555}, {"r15", 0x6666666666666666}, {"r8", 0x7777777777777777}, {"r9", 0x0888888888888888},
	{"r10", 0x0999999999999999},
}

func libWrapperSource(name string) string {
	var checks strings.Builder
	for i, k := range libKept {
		fmt.Fprintf(&checks, "\tmov r11, %#x\n\tcmp %s, r11\n\tje .kept%d\n\tbts rcx, %d\n.kept%d:\n", k.want, k.reg, i, i, i)
	}
	src := strings.ReplaceAll(libWrapper, "NAME", name)
	in, out := "", ""
	if os.Getenv(libOddEnv) != "" {
		// The routine entered with rsp = 0 mod 16, not 8 as after a
		// CALL from aligned code: it must work all the same.
		in, out = "sub rsp, 8\n\t", "add rsp, 8\n\t"
	}
	src = strings.Replace(strings.Replace(src, "ALIGNIN", in, 1), "ALIGNOUT", out, 1)
	return strings.Replace(src, "CHECKS", checks.String(), 1)
}

// libChild runs the calls (name or name:arg, separated by ';') and
// returns the exit status.
func libChild(calls string) int {
	fail := func(err error) int {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	if err := trampoline.GuardSyscalls(trampoline.SyscallsGuard); err != nil {
		return fail(err)
	}
	var src strings.Builder
	seen := map[string]bool{}
	list := strings.Split(calls, ";")
	for _, c := range list {
		name, _, _ := strings.Cut(c, ":")
		if !seen[name] {
			seen[name] = true
			src.WriteString(libWrapperSource(name))
		}
	}
	p, err := asm.AssembleSource("wrap.asm", []byte(src.String()), asm.SyntaxIntel)
	if err != nil {
		return fail(err)
	}
	code, err := execmem.Load(p.Code)
	if err != nil {
		return fail(err)
	}
	defer code.Close()
	// The routines' buffers and the wrapper's output in memory that stays
	// where it is while the code runs (a Go variable's address passed as
	// an integer may move with the goroutine's stack).
	mem, err := execmem.Map(1<<16, execmem.MapOptions{Prot: execmem.ProtRW})
	if err != nil {
		return fail(err)
	}
	defer mem.Close()
	clobbers := map[string]string{}
	for _, r := range asm.Library() {
		clobbers[r.Name] = " " + r.Clobbers + " "
	}
	for _, c := range list {
		name, arg, _ := strings.Cut(c, ":")
		off, _ := p.Lookup("wrap_" + name)
		out := (*[3]uint64)(unsafe.Pointer(&mem.Bytes()[0]))
		*out = [3]uint64{}
		var a0, a1 uint64
		var buf []byte
		switch name {
		case "print_str":
			buf = append(mem.Bytes()[64:64], arg...)
			buf = append(buf, 0)
			a0 = uint64(uintptr(unsafe.Pointer(&buf[0])))
		case "read_line":
			n, _ := strconv.Atoi(arg)
			buf = append(mem.Bytes()[64:64], bytes.Repeat([]byte{'#'}, n+3)...)
			a0, a1 = uint64(uintptr(unsafe.Pointer(&buf[0]))), uint64(n)
		default:
			if arg != "" {
				v, err := strconv.ParseInt(arg, 0, 64)
				if err != nil {
					u, err2 := strconv.ParseUint(arg, 0, 64)
					if err2 != nil {
						return fail(err)
					}
					v = int64(u)
				}
				a0 = uint64(v)
			}
		}
		_, err := trampoline.Call(code.Addr()+uintptr(off), a0, a1, uint64(uintptr(unsafe.Pointer(out))))
		if err != nil {
			return fail(err)
		}
		var changed []string
		for i, k := range libKept {
			if out[2]&(1<<i) != 0 && !strings.Contains(clobbers[name], " "+k.reg+" ") {
				changed = append(changed, k.reg)
			}
		}
		switch {
		case len(changed) > 0:
			fmt.Fprintf(os.Stderr, "%s changed %s\n", name, strings.Join(changed, " "))
		case name == "read_int":
			fmt.Fprintf(os.Stderr, "read_int = %d, rdx = %d\n", int64(out[0]), out[1])
		case name == "read_line":
			fmt.Fprintf(os.Stderr, "read_line = %d %q\n", int64(out[0]), buf)
		default:
			fmt.Fprintf(os.Stderr, "%s ok\n", name)
		}
	}
	return 0
}

// runLib runs calls in a child with stdin as its standard input and
// returns what it wrote to standard output and its report.
func runLib(t testing.TB, calls []string, stdin string) (stdout, report string) {
	t.Helper()
	return runLibEnv(t, nil, calls, stdin)
}

// runLibEnv is runLib with more environment variables.
func runLibEnv(t testing.TB, environ []string, calls []string, stdin string) (stdout, report string) {
	t.Helper()
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skipf("SKIP: running machine code needs linux/amd64, this is %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	f := testsupport.StdinFile(t, stdin)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), environ...), libChildEnv+"="+strings.Join(calls, ";"))
	cmd.Stdin = f
	var out, rep bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &rep
	if err := cmd.Run(); err != nil {
		t.Fatalf("child: %v\n%s", err, rep.String())
	}
	return out.String(), rep.String()
}

// TestLibRun runs every routine with the values at the edges, and checks
// the exact output, results and the registers each keeps.
func TestLibRun(t *testing.T) {
	tests := []struct {
		name   string
		calls  []string
		stdin  string
		stdout string
		report string // "" for an ok line per call
	}{
		{"print_int", []string{"print_int:0", "print_newline", "print_int:-1", "print_newline", "print_int:9223372036854775807", "print_newline",
			"print_int:-9223372036854775808", "print_newline", "print_int:42"},
			"", "0\n-1\n9223372036854775807\n-9223372036854775808\n42", ""},
		{"print_uint", []string{"print_uint:0", "print_char:32", "print_uint:18446744073709551615", "print_char:32", "print_uint:10"},
			"", "0 18446744073709551615 10", ""},
		{"print_hex", []string{"print_hex:0", "print_newline", "print_hex:0xdeadbeef", "print_newline", "print_hex:-1", "print_newline", "print_hex:0x10"},
			"", "0x0\n0xdeadbeef\n0xffffffffffffffff\n0x10", ""},
		{"print_char", []string{"print_char:65", "print_char:0x142", "print_char:0", "print_char:255"}, "", "AB\x00\xff", ""},
		{"print_str", []string{"print_str:hello, world", "print_str:", "print_newline"}, "", "hello, world\n", ""},
		{"read_int", []string{"read_int", "read_int", "read_int", "read_int", "read_int", "read_int", "read_int", "read_int"},
			"42 -7\n\t+3\n-9223372036854775808 9223372036854775807 -0\n  ", "",
			"read_int = 42, rdx = 0\nread_int = -7, rdx = 0\nread_int = 3, rdx = 0\nread_int = -9223372036854775808, rdx = 0\n" +
				"read_int = 9223372036854775807, rdx = 0\nread_int = 0, rdx = 0\nread_int = 0, rdx = 1\nread_int = 0, rdx = 1\n"},
		{"read_int bad", []string{"read_int", "read_int", "read_int", "read_int", "read_int", "read_int", "read_int"},
			"12x 5 9223372036854775808 -9223372036854775809 99999999999999999999 - 1.5", "",
			"read_int = 0, rdx = 2\nread_int = 5, rdx = 0\nread_int = 0, rdx = 2\nread_int = 0, rdx = 2\nread_int = 0, rdx = 2\n" +
				"read_int = 0, rdx = 2\nread_int = 0, rdx = 2\n"},
		{"read_int eof after digits", []string{"read_int", "read_int"}, "17", "", "read_int = 17, rdx = 0\nread_int = 0, rdx = 1\n"},
		{"read_line", []string{"read_line:8", "read_line:8", "read_line:8", "read_line:8", "read_line:8"},
			"abc\n\nlonger than 7\nlast", "",
			"read_line = 3 \"abc\\x00#######\"\nread_line = 0 \"\\x00##########\"\nread_line = 7 \"longer \\x00###\"\n" +
				"read_line = 4 \"last\\x00######\"\nread_line = -1 \"###########\"\n"},
		{"read_line small", []string{"read_line:1", "read_line:0", "read_line:2"}, "ab\ncd\nef\n", "",
			"read_line = 0 \"\\x00###\"\nread_line = 0 \"###\"\nread_line = 1 \"e\\x00###\"\n"},
	}
	for _, tt := range tests {
		for _, odd := range []bool{false, true} {
			name, environ := tt.name, []string(nil)
			if odd {
				name, environ = tt.name+"/misaligned", []string{libOddEnv + "=1"}
			}
			t.Run(name, func(t *testing.T) {
				stdout, report := runLibEnv(t, environ, tt.calls, tt.stdin)
				if stdout != tt.stdout {
					t.Errorf("stdout %q, want %q", stdout, tt.stdout)
				}
				want := tt.report
				if want == "" {
					for _, c := range tt.calls {
						name, _, _ := strings.Cut(c, ":")
						want += name + " ok\n"
					}
				}
				if report != want {
					t.Errorf("report:\n%s\nwant:\n%s", report, want)
				}
			})
		}
	}
}

// printCalls is the calls that print v with print_int, print_uint and
// print_hex, a line each; printWant is what strconv says they print.
func printCalls(v int64) []string {
	return []string{"print_int:" + strconv.FormatInt(v, 10), "print_newline", "print_uint:" + strconv.FormatUint(uint64(v), 10), "print_newline",
		"print_hex:" + strconv.FormatUint(uint64(v), 10), "print_newline"}
}

func printWant(v int64) string {
	return strconv.FormatInt(v, 10) + "\n" + strconv.FormatUint(uint64(v), 10) + "\n0x" + strconv.FormatUint(uint64(v), 16) + "\n"
}

// TestLibPrintRandom compares print_int, print_uint and print_hex with
// strconv for random values of every length, in one child.
func TestLibPrintRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var calls []string
	var want strings.Builder
	for i := 0; i < 400; i++ {
		v := int64(r.Uint64() >> (i % 64)) // every magnitude
		if i%2 == 1 {
			v = -v
		}
		calls = append(calls, printCalls(v)...)
		want.WriteString(printWant(v))
	}
	stdout, _ := runLib(t, calls, "")
	if stdout != want.String() {
		t.Errorf("output differs from strconv's:\n%s", firstDiff(stdout, want.String()))
	}
}

// FuzzLibPrint compares print_int, print_uint and print_hex with strconv.
func FuzzLibPrint(f *testing.F) {
	for _, v := range []int64{0, 1, -1, 9, 10, math.MaxInt64, math.MinInt64, 1e18} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v int64) {
		stdout, _ := runLib(t, printCalls(v), "")
		if want := printWant(v); stdout != want {
			t.Errorf("%d: printed %q, strconv says %q", v, stdout, want)
		}
	})
}

// firstDiff shows the first line where got and want differ.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range min(len(g), len(w)) {
		if g[i] != w[i] {
			return fmt.Sprintf("line %d: %q, want %q", i+1, g[i], w[i])
		}
	}
	return fmt.Sprintf("%d lines, want %d", len(g), len(w))
}
