//go:build linux && amd64

package trampoline

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/jitrun/jitrun/internal/platform"
)

// Code that changes FS, and calls with PrivateTLS, for TestFSBaseBothWays.
var (
	fsUserDS    = sn("mov eax, 0x2b; mov fs, ax; ret", 0xb8, 0x2b, 0x00, 0x00, 0x00, 0x8e, 0xe0, 0xc3)
	fsNullBase  = sn("xor eax, eax; wrfsbase rax; ret", 0x31, 0xc0, 0xf3, 0x48, 0x0f, 0xae, 0xd0, 0xc3)
	fsSelector  = sn("mov eax, fs; ret", 0x8c, 0xe0, 0xc3)
	fsWriteRead = sn("mov qword ptr fs:[0x0], 0x7; mov rax, qword ptr fs:[0x0]; ret",
		0x64, 0x48, 0xc7, 0x04, 0x25, 0x00, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00,
		0x64, 0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x00, 0x00, 0xc3)
	fsReadUD2 = sn("mov rax, qword ptr fs:[0x0]; ud2", 0x64, 0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x00, 0x00, 0x0f, 0x0b)
)

// TestFSBaseBothWays checks both ways the trampoline and the handler set
// the FS base: RDFSBASE and WRFSBASE (useFSGSBASE, where the kernel lets
// user mode run them) and arch_prctl. For each, code that loads a
// selector into FS or zeroes the FS base, and calls with PrivateTLS that
// return, fault and time out under preemption signals, must end with the
// thread's FS base and selector as Go had them (read by arch_prctl and
// by code that returns the selector), the result the code made, and Go
// working.
func TestFSBaseBothWays(t *testing.T) {
	if err := setup(); err != nil {
		t.Fatal(err)
	}
	saved := useFSGSBASE
	t.Cleanup(func() { useFSGSBASE = saved })
	ways := []bool{false}
	if saved {
		ways = append(ways, true)
	} else {
		t.Log("SKIPPED LOUDLY in part: the kernel does not let user mode run WRFSBASE here; only the arch_prctl way is tested")
	}
	type fsCase struct {
		name    string
		code    snippet
		opt     Options
		check   func(Result, error) error
		needsFS bool // the code runs WRFSBASE itself
	}
	returned := func(rax uint64) func(Result, error) error {
		return func(r Result, err error) error {
			if err != nil || r.RAX != rax {
				return fmt.Errorf("want a return with RAX %#x, got RAX %#x, %v", rax, r.RAX, err)
			}
			return nil
		}
	}
	cases := []fsCase{
		{name: "user data selector", code: fsUserDS, check: returned(0x2b)},
		{name: "null FS base", code: fsNullBase, check: returned(0), needsFS: true},
		{name: "PrivateTLS write and read", code: fsWriteRead, opt: Options{PrivateTLS: true}, check: returned(7)},
		{name: "PrivateTLS user data selector", code: fsUserDS, opt: Options{PrivateTLS: true}, check: returned(0x2b)},
		{name: "PrivateTLS fault", code: fsReadUD2, opt: Options{PrivateTLS: true}, check: func(r Result, err error) error {
			var f *Fault
			if !errors.As(err, &f) || f.Signal != syscall.SIGILL {
				return fmt.Errorf("want SIGILL, got RAX %#x, %v", r.RAX, err)
			}
			return nil
		}},
		{name: "PrivateTLS timeout", code: codeLoop, opt: Options{PrivateTLS: true, Timeout: 30 * time.Millisecond}, check: func(r Result, err error) error {
			var it *Interrupted
			if !errors.As(err, &it) {
				return fmt.Errorf("want a timeout, got RAX %#x, %v", r.RAX, err)
			}
			return nil
		}},
	}
	sel := load(t, fsSelector)
	for _, fsgsbase := range ways {
		way := "arch_prctl"
		if fsgsbase {
			way = "wrfsbase"
		}
		for _, c := range cases {
			if c.needsFS && !saved {
				continue // the code's WRFSBASE would be SIGILL
			}
			t.Run(way+"/"+c.name, func(t *testing.T) {
				useFSGSBASE = fsgsbase
				runtime.LockOSThread() // the FS base read is the calls' thread's
				defer runtime.UnlockOSThread()
				before, err := platform.FSBase()
				if err != nil {
					t.Fatal(err)
				}
				blk := load(t, c.code)
				opt := c.opt
				opt.Code = blk
				var stop func()
				if c.opt.Timeout > 0 {
					stop = collectAlongside(time.Millisecond) // preemption signals while the code loops
				}
				r, err := Run(context.Background(), blk.Addr(), nil, &opt)
				if stop != nil {
					stop()
				}
				if err := c.check(r, err); err != nil {
					t.Error(err)
				}
				after, err := platform.FSBase()
				if err != nil {
					t.Fatal(err)
				}
				if after != before {
					t.Errorf("FS base %#x after the call, %#x before", after, before)
				}
				if r, err := Call(sel.Addr()); err != nil || uint16(r.RAX) != 0 {
					t.Errorf("FS selector %#x after the call (%v), want 0 (null)", uint16(r.RAX), err)
				}
				if h := goHealth(); h != "ok" {
					t.Errorf("Go after the call: %s", h)
				}
			})
		}
	}
}
