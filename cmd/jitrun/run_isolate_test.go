//go:build linux

package main

import (
	"bytes"
	"context"
	"debug/elf"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jitrun/jitrun/isolate"
)

// isolatedRun is the part of run --json's document these tests read.
type isolatedRun struct {
	RAX   *int64 `json:"rax"`
	RDX   *int64 `json:"rdx"`
	Fault *struct {
		Signal  string `json:"signal"`
		Syscall *struct {
			Name   string `json:"name"`
			Reason string `json:"reason"`
		} `json:"syscall"`
	} `json:"fault"`
	Timeout bool    `json:"timeout"`
	Stdout  *string `json:"stdout"`
	Errors  []struct {
		Line    int    `json:"line"`
		Col     int    `json:"col"`
		Message string `json:"message"`
	} `json:"errors"`
}

// runIsolatedJSON runs `jitrun run --json prog.s ARGS` on src under
// policy and returns the result and the parsed document.
func runIsolatedJSON(t *testing.T, policy isolate.Policy, lim isolate.Limits, src string, args ...string) (*isolate.Result, *isolatedRun) {
	t.Helper()
	res, err := isolate.Run(context.Background(), isolate.Job{
		Args:   append([]string{"run", "--json", "prog.s"}, args...),
		Files:  map[string][]byte{"prog.s": []byte(src)},
		Policy: policy, Limits: lim,
	})
	if err != nil {
		t.Fatal(err)
	}
	var doc isolatedRun
	if res.Died == "" {
		if err := json.Unmarshal(res.Stdout, &doc); err != nil {
			t.Fatalf("%v in %q", err, res.Stdout)
		}
	}
	return res, &doc
}

// syscallGadget returns the address of a Go function of this test binary
// that makes a system call, taken in the parent: the same address in its
// isolated child, this same non-PIE executable. syscall.RawSyscall6 is
// NOSPLIT (no stack check through R14, which the code's call zeroes) and
// takes Go's register ABI: number in AX, arguments in BX, CX, DI, SI, R8,
// R9; it returns AX = r1 and CX = errno. Its SYSCALL (in
// internal/runtime/syscall.Syscall6) is Go's own text, which the filter
// of GuardSyscalls lets through whatever jumped there.
func syscallGadget(t *testing.T) uint64 {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	f, err := elf.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Type != elf.ET_EXEC {
		t.Skipf("SKIP: %s is %v, not a fixed-address executable: the child's gadget address is not the parent's", exe, f.Type)
	}
	return uint64(reflect.ValueOf(syscall.RawSyscall6).Pointer())
}

// gadgetSource calls syscall.RawSyscall6 at addr with number nr and the first
// three arguments a1, a2 (or the address of path when a2 is "path") and
// a3; it returns AX in rax and CX (the errno) in rdx.
func gadgetSource(addr uint64, nr int, a1, a2, a3 string) string {
	if a2 == "path" {
		a2 = "LEAQ path<>(SB), CX"
	} else {
		a2 = "MOVQ $" + a2 + ", CX"
	}
	return fmt.Sprintf(`TEXT ·gadget(SB), NOSPLIT|NOFRAME, $0
	MOVQ $%d, AX
	MOVQ $%s, BX
	%s
	MOVQ $%s, DI
	XORL SI, SI
	XORL R8, R8
	XORL R9, R9
	MOVQ $%#x, R11
	CALL R11
	MOVQ CX, DX
	RET
DATA path<>+0(SB)/8, $"/etc/hos"
DATA path<>+8(SB)/8, $"tname\x00\x00\x00"
GLOBL path<>(SB), RODATA, $16
`, nr, a1, a2, a3, addr)
}

