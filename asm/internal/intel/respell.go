package intel

// Spellings made when needed. The encoder's messages name an instruction
// as written (ir.Spelling: its text, its operands and their classes), but
// it has something to say about few instructions: rather than record a
// spelling for each (about 200 bytes), the parser gives the instructions
// fastInstruction read a shared lazy one (ir.LazySpelling) that reads
// the instruction's text again and returns the spelling that reading
// records. Such a line names nothing (no constant, label or $), so its
// reading depends on its text alone; and the reading again is the same
// code as the first, so the spelling is the same (TestFastInstruction
// compares it with the token path's, which records spellings at once).

import "github.com/jitrun/jitrun/asm/internal/ir"

// lazySpelling returns the spelling of the instructions fastInstruction
// reads.
func (p *parser) lazySpelling() *ir.Spelling {
	if p.lazy == nil {
		p.lazy = ir.LazySpelling(respell)
	}
	return p.lazy
}

// respell reads instruction in again from its text, and returns its
// spelling; nil if the reading makes none.
func respell(in *ir.Inst) *ir.Spelling {
	p := &parser{
		file:       in.Pos.File,
		equs:       map[string]ival{},
		dataLabels: map[string]dataLabel{},
		codeLabels: map[string]ir.Pos{},
		mem:        newStmtMemory(1),
		eager:      true,
	}
	p.line, p.lineText = in.Pos.Line, in.Text
	if !p.fastInstruction(in.Text, in.Text) {
		return nil
	}
	for _, st := range p.stmts {
		if again, ok := st.(*ir.Inst); ok {
			return ir.SpellingOf(again)
		}
	}
	return nil
}
