package repl

import (
	"context"
	"fmt"

	"github.com/jitrun/jitrun/asm"
	"github.com/jitrun/jitrun/explain"
	"github.com/jitrun/jitrun/trampoline"
)

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