// TestIsolateWebInput: the code reads the Job's standard input; source
// that does not assemble is run --json's errors document, status 2.
func TestIsolateWebInput(t *testing.T) {
	// read(0, SP-64, 64), then write(1, SP-64, what was read).
	const echo = "MOVL $0, AX\nMOVL $0, DI\nLEAQ -64(SP), SI\nMOVL $64, DX\nSYSCALL\nMOVQ AX, DX\nMOVL $1, AX\nMOVL $1, DI\nSYSCALL\nRET\n"
	res, err := isolate.Run(context.Background(), isolate.Job{
		Args:   []string{"run", "--json", "prog.s"},
		Files:  map[string][]byte{"prog.s": []byte(echo)},
		Stdin:  []byte("from the request\n"),
		Policy: isolate.Web,
	})
	if err != nil {
		t.Fatal(err)
	}
	var doc isolatedRun
	if err := json.Unmarshal(res.Stdout, &doc); err != nil || res.Status != 0 || doc.Stdout == nil || *doc.Stdout != "from the request\n" || *doc.RAX != 17 {
		t.Errorf("status %d, died %q, %v: %s", res.Status, res.Died, err, res.Stdout)
	}

	res, doc2 := runIsolatedJSON(t, isolate.Web, isolate.Limits{}, "MOVQ $1, AX\nFOO BX\nADDQ $1,\nRET\n")
	if res.Status != exitInput || len(doc2.Errors) != 2 ||
		doc2.Errors[0].Line != 2 || doc2.Errors[0].Col != 1 || doc2.Errors[0].Message != "unknown instruction FOO" ||
		doc2.Errors[1].Line != 3 || doc2.Errors[1].Col != 8 || doc2.Errors[1].Message != "missing operand after ','" {
		t.Errorf("status %d: %s", res.Status, res.Stdout)
	}
}

