//go:build linux && amd64

package execmem_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/jitrun/jitrun/execmem"
	"github.com/jitrun/jitrun/trampoline"
)

// mov rax, rdi; add rax, rsi; ret
var addCode = []byte{0x48, 0x89, 0xf8, 0x48, 0x01, 0xf0, 0xc3}

func TestLoad(t *testing.T) {
	ps := execmem.PageSize()
	for _, s := range []execmem.Strategy{execmem.StrategyFlip, execmem.StrategyDualMap, execmem.StrategyUnsafeRWX} {
		t.Run(s.String(), func(t *testing.T) {
			var b *execmem.Block
			load := func() (uintptr, uintptr) {
				var err error
				b, err = execmem.LoadWith(addCode, execmem.LoadOptions{Strategy: s})
				if err != nil {
					t.Fatal(err)
				}
				return b.Addr(), b.Addr() + uintptr(b.Cap())
			}
			if s == execmem.StrategyUnsafeRWX {
				defer mapWX(load)()
			} else {
				load()
			}
			if b.Len() != len(addCode) || b.Cap() != ps || b.Strategy() != s || !bytes.Equal(b.Bytes(), addCode) {
				t.Errorf("Len %d Cap %d Strategy %s Bytes % x", b.Len(), b.Cap(), b.Strategy(), b.Bytes())
			}
			page := unsafeBytes(b.Addr(), ps)
			if !bytes.Equal(page[len(addCode):], bytes.Repeat([]byte{0xcc}, ps-len(addCode))) {
				t.Error("the rest of the page is not INT3")
			}
			if !b.Contains(b.Addr()+6) || b.Contains(b.Addr()+7) {
				t.Error("Contains")
			}
			r := regionAt(t, b.Addr())
			wantProt := map[execmem.Strategy]execmem.Prot{
				execmem.StrategyFlip: execmem.ProtRX, execmem.StrategyDualMap: execmem.ProtRX, execmem.StrategyUnsafeRWX: execmem.ProtRWX,
			}[s]
			if r.Prot != wantProt {
				t.Errorf("maps shows %s, want %s", r, wantProt)
			}
			if s == execmem.StrategyDualMap && (!r.Shared || !strings.HasPrefix(r.Path, "/memfd:jitrun-code")) {
				t.Errorf("dual mapping: %s, want a shared memfd view", r)
			}
			res, err := trampoline.Call(b.Addr(), 40, 2)
			if err != nil || res.RAX != 42 {
				t.Errorf("call = %d, %v", res.RAX, err)
			}
			addr := b.Addr()
			if err := b.Close(); err != nil {
				t.Fatal(err)
			}
			if err := b.Close(); err == nil || !strings.Contains(err.Error(), "already closed") {
				t.Errorf("second Close = %v", err)
			}
			rs, _ := execmem.Maps()
			if r, ok := execmem.FindRegion(rs, addr); ok {
				t.Errorf("still mapped after Close: %s", r)
			}
		})
	}
	if _, err := execmem.Load(nil); err == nil || err.Error() != "execmem: load: the code is empty" {
		t.Errorf("Load(nil) = %v", err)
	}
	if _, err := execmem.LoadWith(addCode, execmem.LoadOptions{Strategy: 7}); err == nil || !strings.Contains(err.Error(), "unknown strategy 7") {
		t.Errorf("bad strategy: %v", err)
	}
	if s, err := execmem.ParseStrategy("dualmap"); err != nil || s != execmem.StrategyDualMap {
		t.Errorf("ParseStrategy = %v, %v", s, err)
	}
	if _, err := execmem.ParseStrategy("rwx"); err == nil {
		t.Error("ParseStrategy(rwx) succeeded")
	}
}

// The code is read+exec: a write from machine code faults (the fault
// classes themselves are trampoline's tests).
func TestLoadedCodeIsNotWritable(t *testing.T) {
	// mov byte ptr [rdi], 0; ret
	w, err := execmem.Load([]byte{0xc6, 0x07, 0x00, 0xc3})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	_, err = trampoline.Call(w.Addr(), uint64(w.Addr()))
	var f *trampoline.Fault
	if !errorsAs(err, &f) || f.Addr != w.Addr() || f.ErrorCode != 0x7 {
		t.Errorf("write to the code: %v, want SIGSEGV with error code 0x7", err)
	}
}

// Code with writable data: the code's pages are read+exec, the data's
// read+write (never executable), the bss past the end zero; the code
// writes its data through RIP-relative addresses, and jumping into the
// data is an NX fault.
func TestLoadWritable(t *testing.T) {
	ps := execmem.PageSize()
	// inc qword ptr [rip+(ps-7)]: the first word of the second page;
	// mov rax, qword ptr [rip+(ps-14)]: it again; ret.
	code := make([]byte, ps+16)
	text := []byte{0x48, 0xff, 0x05, 0, 0, 0, 0, 0x48, 0x8b, 0x05, 0, 0, 0, 0, 0xc3}
	copy(code, text)
	putLE32(code[3:], uint32(ps-7))
	putLE32(code[10:], uint32(ps-14))
	code[ps] = 41 // the counter's first value
	b, err := execmem.LoadWith(code, execmem.LoadOptions{Writable: ps})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if b.Writable() != ps || b.Cap() != 2*ps {
		t.Errorf("Writable %d, Cap %d", b.Writable(), b.Cap())
	}
	if r := regionAt(t, b.Addr()); r.Prot != execmem.ProtRX {
		t.Errorf("code page: %s, want r-x", r)
	}
	if r := regionAt(t, b.Addr()+uintptr(ps)); r.Prot != execmem.ProtRW {
		t.Errorf("data page: %s, want rw- (never executable)", r)
	}
	if tail := unsafeBytes(b.Addr()+uintptr(ps+16), ps-16); !bytes.Equal(tail, make([]byte, ps-16)) {
		t.Error("the data page past the code is not zero")
	}
	for want := uint64(42); want <= 44; want++ {
		if r, err := trampoline.Call(b.Addr()); err != nil || r.RAX != want {
			t.Fatalf("call: %d, %v; want %d", r.RAX, err, want)
		}
	}
	_, err = trampoline.Call(b.Addr() + uintptr(ps))
	var f *trampoline.Fault
	if !errorsAs(err, &f) || f.ErrorCode != 0x15 {
		t.Errorf("jump into the data: %v, want an NX fault (error code 0x15)", err)
	}
	for _, tc := range []struct {
		opt  execmem.LoadOptions
		want string
	}{
		{execmem.LoadOptions{Writable: 100}, "does not start on a page"},
		{execmem.LoadOptions{Writable: 4 * ps}, "lies outside the"},
		{execmem.LoadOptions{Writable: ps, Strategy: execmem.StrategyDualMap}, "needs StrategyFlip"},
	} {
		if _, err := execmem.LoadWith(code, tc.opt); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.opt, err, tc.want)
		}
	}
}

func putLE32(b []byte, v uint32) {
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}
