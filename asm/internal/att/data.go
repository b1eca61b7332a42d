package att

// Data sections: what they hold, and how they become GLOBL symbols with
// DATA. Each label in a data section starts a symbol that runs to the
// next label (or the section's end); bytes before the first label are a
// symbol named after the section. The symbols of a section follow each
// other without gaps, the first aligned for the section's largest
// alignment, so that offsets within a section are as GNU as lays them
// out.

import "github.com/jitrun/jitrun/asm/internal/ir"

type sectionKind uint8

const (
	secText    sectionKind = iota // code
	secData                       // writable data
	secRodata                     // read-only data
	secBSS                        // zeros
	secIgnored                    // .note.GNU-stack, .comment: dropped
)

// section is a data section (or the code, secText, which holds no bytes
// here: its statements go straight to the parser's list).
type section struct {
	name     string
	kind     sectionKind
	size     int64
	lines    []dataLine
	pos      ir.Pos
	labels   []string
	offsets  []int64
	labelPos []ir.Pos
	maxAlign int64
}

// dataLine is what one directive wrote at off: bytes, or a label
// difference of width bytes.
type dataLine struct {
	src   ir.Source
	off   int64
	bytes []byte
	width int
	diff  value
}

// maxDataSize bounds a data section, as in the Intel front end: 64 MiB.
const maxDataSize = 64 << 20

// maxCodeData bounds the bytes data directives place in code: 16 MiB.
const maxCodeData = 16 << 20

// emit places data at the current position: b, then that many zeros.
// In code it is raw bytes; in a data section the section's next bytes.
func (p *parser) emit(t token, b []byte, zeros int64) {
	s := p.sec
	switch s.kind {
	case secIgnored:
		return
	case secText:
		if s.size+int64(len(b))+zeros > maxCodeData {
			// Checked before the zeros are made: .zero 1000000000.
			p.errorf(t.col, "too much data in code (more than %d bytes)", maxCodeData)
			return
		}
		if zeros > 0 {
			b = append(b, make([]byte, zeros)...)
		}
		if len(b) > 0 {
			s.size += int64(len(b))
			p.stmts = append(p.stmts, &ir.BytesDef{Source: p.source(t), Bytes: append([]byte(nil), b...)})
		}
		return
	}
	n := int64(len(b)) + zeros
	if s.size+n > maxDataSize {
		p.errorf(t.col, "section %s is larger than %d bytes", s.name, maxDataSize)
		return
	}
	if s.kind == secBSS {
		for _, c := range b {
			if c != 0 {
				p.errorf(t.col, "%s holds zeros only: put initialised data in .data", s.name)
				return
			}
		}
		b = nil
	}
	if len(b) > 0 {
		s.lines = append(s.lines, dataLine{src: p.source(t), off: s.size, bytes: append([]byte(nil), b...)})
	}
	s.size += n
}

// symbols returns the section's symbols in order (ir.DataSymbols).
func (s *section) symbols() []ir.DataSym {
	return ir.DataSymbols(s.name, s.pos, s.size, s.labels, s.offsets, s.labelPos)
}

// emitData appends the GLOBL symbols of the data sections and their DATA.
func (p *parser) emitData() {
	for _, s := range p.sections {
		syms := s.symbols()
		for k, d := range syms {
			g := &ir.GloblDef{Source: ir.Source{Pos: d.Pos, Text: d.Name + ":"}, Name: d.Name, Size: d.Size, Align: 1}
			if d.Name == s.name {
				g.Text = s.name
			}
			if k == 0 {
				g.Align = max(s.maxAlign, ir.DefaultAlign(s.size))
			}
			if s.kind == secRodata {
				g.Flags = ir.FlagRODATA
			}
			p.stmts = append(p.stmts, g)
		}
		k := 0
		for _, l := range s.lines {
			for k+1 < len(syms) && syms[k+1].Off <= l.off {
				k++
			}
			d := syms[k]
			def := &ir.DataDef{Source: l.src, Name: d.Name, Off: l.off - d.Off}
			if l.width > 0 {
				// The distance from label sub to label sym, plus c.
				def.Width = int64(l.width)
				def.Value = ir.Operand{Kind: ir.LabelDiffOperand, Sym: l.diff.sym, String: l.diff.sub, Disp: l.diff.c}
			} else {
				def.Width = int64(len(l.bytes))
				def.Value = ir.Operand{Kind: ir.StringOperand, String: string(l.bytes)}
			}
			p.stmts = append(p.stmts, def)
		}
	}
}
