package att

// Spellings made when needed. The encoder's messages name an instruction
// as written (ir.Spelling: its text, its operands and their classes), but
// it has something to say about few instructions: rather than record a
// spelling for each (about 200 bytes), the parser gives them a shared
// lazy one (ir.LazySpelling) that reads the instruction's text again,
// with the constants (.set, =) it was read with, and returns the spelling
// that reading records. The reading again is the same code as the first,
// so the spelling is the same (TestLazySpellings).

import (
	"github.com/jitrun/jitrun/asm/internal/ir"
	"github.com/jitrun/jitrun/asm/internal/slab"
)

// equNode is one constant definition, newest first: the constants an
// instruction was read with are those defined before it.
type equNode struct {
	name string
	val  int64
	prev *equNode
}

// lazySpelling returns the spelling of the instructions read since the
// last constant definition.
func (p *parser) lazySpelling() *ir.Spelling {
	if p.book == nil {
		file, equs := p.file, p.equLog
		p.book = ir.LazySpelling(func(in *ir.Inst) *ir.Spelling { return respell(file, equs, in) })
	}
	return p.book
}

// respell reads instruction in again, with the constants equs, and
// returns its spelling; nil if the reading makes none.
func respell(file string, equs *equNode, in *ir.Inst) *ir.Spelling {
	p := &parser{
		file:       file,
		equs:       map[string]int64{},
		codeLabels: map[string]ir.Pos{},
		dataLabels: map[string]dataLabel{},
		local:      map[string]int{},
		insts:      slab.Make[ir.Inst](1),
		args:       slab.Make[ir.Operand](8),
		spellings:  slab.Make[ir.Spelling](1),
		spelledOps: slab.Make[ir.SpelledOperand](8),
		argOps:     slab.Make[int8](8),
		regEntries: regEntries(),
		eager:      true,
		respelling: true,
	}
	for e := equs; e != nil; e = e.prev {
		if _, later := p.equs[e.name]; !later {
			p.equs[e.name] = e.val
		}
	}
	p.text = &section{name: ".text", kind: secText}
	p.sec = p.text
	p.line, p.lineText = in.Pos.Line, in.Text
	toks, _, err := p.lx.lex(in.Text, 0)
	if err != nil {
		return nil
	}
	p.stmtEnd = int(toks[len(toks)-1].val)
	p.statement(toks)
	for i := len(p.stmts) - 1; i >= 0; i-- {
		if again, ok := p.stmts[i].(*ir.Inst); ok {
			if sp := ir.SpellingOf(again); sp != nil {
				return sp
			}
		}
	}
	return nil
}
