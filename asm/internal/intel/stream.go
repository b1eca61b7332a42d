package intel

// Statements handed over as they are read. Parse reads the whole source
// before the encoder sees a statement, and the program it holds is most
// of what the garbage collector has to mark. ParseFunc hands statements
// to the encoder as they are read, a batch at a time (ir.HandOverBatch),
// and uses their memory again once the encoder has let go of them (when
// emit or Options.LetGo says so), as long as nothing read so far can be
// read otherwise: the first pass hands over statements until a line reads
// the value of a name not defined above it (an equ or a data label a
// later pass would read), or a batch names a label not defined by its
// end, a library routine or a section by its start ($$ anywhere in the
// source: a label before the first statement). From there on it holds
// what it reads, as Parse does, and hands it over at the end: when the
// source takes another pass, the statements of that pass after those
// already handed over, which are the same in every pass (they read no
// value not defined above them, and named only labels). So the
// statements, errors and order are those of Parse (TestIntelStream in
// package asm).

import (
	"strings"

	"github.com/jitrun/jitrun/asm/internal/ir"
)

// ParseFunc parses Intel-syntax assembly and hands the statements it
// could read to emit, in order: a batch at a time as they are read, while
// they and those before them read only values defined above them and
// name only labels (deliver), the rest at the end. emit (or
// Options.LetGo, called after a batch) returns true when the caller has
// let go of every statement handed to it so far: the parser then uses the
// memory of their instructions again.
func ParseFunc(file string, src []byte, opts Options, emit func(ir.Stmt) bool) *ir.Errors {
	text := string(src) // one copy for every pass: statements keep slices of it
	lines := strings.Count(text, "\n") + 1
	handedOver := 0
	var prev *parser
	for pass := 1; ; pass++ {
		var p *parser
		if pass == 1 {
			// Room for the statements of a few lines; more when they
			// are held.
			p = newParser(file, opts, readMode{}, prev, lines, min(lines, 16))
			p.handOver, p.letGo, p.streaming = emit, opts.LetGo, !strings.Contains(text, "$$")
		} else {
			p = newParser(file, opts, readMode{}, prev, lines, lines)
		}
		p.run(text)
		if !p.needsPass() || pass == maxIntelPasses || (prev != nil && p.sameValues(prev)) {
			rest := p.stmts
			if pass > 1 {
				// The first statements of this pass are those of the
				// first, handed over already.
				rest = rest[min(handedOver, len(rest)):]
			}
			for _, st := range rest {
				emit(st)
			}
			return &p.errs
		}
		if pass == 1 {
			handedOver = p.emitted
		}
		p.forget()
		prev = p
	}
}

// deliver hands the statements read so far to handOver while streaming,
// unless one of them names a label not defined yet (then streaming
// stops, and they are handed over at the end); when handOver, or letGo,
// says it let go of them all, the instructions' memory is used again. A
// label defined later in the same batch is as good as one above: a
// statement that names a label reads no value of it (a value read of a
// name not defined yet stops streaming at once: nameValue), so it is the
// statement the whole read makes.
func (p *parser) deliver() {
	if !p.streaming || len(p.stmts) == 0 {
		return
	}
	for _, r := range p.refs {
		if _, ok := p.codeLabels[r.op.Sym]; ok {
			continue
		}
		if _, ok := p.dataLabels[r.op.Sym]; ok {
			continue
		}
		p.streaming = false
		return
	}
	free := false
	for _, st := range p.stmts {
		free = p.handOver(st)
	}
	// The statements handed over stay in p.stmts's array until the next
	// are read over them: most are instructions of the parse's blocks,
	// alive anyway, and clearing each would cost a write barrier while
	// the collector marks.
	p.emitted += len(p.stmts)
	p.stmts = p.stmts[:0]
	clear(p.refs)
	p.refs = p.refs[:0]
	// reuse's own test first, without its call: it does nothing on most
	// batches.
	if p.mem.taken >= reuseAfter && (free || p.letGo != nil && p.letGo()) {
		p.mem.reuse()
	}
}
