//go:build linux && amd64

package trampoline

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"github.com/jitrun/jitrun/execmem"
)

// faultCase is one class of fault: the code, how to call it, and the exact
// signature FACTS.md lists for it on this machine.
type faultCase struct {
	name  string
	code  snippet
	setup func(t *testing.T, blk *execmem.Block) (args Args, opt Options, addr uintptr, pc uintptr)
	// want
	signal    syscall.Signal
	codeName  string
	trap      int
	errorCode uint64 // page-fault error code (only for trap 14)
	pcOffset  int    // PC - block start, when pc from setup is 0; -1: PC outside the block
	overflow  bool
	words     string // in Fault.Error()
}

func faultCases() []faultCase {
	return []faultCase{
		{name: "write to code", code: codeWriteCode,
			setup: func(t *testing.T, blk *execmem.Block) (Args, Options, uintptr, uintptr) {
				return Args{}, Options{}, blk.Addr() + 7, 0
			},
			signal: syscall.SIGSEGV, codeName: "SEGV_ACCERR", trap: 14, errorCode: 0x7, pcOffset: 7,
			words: "write to a page without write permission"},
		{name: "execute from data (NX)", code: codeCallRDI,
			setup: func(t *testing.T, blk *execmem.Block) (Args, Options, uintptr, uintptr) {
				data := heapRet()
				a := uintptr(unsafe.Pointer(&data[0]))
				return Args{Int: [6]uint64{uint64(a)}}, Options{}, a, a
			},
			signal: syscall.SIGSEGV, codeName: "SEGV_ACCERR", trap: 14, errorCode: 0x15, pcOffset: -1,
			words: "instruction fetch from a non-executable page (NX)"},
		{name: "execute from the stack", code: codeExecStack,
			setup: func(t *testing.T, blk *execmem.Block) (Args, Options, uintptr, uintptr) {
				return Args{}, Options{}, 0, 0 // checked below: addr == pc, on the call's stack
			},
			signal: syscall.SIGSEGV, codeName: "SEGV_ACCERR", trap: 14, errorCode: 0x15, pcOffset: -1,
			words: "instruction fetch from a non-executable page (NX)"},
		{name: "UD2", code: codeUD2,
			signal: syscall.SIGILL, codeName: "ILL_ILLOPN", trap: 6, pcOffset: 0, words: "illegal instruction"},
		{name: "INT3", code: codeINT3,
			signal: syscall.SIGTRAP, codeName: "SI_KERNEL", trap: 3, pcOffset: 1, words: "breakpoint (INT3)"},
		{name: "divide by zero", code: codeDiv0,
			signal: syscall.SIGFPE, codeName: "FPE_INTDIV", trap: 0, pcOffset: 9, words: "integer divide error"},
		{name: "NULL load", code: codeNull,
			setup: func(t *testing.T, blk *execmem.Block) (Args, Options, uintptr, uintptr) {
				return Args{}, Options{}, 0, 0
			},
			signal: syscall.SIGSEGV, codeName: "SEGV_MAPERR", trap: 14, errorCode: 0x4, pcOffset: 2,
			words: "read from an unmapped address at 0x0"},
		{name: "unmapped load", code: codeLoad,
			setup: func(t *testing.T, blk *execmem.Block) (Args, Options, uintptr, uintptr) {
				m, err := execmem.Map(1, execmem.MapOptions{Prot: execmem.ProtRW})
				if err != nil {
					t.Fatal(err)
				}
				a := m.Addr()
				m.Close()
				return Args{Int: [6]uint64{uint64(a)}}, Options{}, a, 0
			},
			signal: syscall.SIGSEGV, codeName: "SEGV_MAPERR", trap: 14, errorCode: 0x4, pcOffset: 0,
			words: "read from an unmapped address at"},
		{name: "stack overflow into the guard page", code: codePushes,
			setup: func(t *testing.T, blk *execmem.Block) (Args, Options, uintptr, uintptr) {
				return Args{}, Options{StackSize: 16 << 10}, 0, 0 // checked below: in the guard page
			},
			signal: syscall.SIGSEGV, codeName: "SEGV_ACCERR", trap: 14, errorCode: 0x6, pcOffset: 0, overflow: true,
			words: "stack overflow into the guard region below the stack"},
		{name: "privileged instruction", code: codeHLT,
			signal: syscall.SIGSEGV, codeName: "SI_KERNEL", trap: 13, pcOffset: 0, words: "general protection fault"},
		{name: "misaligned MOVAPS", code: codeMovaps,
			signal: syscall.SIGSEGV, codeName: "SI_KERNEL", trap: 13, pcOffset: 0, words: "general protection fault"},
		{name: "misaligned load with AC", code: codeACLoad,
			signal: syscall.SIGBUS, codeName: "BUS_ADRALN", trap: 17, pcOffset: 9,
			words: "misaligned access with alignment checking on (EFLAGS.AC)"},
		{name: "file mapping past EOF", code: codeLoad,
			setup: func(t *testing.T, blk *execmem.Block) (Args, Options, uintptr, uintptr) {
				ps := execmem.PageSize()
				f, err := os.Create(filepath.Join(t.TempDir(), "short"))
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				if err := f.Truncate(int64(ps)); err != nil {
					t.Fatal(err)
				}
				m, err := execmem.Map(2*ps, execmem.MapOptions{Prot: execmem.ProtRead, File: f})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { m.Close() })
				a := m.Addr() + uintptr(ps) + 8
				return Args{Int: [6]uint64{uint64(a)}}, Options{}, a, 0
			},
			signal: syscall.SIGBUS, codeName: "BUS_ADRERR", trap: 14, errorCode: 0x4, pcOffset: 0,
			words: "access past the end of the mapped file"},
	}
}

