package repl

import (
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/jitrun/jitrun/trampoline"
)

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

// maxValueLen is the longest value parseValue reads: 128 binary digits,
// their 0b, a sign and room for underscores.
const maxValueLen = 140

// parseValue reads an integer of at most bits bits, in Go's notation
// (a sign, 0x, 0b, 0o, _ between digits); a negative one is taken in
// two's complement.
func parseValue(s string, bits int) (*big.Int, error) {
	if len(s) > maxValueLen {
		return nil, fmt.Errorf("the value is %d characters long; at most %d", len(s), maxValueLen)
	}
	v, ok := new(big.Int).SetString(s, 0)
	if !ok {
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
