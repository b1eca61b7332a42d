//go:build linux && amd64

package explain

import (
	"errors"
	"strings"
	"testing"

	"github.com/jitrun/jitrun/asm"
	"github.com/jitrun/jitrun/execmem"
	"github.com/jitrun/jitrun/trampoline"
)

// run calls code (loaded W^X) with the arguments and returns the fault it
// raised and a Context for it.
func run(t *testing.T, code []byte, args ...uint64) (*trampoline.Fault, *Context) {
	t.Helper()
	blk, err := execmem.Load(code)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { blk.Close() })
	var a trampoline.Args
	copy(a.Int[:], args)
	_, err = trampoline.Run(t.Context(), blk.Addr(), &a, &trampoline.Options{Code: blk})
	var f *trampoline.Fault
	if !errors.As(err, &f) {
		t.Fatalf("% x: %v, want a fault", code, err)
	}
	return f, &Context{Code: code, Base: uint64(blk.Addr()), Cap: blk.Cap(), Syntax: asm.SyntaxIntel}
}

// Each fault said in words, with the instruction, the registers and the
// memory map at hand.
func TestFaultWords(t *testing.T) {
	for _, tc := range []struct {
		name string
		code []byte
		args []uint64
		want string // the line, or its start when it ends with "…"
	}{
		{"hlt", []byte{0xf4}, nil, "privileged instruction hlt: only the kernel may halt the CPU (#GP)"},
		{"cli", []byte{0xfa}, nil, "privileged instruction cli: only the kernel may mask interrupts (#GP)"},
		{"rdmsr", []byte{0x0f, 0x32}, nil, "privileged instruction rdmsr: only the kernel may read model-specific registers (#GP)"},
		{"mov rax, cr0", []byte{0x0f, 0x20, 0xc0}, nil, "privileged instruction mov: only the kernel may read or write cr0 (#GP)"},
		{"mov cr3, rax", []byte{0x0f, 0x22, 0xd8}, nil, "privileged instruction mov: only the kernel may read or write cr3 (#GP)"},
		{"mov rax, dr7", []byte{0x0f, 0x21, 0xf8}, nil, "privileged instruction mov: only the kernel may read or write dr7 (#GP)"},
		// RSP is 8 mod 16 at entry.
		{"misaligned movaps", []byte{0x0f, 0x28, 0x04, 0x24, 0xc3}, nil, "misaligned 16-byte access to 0x…"},
		{"non-canonical load", []byte{0x48, 0x8b, 0x07, 0xc3}, []uint64{0x8000000000000000},
			"non-canonical address 0x8000000000000000 in mov's memory operand (bits 63–47 of an address must all be equal) (#GP)"},
		{"ud2", []byte{0x0f, 0x0b}, nil, "illegal instruction: ud2 is undefined on purpose (#UD)"},
		{"push rbx; ret", []byte{0x53, 0xc3}, nil,
			"the code went to 0x0, outside the code (RSP is back at its entry value: a jump there, or a RET after a PUSH too many, which popped the pushed value instead of the return address)"},
		{"push rbx; push rbx; ret", []byte{0x53, 0x53, 0xc3}, nil,
			"the code went to 0x0, outside the code (RSP is 8 bytes below its entry value: a CALL there, or a RET after PUSHes too many that popped one of their values instead of the return address)"},
		{"call to 0x1000", []byte{0xbf, 0x00, 0x10, 0x00, 0x00, 0xff, 0xd7}, nil,
			"the code went to 0x1000, outside the code (RSP is 8 bytes below its entry value: a CALL there, or a RET after PUSHes too many that popped one of their values instead of the return address)"},
		{"write to the code", []byte{0x48, 0x8d, 0x05, 0x00, 0x00, 0x00, 0x00, 0xc6, 0x00, 0x00, 0xc3}, nil, "write to a read-only page"},
		{"null load", []byte{0x31, 0xc0, 0x48, 0x8b, 0x00, 0xc3}, nil, "read from an unmapped address"},
		{"past the end", []byte{0x90}, nil, "the code ran past its end into the INT3 padding (a missing RET?)"},
		{"divide by zero", []byte{0x31, 0xc9, 0xf7, 0xf1, 0xc3}, nil, "integer divide error (division by zero, or a quotient that does not fit)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, c := run(t, tc.code, tc.args...)
			got := c.Fault(f)
			switch {
			case strings.HasSuffix(tc.want, "…"):
				if !strings.HasPrefix(got, strings.TrimSuffix(tc.want, "…")) {
					t.Errorf("got %q, want it to start with %q", got, strings.TrimSuffix(tc.want, "…"))
				}
			case got != tc.want:
				t.Errorf("got\n\t%s\nwant\n\t%s", got, tc.want)
			}
		})
	}
}

