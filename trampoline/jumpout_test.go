//go:build linux && amd64

package trampoline

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"testing"
	"time"

	"github.com/jitrun/jitrun/internal/platform"
)

// Code for TestRecoveryBothWays: a fault with the code's own MXCSR,
// x87 control word and XMM0 in place (they must be in the *Fault, and Go's
// back afterwards).
var jumpOutState = sn("mov eax, 0x7f80; push rax; ldmxcsr dword ptr [rsp]; mov word ptr [rsp], 0x7f; fldcw word ptr [rsp]; pop rax; pcmpeqd xmm0, xmm0; ud2",
	0xb8, 0x80, 0x7f, 0x00, 0x00, 0x50, 0x0f, 0xae, 0x14, 0x24, 0x66, 0xc7, 0x04, 0x24, 0x7f, 0x00, 0xd9, 0x2c, 0x24, 0x58,
	0x66, 0x0f, 0x76, 0xc0, 0x0f, 0x0b)

func init() { allSnippets["jumpout/state"] = jumpOutState }

// TestRecoveryBothWays checks both ways the handler returns to Go after a
// fault or a timeout: by jumping there (jumpOut, the default) and through
// rt_sigreturn (bySigreturn). Each case must give the same *Fault or
// *Interrupted both ways, leave the thread's signal mask as it was before
// the call (recoverOut puts back what the handler's mask replaced), and
// leave Go's FPU control state.
func TestRecoveryBothWays(t *testing.T) {
	if err := setup(); err != nil {
		t.Fatal(err)
	}
	saved := bySigreturn
	t.Cleanup(func() { bySigreturn = saved })
	cases := []struct {
		name string
		code snippet
		opt  *Options
	}{
		{"SIGSEGV", codeNull, nil},
		{"SIGILL", codeUD2, nil},
		{"SIGTRAP", codeINT3, nil},
		{"SIGFPE", codeDiv0, nil},
		{"SIGBUS", codeACLoad, nil},
		{"state", jumpOutState, &Options{Regs: &Regs{}}},
		{"PrivateTLS", fsReadUD2, &Options{PrivateTLS: true}},
		{"timeout", codeLoop, &Options{Timeout: 20 * time.Millisecond}},
	}
	type outcome struct {
		fault *Fault
		intr  *Interrupted
	}
	run := func(tc int) (outcome, error) {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		before, err := platform.SignalMask()
		if err != nil {
			return outcome{}, err
		}
		blk := load(t, cases[tc].code)
		_, callErr := Run(context.Background(), blk.Addr(), nil, cases[tc].opt)
		after, err := platform.SignalMask()
		if err != nil {
			return outcome{}, err
		}
		if after != before {
			return outcome{}, fmt.Errorf("signal mask %#x after the call, %#x before", after, before)
		}
		if mxcsr, fcw := fpuControl(); mxcsr&^0x3f != GoMXCSR || fcw != GoX87CW {
			return outcome{}, fmt.Errorf("Go's MXCSR %#x and x87 control word %#x after the call", mxcsr, fcw)
		}
		var o outcome
		if !errors.As(callErr, &o.fault) && !errors.As(callErr, &o.intr) {
			return outcome{}, fmt.Errorf("want a *Fault or an *Interrupted, got %v", callErr)
		}
		if o.fault != nil {
			o.fault.Entry, o.fault.EntryRSP, o.fault.GuardLow, o.fault.GuardHigh = 0, 0, [2]uintptr{}, [2]uintptr{}
			o.fault.CodeBase, o.fault.PC, o.fault.Text, o.fault.text = 0, o.fault.PC-blk.Addr(), nil, [len(o.fault.text)]byte{}
			o.fault.Regs.GPR[RSP], o.fault.Regs.RIP = 0, 0
			if a := o.fault.Addr; a >= blk.Addr() && a < blk.Addr()+uintptr(blk.Len()) {
				o.fault.Addr -= blk.Addr() // SIGILL, SIGFPE: the instruction's
			}
			// The sticky exception flags are what Go's float code left on
			// the thread before the call, which either way ends with Go's
			// MXCSR without them: the first call sees them, the next not.
			o.fault.Regs.MXCSR &^= 0x3f
		}
		if o.intr != nil {
			o.intr.CodeBase, o.intr.PC, o.intr.Regs = 0, 0, Regs{}
		}
		return o, nil
	}
	for tc := range cases {
		t.Run(cases[tc].name, func(t *testing.T) {
			var got [2]outcome
			for i, way := range []bool{false, true} {
				bySigreturn = way
				o, err := run(tc)
				if err != nil {
					t.Fatalf("bySigreturn %v: %v", way, err)
				}
				got[i] = o
			}
			bySigreturn = saved
			if d := differences(reflect.ValueOf(got[0]), reflect.ValueOf(got[1]), "outcome"); d != nil {
				t.Errorf("jumping out and rt_sigreturn differ in %v", d)
			}
			if f := got[0].fault; cases[tc].name == "state" && f != nil && (f.Regs.MXCSR != 0x7f80 || f.Regs.X87CW != 0x7f || f.Regs.XMM[0] != (XMM{^uint64(0), ^uint64(0)})) {
				t.Errorf("the fault's MXCSR %#x, x87 control word %#x, XMM0 %#x: want the code's 0x7f80, 0x7f, all ones", f.Regs.MXCSR, f.Regs.X87CW, f.Regs.XMM[0])
			}
		})
	}
}