// heapRet returns a RET in ordinary Go heap memory (read+write, no exec).
func heapRet() []byte {
	b := make([]byte, 64)
	for i := range b {
		b[i] = 0xc3
	}
	return b
}

func TestFaults(t *testing.T) {
	for _, tc := range faultCases() {
		t.Run(tc.name, func(t *testing.T) {
			blk := load(t, tc.code)
			var args Args
			var opt Options
			var wantAddr, wantPC uintptr
			if tc.setup != nil {
				args, opt, wantAddr, wantPC = tc.setup(t, blk)
			}
			if wantPC == 0 && tc.pcOffset >= 0 {
				wantPC = blk.Addr() + uintptr(tc.pcOffset)
			}
			opt.Code = blk
			var regs Regs
			opt.Regs = &regs
			_, err := Run(context.Background(), blk.Addr(), &args, &opt)
			var f *Fault
			if !errors.As(err, &f) {
				t.Fatalf("err = %v, want a *Fault", err)
			}
			if f.Signal != tc.signal || f.CodeName() != tc.codeName || f.Trap != tc.trap {
				t.Errorf("got %s %s trap %d, want %s %s trap %d", f.SignalName(), f.CodeName(), f.Trap,
					SignalName(tc.signal), tc.codeName, tc.trap)
			}
			if tc.trap == 14 {
				pf, ok := f.PageFault()
				if !ok || uint64(pf) != tc.errorCode {
					t.Errorf("page-fault error code %v, want %#x", pf, tc.errorCode)
				}
			}
			if wantPC != 0 && f.PC != wantPC {
				t.Errorf("PC %#x, want %#x", f.PC, wantPC)
			}
			off, in := f.Offset()
			if tc.pcOffset >= 0 && (!in || off != uintptr(tc.pcOffset)) {
				t.Errorf("Offset() = %#x, %v; want %#x, true", off, in, tc.pcOffset)
			}
			if tc.pcOffset < 0 && in {
				t.Errorf("Offset() = %#x, true; want the PC outside the code", off)
			}
			switch tc.name {
			case "execute from the stack":
				if f.Addr != f.PC || f.Addr < f.GuardLow[1] || f.Addr >= f.GuardHigh[0] {
					t.Errorf("addr %#x pc %#x, want both on the call's stack [%#x, %#x)", f.Addr, f.PC, f.GuardLow[1], f.GuardHigh[0])
				}
			case "stack overflow into the guard page":
				if f.Addr < f.GuardLow[0] || f.Addr >= f.GuardLow[1] {
					t.Errorf("addr %#x, want in the guard page [%#x, %#x)", f.Addr, f.GuardLow[0], f.GuardLow[1])
				}
			default:
				if tc.trap == 14 && f.Addr != wantAddr {
					t.Errorf("addr %#x, want %#x", f.Addr, wantAddr)
				}
			}
			if f.StackOverflow() != tc.overflow {
				t.Errorf("StackOverflow() = %v, want %v", f.StackOverflow(), tc.overflow)
			}
			if regs.RIP != uint64(f.PC) || !f.Regs.Equal(&regs) {
				t.Errorf("Options.Regs (rip %#x) and Fault.Regs (rip %#x) differ from the fault's PC %#x", regs.RIP, f.Regs.RIP, f.PC)
			}
			msg := f.Error()
			prefix := SignalName(tc.signal) + " (" + tc.codeName + ") at pc "
			if !strings.HasPrefix(msg, prefix) || !strings.Contains(msg, tc.words) || strings.Contains(msg, "\n") {
				t.Errorf("Error() = %q, want one line starting %q containing %q", msg, prefix, tc.words)
			}
			// The thread and the package still work afterwards.
			if r, err := Call(load(t, codeAdd).Addr(), 40, 2); err != nil || r.RAX != 42 {
				t.Errorf("Call after the fault = %d, %v", r.RAX, err)
			}
		})
	}
}

