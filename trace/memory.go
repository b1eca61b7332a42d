package trace

import (
	"fmt"
	"math/bits"
	"strings"

	"github.com/jitrun/jitrun/trampoline"
	"golang.org/x/arch/x86/x86asm"
)

// accesses lists the memory the instruction at pc addresses, computed
// from the registers before it: each explicit memory operand (LEA, NOP,
// the prefetches and the cache-line flushes excepted: they address memory
// they do not access), then the stack word a PUSH, PUSHF, CALL, ENTER
// (the RBP it saves), POP, POPF, RET or LEAVE writes or reads, the byte
// XLAT reads at [rbx+al], and the elements of a string instruction (MOVS,
// STOS, LODS, SCAS, CMPS: x86asm lists them as operands). A POP to memory
// addressed by RSP uses RSP after the pop, and BT, BTS, BTR and BTC the
// operand their register bit offset reaches, as the CPU does.
func (c *codeInfo) accesses(inst x86asm.Inst, pc uint64, r *trampoline.Regs) []Access {
	if noAccess[inst.Op] {
		return nil
	}
	var list []Access
	elem := stringElement(inst.Op)
	for _, arg := range inst.Args {
		m, ok := arg.(x86asm.Mem)
		if !ok {
			continue
		}
		size := inst.MemBytes
		if elem > 0 {
			size = elem
		}
		if inst.Op == x86asm.XLATB {
			size = 1 // the byte at [rbx+al]; x86asm gives [rbx] and no size
		}
		if size <= 0 {
			continue
		}
		a := c.operand(m, inst, pc, r, min(size, MaxAccessBytes))
		var moved int64 // how far the CPU moves the operand from its address
		switch {
		case !a.Known:
		case bitStringOp[inst.Op]:
			moved = bitStringOffset(inst, r)
		case inst.Op == x86asm.XLATB:
			moved = int64(uint8(r.GPR[trampoline.RAX]))
			a.Operand = strings.TrimSuffix(a.Operand, "]") + "+al]"
		case inst.Op == x86asm.POP && (m.Base == x86asm.RSP || m.Base == x86asm.ESP):
			// POP computes its destination with RSP already
			// incremented: pop qword [rsp] writes at RSP+8.
			moved = int64(popWord(inst))
		}
		if moved != 0 {
			a.Addr += uint64(moved)
			if inst.AddrSize == 32 {
				a.Addr = uint64(uint32(a.Addr))
			}
			if inst.Op != x86asm.XLATB {
				a.Operand += fmt.Sprintf("%+#x", moved) // [rsp]+0x8
			}
		}
		list = append(list, a)
	}
	rsp := r.GPR[trampoline.RSP]
	word := 8
	switch inst.Op {
	case x86asm.PUSH, x86asm.POP, x86asm.ENTER:
		word = popWord(inst) // 66 50: push ax
	case x86asm.PUSHF, x86asm.POPF:
		word = 2 // 66 9c: pushfw
	}
	switch inst.Op {
	case x86asm.PUSH, x86asm.PUSHF, x86asm.PUSHFQ, x86asm.CALL, x86asm.ENTER: // ENTER: the RBP it pushes
		list = append(list, Access{Operand: fmt.Sprintf("[rsp-%#x]", word), Addr: rsp - uint64(word), Known: true, Size: word})
	case x86asm.POP, x86asm.POPF, x86asm.POPFQ, x86asm.RET:
		list = append(list, Access{Operand: "[rsp]", Addr: rsp, Known: true, Size: word})
	case x86asm.LEAVE:
		list = append(list, Access{Operand: "[rbp]", Addr: r.GPR[trampoline.RBP], Known: true, Size: 8})
	}
	return list
}

// bitStringOp are the bit tests whose register bit offset reaches past
// the memory operand: bt [rax], rcx with RCX 200 reads the quadword at
// RAX+24.
var bitStringOp = map[x86asm.Op]bool{x86asm.BT: true, x86asm.BTS: true, x86asm.BTR: true, x86asm.BTC: true}

// bitStringOffset is how far a BT, BTS, BTR or BTC with a register bit
// offset moves its memory operand: the offset (signed, of the operand's
// size) divided by the operand's bits, rounded down, in operands. An
// immediate bit offset stays within the operand: 0.
func bitStringOffset(inst x86asm.Inst, r *trampoline.Regs) int64 {
	reg, ok := inst.Args[1].(x86asm.Reg)
	size := inst.MemBytes
	if !ok || size <= 0 {
		return 0
	}
	var bit int64
	switch {
	case reg >= x86asm.AX && reg <= x86asm.R15W:
		bit = int64(int16(r.GPR[reg-x86asm.AX]))
	case reg >= x86asm.EAX && reg <= x86asm.R15L:
		bit = int64(int32(r.GPR[reg-x86asm.EAX]))
	case reg >= x86asm.RAX && reg <= x86asm.R15:
		bit = int64(r.GPR[reg-x86asm.RAX])
	default:
		return 0
	}
	// >> rounds toward minus infinity: bit -1 is the operand before.
	return bit >> bits.TrailingZeros(uint(8*size)) * int64(size)
}

// popWord is the bytes a PUSH or POP moves RSP by: 2 with an operand-size
// prefix, else 8.
func popWord(inst x86asm.Inst) int {
	if inst.DataSize == 16 {
		return 2
	}
	return 8
}

