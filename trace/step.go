package trace

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/jitrun/jitrun/asm"
	"github.com/jitrun/jitrun/internal/lanes"
	"github.com/jitrun/jitrun/trampoline"
)

// Place is where an address lies in the code.
type Place struct {
	PC     uint64
	Offset int // offset in the code; -1 outside it
	// Symbol is the nearest symbol or label at or before PC, SymOffset
	// how far PC is past it; Symbol is empty outside the code and in code
	// with no names before PC.
	Symbol    string
	SymOffset int
}

// String writes the place as "loop+0x3", "+0x10" in code without names,
// or the address outside the code.
func (p Place) String() string {
	switch {
	case p.Offset < 0:
		return fmt.Sprintf("%#x", p.PC)
	case p.Symbol == "":
		return fmt.Sprintf("+%#x", p.Offset)
	}
	return fmt.Sprintf("%s+%#x", p.Symbol, p.SymOffset)
}

// Step is one instruction the code ran (one iteration of a REP string
// instruction).
type Step struct {
	N int // 1 for the first instruction
	Place
	// Pos and Source are the source line of the instruction, when the
	// code has a Program that says.
	Pos    asm.Pos
	Source string
	Bytes  []byte
	Text   string // in Options.Syntax; "" for bytes that do not decode
	// Before and After are every register before the instruction and
	// after it (at a fault: at the fault; after an INT3: past it).
	Before, After trampoline.Regs
	// Regs, Flags, Vectors and Opmasks are what changed, in register
	// order.
	Regs    []RegChange
	Flags   []FlagChange
	Vectors []VectorChange
	Opmasks []OpmaskChange
	// Mem is the memory the instruction addressed, in operand order, the
	// implicit stack or string memory after the explicit operands.
	Mem []Access
	// Syscall is the system call a SYSCALL made (Arch AuditArchX86_64),
	// SyscallResult what it returned in RAX (a negative errno for an
	// error); a refused call is a Fault (SIGSYS), with no result.
	Syscall       *trampoline.Syscall
	SyscallResult int64
	// Break is set when a breakpoint stopped at this instruction (before
	// it ran), or when it was an INT3.
	Break *Hit
	// Fault is set when the instruction faulted: the trace's last step.
	Fault *trampoline.Fault
}

// Hit is a breakpoint hit.
type Hit struct {
	// Index is the breakpoint's index in Options.Breaks, -1 for an INT3
	// the code executed.
	Index int
	// Hit counts the times the code got there, this one included.
	Hit int
}

// RegChange is a general register the instruction changed.
type RegChange struct {
	Reg      trampoline.Reg
	Old, New uint64
}

// FlagChange is a bit of RFLAGS the instruction changed.
type FlagChange struct {
	Name     string // CF, PF, AF, ZF, SF, DF, OF, AC
	Old, New bool
}

// VectorChange is a vector register the instruction changed, whole
// (trampoline.Regs.Vec: bytes in memory order).
type VectorChange struct {
	Index int // 0–31
	// Width is the bytes the wider of the two values uses: 16 (XMM), 32
	// (YMM) or 64 (ZMM), as package lanes' Width says.
	Width    int
	Old, New [64]byte
}

// Name is the register's name at its Width: xmm3, ymm3, zmm17.
func (v VectorChange) Name() string { return lanes.Name(v.Index, v.Width) }

// OpmaskChange is an AVX-512 opmask register (k0–k7) the instruction
// changed.
type OpmaskChange struct {
	Index    int
	Old, New uint64
}

// Access is a memory operand of the instruction: where it points and
// what was there before and after the instruction.
type Access struct {
	// Operand is how the instruction addresses it, in Intel form with the
	// registers before the instruction: [rsp+0x8], [rdi+rcx*8], [rsp-8]
	// for what a PUSH writes, [counter] for a RIP-relative operand that
	// points at a name of the code; followed by +0x8 or -0x8 where the
	// CPU moves the operand from the address it names (pop qword [rsp]
	// writes at [rsp]+0x8, bt [rax], rcx with RCX 200 reads [rax]+0x18).
	Operand string
	Addr    uint64
	// Known is false when the address could not be computed (an FS- or
	// GS-relative operand, a vector index): Addr, Before and After are
	// then unset.
	Known bool
	Size  int // bytes (at most MaxAccessBytes shown)
	// Before and After are the bytes there; shorter than Size (or empty)
	// where the memory could not be read.
	Before, After []byte
}

// MaxAccessBytes bounds the bytes an Access holds (a ZMM operand).
const MaxAccessBytes = 64

// Changed reports whether the instruction changed the memory.
func (a Access) Changed() bool { return !bytes.Equal(a.Before, a.After) }

// flagBits are the RFLAGS bits a step reports.
var flagBits = []struct {
	name string
	bit  uint
}{{"CF", 0}, {"PF", 2}, {"AF", 4}, {"ZF", 6}, {"SF", 7}, {"DF", 10}, {"OF", 11}, {"AC", 18}}