func TestIsolateWeb(t *testing.T) {
	gadget := syscallGadget(t)
	const webCode = "the web policy lets the code only write"
	const webAny = "the web policy refuses it from any address"
	for _, c := range []struct {
		name     string
		policy   isolate.Policy
		src      string
		status   int
		rax, rdx int64  // when the code returned
		minRAX   bool   // rax is at least rax (a descriptor)
		syscall  string // the refused call, for a fault
		reason   string // in its reason
		stdout   string
	}{
		{name: "write to stdout", policy: isolate.Web, status: 0, rax: 13, rdx: 13, stdout: "hello, world\n",
			src: "TEXT ·f(SB), NOSPLIT|NOFRAME, $0\n MOVL $1, AX\n MOVL $1, DI\n LEAQ msg<>(SB), SI\n MOVL $13, DX\n SYSCALL\n RET\nDATA msg<>+0(SB)/8, $\"hello, w\"\nDATA msg<>+8(SB)/5, $\"orld\\n\"\nGLOBL msg<>(SB), RODATA, $13\n"},
		{name: "exit_group", policy: isolate.Web, status: 3, syscall: "exit_group", reason: "it would end the process",
			src: "MOVL $231, AX\nMOVL $7, DI\nSYSCALL\nRET\n"},
		{name: "openat from the code", policy: isolate.Web, status: 3, syscall: "openat", reason: webCode,
			src: "MOVL $257, AX\nMOVQ $-100, DI\nXORL SI, SI\nXORL DX, DX\nSYSCALL\nRET\n"},
		{name: "getpid from the code", policy: isolate.Web, status: 3, syscall: "getpid", reason: webCode,
			src: "MOVL $39, AX\nSYSCALL\nRET\n"},
		{name: "write to descriptor 3", policy: isolate.Web, status: 3, syscall: "write", reason: webCode,
			src: "MOVL $1, AX\nMOVL $3, DI\nXORL SI, SI\nXORL DX, DX\nSYSCALL\nRET\n"},
		{name: "clock_gettime", policy: isolate.Web, status: 0, rax: 0,
			src: "SUBQ $16, SP\nMOVL $228, AX\nMOVL $1, DI\nMOVQ SP, SI\nSYSCALL\nADDQ $16, SP\nMOVQ $0, DX\nRET\n"},
		// The hole the web filter closes: openat through Go's own text.
		{name: "gadget openat, local", policy: isolate.Local, status: 0, rax: 3, minRAX: true, rdx: 0,
			src: gadgetSource(gadget, 257, "-100", "path", "0")},
		{name: "gadget openat, web", policy: isolate.Web, status: 0, rax: -1, rdx: 13, // EACCES
			src: gadgetSource(gadget, 257, "-100", "path", "0")},
		{name: "gadget socket", policy: isolate.Web, status: 3, syscall: "socket", reason: webAny,
			src: gadgetSource(gadget, 41, "2", "1", "0")},
		{name: "gadget execve", policy: isolate.Web, status: 3, syscall: "execve", reason: webAny,
			src: gadgetSource(gadget, 59, "0", "path", "0")},
		{name: "gadget kill(-1, 9)", policy: isolate.Web, status: 3, syscall: "kill", reason: webAny,
			src: gadgetSource(gadget, 62, "-1", "9", "0")},
		{name: "gadget fork", policy: isolate.Web, status: 3, syscall: "fork", reason: webAny,
			src: gadgetSource(gadget, 57, "0", "0", "0")},
		{name: "gadget clone of a process", policy: isolate.Web, status: 3, syscall: "clone", reason: webAny,
			src: gadgetSource(gadget, 56, "17", "0", "0")}, // SIGCHLD: fork's flags
	} {
		t.Run(c.name, func(t *testing.T) {
			res, doc := runIsolatedJSON(t, c.policy, isolate.Limits{}, c.src)
			if res.Died != "" || res.Status != c.status {
				t.Fatalf("status %d, died %q, want status %d; stdout %s stderr %s", res.Status, res.Died, c.status, res.Stdout, res.Stderr)
			}
			if c.syscall != "" {
				if doc.Fault == nil || doc.Fault.Syscall == nil {
					t.Fatalf("no refused system call in %s", res.Stdout)
				}
				if doc.Fault.Syscall.Name != c.syscall || !strings.Contains(doc.Fault.Syscall.Reason, c.reason) {
					t.Errorf("refused %s (%s), want %s (%s…)", doc.Fault.Syscall.Name, doc.Fault.Syscall.Reason, c.syscall, c.reason)
				}
				return
			}
			if doc.RAX == nil || doc.RDX == nil {
				t.Fatalf("no rax/rdx in %s", res.Stdout)
			}
			if c.minRAX && *doc.RAX < c.rax || !c.minRAX && *doc.RAX != c.rax || *doc.RDX != c.rdx {
				t.Errorf("rax %d rdx %d, want rax %d (at least: %v) rdx %d", *doc.RAX, *doc.RDX, c.rax, c.minRAX, c.rdx)
			}
			if got := ""; doc.Stdout != nil && *doc.Stdout != c.stdout || doc.Stdout == nil && c.stdout != got {
				t.Errorf("stdout %v, want %q", doc.Stdout, c.stdout)
			}
		})
	}
}

// BenchmarkIsolatedRun is the cost of one run of `jitrun run --json --hex
// c3` in an isolated child under the web and the local policy, and of the
// same child started plainly, without isolation ("plain": exec and
// wait, standard output into a buffer); the difference is what the
// isolation costs per run. cpu-ms/op is the children's CPU time per run,
// parent-cpu-ms/op this process's: on a loaded machine they are steadier
// than the wall-clock time.
//
//	go test -run '^$' -bench BenchmarkIsolatedRun -count 10 ./cmd/jitrun
func BenchmarkIsolatedRun(b *testing.B) {
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	args := []string{"run", "--json", "--hex", "c3"}
	for _, p := range []isolate.Policy{isolate.Web, isolate.Local} {
		b.Run(p.String(), func(b *testing.B) {
			cpu, own := rusageCPU(b, syscall.RUSAGE_CHILDREN), rusageCPU(b, syscall.RUSAGE_SELF)
			for b.Loop() {
				res, err := isolate.Run(context.Background(), isolate.Job{Args: args, Policy: p})
				if err != nil || res.Status != 0 || res.Died != "" {
					b.Fatalf("%v %+v", err, res)
				}
			}
			reportCPU(b, cpu, own)
		})
	}
	b.Run("plain", func(b *testing.B) {
		cpu, own := rusageCPU(b, syscall.RUSAGE_CHILDREN), rusageCPU(b, syscall.RUSAGE_SELF)
		for b.Loop() {
			cmd := exec.Command(exe, args...)
			cmd.Env = []string{testMainEnv + "=1", "JITRUN_NO_SUPERVISOR=1"}
			var out bytes.Buffer
			cmd.Stdout = &out
			if err := cmd.Run(); err != nil {
				b.Fatal(err)
			}
		}
		reportCPU(b, cpu, own)
	})
}

