package trace

import (
	"github.com/jitrun/jitrun/disasm"
	"github.com/jitrun/jitrun/internal/platform"
	"github.com/jitrun/jitrun/trampoline"
	"golang.org/x/arch/x86/x86asm"
)

// codeInfo decodes the code's instructions for the steps: once for the
// whole code (the rows of its listing), then at each address a step
// starts at that is not a row's start (a jump into the middle of an
// instruction), and every time for code outside it.
type codeInfo struct {
	base  uint64
	bytes []byte
	opts  disasm.Options
	at    map[int]*decoded // by offset
}

// decoded is one instruction as the steps show it.
type decoded struct {
	row  disasm.Row
	inst x86asm.Inst
	ok   bool // inst is the instruction (its operands can be trusted)
}

func newCodeInfo(opt *Options) *codeInfo {
	c := &codeInfo{base: uint64(opt.Code.Addr()), bytes: opt.Bytes, at: map[int]*decoded{}}
	c.opts = disasm.Options{Syntax: opt.Syntax, Base: c.base, Program: opt.Program, Source: opt.Program != nil}
	for _, r := range disasm.Decode(c.bytes, c.opts) {
		if len(r.Bytes) > 0 && !r.Data {
			c.at[r.Offset] = newDecoded(r)
		}
	}
	return c
}

func newDecoded(r disasm.Row) *decoded {
	d := &decoded{row: r}
	if len(r.Bytes) > 0 && !r.Bad {
		d.inst, d.ok = disasm.Instruction(r.Bytes)
	}
	return d
}

// offset is pc's offset in the code.
func (c *codeInfo) offset(pc uint64) (int, bool) {
	if off := pc - c.base; off < uint64(len(c.bytes)) {
		return int(off), true
	}
	return 0, false
}

// decode returns the instruction at pc.
func (c *codeInfo) decode(pc uint64) *decoded {
	off, inside := c.offset(pc)
	if inside {
		if d, ok := c.at[off]; ok {
			return d
		}
		r, _ := disasm.At(c.bytes, pc, c.opts) // pc is inside: no error
		d := newDecoded(r)
		c.at[off] = d
		return d
	}
	var mem [trampoline.MaxInstructionLen]byte
	n := platform.ReadMemory(uintptr(pc), mem[:])
	return newDecoded(disasm.Outside(c.bytes, pc, mem[:n], c.opts))
}

// place says where pc lies.
func (c *codeInfo) place(pc uint64) Place {
	if _, inside := c.offset(pc); !inside {
		return Place{PC: pc, Offset: -1}
	}
	r := c.decode(pc).row
	return Place{PC: pc, Offset: r.Offset, Symbol: r.Symbol, SymOffset: r.SymOffset}
}

// before starts the step at pc: where it is, its instruction, the
// registers and the memory it addresses as they are before it runs, and
// whether a breakpoint stops there.
func (t *Tracer) before(pc uint64) *Step {
	d := t.code.decode(pc)
	r := d.row
	s := &Step{N: t.steps + 1, Place: Place{PC: pc, Offset: -1}, Pos: r.Pos, Source: r.Source, Bytes: r.Bytes, Text: r.Text, Before: t.m.Regs}
	if off, inside := t.code.offset(pc); inside {
		s.Offset, s.Symbol, s.SymOffset = off, r.Symbol, r.SymOffset
		if _, ok := t.breaks[off]; ok {
			hit := int(t.visits[off]) + 1
			for i, b := range t.opt.Breaks { // the first that applies
				if b.Offset == off && hit >= b.From {
					s.Break = &Hit{Index: i, Hit: hit}
					break
				}
			}
		}
	}
	if d.ok {
		s.Mem = t.code.accesses(d.inst, pc, &s.Before)
		for i := range s.Mem {
			s.Mem[i].Before = readAccess(&s.Mem[i])
		}
		if d.inst.Op == x86asm.SYSCALL {
			g := &s.Before.GPR
			s.Syscall = &trampoline.Syscall{Number: int(g[trampoline.RAX]), Arch: trampoline.AuditArchX86_64,
				Args: [6]uint64{g[trampoline.RDI], g[trampoline.RSI], g[trampoline.RDX], g[trampoline.R10], g[trampoline.R8], g[trampoline.R9]}}
		}
	}
	return s
}

// after completes the step once the instruction ran (or faulted).
func (t *Tracer) after(s *Step) {
	s.After = t.m.Regs
	s.diff()
	for i := range s.Mem {
		s.Mem[i].After = readAccess(&s.Mem[i])
	}
	if s.Syscall != nil && s.Fault == nil {
		s.SyscallResult = int64(s.After.GPR[trampoline.RAX])
	}
}

// readAccess reads the bytes of a memory operand, as many as can be read.
func readAccess(a *Access) []byte {
	if !a.Known || a.Size == 0 {
		return nil
	}
	buf := make([]byte, a.Size)
	return buf[:platform.ReadMemory(uintptr(a.Addr), buf)]
}
