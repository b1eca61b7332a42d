//go:build linux

package isolate

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestRun(t *testing.T) {
	noLeaks(t)
	const mib = 1 << 20
	for _, c := range []struct {
		name      string
		job       Job
		status    int
		stdout    string // exact, or a prefix when it ends in "…"
		stderr    string
		died      string // exact, or a prefix when it ends in "…"
		signal    syscall.Signal
		truncated bool
		noDoc     bool
	}{
		{name: "exit status", job: Job{Args: []string{"print", "hi", "3"}}, status: 3, stdout: "hi"},
		{name: "stderr", job: Job{Args: []string{"stderr", "oops"}}, stderr: "oops"},
		{name: "stdin", job: Job{Args: []string{"cat"}, Stdin: []byte("from the request\n")}, stdout: "from the request\n"},
		{name: "no stdin", job: Job{Args: []string{"cat"}}},
		{name: "json", job: Job{Args: []string{"print", `{"rax": 1}` + "\n", "0", "--json"}}, stdout: `{"rax": 1}` + "\n"},
		{name: "garbage json", job: Job{Args: []string{"print", `{"rax": 1}}`, "0", "--json"}}, status: 5, stdout: `{"rax": 1}}`,
			died: `garbage on the result pipe: 11 bytes that are not one JSON document ("{\"rax\": 1}}"…)`},
		{name: "no json", job: Job{Args: []string{"print", "", "0", "--json"}}, status: 5, died: "garbage on the result pipe: no JSON document", noDoc: true},
		{name: "no json, fault", job: Job{Args: []string{"print", "\n", "3", "--json"}}, status: 5, stdout: "\n", died: "garbage on the result pipe: no JSON document", noDoc: true},
		{name: "no json, bad input", job: Job{Args: []string{"print", "", "2", "--json"}}, status: 2},
		{name: "no json, system error", job: Job{Args: []string{"print", "", "1", "--json"}}, status: 1},
		{name: "status not jitrun's", job: Job{Args: []string{"print", "", "7"}}, status: 5, died: "exited with status 7, not one of jitrun's"},
		{name: "flood", job: Job{Args: []string{"flood", "8"}, Limits: Limits{Output: mib}}, stdout: strings.Repeat("\x00", mib), truncated: true},
		{name: "wall deadline", job: Job{Args: []string{"sleep"}, Limits: Limits{Wall: 200 * time.Millisecond}}, status: 4,
			died: "killed at the 200ms wall-clock deadline", signal: syscall.SIGKILL},
		{name: "cpu limit", job: Job{Args: []string{"spin"}, Limits: Limits{CPU: time.Second}}, status: 5,
			died: "killed at the 1s CPU-time limit", signal: syscall.SIGKILL},
		{name: "10 GiB mmap", job: Job{Args: []string{"mmap", "10"}}, stdout: "cannot allocate memory"},
		// (With -race the runtime's report is "fatal error: too many
		// address space collisions for -race mode".)
		{name: "10 GiB Go allocation", job: Job{Args: []string{"alloc", "10"}}, status: 5, stderr: "…",
			died: "Go fatal error: fatal error: …"},
		{name: "file size", job: Job{Args: []string{"write", "2000000"}}, stdout: "write f: file too large"},
		{name: "open files", job: Job{Args: []string{"files"}, Limits: Limits{OpenFiles: 20}}, stdout: "too many open files"},
		{name: "panic", job: Job{Args: []string{"panic"}}, status: 5, stderr: "panic: boom…", died: "Go fatal error: panic: boom", signal: 0},
		{name: "bytes on the crash pipe, exit 0", job: Job{Args: []string{"scribble"}}},
		{name: "sigkill", job: Job{Args: []string{"sigkill"}}, status: 5, died: "killed by SIGKILL (the CPU-time or address-space limit, or the kernel out of memory?)", signal: syscall.SIGKILL},
		{name: "web: no open", job: Job{Args: []string{"web"}, Policy: Web}, stdout: "permission denied"},
		{name: "local: open", job: Job{Args: []string{"web"}, Policy: Local}, stdout: "<nil>"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err := Run(context.Background(), c.job)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != c.status || !matches(res.Died, c.died) || res.Signal != c.signal || res.Truncated != c.truncated {
				t.Errorf("status %d, died %q, signal %v, truncated %v; want %d, %q, %v, %v", res.Status, res.Died, res.Signal, res.Truncated, c.status, c.died, c.signal, c.truncated)
			}
			if res.NoDocument != c.noDoc {
				t.Errorf("NoDocument %v, want %v", res.NoDocument, c.noDoc)
			}
			if !matches(string(res.Stdout), c.stdout) {
				t.Errorf("stdout %.200q, want %.200q", res.Stdout, c.stdout)
			}
			if !matches(string(res.Stderr), c.stderr) {
				t.Errorf("stderr %.200q, want %.200q", res.Stderr, c.stderr)
			}
		})
	}
}

