//go:build linux

package platform

import "testing"

// ReadMemory near the top of the address space: the range is cut at the top,
// never wrapped around to address 0 (a PC of -27 once made it walk the
// whole address space).
func TestReadMemoryTopOfAddressSpace(t *testing.T) {
	var buf [15]byte
	for _, addr := range []uintptr{^uintptr(0) - 26, ^uintptr(0) - 4, ^uintptr(0), ^uintptr(0) &^ 0xfff, 1 << 47, 1<<47 - 3} {
		if n := ReadMemory(addr, buf[:]); n != 0 {
			t.Errorf("ReadMemory(%#x) read %d bytes of unmapped memory", addr, n)
		}
	}
}

// FuzzReadMemory: any address and length reads at most the length, from
// readable memory only, and returns (the fuzzer's own deadline catches a
// loop).
func FuzzReadMemory(f *testing.F) {
	f.Add(uint64(^uint64(0)-26), uint16(15))
	f.Add(uint64(0x1000), uint16(4096))
	f.Add(uint64(1<<47-1), uint16(2))
	f.Fuzz(func(t *testing.T, addr uint64, n uint16) {
		buf := make([]byte, int(n)%8192)
		if got := ReadMemory(uintptr(addr), buf); got < 0 || got > len(buf) {
			t.Fatalf("ReadMemory(%#x, %d) = %d", addr, len(buf), got)
		}
	})
}