// reportCPU reports the CPU time per run of the children (cpu-ms/op) and
// of this process (parent-cpu-ms/op) since cpu and own were read.
func reportCPU(b *testing.B, cpu, own time.Duration) {
	per := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) / float64(b.N) }
	b.ReportMetric(per(rusageCPU(b, syscall.RUSAGE_CHILDREN)-cpu), "cpu-ms/op")
	b.ReportMetric(per(rusageCPU(b, syscall.RUSAGE_SELF)-own), "parent-cpu-ms/op")
}

// rusageCPU is the CPU time (user and system) getrusage reports for who.
func rusageCPU(b *testing.B, who int) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestRunIsolateCLI: run and bench --isolate show what the child printed
// and end with its status; a child that died ends in one line (--json: a
// document with "broken"), status 5.
func TestRunIsolateCLI(t *testing.T) {
	const exit7 = "MOVL $231, AX\nMOVL $7, DI\nSYSCALL\nRET\n"
	for _, c := range []struct {
		name           string
		stdin          string
		args           []string
		status         int
		stdout, stderr string
	}{
		{name: "returns", args: []string{"run", "--isolate", "-e", "MOVQ DI, AX\nADDQ SI, AX\nRET", "2", "40"}, stdout: "rax = 42 (0x2a)\n"},
		{name: "reads stdin", stdin: "MOVQ $7, AX\nRET\n", args: []string{"run", "-", "--isolate"}, stdout: "rax = 7 (0x7)\n"},
		{name: "fault", args: []string{"run", "--isolate", "--hex", "0f0b"}, status: exitFault, stdout: "…"},
		{name: "bad input", args: []string{"run", "--isolate", "-e", "FOO"}, status: exitInput,
			stderr: "<expr>:1:1: unknown instruction FOO\n"},
		{name: "exit_group under --syscalls allow", args: []string{"run", "--isolate", "--syscalls", "allow", "-e", exit7}, status: exitBroken,
			stderr: "jitrun run: the isolated child ended: exited with status 7, not one of jitrun's\n"},
		{name: "exit_group under --syscalls allow, --json", args: []string{"run", "--isolate", "--json", "--syscalls", "allow", "-e", exit7}, status: exitBroken,
			stdout: "{\n  \"rax\": null,\n  \"rdx\": null,\n  \"xmm0\": null,\n  \"regs\": null,\n  \"fault\": null,\n  \"timeout\": false,\n  \"duration_ns\": …"},
		{name: "bench", args: []string{"bench", "--isolate", "--samples", "10", "-e", "ADDQ $1, AX"}, stdout: "…", stderr: "(bench warnings)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, stdout, stderr := runCmd(t, c.stdin, c.args...)
			stderrOK := matches(stderr, c.stderr) || c.stderr == "(bench warnings)" && onlyBenchWarnings(stderr)
			if status != c.status || !matches(stdout, c.stdout) || !stderrOK {
				t.Errorf("status %d, stdout %q, stderr %q; want %d, %q, %q", status, stdout, stderr, c.status, c.stdout, c.stderr)
			}
			if strings.Contains(c.name, "json") && !strings.Contains(stdout, `"broken": "the isolated child ended: exited with status 7, not one of jitrun's"`) {
				t.Errorf("want the broken line in %s", stdout)
			}
		})
	}
}