// matches reports whether got is want, or starts with it when want ends
// in "…".
func matches(got, want string) bool {
	if p, ok := strings.CutSuffix(want, "…"); ok {
		return strings.HasPrefix(got, p)
	}
	return got == want
}

// TestChildState checks what the child is given: the limits, no new
// privileges, its own process group, the minimal environment, the
// descriptors and its private directory with the files.
func TestChildState(t *testing.T) {
	noLeaks(t)
	res, err := Run(context.Background(), Job{
		Args:   []string{"state"},
		Files:  map[string][]byte{"prog.s": []byte("RET\n")},
		Stdin:  []byte("x"),
		Limits: Limits{CPU: 1500 * time.Millisecond, AddressSpace: 3 << 30, FileSize: 4096, OpenFiles: 32},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf(`cpu 2 2
as %d %d
fsize 4096 4096
nofile 32 32
core 0 0
no_new_privs true
own group true
env %s %s
fd 0 stdin
fd 1 pipe
fd 2 pipe
file prog.s "RET\n"
private dir true
`, 3<<30, 3<<30, childEnv, noSupervisorEnv)
	if res.Status != 0 || string(res.Stdout) != want {
		t.Errorf("status %d, died %q, state:\n%s\nwant:\n%s", res.Status, res.Died, res.Stdout, want)
	}
}

// TestCancel: a cancelled context kills the child; the run ends as a
// system error.
func TestCancel(t *testing.T) {
	noLeaks(t)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	res, err := Run(ctx, Job{Args: []string{"sleep"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != 1 || res.Died != "killed: the run was cancelled" {
		t.Errorf("status %d, died %q", res.Status, res.Died)
	}
}

// TestOrphan: a process the child leaves in its group is killed with it.
func TestOrphan(t *testing.T) {
	noLeaks(t)
	res, err := Run(context.Background(), Job{Args: []string{"orphan"}})
	if err != nil {
		t.Fatal(err)
	}
	var pid int
	if _, err := fmt.Sscan(string(res.Stdout), &pid); err != nil || res.Status != 0 {
		t.Fatalf("status %d, died %q, stdout %q", res.Status, res.Died, res.Stdout)
	}
	// SIGKILL was sent before Run returned; the orphan dies when the
	// kernel next runs it, and its new parent reaps it. (A liveness
	// bound, not a timing assertion.)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil || strings.Contains(string(stat), ") Z ") || strings.Contains(string(stat), ") X ") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the orphan %d is still alive: %s", pid, stat)
		}
	}
}

func TestRunErrors(t *testing.T) {
	noLeaks(t)
	for _, c := range []struct {
		job  Job
		want string
	}{
		{Job{}, "isolate: no arguments: want jitrun's command and its arguments"},
		{Job{Args: []string{"x"}, Policy: 7}, "isolate: unknown policy 7: want Local or Web"},
		{Job{Args: []string{"x"}, Files: map[string][]byte{"a/b": nil}}, `isolate: file name "a/b": want a name without slashes`},
		{Job{Args: []string{"x"}, Files: map[string][]byte{"..": nil}}, `isolate: file name "..": want a name without slashes`},
		{Job{Args: []string{"x"}, Files: map[string][]byte{"a": nil}, Dir: "."}, "isolate: Files with Dir: files go into the fresh directory only"},
		{Job{Args: []string{"x"}, Limits: Limits{Wall: -1}}, "isolate: negative limit in {CPU:0s Wall:-1ns AddressSpace:0 FileSize:0 OpenFiles:0 Output:0}"},
		{Job{Args: []string{"x"}, Limits: Limits{Wall: 2 * time.Hour}}, "isolate: limits over 1h0m0s: CPU 10s, wall 2h0m0s"},
		{Job{Args: []string{"x"}, Env: []string{"JITRUN_ISOLATE=local cpu=1 as=1 fsize=1 nofile=1"}}, "isolate: Env sets JITRUN_ISOLATE, which is the isolation's own"},
		{Job{Args: []string{"x"}, Exe: "/nonexistent/jitrun"}, "isolate: starting the child: fork/exec /nonexistent/jitrun: no such file or directory"},
	} {
		res, err := Run(context.Background(), c.job)
		if err == nil || err.Error() != c.want {
			t.Errorf("Run(%+v) = %v, %v; want error %q", c.job, res, err, c.want)
		}
	}
}

func TestParseChildEnv(t *testing.T) {
	for _, c := range []struct {
		in   string
		want childConfig
		err  string
	}{
		{in: "web cpu=1 as=2 fsize=3 nofile=4", want: childConfig{Web, 1, 2, 3, 4}},
		{in: "local cpu=10 as=2147483648 fsize=1048576 nofile=64", want: childConfig{Local, 10, 2 << 30, 1 << 20, 64}},
		{in: "web", err: `isolate: JITRUN_ISOLATE="web": want a policy and four limits`},
		{in: "root cpu=1 as=2 fsize=3 nofile=4", err: `isolate: JITRUN_ISOLATE="root cpu=1 as=2 fsize=3 nofile=4": unknown policy "root"`},
		{in: "web cpu=0 as=2 fsize=3 nofile=4", err: `isolate: JITRUN_ISOLATE="web cpu=0 as=2 fsize=3 nofile=4": want cpu=N (N > 0) as field 2`},
		{in: "web cpu=3601 as=2 fsize=3 nofile=4", err: `isolate: JITRUN_ISOLATE="web cpu=3601 as=2 fsize=3 nofile=4": want cpu=N (N > 0) as field 2`},
		{in: "web as=2 cpu=1 fsize=3 nofile=4", err: `isolate: JITRUN_ISOLATE="web as=2 cpu=1 fsize=3 nofile=4": want cpu=N (N > 0) as field 2`},
		{in: "web cpu=1 as=-2 fsize=3 nofile=4", err: `isolate: JITRUN_ISOLATE="web cpu=1 as=-2 fsize=3 nofile=4": want as=N (N > 0) as field 3`},
	} {
		got, err := parseChildEnv(c.in)
		switch {
		case c.err != "" && (err == nil || err.Error() != c.err):
			t.Errorf("parseChildEnv(%q) error %v, want %q", c.in, err, c.err)
		case c.err == "" && (err != nil || got != c.want):
			t.Errorf("parseChildEnv(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
	// What the parent writes, the child reads.
	env := childEnviron(Web, Limits{CPU: 1500 * time.Millisecond, AddressSpace: 5, FileSize: 6, OpenFiles: 7})
	v, _ := strings.CutPrefix(env[0], childEnv+"=")
	if got, err := parseChildEnv(v); err != nil || got != (childConfig{Web, 2, 5, 6, 7}) {
		t.Errorf("round trip of %q: %+v, %v", env[0], got, err)
	}
}

// TestBeforeCodeRefuses: a child whose limits could not be set refuses
// to run the code.
func TestBeforeCodeRefuses(t *testing.T) {
	t.Setenv(childEnv, refusePrefix+"setrlimit(RLIMIT_AS, 1, 1): operation not permitted")
	if err := BeforeCode(); err == nil || err.Error() != "setrlimit(RLIMIT_AS, 1, 1): operation not permitted" {
		t.Errorf("BeforeCode() = %v", err)
	}
	t.Setenv(childEnv, "bad")
	if err := BeforeCode(); err == nil {
		t.Error("BeforeCode() with a bad mark: nil")
	}
	os.Unsetenv(childEnv)
	if err := BeforeCode(); err != nil {
		t.Errorf("BeforeCode() outside a child = %v", err)
	}
	_ = errors.New
}

// FuzzParseChildEnv: any value parses or fails without a panic, and what
// parses is what childEnviron writes for the same configuration.
func FuzzParseChildEnv(f *testing.F) {
	f.Add("web cpu=10 as=2147483648 fsize=1048576 nofile=64")
	f.Add("local cpu=1 as=1 fsize=1 nofile=1")
	f.Add("web cpu=1 as=2 fsize=3")
	f.Add("refuse setrlimit")
	f.Add("web cpu=3600 as=9223372036854775807 fsize=9 nofile=9223372036854775807")
	f.Fuzz(func(t *testing.T, v string) {
		c, err := parseChildEnv(v)
		if err != nil {
			return
		}
		env := childEnviron(c.policy, Limits{CPU: time.Duration(c.cpu) * time.Second, AddressSpace: int64(c.as), FileSize: int64(c.fsize), OpenFiles: int(c.nofile)})
		again, err := parseChildEnv(strings.TrimPrefix(env[0], childEnv+"="))
		if err != nil || again != c {
			t.Errorf("%q parsed as %+v, written as %q, read back as %+v, %v", v, c, env[0], again, err)
		}
	})
}

// TestInheritedDescriptors: a descriptor the parent holds without
// close-on-exec (inherited from whoever started it) does not reach the
// child, where code could read it through the program's own text.
func TestInheritedDescriptors(t *testing.T) {
	noLeaks(t)
	const secret = "/etc/hostname"
	fd, err := syscall.Open(secret, syscall.O_RDONLY, 0) // no O_CLOEXEC
	if err != nil {
		t.Skipf("SKIP: %v", err)
	}
	defer syscall.Close(fd)
	res, err := Run(context.Background(), Job{Args: []string{"fds"}, Policy: Web})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != 0 || res.Died != "" {
		t.Fatalf("status %d, died %q", res.Status, res.Died)
	}
	for _, target := range strings.Split(strings.TrimSpace(string(res.Stdout)), "\n") {
		if target == secret {
			t.Errorf("the child has descriptor of %s open: %q", secret, res.Stdout)
		}
	}
}
