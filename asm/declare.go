package asm

import (
	"strconv"

	"github.com/jitrun/jitrun/asm/internal/ir"
)

// implicitText is the name of the function a source without TEXT
// directives assembles into when no label names its first byte (see
// implicitName).
const implicitText = "main"

// funcScope is one TEXT block: its symbol, its labels, and what its frame
// needs.
type funcScope struct {
	ref      ir.SymRef
	def      *ir.TextDef        // nil for a source's implicit function
	start    pieceID            // the first byte
	end      pieceID            // after the last byte
	labels   map[string]pieceID // nil until the first label
	labelPos map[string]ir.Pos
	hasCall  bool
	// The pieces that hold the instructions of the prologue and of the
	// epilogues go tool asm gives the function (frame.go), filled when the
	// function ends.
	prologue  frameSlots
	epilogues []frameSlots
}

func newFunc(ref ir.SymRef, def *ir.TextDef) *funcScope {
	return &funcScope{ref: ref, def: def} // labels and labelPos are made by the first label
}

// implicitFunc declares the function of a source without TEXT directives
// that has code, and returns it; noFunc for a source without code.
func (e *encoder) implicitFunc(stmts []ir.Stmt) funcID {
	for _, st := range stmts {
		switch st.(type) {
		case *ir.Inst, *ir.LabelDef, *ir.BytesDef, *ir.AlignDef:
			e.funcs = append(e.funcs, newFunc(ir.SymRef{Name: implicitName(stmts)}, nil))
			return 0
		}
	}
	return noFunc
}

// declareText declares a TEXT symbol and starts its function, which the
// statements after it belong to.
func (e *encoder) declareText(s *ir.TextDef) {
	e.endFunc()
	ref := ir.SymRef{Name: s.Name, Static: s.Static}
	jText, dupText := e.texts[ref]
	d, dupData := e.datas[ref]
	fn := funcID(len(e.funcs))
	switch {
	case ir.IsBroken(s):
		// Reported by the front end.
		if s.Name != "" && !dupText && !dupData {
			e.texts[ref] = fn
		}
	case s.Name == "":
		e.errorf(s.Pos, "TEXT needs a symbol name")
	case dupText:
		e.errorf(s.Pos, "TEXT %s redefined (first defined at %s)", ref, e.funcs[jText].def.Pos)
	case dupData:
		e.errorf(s.Pos, "TEXT %s: the name is a GLOBL symbol (at %s)", ref, d.def.Pos)
	default:
		e.texts[ref] = fn
	}
	e.funcs = append(e.funcs, newFunc(ref, s))
	e.cur = fn
}

// declareGlobl declares a GLOBL symbol.
func (e *encoder) declareGlobl(s *ir.GloblDef) {
	ref := ir.SymRef{Name: s.Name, Static: s.Static}
	broken := ir.IsBroken(s)
	prev, dup := e.datas[ref]
	switch {
	case broken && (s.Name == "" || dup || s.Size < 0 || s.Size > 1<<30):
		// Reported by the front end.
	case s.Name == "":
		e.errorf(s.Pos, "GLOBL needs a symbol name")
	case dup:
		e.errorf(s.Pos, "GLOBL %s redefined (first declared at %s)", ref, prev.def.Pos)
	case s.Size < 0 || s.Size > 1<<30:
		e.errorf(s.Pos, "GLOBL %s: size %d is not between 0 and 1<<30", ref, s.Size)
	case s.Align < 0 || s.Align > ir.MaxAlign || s.Align&(s.Align-1) != 0:
		e.errorf(s.Pos, "GLOBL %s: alignment %d is not a power of two between 1 and %d", ref, s.Align, ir.MaxAlign)
	default:
		if j, ok := e.texts[ref]; ok && !broken {
			e.errorf(s.Pos, "GLOBL %s: the name is a TEXT symbol (at %s)", ref, e.funcs[j].def.Pos)
			return
		}
		kind := SymData
		if s.Flags&RODATA != 0 {
			kind = SymRodata
		}
		d := &dataSym{ref: ref, def: s, kind: kind, size: int(s.Size), align: int(s.Align), pos: s.Pos}
		e.datas[ref] = d
		if e.dataSize+s.Size > MaxProgramSize {
			e.errorf(s.Pos, "GLOBL %s: the data symbols declared so far take %d bytes, more than the %d (1 GiB) a program may hold (MaxProgramSize)", ref, e.dataSize+s.Size, MaxProgramSize)
			d.oversize = true
			return
		}
		e.dataSize += s.Size
		e.data = append(e.data, d)
	}
}

// endFunc ends the current function: it sets where the function ends and
// fills its prologue and epilogues, now that its frame is known.
func (e *encoder) endFunc() {
	if e.cur == noFunc {
		return
	}
	f := e.funcs[e.cur]
	f.end = e.next()
	if f.def != nil && !ir.IsBroken(f.def) {
		e.frame(f)
	}
	e.cur = noFunc
}

// implicitName names the function of a source without TEXT directives:
// the label at its first byte, if its name is an identifier in both
// syntaxes (letters, digits and _) that no data symbol has; otherwise
// main, or main1, main2, … when the source uses main. So a label of the
// implicit function has its name only when it gave the name: emit leaves
// that label out of Program.Labels, as the symbol already names its byte.
func implicitName(stmts []ir.Stmt) string {
	var n implicitNamer
	for _, st := range stmts {
		n.see(st)
	}
	return n.name()
}

// implicitNamer chooses implicitName as the statements go by, so that an
// encoder taking a source without TEXT as it is read (streamText) can
// name its function at the end without holding the statements.
type implicitNamer struct {
	used    map[string]bool // every label and data symbol
	data    map[string]bool // the data symbols
	first   string
	pastTop bool // an instruction or data bytes came
}

// see notes a statement of the source, in order.
func (n *implicitNamer) see(st ir.Stmt) {
	switch s := st.(type) {
	case *ir.LabelDef:
		if n.used == nil {
			n.used = map[string]bool{}
		}
		n.used[s.Name] = true
		if !n.pastTop && n.first == "" && isPlainIdent(s.Name) {
			n.first = s.Name
		}
	case *ir.GloblDef:
		if n.used == nil {
			n.used = map[string]bool{}
		}
		if n.data == nil {
			n.data = map[string]bool{}
		}
		n.used[s.Name] = true
		n.data[s.Name] = true
	case *ir.Inst, *ir.BytesDef:
		n.pastTop = true
	}
}

// name is the name of the function, once every statement is seen.
func (n *implicitNamer) name() string {
	if n.first != "" && !n.data[n.first] {
		return n.first
	}
	name := implicitText
	for k := 1; n.used[name]; k++ {
		name = implicitText + strconv.Itoa(k)
	}
	return name
}

// isPlainIdent reports whether s is a name both syntaxes read: an ASCII
// letter or _, then letters, digits and _.
func isPlainIdent(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && '0' <= c && c <= '9') {
			return false
		}
	}
	return s != ""
}

func stmtWhat(st ir.Stmt) string {
	switch s := st.(type) {
	case *ir.Inst:
		return "instruction " + s.Op
	case *ir.LabelDef:
		return "label " + s.Name
	case *ir.BytesDef:
		return "data bytes"
	case *ir.AlignDef:
		return "alignment"
	}
	return "statement"
}
