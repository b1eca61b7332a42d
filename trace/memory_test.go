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
		// operands, when not nil, are the Access.Operand texts.
		operands []string
	}{
		{"mov rax, [rax+rcx*8+0x10]", []byte{0x48, 0x8b, 0x44, 0xc8, 0x10}, []uint64{rax + rcx*8 + 0x10}, []int{8}, nil},
		{"mov eax, [rip+0x10]", []byte{0x8b, 0x05, 0x10, 0, 0, 0}, []uint64{pc + 6 + 0x10}, []int{4}, nil},
		{"mov eax, [eip+0x10]", []byte{0x67, 0x8b, 0x05, 0x10, 0, 0, 0}, []uint64{pc + 7 + 0x10}, []int{4}, nil},
		{"mov eax, [eax-0x40] wraps at 4 GiB", []byte{0x67, 0x8b, 0x40, 0xc0}, []uint64{0xffffffe0}, []int{4}, nil},
		{"push qword [rsp]", []byte{0xff, 0x34, 0x24}, []uint64{rsp, rsp - 8}, []int{8, 8}, nil},
		{"pop qword [rsp]", []byte{0x8f, 0x04, 0x24}, []uint64{rsp + 8, rsp}, []int{8, 8}, []string{"[rsp]+0x8", "[rsp]"}},
		{"pop qword [rsp+8]", []byte{0x8f, 0x44, 0x24, 0x08}, []uint64{rsp + 16, rsp}, []int{8, 8}, nil},
		{"pop word [rsp]", []byte{0x66, 0x8f, 0x04, 0x24}, []uint64{rsp + 2, rsp}, []int{2, 2}, nil},
		{"pop qword [rax]", []byte{0x8f, 0x00}, []uint64{rax, rsp}, []int{8, 8}, nil},
		{"push word 1", []byte{0x66, 0x6a, 0x01}, []uint64{rsp - 2}, []int{2}, nil},
		{"bt [rax], rcx=3", []byte{0x48, 0x0f, 0xa3, 0x08}, []uint64{rax}, []int{8}, nil},
		{"bts [rax], rbp=200", []byte{0x48, 0x0f, 0xab, 0x28}, []uint64{rax + 8*3}, []int{8}, nil},
		{"btr [rax], rdx=-1", []byte{0x48, 0x0f, 0xb3, 0x10}, []uint64{rax - 8}, []int{8}, []string{"[rax]-0x8"}},
		{"btc dword [rax], edx=-1", []byte{0x0f, 0xbb, 0x10}, []uint64{rax - 4}, []int{4}, nil},
		{"bt word [rax], bx=-17", []byte{0x66, 0x0f, 0xa3, 0x18}, []uint64{rax - 4}, []int{2}, nil},
		{"bts qword [rax], 200", []byte{0x48, 0x0f, 0xba, 0x28, 200}, []uint64{rax}, []int{8}, nil},
		{"xlatb", []byte{0xd7}, []uint64{0x1234ffef + 0x20}, []int{1}, []string{"[rbx+al]"}},
		{"pushfq", []byte{0x9c}, []uint64{rsp - 8}, []int{8}, nil},
		{"pushfw", []byte{0x66, 0x9c}, []uint64{rsp - 2}, []int{2}, []string{"[rsp-0x2]"}},
		{"popfw", []byte{0x66, 0x9d}, []uint64{rsp}, []int{2}, nil},
		{"enter 0x10, 0", []byte{0xc8, 0x10, 0, 0}, []uint64{rsp - 8}, []int{8}, []string{"[rsp-0x8]"}},
		{"movsq", []byte{0x48, 0xa5}, []uint64{0x5000, 0x6000}, []int{8, 8}, nil},
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
			r.GPR[trampoline.RBP], r.GPR[trampoline.RDX], r.GPR[trampoline.RBX] = 200, ^uint64(0), 0x1234ffef // bx -17
			list := c.accesses(inst, pc, &r)
			if len(list) != len(tt.addrs) {
				t.Fatalf("%d accesses, want %d: %+v", len(list), len(tt.addrs), list)
			}
			for i, a := range list {
				if tt.operands != nil && a.Operand != tt.operands[i] {
					t.Errorf("access %d: operand %s, want %s", i, a.Operand, tt.operands[i])
				}
				if !a.Known || a.Addr != tt.addrs[i] || a.Size != tt.sizes[i] {
					t.Errorf("access %d %s: known %v addr %#x size %d, want addr %#x size %d", i, a.Operand, a.Known, a.Addr, a.Size, tt.addrs[i], tt.sizes[i])
				}
			}
		})
	}
}
