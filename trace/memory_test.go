package trace

import (
	"testing"

	"github.com/jitrun/jitrun/trampoline"
	"golang.org/x/arch/x86/x86asm"
)

// TestAccessAddresses checks the effective addresses accesses computes
// from the registers before an instruction, against the CPU's rules.
func TestAccessAddresses(t *testing.T) {
	const pc, rsp, rax, rcx = 0x1000, 0x7000, 0x20, 3
	tests := []struct {
		name  string
		code  []byte
		addrs []uint64 // of each Access, in order
		sizes []int
	}{
		{"mov rax, [rax+rcx*8+0x10]", []byte{0x48, 0x8b, 0x44, 0xc8, 0x10}, []uint64{rax + rcx*8 + 0x10}, []int{8}},
		{"mov eax, [rip+0x10]", []byte{0x8b, 0x05, 0x10, 0, 0, 0}, []uint64{pc + 6 + 0x10}, []int{4}},
		{"mov eax, [eip+0x10]", []byte{0x67, 0x8b, 0x05, 0x10, 0, 0, 0}, []uint64{pc + 7 + 0x10}, []int{4}},
		{"mov eax, [eax-0x40] wraps at 4 GiB", []byte{0x67, 0x8b, 0x40, 0xc0}, []uint64{0xffffffe0}, []int{4}},
		{"push qword [rsp]", []byte{0xff, 0x34, 0x24}, []uint64{rsp, rsp - 8}, []int{8, 8}},
		{"pop qword [rsp]", []byte{0x8f, 0x04, 0x24}, []uint64{rsp + 8, rsp}, []int{8, 8}},
		{"pop qword [rsp+8]", []byte{0x8f, 0x44, 0x24, 0x08}, []uint64{rsp + 16, rsp}, []int{8, 8}},
		{"pop word [rsp]", []byte{0x66, 0x8f, 0x04, 0x24}, []uint64{rsp + 2, rsp}, []int{2, 2}},
		{"pop qword [rax]", []byte{0x8f, 0x00}, []uint64{rax, rsp}, []int{8, 8}},
		{"push word 1", []byte{0x66, 0x6a, 0x01}, []uint64{rsp - 2}, []int{2}},
		{"movsq", []byte{0x48, 0xa5}, []uint64{0x5000, 0x6000}, []int{8, 8}},
	}
	c := &codeInfo{base: pc, bytes: make([]byte, 64)}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inst, err := x86asm.Decode(tt.code, 64)
			if err != nil {
				t.Fatal(err)
			}
			var r trampoline.Regs
			r.GPR[trampoline.RSP], r.GPR[trampoline.RAX], r.GPR[trampoline.RCX] = rsp, rax, rcx
			r.GPR[trampoline.RDI], r.GPR[trampoline.RSI] = 0x5000, 0x6000
			list := c.accesses(inst, pc, &r)
			if len(list) != len(tt.addrs) {
				t.Fatalf("%d accesses, want %d: %+v", len(list), len(tt.addrs), list)
			}
			for i, a := range list {
				if !a.Known || a.Addr != tt.addrs[i] || a.Size != tt.sizes[i] {
					t.Errorf("access %d %s: known %v addr %#x size %d, want addr %#x size %d", i, a.Operand, a.Known, a.Addr, a.Size, tt.addrs[i], tt.sizes[i])
				}
			}
		})
	}
}