// diff fills in what changed between Before and After.
func (s *Step) diff() {
	b, a := &s.Before, &s.After
	for i := range a.GPR {
		if b.GPR[i] != a.GPR[i] {
			s.Regs = append(s.Regs, RegChange{trampoline.Reg(i), b.GPR[i], a.GPR[i]})
		}
	}
	for _, f := range flagBits {
		o, n := b.RFLAGS>>f.bit&1 == 1, a.RFLAGS>>f.bit&1 == 1
		if o != n {
			s.Flags = append(s.Flags, FlagChange{f.name, o, n})
		}
	}
	// (A quick look first: two AVX512 pointers may hold the same values,
	// and then Vec finds no change.)
	if b.XMM != a.XMM || b.Vector.YMMHi != a.Vector.YMMHi || b.Vector.AVX512 != a.Vector.AVX512 {
		for i := range trampoline.VecRegs {
			if o, n := b.Vec(i), a.Vec(i); o != n {
				s.Vectors = append(s.Vectors, VectorChange{i, max(lanes.Width(o[:]), lanes.Width(n[:]), 16), o, n})
			}
		}
	}
	bk, ak := b.Vector.Opmasks(), a.Vector.Opmasks()
	for i := range ak {
		if bk[i] != ak[i] {
			s.Opmasks = append(s.Opmasks, OpmaskChange{i, bk[i], ak[i]})
		}
	}
}

// Changes writes what the instruction did, as a trace line shows it:
// "rax 5 -> 6  ZF 0 -> 1  [rsp-0x8] 0x0 -> 0x2a  [rdi] = 0x5", a
// system call as "write(1, 0x7f…, 3) = 3", and "INT3" for a breakpoint
// the code raised.
func (s *Step) Changes() string {
	var parts []string
	switch {
	case s.Syscall != nil && s.Fault != nil:
		parts = append(parts, s.Syscall.String())
	case s.Syscall != nil:
		parts = append(parts, fmt.Sprintf("%s = %d", s.Syscall, s.SyscallResult))
	}
	for _, r := range s.Regs {
		parts = append(parts, fmt.Sprintf("%s %s -> %s", r.Reg, formatReg(r.Old), formatReg(r.New)))
	}
	for _, f := range s.Flags {
		parts = append(parts, fmt.Sprintf("%s %d -> %d", f.Name, b2i(f.Old), b2i(f.New)))
	}
	for _, v := range s.Vectors {
		parts = append(parts, fmt.Sprintf("%s %s -> %s", v.Name(), FormatVector(v.Old[:v.Width]), FormatVector(v.New[:v.Width])))
	}
	for _, k := range s.Opmasks {
		parts = append(parts, fmt.Sprintf("k%d %#x -> %#x", k.Index, k.Old, k.New))
	}
	for _, m := range s.Mem {
		switch {
		case !m.Known:
			parts = append(parts, m.Operand+" (address not known)")
		case len(m.Before) < m.Size && len(m.After) < m.Size:
			parts = append(parts, fmt.Sprintf("%s unreadable at %#x", m.Operand, m.Addr))
		case m.Changed():
			parts = append(parts, fmt.Sprintf("%s %s -> %s", m.Operand, FormatBytes(m.Before), FormatBytes(m.After)))
		default:
			parts = append(parts, fmt.Sprintf("%s = %s", m.Operand, FormatBytes(m.Before)))
		}
	}
	return strings.Join(parts, "  ")
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// formatReg writes a register value: decimal when it is small (either
// sign), hex otherwise (an address).
func formatReg(v uint64) string {
	if v < 1<<16 || -v <= 1<<16 {
		return fmt.Sprint(int64(v))
	}
	return fmt.Sprintf("%#x", v)
}

// FormatVector writes a vector register's bytes (memory order) as one hex
// number, leading zeros dropped, "_" between 128-bit groups of a YMM or
// ZMM value: 0x4045000000000000, 0xff…ff_ffff…ff.
func FormatVector(reg []byte) string {
	h := strings.TrimPrefix(lanes.Format(reg, lanes.Hex), "0x")
	h = strings.TrimLeft(h, "0_")
	if h == "" {
		return "0x0"
	}
	return "0x" + h
}

// FormatBytes writes memory bytes as steps show them: as a little-endian
// number for 1, 2, 4 or 8 bytes (0x2a), else as hex bytes in memory order;
// "?" for none.
func FormatBytes(b []byte) string {
	switch len(b) {
	case 0:
		return "?"
	case 1, 2, 4, 8:
		var v uint64
		for i := len(b) - 1; i >= 0; i-- {
			v = v<<8 | uint64(b[i])
		}
		return fmt.Sprintf("%#x", v)
	}
	return fmt.Sprintf("%x", b)
}
