package repl

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/jitrun/jitrun/asm"
	"github.com/jitrun/jitrun/explain"
	"github.com/jitrun/jitrun/trampoline"
)

// EntryKind says what an Entry was typed as.
type EntryKind int

const (
	CodeEntry EntryKind = iota // a line or block of code
	SetEntry                   // .set REG VALUE
	LoadEntry                  // .load FILE
)

// Entry is one thing typed into a session that ran, or tried to: what
// History lists and Source writes.
type Entry struct {
	Kind   EntryKind
	Syntax asm.Syntax // the syntax the code was typed in
	// Text is the code as typed (a block's lines joined by newlines), or
	// the command (.set rax 5, .load add.s).
	Text string
	// Bytes is the code's machine code (CodeEntry).
	Bytes []byte
	// Failed says why the code did not change the state ("" when it
	// did): the fault in words, "timeout", "refused".
	Failed string
	// Breakpoint is set for code that stopped at an INT3 of its own.
	Breakpoint bool
	// Sets are the registers a SetEntry set, or a LoadEntry or a
	// Breakpoint changed (the
	// general registers that do not hold stack or scratch addresses,
	// RFLAGS, XMM0–15), as Source writes them.
	Sets []RegSet
}

// RegSet is a register given a value.
type RegSet struct {
	Kind  ChangeKind // GPR, Flags or Vector
	Reg   trampoline.Reg
	Index int // the XMM register of a Vector
	Value uint64
	XMM   trampoline.XMM
}

// Entries are the lines typed since the start or the last Reset, in
// order, without those Undo took back (at most MaxEntries).
func (s *Session) Entries() []Entry { return s.entries }

// goRegNames are the Go assembler's names of the general registers.
var goRegNames = [16]string{"AX", "CX", "DX", "BX", "SP", "BP", "SI", "DI", "R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15"}

// ParseReg reads a register name for Set: rax–r15 in any case or AX–R15
// as Go writes them (the 64-bit registers; bx is Intel's 16-bit
// register, refused), rflags (or flags), xmm0–xmm15 (or X0–X15).
func ParseReg(name string) (RegSet, error) {
	l := strings.ToLower(name)
	for i := range 16 {
		if l == trampoline.Reg(i).String() || name == goRegNames[i] {
			return RegSet{Kind: GPR, Reg: trampoline.Reg(i)}, nil
		}
	}
	if l == "rflags" || l == "flags" || l == "eflags" {
		return RegSet{Kind: Flags}, nil
	}
	for _, prefix := range []string{"xmm", "x"} {
		if n, ok := strings.CutPrefix(l, prefix); ok {
			if i, err := strconv.Atoi(n); err == nil && i >= 0 && i < 16 && strconv.Itoa(i) == n {
				return RegSet{Kind: Vector, Index: i}, nil
			}
		}
	}
	return RegSet{}, fmt.Errorf("unknown register %q: .set takes rax–r15 (AX–R15), rflags, xmm0–xmm15 (X0–X15)", name)
}

// settableFlags are the RFLAGS bits Set changes: the status flags and DF.
const settableFlags = 0xcd5

// Set gives a register a value, as an instruction would, and records it
// for Source: a general register (not RSP, the REPL's stack pointer)
// takes a 64-bit integer (42, -1, 0x2a, 0b101, 0o17); RFLAGS a value whose
// bits are among CF PF AF ZF SF DF OF (0x8d5 sets them all but DF); an
// XMM register up to 128 bits (its low 128 bits; those above are kept).
func (s *Session) Set(reg, value string) (*Outcome, error) {
	if s.m == nil {
		return nil, errClosed
	}
	if s.BlockOpen() {
		return nil, errBlockOpen
	}
	rs, err := ParseReg(reg)
	if err != nil {
		return nil, err
	}
	bits := 64
	if rs.Kind == Vector {
		bits = 128
	}
	v, err := parseValue(value, bits)
	if err != nil {
		return nil, fmt.Errorf(".set %s: %v", reg, err)
	}
	before := s.cur.regs
	switch rs.Kind {
	case GPR:
		if rs.Reg == trampoline.RSP {
			return nil, errors.New(".set rsp: rsp is the REPL's stack pointer; move it with an instruction (sub rsp, 16)")
		}
		rs.Value = v.Uint64()
		s.m.Regs.GPR[rs.Reg] = rs.Value
	case Flags:
		f := v.Uint64()
		if f&^(settableFlags|0x202) != 0 {
			return nil, fmt.Errorf(".set rflags %#x: only CF PF AF ZF SF DF OF (mask %#x) can be set", f, settableFlags)
		}
		rs.Value = f&settableFlags | 0x202
		s.m.Regs.RFLAGS = rs.Value
	case Vector:
		lo := new(big.Int).And(v, new(big.Int).SetUint64(^uint64(0))).Uint64()
		hi := new(big.Int).Rsh(v, 64).Uint64()
		rs.XMM = trampoline.XMM{Lo: lo, Hi: hi}
		s.m.SetXMM(rs.Index, rs.XMM)
	}
	if err := s.accept(); err != nil {
		return nil, err
	}
	s.record(Entry{Kind: SetEntry, Syntax: s.syntax, Text: ".set " + reg + " " + value, Sets: []RegSet{rs}})
	return &Outcome{Kind: Ran, Changes: Changes(&before, &s.cur.regs), Regs: s.cur.regs}, nil
}

