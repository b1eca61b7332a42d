//go:build linux

package isolate

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jitrun/jitrun/internal/platform"
)

// This test binary is its own isolated child: TestMain hands the child's
// arguments to helperMain, a stand-in for jitrun that misbehaves on
// request, so that these tests see the isolation without jitrun.
func TestMain(m *testing.M) {
	Child()
	if IsChild() {
		os.Exit(helperMain(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// helperMain does what args[0] names and returns the exit status.
func helperMain(args []string) int {
	switch args[0] {
	case "print": // print TEXT [STATUS]
		fmt.Print(args[1])
		if len(args) > 2 {
			n, _ := strconv.Atoi(args[2])
			return n
		}
	case "stderr":
		fmt.Fprint(os.Stderr, args[1])
	case "cat": // standard input to standard output
		io.Copy(os.Stdout, os.Stdin)
	case "flood": // N MiB to standard output
		n, _ := strconv.Atoi(args[1])
		buf := make([]byte, 1<<20)
		for range n {
			os.Stdout.Write(buf)
		}
	case "sleep":
		time.Sleep(time.Hour)
	case "spin":
		for {
		}
	case "mmap": // map N GiB
		n, _ := strconv.Atoi(args[1])
		_, err := syscall.Mmap(-1, 0, n<<30, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
		fmt.Print(err)
	case "alloc": // a Go allocation of N GiB
		n, _ := strconv.Atoi(args[1])
		b := make([]byte, n<<30)
		fmt.Print(len(b))
	case "write": // a file of N bytes
		n, _ := strconv.Atoi(args[1])
		fmt.Print(os.WriteFile("f", make([]byte, n), 0o600))
	case "files": // open until it fails
		var n int
		var err error
		for n = 0; n < 1000 && err == nil; n++ {
			_, err = os.Open(".")
		}
		fmt.Print(errors.Unwrap(err))
	case "scribble": // the crash descriptor's copy gets bytes, then exit 0
		for fd := 4; fd < 300; fd++ {
			if platform.IsPipe(fd) && fd != 1 && fd != 2 {
				syscall.Write(fd, []byte("not a crash\n"))
			}
		}
	case "panic":
		panic("boom")
	case "sigkill":
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		time.Sleep(time.Hour)
	case "fds": // the files the child's descriptors name, one a line
		ents, _ := os.ReadDir("/proc/self/fd")
		for _, e := range ents {
			target, _ := os.Readlink("/proc/self/fd/" + e.Name())
			fmt.Println(target)
		}
	case "state": // what the child was given
		return helperState()
	case "web": // the web filter, then an open
		if err := BeforeCode(); err != nil {
			fmt.Print(err)
			return 1
		}
		_, err := os.Open("/etc/hostname")
		fmt.Print(errors.Unwrap(err))
	case "orphan": // a grandchild in the group, then exit
		exe, _ := os.Executable()
		p, err := os.StartProcess(exe, []string{exe, "sleep"}, &os.ProcAttr{Env: os.Environ()})
		if err != nil {
			fmt.Print(err)
			return 1
		}
		fmt.Print(p.Pid)
	}
	return 0
}

// helperState prints the child's limits and surroundings, one per line.
func helperState() int {
	var b strings.Builder
	for _, r := range []struct {
		name string
		res  int
	}{{"cpu", platform.RlimitCPU}, {"as", platform.RlimitAS}, {"fsize", platform.RlimitFSize}, {"nofile", platform.RlimitNoFile}, {"core", platform.RlimitCore}} {
		soft, hard, _ := platform.Rlimit(r.res)
		fmt.Fprintf(&b, "%s %d %d\n", r.name, soft, hard)
	}
	nnp, _ := platform.NoNewPrivs()
	fmt.Fprintf(&b, "no_new_privs %v\n", nnp)
	fmt.Fprintf(&b, "own group %v\n", syscall.Getpgrp() == os.Getpid())
	env := os.Environ()
	for i, kv := range env {
		env[i], _, _ = strings.Cut(kv, "=")
	}
	fmt.Fprintf(&b, "env %s\n", strings.Join(env, " "))
	for fd := range 3 {
		target, _ := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", fd))
		kind, _, _ := strings.Cut(target, ":")
		fmt.Fprintf(&b, "fd %d %s\n", fd, strings.TrimPrefix(kind, filepathDir(kind)))
	}
	names, _ := os.ReadDir(".")
	for _, n := range names {
		data, _ := os.ReadFile(n.Name())
		fmt.Fprintf(&b, "file %s %q\n", n.Name(), data)
	}
	wd, _ := os.Getwd()
	fmt.Fprintf(&b, "private dir %v\n", strings.HasPrefix(wd, os.TempDir()+"/jitrun-isolate-"))
	os.Stdout.WriteString(b.String())
	return 0
}

// openFDs counts this process's descriptors.
func openFDs(t *testing.T) int {
	t.Helper()
	n, err := platform.OpenFDs()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// noLeaks checks, at the end of t, that the descriptors are back to
// their count now and that no child is a zombie.
func noLeaks(t *testing.T) {
	before := openFDs(t)
	t.Cleanup(func() {
		if after := openFDs(t); after != before {
			t.Errorf("%d descriptors open before, %d after", before, after)
		}
		if z, err := platform.ZombieChildren(); err != nil || len(z) > 0 {
			t.Errorf("zombie children %v (%v)", z, err)
		}
	})
}

// filepathDir is the directory part of a path, with its slash.
func filepathDir(p string) string {
	return p[:strings.LastIndexByte(p, '/')+1]
}