// TestIsolateWebModes: what serve's buttons run works under the web
// policy: the filter, installed right before the code runs, lets jitrun
// finish (trace, breakpoints, memory arguments, bench and its pinning).
func TestIsolateWebModes(t *testing.T) {
	const add = "MOVQ DI, AX\nADDQ SI, AX\nRET\n"
	for _, c := range []struct {
		args []string
		want string // in standard output
	}{
		{[]string{"run", "--json", "--trace", "prog.s", "2", "3"}, `"steps": [`},
		{[]string{"run", "--json", "--break", "2", "prog.s", "2", "3"}, `"breaks": [`},
		{[]string{"run", "--json", "prog.s", "str:hello", "buf:16"}, `"memargs": [`},
		{[]string{"run", "--json", "--show", "rdi:8/c", "prog.s", "str:hello", "3"}, `"show": [`},
		{[]string{"bench", "--json", "--samples", "10", "-e", "ADDQ $1, AX"}, `"kernels": [`},
		{[]string{"bench", "--format", "go", "--samples", "10", "-e", "ADDQ $1, AX"}, "Benchmarkexpr "},
		{[]string{"bench", "--samples", "10", "-e", "ADDQ $1, AX"}, "kernel  cycles"},
	} {
		t.Run(strings.Join(c.args[:2], " "), func(t *testing.T) {
			res, err := isolate.Run(context.Background(), isolate.Job{Args: c.args, Files: map[string][]byte{"prog.s": []byte(add)}, Policy: isolate.Web})
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != 0 || res.Died != "" || !onlyBenchWarnings(string(res.Stderr)) || !strings.Contains(string(res.Stdout), c.want) {
				t.Errorf("%v: status %d, died %q, stderr %q, want %q in stdout:\n%.500s", c.args, res.Status, res.Died, res.Stderr, c.want, res.Stdout)
			}
		})
	}
}

func TestIsolatedLimits(t *testing.T) {
	def := isolate.DefaultLimits()
	for _, c := range []struct {
		args      []string
		wall, cpu time.Duration
	}{
		{[]string{"run", "x.s"}, def.Wall, def.CPU},
		{[]string{"run", "--timeout", "8s", "x.s"}, def.Wall, def.CPU},
		{[]string{"run", "--timeout", "30s", "x.s"}, 32 * time.Second, 32 * time.Second},
		{[]string{"run", "--timeout=5m", "x.s"}, 5*time.Minute + 2*time.Second, 5*time.Minute + 2*time.Second},
		{[]string{"run", "--timeout", "100h", "x.s"}, time.Hour, time.Hour},
		{[]string{"run", "--timeout", "0", "x.s"}, def.Wall, def.CPU},
		{[]string{"run", "--timeout", "soon", "x.s"}, def.Wall, def.CPU},
		{[]string{"bench", "--timeout", "30s", "x.s"}, def.Wall, def.CPU},
	} {
		if got := isolatedLimits(c.args); got.Wall != c.wall || got.CPU != c.cpu {
			t.Errorf("%q: wall %v, cpu %v; want %v, %v", c.args, got.Wall, got.CPU, c.wall, c.cpu)
		}
	}
}

// onlyBenchWarnings reports whether stderr holds nothing but bench's
// warnings: in a -race build (dynamically linked) bench's clock-detection
// child dies of the system-call filter, as trampoline.GuardSyscalls
// documents, and bench says so and goes on; a busy machine disturbs its
// calibration.
func onlyBenchWarnings(stderr string) bool {
	for _, line := range strings.Split(strings.TrimSuffix(stderr, "\n"), "\n") {
		if line != "" && !strings.HasPrefix(line, "jitrun bench: warning: ") {
			return false
		}
	}
	return true
}