// Where names the places a call knows: the code, its padding, the stack
// and its guard regions, a mapped file, and anything else by its mapping.
func TestWhere(t *testing.T) {
	f, c := run(t, []byte{0x48, 0x89, 0xe0, 0x48, 0x8b, 0x80, 0x00, 0x00, 0x10, 0x00, 0xc3}) // mov rax, rsp; mov rax, [rax+0x100000]
	c.Files = []File{{Name: "data.bin", Addr: 0x10000, Len: 0x2000, Size: 0x1800}}
	for _, tc := range []struct {
		addr uint64
		want string
	}{
		{c.Base, "in the code (+0x0), mapped r-xp"},
		{c.Base + uint64(len(c.Code)), "in the INT3 padding after the code (11 bytes), mapped r-xp"},
		{uint64(f.Addr), "in the guard region above the call's stack, mapped ---p"},
		{uint64(f.GuardLow[0]), "in the guard region below the call's stack, mapped ---p"},
		{uint64(f.EntryRSP), "on the call's stack, mapped rw-p"},
		{0x10010, "in the mapped file data.bin (byte 0x10)"},
		{0x11900, "past the end of the mapped file data.bin (6144 bytes), in its last page"},
		{8, "in no mapping: the first page is never mapped (a null pointer?)"},
	} {
		if got := c.Where(tc.addr, f); got != tc.want {
			t.Errorf("Where(%#x) = %q, want %q", tc.addr, got, tc.want)
		}
	}
	if got := c.Fault(f); got != "access above the top of the stack, into the guard region there" {
		t.Errorf("Fault = %q", got)
	}
}

// Lines of the signal and the exception, for a write to read-only memory.
func TestLines(t *testing.T) {
	f, _ := run(t, []byte{0x48, 0x8d, 0x05, 0x00, 0x00, 0x00, 0x00, 0xc6, 0x00, 0x00, 0xc3})
	if got, want := SignalLine(f), "SIGSEGV, si_code SEGV_ACCERR: the address is mapped, but its protection forbids the access"; got != want {
		t.Errorf("SignalLine = %q, want %q", got, want)
	}
	if got, want := ExceptionLine(f), "#PF page fault (vector 14), error code 0x7 (present, write, user)"; got != want {
		t.Errorf("ExceptionLine = %q, want %q", got, want)
	}
}

// FaultPC steps back over the instruction a breakpoint or a refused
// system call leaves the PC after, when its bytes are there.
func TestFaultPC(t *testing.T) {
	const base = 0x1000
	code := []byte{0xcc, 0xcd, 0x03, 0x0f, 0x05, 0xcd, 0x80, 0x90}
	c := &Context{Code: code, Base: base, Cap: 16}
	trap := func(pc uintptr) *trampoline.Fault { return &trampoline.Fault{Signal: sigTRAP, Trap: 3, PC: pc} }
	sys := func(pc uintptr) *trampoline.Fault {
		return &trampoline.Fault{Signal: 31, PC: pc, Syscall: &trampoline.Syscall{}}
	}
	for _, tc := range []struct {
		name string
		f    *trampoline.Fault
		want uint64
	}{
		{"int3", trap(base + 1), base},
		{"int 3", trap(base + 3), base + 1},
		{"syscall", sys(base + 5), base + 3},
		{"int 0x80", sys(base + 7), base + 5},
		{"int3 in the padding", trap(base + 9), base + 8},
		{"breakpoint after other bytes", trap(base + 8), base + 8},
		{"refused call after other bytes", sys(base + 8), base + 8},
		{"breakpoint at the start", trap(base), base},
		{"breakpoint outside the code", trap(0x10), 0x10},
		{"single-step trap", &trampoline.Fault{Signal: sigTRAP, Trap: 1, PC: base + 1}, base + 1},
		{"page fault", &trampoline.Fault{Signal: sigSEGV, Trap: 14, PC: base + 1}, base + 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := c.FaultPC(tc.f); got != tc.want {
				t.Errorf("FaultPC = %#x, want %#x", got, tc.want)
			}
		})
	}
}