// noAccess are the instructions whose memory operand is not accessed
// (or not in a way a before-and-after read shows).
var noAccess = map[x86asm.Op]bool{
	x86asm.LEA: true, x86asm.NOP: true,
	x86asm.PREFETCHNTA: true, x86asm.PREFETCHT0: true, x86asm.PREFETCHT1: true, x86asm.PREFETCHT2: true, x86asm.PREFETCHW: true,
	x86asm.CLFLUSH: true, x86asm.INVLPG: true,
}

// stringElement is the element size of a string instruction, 0 for any
// other.
func stringElement(op x86asm.Op) int {
	switch op {
	case x86asm.MOVSB, x86asm.STOSB, x86asm.LODSB, x86asm.SCASB, x86asm.CMPSB:
		return 1
	case x86asm.MOVSW, x86asm.STOSW, x86asm.LODSW, x86asm.SCASW, x86asm.CMPSW:
		return 2
	case x86asm.MOVSD, x86asm.STOSD, x86asm.LODSD, x86asm.SCASD, x86asm.CMPSD:
		return 4
	case x86asm.MOVSQ, x86asm.STOSQ, x86asm.LODSQ, x86asm.SCASQ, x86asm.CMPSQ:
		return 8
	}
	return 0
}

// operand computes one memory operand: base + index*scale + disp, or
// RIP- (or, with an address-size prefix, EIP-) relative from the end of
// the instruction; an FS- or GS-relative
// operand, or one whose base or index is not a general register (a
// gather's vector index), is not Known.
func (c *codeInfo) operand(m x86asm.Mem, inst x86asm.Inst, pc uint64, r *trampoline.Regs, size int) Access {
	a := Access{Operand: c.operandText(m, inst, pc), Size: size}
	if m.Segment == x86asm.FS || m.Segment == x86asm.GS {
		return a
	}
	ea := uint64(m.Disp)
	switch {
	case m.Base == x86asm.RIP || m.Base == x86asm.EIP: // EIP: 67 8b 05, truncated below
		ea += pc + uint64(inst.Len)
	case m.Base != 0:
		v, ok := gprValue(m.Base, r)
		if !ok {
			return a
		}
		ea += v
	}
	if m.Index != 0 {
		v, ok := gprValue(m.Index, r)
		if !ok {
			return a
		}
		ea += v * uint64(m.Scale)
	}
	if inst.AddrSize == 32 {
		ea = uint64(uint32(ea))
	}
	a.Addr, a.Known = ea, true
	return a
}

// gprValue is the value of a 64- or 32-bit general register.
func gprValue(reg x86asm.Reg, r *trampoline.Regs) (uint64, bool) {
	switch {
	case reg >= x86asm.RAX && reg <= x86asm.R15:
		return r.GPR[reg-x86asm.RAX], true // x86asm's order is the hardware's
	case reg >= x86asm.EAX && reg <= x86asm.R15L:
		return uint64(uint32(r.GPR[reg-x86asm.EAX])), true
	}
	return 0, false
}

// operandText writes a memory operand in Intel form, lower case:
// [rsp+0x8], fs:[rax], [rdi+rcx*8-0x10]; a RIP-relative one as the
// name of the code it points at ([counter], [table+0x8]), or its
// address outside the code.
func (c *codeInfo) operandText(m x86asm.Mem, inst x86asm.Inst, pc uint64) string {
	var b strings.Builder
	if m.Segment == x86asm.FS || m.Segment == x86asm.GS {
		b.WriteString(strings.ToLower(m.Segment.String()) + ":")
	}
	b.WriteByte('[')
	if m.Base == x86asm.RIP || m.Base == x86asm.EIP {
		target := pc + uint64(inst.Len) + uint64(m.Disp)
		if m.Base == x86asm.EIP {
			target = uint64(uint32(target))
		}
		b.WriteString(c.dataName(target))
		b.WriteByte(']')
		return b.String()
	}
	plus := ""
	if m.Base != 0 {
		b.WriteString(strings.ToLower(m.Base.String()))
		plus = "+"
	}
	if m.Index != 0 {
		b.WriteString(plus + strings.ToLower(m.Index.String()))
		if m.Scale > 1 {
			fmt.Fprintf(&b, "*%d", m.Scale)
		}
		plus = "+"
	}
	switch {
	case m.Disp < 0:
		fmt.Fprintf(&b, "-%#x", uint64(-m.Disp))
	case m.Disp > 0 || plus == "":
		fmt.Fprintf(&b, "%s%#x", plus, m.Disp)
	}
	b.WriteByte(']')
	return b.String()
}

// dataName names an address RIP-relative operands point at: the
// symbol or label of the code at or before it (name, name+0x8), or the
// address.
func (c *codeInfo) dataName(addr uint64) string {
	off, inside := c.offset(addr)
	p := c.opts.Program
	if !inside || p == nil {
		return fmt.Sprintf("%#x", addr)
	}
	name, at := "", -1
	for _, s := range p.Symbols {
		if s.Offset <= off && s.Offset > at && !strings.HasPrefix(s.Name, "<") {
			name, at = s.Name, s.Offset
		}
	}
	for _, l := range p.Labels {
		if l.Offset <= off && l.Offset > at {
			name, at = l.Name, l.Offset
		}
	}
	switch {
	case at < 0:
		return fmt.Sprintf("%#x", addr)
	case off == at:
		return name
	}
	return fmt.Sprintf("%s+%#x", name, off-at)
}
