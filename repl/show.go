package repl

import (
	"github.com/jitrun/jitrun/memview"
)

// Symbols name the session's memory for memview: the stack (stack to
// stack+StackSize) and the scratch area.
func (s *Session) Symbols() []memview.Symbol {
	return []memview.Symbol{
		{Name: "stack", Addr: s.StackBottom(), Size: StackSize},
		{Name: "scratch", Addr: s.ScratchAddr(), Size: ScratchSize},
	}
}

// Show renders a memory view (memview's WHAT[:LEN][/FMT]: a register,
// stack, scratch, an address) against the registers now.
func (s *Session) Show(spec string) (memview.Shown, error) {
	v, err := memview.Parse(spec)
	if err != nil {
		return memview.Shown{}, err
	}
	syms := s.Symbols()
	if err := v.Check(syms); err != nil {
		return memview.Shown{}, err
	}
	return v.Render(memview.Context{Regs: s.Regs(), Symbols: syms})
}
