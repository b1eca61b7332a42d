//go:build linux

package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jitrun/jitrun/isolate"
)

// TestIsolateWebRefusals: the calls a web page's code could use to reach
// outside its process, made through Go's own text (the gadget of
// TestIsolateWeb), are refused: as a fault, or failing with ENOSYS or
// EACCES.
func TestIsolateWebRefusals(t *testing.T) {
	gadget := syscallGadget(t)
	const webAny = "the web policy refuses it from any address"
	const enosys, eacces = 38, 13
	for _, c := range []struct {
		name       string
		nr         int
		a1, a2, a3 string
		syscall    string // refused as a fault; else fails with errno
		errno      int64
	}{
		{name: "readlink", nr: 89, a1: "0", a2: "path", a3: "0", errno: eacces},
		{name: "openat2", nr: 437, a1: "-100", a2: "path", a3: "0", errno: eacces},
		{name: "name_to_handle_at", nr: 303, a1: "-100", a2: "path", a3: "0", syscall: "name_to_handle_at"},
		{name: "open_by_handle_at", nr: 304, a1: "0", a2: "0", a3: "0", syscall: "open_by_handle_at"},
		{name: "execveat", nr: 322, a1: "-100", a2: "path", a3: "0", syscall: "execveat"},
		{name: "io_uring_setup", nr: 425, a1: "8", a2: "0", a3: "0", syscall: "io_uring_setup"},
		{name: "memfd_create", nr: 319, a1: "0", a2: "path", a3: "0", syscall: "memfd_create"},
		{name: "ptrace", nr: 101, a1: "0", a2: "0", a3: "0", syscall: "ptrace"},
		{name: "process_vm_readv of init", nr: 310, a1: "1", a2: "0", a3: "0", syscall: "process_vm_readv"},
		{name: "userfaultfd", nr: 323, a1: "0", a2: "0", a3: "0", syscall: "userfaultfd"},
		{name: "bpf", nr: 321, a1: "0", a2: "0", a3: "0", syscall: "bpf"},
		{name: "perf_event_open", nr: 298, a1: "0", a2: "0", a3: "0", syscall: "perf_event_open"},
		{name: "mount", nr: 165, a1: "0", a2: "path", a3: "0", syscall: "mount"},
		{name: "unshare", nr: 272, a1: "0x10000000", a2: "0", a3: "0", syscall: "unshare"},
		{name: "setns", nr: 308, a1: "0", a2: "0", a3: "0", syscall: "setns"},
		{name: "prctl", nr: 157, a1: "1", a2: "9", a3: "0", syscall: "prctl"},
		{name: "personality", nr: 135, a1: "0x400000", a2: "0", a3: "0", syscall: "personality"},
		{name: "kill of the group", nr: 62, a1: "0", a2: "9", a3: "0", syscall: "kill"},
		{name: "kill of init", nr: 62, a1: "1", a2: "0", a3: "0", syscall: "kill"},
		{name: "tkill", nr: 200, a1: "1", a2: "9", a3: "0", syscall: "tkill"},
		{name: "rt_sigqueueinfo", nr: 129, a1: "1", a2: "9", a3: "0", syscall: "rt_sigqueueinfo"},
		{name: "pidfd_open", nr: 434, a1: "1", a2: "0", a3: "0", syscall: "pidfd_open"},
		{name: "setsid", nr: 112, a1: "0", a2: "0", a3: "0", errno: enosys},
		{name: "setpgid", nr: 109, a1: "0", a2: "0", a3: "0", errno: enosys},
		{name: "clone3", nr: 435, a1: "0", a2: "0", a3: "0", errno: enosys},
		{name: "clone of a thread in a new user namespace", nr: 56, a1: "0x10d0f00", a2: "0", a3: "0", syscall: "clone"},
		{name: "keyctl", nr: 250, a1: "0", a2: "0", a3: "0", syscall: "keyctl"},
		{name: "socketpair AF_UNIX", nr: 53, a1: "1", a2: "1", a3: "0", syscall: "socketpair"},
		{name: "ioctl TIOCSTI", nr: 16, a1: "0", a2: "0x5412", a3: "0", syscall: "ioctl"},
		{name: "fcntl F_SETOWN", nr: 72, a1: "1", a2: "8", a3: "1", syscall: "fcntl"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, doc := runIsolatedJSON(t, isolate.Web, isolate.Limits{}, gadgetSource(gadget, c.nr, c.a1, c.a2, c.a3))
			if c.syscall != "" {
				if res.Died != "" || res.Status != exitFault || doc.Fault == nil || doc.Fault.Syscall == nil ||
					doc.Fault.Syscall.Name != c.syscall || !strings.Contains(doc.Fault.Syscall.Reason, webAny) {
					t.Errorf("status %d, died %q, want %s refused: %s", res.Status, res.Died, c.syscall, res.Stdout)
				}
				return
			}
			if res.Died != "" || res.Status != 0 || doc.RAX == nil || *doc.RAX != -1 || *doc.RDX != c.errno {
				t.Errorf("status %d, died %q, want -1 and errno %d: %s", res.Status, res.Died, c.errno, res.Stdout)
			}
		})
	}
}

// TestIsolateWebStopped: code that stops its own process (SIGSTOP, which
// kill to itself allows) is killed at the wall-clock deadline all the same.
func TestIsolateWebStopped(t *testing.T) {
	gadget := syscallGadget(t)
	src := fmt.Sprintf(`TEXT ·stop(SB), NOSPLIT|NOFRAME, $0
	MOVQ $39, AX
	MOVQ $%#x, R11
	CALL R11
	MOVQ AX, BX
	MOVQ $62, AX
	MOVQ $19, CX
	XORL DI, DI
	XORL SI, SI
	XORL R8, R8
	XORL R9, R9
	MOVQ $%#x, R11
	CALL R11
	RET
`, gadget, gadget)
	res, _ := runIsolatedJSON(t, isolate.Web, isolate.Limits{Wall: time.Second}, src)
	if res.Status != exitTimeout || res.Died != "killed at the 1s wall-clock deadline" {
		t.Errorf("status %d, died %q: %s %s", res.Status, res.Died, res.Stdout, res.Stderr)
	}
}