// A fault in Go code, on any goroutine, still reaches Go's own handler.
func TestGoFaultStillPanics(t *testing.T) {
	if _, err := Call(load(t, codeRet).Addr()); err != nil { // handler installed
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		func() {
			defer func() {
				r := recover()
				re, ok := r.(interface{ RuntimeError() })
				if !ok || re == nil || !strings.Contains(r.(error).Error(), "nil pointer dereference") {
					t.Errorf("recover() = %v, want a nil-dereference runtime error", r)
				}
			}()
			var p *int
			_ = *p
		}()
	}
}

func TestFaultPageFaultCodeString(t *testing.T) {
	for _, tc := range []struct {
		code PageFaultCode
		want string
	}{
		{0x15, "0x15 (present, read, user, instruction fetch)"},
		{0x7, "0x7 (present, write, user)"},
		{0x6, "0x6 (not present, write, user)"},
		{0x4, "0x4 (not present, read, user)"},
		{0x24, "0x24 (not present, read, user, protection key)"},
		{0x4f, "0x4f (present, write, user, reserved bit, shadow stack)"},
	} {
		if got := tc.code.String(); got != tc.want {
			t.Errorf("%#x: %q, want %q", uint64(tc.code), got, tc.want)
		}
	}
}

func TestNames(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{CodeName(syscall.SIGSEGV, 2), "SEGV_ACCERR"},
		{CodeName(syscall.SIGBUS, 1), "BUS_ADRALN"},
		{CodeName(syscall.SIGILL, 2), "ILL_ILLOPN"},
		{CodeName(syscall.SIGFPE, 1), "FPE_INTDIV"},
		{CodeName(syscall.SIGTRAP, 128), "SI_KERNEL"},
		{CodeName(syscall.SIGSEGV, 99), "code 99"},
		{SignalName(syscall.SIGBUS), "SIGBUS"},
		{SignalName(syscall.Signal(40)), "signal 40"},
		{TrapName(14), "#PF"},
		{TrapName(13), "#GP"},
		{TrapName(9), "trap 9"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

// Code that overwrites the trampoline's word above its return address is
// reported as a fault with BadReturn, not followed into corrupt memory.
func TestBadReturn(t *testing.T) {
	for _, s := range []snippet{codeSmashNull, codeSmashRSP} {
		_, err := Call(load(t, s).Addr())
		var f *Fault
		if !errors.As(err, &f) || !f.BadReturn || !strings.Contains(f.Error(), "returned after overwriting the word above its return address") {
			t.Errorf("%s: %v, want a BadReturn fault", s.asm[0], err)
		}
		if r, err := Call(load(t, codeAdd).Addr(), 1, 2); err != nil || r.RAX != 3 {
			t.Errorf("after: %d, %v", r.RAX, err)
		}
	}
}

// Code may overwrite the word above the trampoline's (the epilogue's copy
// of Go's RSP, checked against the frame's): the call returns as usual,
// through Call and through a Caller, and so do the calls after it.
func TestOverwriteAboveFrameWord(t *testing.T) {
	c, err := NewCaller(0)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	add := load(t, codeAdd)
	for _, s := range []snippet{codeAbove0, codeAboveRSP} {
		code := load(t, s)
		for _, call := range []func(uintptr, ...uint64) (Result, error){Call, c.Call} {
			for i := range 3 {
				if r, err := call(code.Addr(), 40, uint64(i)); err != nil || r.RAX != 40+uint64(i) {
					t.Errorf("%s: %d, %v; want %d", s.asm[0], r.RAX, err, 40+i)
				}
				if r, err := call(add.Addr(), 1, 2); err != nil || r.RAX != 3 {
					t.Errorf("after %s: %d, %v", s.asm[0], r.RAX, err)
				}
			}
		}
	}
}

// A call the CPU refuses — a non-canonical entry — is a fault of the call
// itself, not a corrupt return: Intel raises the #GP on the trampoline's
// CALL (RSP still at the top of the call's stack), AMD at the target
// (after the CALL pushed its return address). Either way the Fault says
// AtCall, its PC is the entry, and nothing ran. A page fault on the fetch
// is the target's, on both vendors. A non-canonical CALL inside the code
// is the code's own #GP.
func TestCallFaults(t *testing.T) {
	callRDI := load(t, codeCallRDI)
	for _, tc := range []struct {
		name        string
		addr        uintptr
		args        []uint64
		trap        int
		pc          uintptr
		atCall      bool
		words       string
		codeFaultPC uintptr // for the code's own CALL: Intel's PC (AMD's is the target)
	}{
		{name: "non-canonical entry", addr: 0x8000000000000000, trap: 13, pc: 0x8000000000000000, atCall: true,
			words: "call to a non-canonical address 0x8000000000000000 (the CPU refused the call; nothing ran)"},
		{name: "non-canonical entry, high half", addr: 0xffff7fffffff0000, trap: 13, pc: 0xffff7fffffff0000, atCall: true,
			words: "call to a non-canonical address 0xffff7fffffff0000"},
		{name: "unmapped entry", addr: 0x1000, trap: 14, pc: 0x1000, words: "instruction fetch from an unmapped address at 0x1000"},
		{name: "the code's own CALL to a non-canonical address", addr: callRDI.Addr(), args: []uint64{0x8000000000000000},
			trap: 13, pc: 0x8000000000000000, codeFaultPC: callRDI.Addr(), words: "general protection fault"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Call(tc.addr, tc.args...)
			var f *Fault
			if !errors.As(err, &f) {
				t.Fatalf("err = %v, want a *Fault", err)
			}
			pcOK := f.PC == tc.pc || (tc.codeFaultPC != 0 && f.PC == tc.codeFaultPC)
			if f.Signal != syscall.SIGSEGV || f.Trap != tc.trap || !pcOK || f.AtCall != tc.atCall || f.BadReturn || f.Entry != tc.addr {
				t.Errorf("got %s trap %d pc %#x AtCall %v BadReturn %v entry %#x; want SIGSEGV trap %d pc %#x AtCall %v",
					f.SignalName(), f.Trap, f.PC, f.AtCall, f.BadReturn, f.Entry, tc.trap, tc.pc, tc.atCall)
			}
			if !strings.Contains(f.Error(), tc.words) {
				t.Errorf("Error() = %q, want it to contain %q", f.Error(), tc.words)
			}
			if tc.atCall {
				// RSP is where the CALL left it: untouched (Intel) or
				// with the return address pushed (AMD).
				top := f.GuardHigh[0] - 16
				if rsp := uintptr(f.Regs.GPR[RSP]); rsp != top && rsp != top-8 {
					t.Errorf("RSP at the fault %#x, want %#x or %#x", rsp, top, top-8)
				}
				if rip := uintptr(f.Regs.RIP); rip != tramp.callSite && rip != tc.addr {
					t.Errorf("Regs.RIP %#x, want the trampoline's call site %#x or the entry", rip, tramp.callSite)
				}
			}
			if r, err := Call(load(t, codeAdd).Addr(), 40, 2); err != nil || r.RAX != 42 {
				t.Errorf("Call after the fault = %d, %v", r.RAX, err)
			}
		})
	}
}

// TestDescribeMeaning holds the fault table's two forms together: Describe
// is Meaning with the address for the rows that name one, and a Fault's
// Meaning is its Description without the address.
func TestDescribeMeaning(t *testing.T) {
	const addr = 0x7f3a2c001000
	for _, tc := range []struct {
		sig       syscall.Signal
		code      int
		trap      int
		errorCode uint64
		describe  string
	}{
		{syscall.SIGSEGV, 2, 14, 0x7, "write to a page without write permission at 0x7f3a2c001000"},
		{syscall.SIGSEGV, 1, 14, 0x14, "instruction fetch from an unmapped address at 0x7f3a2c001000"},
		{syscall.SIGSEGV, 0x80, 13, 0, "general protection fault (a privileged instruction, a non-canonical address or a misaligned SSE operand)"},
		{syscall.SIGILL, 2, 6, 0, "illegal instruction (#UD)"},
		{syscall.Signal(40), 0, 0, 0, "signal signal 40"},
	} {
		got := Describe(tc.sig, tc.code, tc.trap, tc.errorCode, addr)
		meaning := Meaning(tc.sig, tc.code, tc.trap, tc.errorCode)
		if got != tc.describe || got != meaning && got != meaning+" at 0x7f3a2c001000" {
			t.Errorf("%v code %d trap %d: Describe %q, Meaning %q; want Describe %q", tc.sig, tc.code, tc.trap, got, meaning, tc.describe)
		}
	}
	f := &Fault{Signal: syscall.SIGSEGV, Code: 2, Trap: 14, ErrorCode: 0x6, Addr: 0x1000, GuardLow: [2]uintptr{0x1000, 0x2000}}
	if d, m := f.Description(), f.Meaning(); d != "stack overflow into the guard region below the stack at 0x1000" || m != "stack overflow into the guard region below the stack" {
		t.Errorf("guard fault: Description %q, Meaning %q", d, m)
	}
	f = &Fault{Signal: syscall.SIGTRAP, Code: 0x80, Trap: 3, Addr: 0x1000}
	if d, m := f.Description(), f.Meaning(); d != "breakpoint (INT3); pc is just after it" || m != d {
		t.Errorf("breakpoint: Description %q, Meaning %q (a row without an address)", d, m)
	}
}