// parseValue reads an integer of at most bits bits, in Go's notation
// (a sign, 0x, 0b, 0o, _ between digits); a negative one is taken in
// two's complement.
func parseValue(s string, bits int) (*big.Int, error) {
	v, ok := new(big.Int).SetString(s, 0)
	if !ok || len(s) > 140 {
		return nil, fmt.Errorf("%q is not an integer (42, -1, 0x2a, 0b101)", s)
	}
	limit := new(big.Int).Lsh(big.NewInt(1), uint(bits))
	if v.Sign() < 0 {
		if v.Cmp(new(big.Int).Neg(new(big.Int).Rsh(limit, 1))) < 0 {
			return nil, fmt.Errorf("%s does not fit in %d bits", s, bits)
		}
		v.Add(v, limit)
	}
	if v.Cmp(limit) >= 0 {
		return nil, fmt.Errorf("%s does not fit in %d bits", s, bits)
	}
	return v, nil
}

// setsOf are the registers changes set that Source can write: the
// general registers that hold no stack or scratch address (RSP never),
// RFLAGS, XMM0–15 (their low 128 bits).
func (s *Session) setsOf(changes []Change) []RegSet {
	var sets []RegSet
	for _, c := range changes {
		switch c.Kind {
		case GPR:
			if _, addr := s.AddrName(c.New); c.Reg != trampoline.RSP && !addr {
				sets = append(sets, RegSet{Kind: GPR, Reg: c.Reg, Value: c.New})
			}
		case Flags:
			sets = append(sets, RegSet{Kind: Flags, Value: c.New})
		case Vector:
			var i int
			if _, err := fmt.Sscanf(c.Name[3:], "%d", &i); err == nil && i < 16 {
				x := s.cur.regs.XMM[i]
				sets = append(sets, RegSet{Kind: Vector, Index: i, XMM: x})
			}
		}
	}
	return sets
}

// Load runs a file's code (src, named name; its syntax detected from the
// name and the text, as jitrun run does) against the session's state, as
// a function: it is called from its first byte and its RET ends it. The
// state it leaves is kept, as a line's; Source writes it as the
// registers it changed (not its memory). The file must be at most
// MaxLoadSize bytes.
func (s *Session) Load(ctx context.Context, name string, src []byte) (*Outcome, error) {
	if s.m == nil {
		return nil, errClosed
	}
	if s.BlockOpen() {
		return nil, errBlockOpen
	}
	if len(src) > MaxLoadSize {
		return nil, fmt.Errorf(".load %s: %d bytes; at most %d", name, len(src), MaxLoadSize)
	}
	p, err := asm.Options{}.Assemble(name, src)
	if err != nil {
		return nil, err
	}
	blk, err := load(p)
	if err != nil {
		return nil, err
	}
	defer blk.Close()
	rsp := s.m.Regs.GPR[trampoline.RSP] - 8
	if rsp < s.StackBottom()+stackReserve || rsp+8 > s.StackTop() {
		return nil, fmt.Errorf(".load: RSP is at %s, with no room for a return address", s.AddrText(rsp+8))
	}
	// The return address: the INT3 of the FPU page, after which RIP is
	// its saveRet.
	ret := uint64(s.fpu.code.Addr()) + saveRet - 1
	b := memAt(uintptr(rsp), 8)
	for i := range b {
		b[i] = byte(ret >> (8 * i))
	}
	s.m.Regs.GPR[trampoline.RSP] = rsp
	x := &explain.Context{Code: p.Code, Base: uint64(blk.Addr()), Cap: blk.Cap(), Program: p, Syntax: asm.DetectSyntax(name, src)}
	e := Entry{Kind: LoadEntry, Syntax: s.syntax, Text: ".load " + name}
	return s.runFrom(ctx, uint64(blk.Addr()), blk, ret+1, x, e)
}
