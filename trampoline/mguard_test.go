//go:build linux && amd64

package trampoline

import (
	"context"
	"errors"
	"runtime"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// Code without PrivateTLS that writes over its thread's M through FS:
// m.g0 (fs:-0x88), m.gsignal (fs:-0x40) and m.sigmask (fs:-0x10), and
// past curg m.p (fs:+0x48), m.nextp, m.oldp, m.mallocing and m.throwing
// (fs:+0x68), m.preemptoff (fs:+0x70, two words), m.locks (fs:+0x80) and
// m.profilehz (fs:+0x88), then returns,
// faults or runs into its timeout; the code that returns writes
// m.curg (fs:+0x30) too, just before its RET. Before the M guard, the
// next signal Go took on the thread (here a fault in Go itself, which
// readDirect recovers) read the garbage gsignal inside the handler and
// the kernel killed the process (random code, seed 1, blob 29,398 on:
// TestRandomCode). Only the returning code writes curg, and last: while
// code runs, the scheduler's sysmon thread reads the M's curg on every
// tick (Go 1.26's retake), and a fault takes the kernel microseconds to
// deliver, long enough for sysmon to find the garbage before the handler
// repairs it.
var (
	codeWriteMHeader = sn("mov rax, 0x1111; mov qword ptr fs:[-0x88], rax; mov qword ptr fs:[-0x40], rax; mov qword ptr fs:[-0x10], rax; "+
		"mov qword ptr fs:[0x48], rax; mov qword ptr fs:[0x50], rax; mov qword ptr fs:[0x58], rax; "+
		"mov qword ptr fs:[0x68], rax; mov qword ptr fs:[0x70], rax; mov qword ptr fs:[0x78], rax; "+
		"mov qword ptr fs:[0x80], rax; mov qword ptr fs:[0x88], rax",
		0x48, 0xc7, 0xc0, 0x11, 0x11, 0x00, 0x00,
		0x64, 0x48, 0x89, 0x04, 0x25, 0x78, 0xff, 0xff, 0xff,
		0x64, 0x48, 0x89, 0x04, 0x25, 0xc0, 0xff, 0xff, 0xff,
		0x64, 0x48, 0x89, 0x04, 0x25, 0xf0, 0xff, 0xff, 0xff,
		0x64, 0x48, 0x89, 0x04, 0x25, 0x48, 0x00, 0x00, 0x00,
		0x64, 0x48, 0x89, 0x04, 0x25, 0x50, 0x00, 0x00, 0x00,
		0x64, 0x48, 0x89, 0x04, 0x25, 0x58, 0x00, 0x00, 0x00,
		0x64, 0x48, 0x89, 0x04, 0x25, 0x68, 0x00, 0x00, 0x00,
		0x64, 0x48, 0x89, 0x04, 0x25, 0x70, 0x00, 0x00, 0x00,
		0x64, 0x48, 0x89, 0x04, 0x25, 0x78, 0x00, 0x00, 0x00,
		0x64, 0x48, 0x89, 0x04, 0x25, 0x80, 0x00, 0x00, 0x00,
		0x64, 0x48, 0x89, 0x04, 0x25, 0x88, 0x00, 0x00, 0x00)
	codeWriteCurg  = sn("mov qword ptr fs:[0x30], rax", 0x64, 0x48, 0x89, 0x04, 0x25, 0x30, 0x00, 0x00, 0x00)
	codeWriteMRet  = then(codeWriteMHeader, codeWriteCurg, codeRet)
	codeWriteMUD2  = then(codeWriteMHeader, codeUD2)
	codeWriteMLoop = then(codeWriteMHeader, codeLoop)
)

func init() {
	allSnippets["writem"] = codeWriteMRet
	allSnippets["writemud2"] = codeWriteMUD2
	allSnippets["writemloop"] = codeWriteMLoop
}

func TestCodeWritesItsM(t *testing.T) {
	if err := setup(); err != nil {
		t.Fatal(err)
	}
	if !guardM {
		t.Skip("SKIPPED LOUDLY: this runtime's M layout is not the one the guard knows (mLayoutOK false): code that writes its M through FS is not undone")
	}
	for _, c := range []struct {
		name string
		code snippet
		want func(error) bool
	}{
		{"return", codeWriteMRet, func(err error) bool { return err == nil }},
		{"fault", codeWriteMUD2, func(err error) bool {
			var f *Fault
			return errors.As(err, &f) && f.Signal == syscall.SIGILL
		}},
		{"timeout", codeWriteMLoop, func(err error) bool {
			var it *Interrupted
			return errors.As(err, &it)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			code := load(t, c.code)
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			m := getm()
			offsets := []uintptr{0, mProcidOffset + 8, mTLSOffset - 8, mCurgOffset,
				mPOffset, mNextpOffset, mOldpOffset, mMallocingOffset, mPreemptoffOffset, mPreemptoffOffset + 8,
				mLocksOffset, mProfilehzOffset}
			want := make([]uintptr, len(offsets))
			for i, off := range offsets {
				want[i] = mWord(m, off)
			}
			_, err := Run(context.Background(), code.Addr(), nil, &Options{Code: code, Timeout: 20 * time.Millisecond})
			if !c.want(err) {
				t.Errorf("the call ended with %v", err)
			}
			for i, off := range offsets {
				got := mWord(m, off)
				if off == mPOffset || off == mOldpOffset {
					// The scheduler may have given the M another P
					// while the call was parked (the timeout's loop
					// runs long enough for the collector to stop it),
					// and a system call leaves its P in oldp: not the
					// code's value is all that can be asked.
					if got == 0x1111 {
						t.Errorf("M word at %#x: %#x after the call, the code's", off, got)
					}
					continue
				}
				if got != want[i] {
					t.Errorf("M word at %#x: %#x after the call, want %#x", off, got, want[i])
					// Put it back, or the next signal kills the test binary.
					a := m + off
					*(*uintptr)(*(*unsafe.Pointer)(unsafe.Pointer(&a))) = want[i]
				}
			}
			if !pOK(m, func(a uintptr) uintptr { return mWord(m, a-m) }) {
				t.Errorf("m.p is not the P the goroutine runs on")
			}
			// A signal Go's own handler takes on this thread: a fault
			// in Go, recovered.
			var buf [4]byte
			if n := readDirect(8, buf[:]); n != 0 {
				t.Errorf("readDirect(8) = %d bytes", n)
			}
			runtime.GC()
		})
	}
}
