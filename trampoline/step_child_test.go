//go:build linux && amd64

package trampoline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// stepChildEnv names the case a child process of TestStepChildren runs.
const stepChildEnv = "JITRUN_TRAMPOLINE_STEP_CHILD"

// stepThrough steps a machine at the start of s until a step returns an
// error (at most 100 steps) and describes where and how it ended.
func stepThrough(s snippet) string {
	m, err := NewMachine(0)
	if err != nil {
		return "NewMachine: " + err.Error()
	}
	defer m.Close()
	b, err := loadShared(s)
	if err != nil {
		return "load: " + err.Error()
	}
	defer b.Close()
	m.Regs.RIP = uint64(b.Addr())
	for n := 1; n <= 100; n++ {
		err := StepMachine(context.Background(), m, &Options{Code: b})
		if err == nil {
			continue
		}
		rip := m.Regs.RIP - uint64(b.Addr())
		var f *Fault
		if !errors.As(err, &f) {
			return fmt.Sprintf("step %d: rip +%#x: %v", n, rip, err)
		}
		off, _ := f.Offset()
		s := fmt.Sprintf("step %d: rip +%#x rax %#x: %s %s trap %d pc +%#x: %s", n, rip, m.Regs.GPR[RAX], f.SignalName(), f.CodeName(), f.Trap, off, f.Description())
		if f.Syscall != nil {
			s += fmt.Sprintf(" [addr=pc %v]", f.Addr == f.PC)
		}
		return s
	}
	return "100 steps without an error"
}

// stepChildren are the cases that need a process of their own: a
// system-call filter (irreversible), or a crash.
var stepChildren = map[string]func() string{
	"guard/exit_group": func() string {
		if err := GuardSyscalls(SyscallsGuard); err != nil {
			return err.Error()
		}
		return stepThrough(sysExitGroup)
	},
	"guard/mmap": func() string {
		// Stopped by the filter for Go to decide: it runs.
		if err := GuardSyscalls(SyscallsGuard); err != nil {
			return err.Error()
		}
		s := stepThrough(sysMmapInt3)
		return regexp.MustCompile(`rax 0x[0-9a-f]*000:`).ReplaceAllString(s, "rax PAGE:")
	},
	"trap/getpid": func() string {
		if err := GuardSyscalls(SyscallsTrap); err != nil {
			return err.Error()
		}
		return stepThrough(sysGetpid)
	},
	// Go's own SIGTRAP after the handler is installed and steps were
	// taken, and in a process that never touched the package.
	"breakpoint/stepped": func() string {
		stepThrough(stepLoop)
		runtime.Breakpoint()
		return "survived runtime.Breakpoint"
	},
	"breakpoint/plain": func() string {
		runtime.Breakpoint()
		return "survived runtime.Breakpoint"
	},
}

func TestStepChild(t *testing.T) {
	name := os.Getenv(stepChildEnv)
	if name == "" {
		t.Skip("runs only as the child of TestStepChildren")
	}
	run, ok := stepChildren[name]
	if !ok {
		t.Fatalf("no child case %q", name)
	}
	fmt.Printf("result: %s\n", run())
}

// runStepChild runs a case of stepChildren in a child process and returns
// its result line, its stderr and how it exited.
func runStepChild(t *testing.T, name string) (result, stderr string, err error) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestStepChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), stepChildEnv+"="+name)
	var errBuf strings.Builder
	cmd.Stderr = &errBuf
	out, err := cmd.Output()
	text := string(out)
	if i := strings.Index(text, "result: "); i >= 0 {
		result, _, _ = strings.Cut(text[i+len("result: "):], "\n")
	}
	return result, errBuf.String(), err
}

// The system-call policy applies to a stepped SYSCALL as to one run in
// place: a refused exit_group is the step's SIGSYS *Fault at the
// instruction after it; a memory call the filter stops for Go to decide
// runs.
func TestStepChildren(t *testing.T) {
	for _, c := range []struct{ name, want string }{
		{"guard/exit_group", "step 3: rip +0xc rax 0xe7: SIGSYS SYS_SECCOMP trap -1 pc +0xc: system call exit_group(7) refused: it would end the process [addr=pc true]"},
		{"guard/mmap", "step 9: rip +0x24 rax PAGE: SIGTRAP SI_KERNEL trap 3 pc +0x24: breakpoint (INT3); pc is just after it"},
		{"trap/getpid", "step 2: rip +0x7 rax 0x27: SIGSYS SYS_SECCOMP trap -1 pc +0x7: system call getpid() refused: the policy refuses every system call made by the code [addr=pc true]"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, stderr, err := runStepChild(t, c.name)
			if err != nil || got != c.want {
				t.Errorf("child: %v\nresult:\n\t%s\nwant\n\t%s\nstderr:\n%s", err, got, c.want, stderr)
			}
		})
	}
}

// Go's own SIGTRAP is unchanged by the package's handler and by the
// steps taken: runtime.Breakpoint ends the process as it does in one
// that never used the package (exit status 2, "SIGTRAP: trace trap").
func TestStepGoBreakpoint(t *testing.T) {
	crash := func(name string) (string, int) {
		got, stderr, err := runStepChild(t, name)
		var ee *exec.ExitError
		if got != "" || !errors.As(err, &ee) {
			t.Fatalf("%s: result %q, %v\nstderr:\n%s", name, got, err, stderr)
		}
		// "SIGTRAP: trace trap" and the signal's code from the next
		// line ("PC=0x… m=0 sigcode=128 addr=0x0").
		first, _, _ := strings.Cut(stderr, "\n")
		return first + " " + regexp.MustCompile(`sigcode=[0-9]+`).FindString(stderr), ee.ExitCode()
	}
	plainLine, plainCode := crash("breakpoint/plain")
	line, code := crash("breakpoint/stepped")
	if plainLine != "SIGTRAP: trace trap sigcode=128" || plainCode != 2 {
		t.Fatalf("without the package: %q, exit %d", plainLine, plainCode)
	}
	if line != plainLine || code != plainCode {
		t.Errorf("after stepping: %q, exit %d; want %q, exit %d", line, code, plainLine, plainCode)
	}
}