// TestRecoveryAutoDisarm gives the thread's signal stack SS_AUTODISARM:
// the kernel disarms it while the handler runs, and only rt_sigreturn
// arms it again, so the handler must not jump out. After a fault the
// stack must be armed again.
func TestRecoveryAutoDisarm(t *testing.T) {
	if err := setup(); err != nil {
		t.Fatal(err)
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	ss, err := platform.GetSigStack()
	if err != nil || ss.Flags&platform.SSDisable != 0 {
		t.Fatalf("the thread's signal stack: %+v, %v", ss, err)
	}
	armed := ss
	armed.Flags |= platform.SSAutoDisarm
	if err := platform.SetSigStack(armed); err != nil {
		t.Skipf("SKIP: sigaltstack does not take SS_AUTODISARM here (before Linux 4.7?): %v", err)
	}
	blk := load(t, codeNull)
	for range 3 {
		_, callErr := Call(blk.Addr())
		now, err := platform.GetSigStack()
		if now.SP != ss.SP || now.Flags&platform.SSDisable != 0 {
			platform.SetSigStack(ss) // before Go's handler can need it
			t.Fatalf("the signal stack after a fault: %+v, %v; want %+v", now, err, armed)
		}
		var f *Fault
		if !errors.As(callErr, &f) || f.Signal.String() != "segmentation fault" {
			t.Fatalf("want a SIGSEGV, got %v", callErr)
		}
	}
	if err := platform.SetSigStack(ss); err != nil {
		t.Fatal(err)
	}
}

// Code for TestRecoveryPKRU: read PKRU, write it, and fault after
// flipping the access-disable bit of protection key 1 (no memory of Go's
// has key 1). x86asm decodes neither RDPKRU nor WRPKRU, so these are not
// in allSnippets; GNU as encodes them so.
var (
	pkruRead  = sn("xor ecx, ecx; rdpkru; ret", 0x31, 0xc9, 0x0f, 0x01, 0xee, 0xc3)
	pkruWrite = sn("mov eax, edi; xor ecx, ecx; xor edx, edx; wrpkru; ret", 0x89, 0xf8, 0x31, 0xc9, 0x31, 0xd2, 0x0f, 0x01, 0xef, 0xc3)
	pkruFlip  = sn("xor ecx, ecx; rdpkru; xor eax, 0x4; xor edx, edx; wrpkru; ud2",
		0x31, 0xc9, 0x0f, 0x01, 0xee, 0x83, 0xf0, 0x04, 0x31, 0xd2, 0x0f, 0x01, 0xef, 0x0f, 0x0b)
)

// TestRecoveryPKRU checks that a fault after the code changed PKRU
// leaves the PKRU the code set, as rt_sigreturn restores it, both ways:
// the handler must not jump out then (it would leave the kernel's default).
func TestRecoveryPKRU(t *testing.T) {
	if err := setup(); err != nil {
		t.Fatal(err)
	}
	if pkruOffset == 0 {
		t.Skip("SKIP: the OS has not enabled protection keys here (no ospke in /proc/cpuinfo): the handler never compares PKRU")
	}
	saved := bySigreturn
	t.Cleanup(func() { bySigreturn = saved })
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	read, write, flip := load(t, pkruRead), load(t, pkruWrite), load(t, pkruFlip)
	r, err := Call(read.Addr())
	if err != nil {
		t.Fatal(err)
	}
	p0 := uint32(r.RAX)
	for _, way := range []bool{false, true} {
		bySigreturn = way
		if _, err := Call(flip.Addr()); err == nil {
			t.Fatal("no fault")
		}
		r, err := Call(read.Addr())
		if _, werr := Call(write.Addr(), uint64(p0)); werr != nil || err != nil {
			t.Fatalf("%v, %v", err, werr)
		}
		if got := uint32(r.RAX); got != p0^4 {
			t.Errorf("bySigreturn %v: PKRU %#x after the fault, want the code's %#x (Go's was %#x)", way, got, p0^4, p0)
		}
	}
	bySigreturn = saved
}

// differences lists the paths at which a and b differ (exported and
// unexported fields, pointers followed).
func differences(a, b reflect.Value, path string) []string {
	if a.Kind() != b.Kind() {
		return []string{path}
	}
	switch a.Kind() {
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				return []string{path}
			}
			return nil
		}
		return differences(a.Elem(), b.Elem(), path)
	case reflect.Struct:
		var d []string
		for i := range a.NumField() {
			d = append(d, differences(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name)...)
		}
		return d
	case reflect.Array, reflect.Slice:
		if a.Len() != b.Len() {
			return []string{path}
		}
		var d []string
		for i := range a.Len() {
			d = append(d, differences(a.Index(i), b.Index(i), fmt.Sprintf("%s[%d]", path, i))...)
		}
		return d
	case reflect.String:
		if a.String() != b.String() {
			return []string{path}
		}
	case reflect.Bool:
		if a.Bool() != b.Bool() {
			return []string{path}
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if a.Int() != b.Int() {
			return []string{fmt.Sprintf("%s (%#x, %#x)", path, a.Int(), b.Int())}
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if a.Uint() != b.Uint() {
			return []string{fmt.Sprintf("%s (%#x, %#x)", path, a.Uint(), b.Uint())}
		}
	}
	return nil
}
