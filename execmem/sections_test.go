//go:build linux && amd64

package execmem_test

import (
	"bytes"
	"encoding/binary"
	"strings"
	"syscall"
	"testing"

	"github.com/jitrun/jitrun/execmem"
	"github.com/jitrun/jitrun/trampoline"
)

// sectionsCode is code laid out as asm lays out a program: a page of code,
// a page of read-only data (the quadword 0x1122334455667788) and, when
// writable, a page of writable data (a counter, 41), 16 bytes of it in the
// code. Its functions:
//
//	+0x0   mov rax, [rip+rodata]; ret             reads the read-only data
//	+0x8   inc qword [rip+data]; mov rax, [rip+data]; ret   counts (writable only)
//	+0x20  mov byte [rdi], 0; ret                 writes where it is told
func sectionsCode(ps int, writable bool) []byte {
	n := ps + 8
	if writable {
		n = 2*ps + 16
	}
	code := make([]byte, n)
	copy(code, []byte{0x48, 0x8b, 0x05, 0, 0, 0, 0, 0xc3})
	binary.LittleEndian.PutUint32(code[3:], uint32(ps-7))
	if writable {
		copy(code[8:], []byte{0x48, 0xff, 0x05, 0, 0, 0, 0, 0x48, 0x8b, 0x05, 0, 0, 0, 0, 0xc3})
		binary.LittleEndian.PutUint32(code[11:], uint32(2*ps-15))
		binary.LittleEndian.PutUint32(code[18:], uint32(2*ps-22))
		code[2*ps] = 41
	}
	copy(code[0x20:], []byte{0xc6, 0x07, 0x00, 0xc3})
	binary.LittleEndian.PutUint64(code[ps:], 0x1122334455667788)
	return code
}

// TestLoadSections loads code, read-only data and writable data as a
// loader lays out an executable and checks each page's protection in
// /proc/self/maps, the zeros past the end of the code, and what the code
// may do: read the read-only data but not write it (SIGSEGV SEGV_ACCERR,
// error code 0x7), write its writable data, and run neither (NX: error
// code 0x15).
func TestLoadSections(t *testing.T) {
	ps := execmem.PageSize()
	tests := []struct {
		name     string
		opt      execmem.LoadOptions
		writable bool
		prots    []string // of each page, as /proc/self/maps shows them
	}{
		{"flip", execmem.LoadOptions{Readonly: ps, Writable: 2 * ps}, true, []string{"r-xp", "r--p", "rw-p"}},
		{"flip without writable data", execmem.LoadOptions{Readonly: ps}, false, []string{"r-xp", "r--p"}},
		{"dualmap", execmem.LoadOptions{Readonly: ps, Strategy: execmem.StrategyDualMap}, false, []string{"r-xs", "r--s"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code := sectionsCode(ps, tt.writable)
			b, err := execmem.LoadWith(code, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			if b.Readonly() != tt.opt.Readonly || b.Writable() != tt.opt.Writable || b.Cap() != len(tt.prots)*ps {
				t.Errorf("Readonly %d, Writable %d, Cap %d; want %d, %d, %d", b.Readonly(), b.Writable(), b.Cap(), tt.opt.Readonly, tt.opt.Writable, len(tt.prots)*ps)
			}
			for i, want := range tt.prots {
				r := regionAt(t, b.Addr()+uintptr(i*ps))
				got := r.Prot.String() + map[bool]string{false: "p", true: "s"}[r.Shared]
				if got != want {
					t.Errorf("page %d: %s, want %s", i, got, want)
				}
			}
			if tail := unsafeBytes(b.Addr()+uintptr(len(code)), b.Cap()-len(code)); !bytes.Equal(tail, make([]byte, len(tail))) {
				t.Error("the data page past the end of the code is not zero")
			}
			rodata := b.Addr() + uintptr(ps)
			if r, err := trampoline.Call(b.Addr()); err != nil || r.RAX != 0x1122334455667788 {
				t.Errorf("read the read-only data: %#x, %v", r.RAX, err)
			}
			checkFault(t, "write to the read-only data", b.Addr()+0x20, rodata, rodata, 0x7)
			checkFault(t, "jump into the read-only data", rodata, 0, rodata, 0x15)
			if !tt.writable {
				return
			}
			for want := uint64(42); want <= 44; want++ {
				if r, err := trampoline.Call(b.Addr() + 8); err != nil || r.RAX != want {
					t.Fatalf("count in the writable data: %d, %v; want %d", r.RAX, err, want)
				}
			}
			data := b.Addr() + uintptr(2*ps)
			checkFault(t, "jump into the writable data", data, 0, data, 0x15)
		})
	}
}

// checkFault calls fn with arg and wants a SIGSEGV SEGV_ACCERR page fault
// at addr with the error code.
func checkFault(t *testing.T, what string, fn, arg, addr uintptr, code uint64) {
	t.Helper()
	_, err := trampoline.Call(fn, uint64(arg))
	var f *trampoline.Fault
	if !errorsAs(err, &f) || f.Signal != syscall.SIGSEGV || f.Code != 2 || f.Addr != addr || f.ErrorCode != code {
		t.Errorf("%s: %v, want SIGSEGV SEGV_ACCERR at %#x with error code %#x", what, err, addr, code)
	}
}

// TestLoadSectionsRefused checks what LoadWith refuses of Readonly and
// Writable, before it maps anything.
func TestLoadSectionsRefused(t *testing.T) {
	ps := execmem.PageSize()
	code := sectionsCode(ps, true)
	for _, tc := range []struct {
		opt  execmem.LoadOptions
		want string
	}{
		{execmem.LoadOptions{Readonly: 100}, "load: read-only data at 0x64 does not start on a page"},
		{execmem.LoadOptions{Readonly: -ps}, "lies outside the"},
		{execmem.LoadOptions{Readonly: 4 * ps}, "lies outside the"},
		{execmem.LoadOptions{Readonly: 2 * ps, Writable: ps}, "starts after the writable data"},
		{execmem.LoadOptions{Readonly: ps, Strategy: execmem.StrategyUnsafeRWX}, "read-only data needs StrategyFlip or StrategyDualMap (unsafe-rwx keeps every page writable and executable)"},
		{execmem.LoadOptions{Readonly: ps, Writable: 2 * ps, Strategy: execmem.StrategyDualMap}, "writable data needs StrategyFlip"},
	} {
		if b, err := execmem.LoadWith(code, tc.opt); err == nil || !strings.Contains(err.Error(), tc.want) {
			if b != nil {
				b.Close()
			}
			t.Errorf("%+v: %v, want %q", tc.opt, err, tc.want)
		}
	}
}
