//go:build linux && amd64

package trampoline

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

// mremap with an old length that rounds up to 0 maps the shared pages at
// the old address a second time: it is the code's to make only when that
// page is the code's (a shared mapping of the program's, such as
// execmem's dual-mapped code, would otherwise gain an alias the code
// owns), and it leaves the old page the code's.
func TestDecideMremapDuplicate(t *testing.T) {
	page, err := syscall.Mmap(-1, 0, sysPageSize, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED|syscall.MAP_ANON)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(page)
	addr := uint64(uintptr(unsafe.Pointer(&page[0])))
	r := memRange{addr, addr + sysPageSize}
	const mayMove = 1 // MREMAP_MAYMOVE
	for _, c := range []struct {
		name   string
		oldLen uint64
		owned  bool // the page is the code's
	}{
		{"old length 0, not the code's", 0, false},
		{"old length rounding up to 0, not the code's", ^uint64(0), false},
		{"old length 0, the code's", 0, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.owned {
				own(r, true)
				defer own(r, false)
			}
			args := [6]uint64{addr, c.oldLen, sysPageSize, mayMove}
			ret, refusal := decideMremap(syscall.SYS_MREMAP, &args)
			if !c.owned {
				if refusal == "" || !strings.Contains(refusal, "not memory the code mapped") {
					t.Errorf("mremap(%#x, %#x, 4096, MAYMOVE) = %#x, refusal %q; want it refused", addr, c.oldLen, ret, refusal)
				}
				if refusal == "" && !isErrno(ret) {
					syscall.Syscall(syscall.SYS_MUNMAP, uintptr(ret), sysPageSize, 0)
					own(memRange{ret, ret + sysPageSize}, false)
				}
				return
			}
			if refusal != "" || isErrno(ret) {
				t.Fatalf("mremap of the code's page: %#x, refusal %q", ret, refusal)
			}
			alias := memRange{ret, ret + sysPageSize}
			defer func() {
				syscall.Syscall(syscall.SYS_MUNMAP, uintptr(ret), sysPageSize, 0)
				own(alias, false)
			}()
			if !owned(r) || !owned(alias) {
				t.Errorf("after the duplicate: the old page owned %v, the alias owned %v; want both", owned(r), owned(alias))
			}
		})
	}
}

// madvise, mseal and mprotect run only on memory the code mapped itself:
// on any other page they are refused with the call's name; on the code's
// own they run (mseal only refused here: sealing is irreversible).
func TestDecideOwnedOnly(t *testing.T) {
	page, err := syscall.Mmap(-1, 0, sysPageSize, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(page)
	addr := uint64(uintptr(unsafe.Pointer(&page[0])))
	rule := func(name string) decideRule {
		for _, r := range decideRules {
			if r.name == name {
				return r
			}
		}
		t.Fatalf("no decide rule %q", name)
		return decideRule{}
	}
	for _, c := range []struct {
		name  string
		nr    uintptr
		third uint64 // advice or protection
		owned bool
	}{
		{"madvise", syscall.SYS_MADVISE, 0, false}, // MADV_NORMAL
		{"mseal", 462, 0, false},
		{"mprotect", syscall.SYS_MPROTECT, syscall.PROT_READ | syscall.PROT_WRITE, false},
		{"madvise", syscall.SYS_MADVISE, 0, true},
		{"mprotect", syscall.SYS_MPROTECT, syscall.PROT_READ | syscall.PROT_WRITE, true},
	} {
		t.Run(fmt.Sprintf("%s/owned=%v", c.name, c.owned), func(t *testing.T) {
			if c.owned {
				own(memRange{addr, addr + sysPageSize}, true)
				defer own(memRange{addr, addr + sysPageSize}, false)
			}
			args := [6]uint64{addr, sysPageSize, c.third}
			ret, refusal := rule(c.name).decide(c.nr, &args)
			want := fmt.Sprintf("%s of %#x-%#x: the range is not memory the code mapped itself", c.name, addr, addr+sysPageSize)
			switch {
			case c.owned && (refusal != "" || ret != 0):
				t.Errorf("%s of the code's page: %#x, refusal %q; want it run (0)", c.name, ret, refusal)
			case !c.owned && !strings.HasPrefix(refusal, want):
				t.Errorf("%s of a page not the code's: %#x, refusal %q; want %q…", c.name, ret, refusal, want)
			}
		})
	}
}
