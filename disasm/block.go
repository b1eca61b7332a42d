package disasm

import (
	"fmt"
	"sort"

	"github.com/jitrun/jitrun/asm"
)

// block is one code block being listed: the bytes and what the Program
// says about them, indexed by offset.
type block struct {
	code   []byte
	base   uint64
	syntax asm.Syntax
	prog   *asm.Program // nil for raw bytes
	source bool

	// data[i] is set for bytes shown as data (nil without a Program).
	data []bool
	// names maps an offset (0 through len(code): a label may sit at the
	// very end) to the symbols and labels there, symbols first.
	names map[int][]name
	// named lists the offsets in names, sorted.
	named []int
	// texts are the TEXT symbols inside the code, sorted by offset.
	texts []asm.Symbol
	// syms are all symbols inside the code, sorted by offset.
	syms []asm.Symbol
	// stops are the offsets where decoding must (re)start: symbol and
	// label starts, source line starts, region changes and the mark,
	// sorted; stopWhy says what each one is, for notes.
	stops   []int
	stopWhy map[int]string
	mark    int // offset of Options.Mark, or -1
}

type nameKind uint8

const (
	symbolName nameKind = iota // a TEXT or GLOBL symbol
	labelName                  // a label of the Program
	madeName                   // a loc_ADDR label made for a branch target
)

// name is a symbol or label at some offset.
type name struct {
	text   string
	kind   nameKind
	static bool   // symbolName: name<>(SB) in Go syntax
	fn     string // labelName: the TEXT symbol it belongs to
	unique bool   // no other symbol or label has this text
}

func newBlock(code []byte, opts Options) *block {
	b := &block{
		code:    code,
		base:    opts.Base,
		syntax:  printed(opts.Syntax),
		prog:    opts.Program,
		source:  opts.Source && opts.Program != nil,
		names:   map[int][]name{},
		stopWhy: map[int]string{},
		mark:    -1,
	}
	if opts.HasMark {
		if off := opts.Mark - opts.Base; off < uint64(len(code)) {
			b.mark = int(off)
			b.stop(b.mark, "the marked address")
		}
	}
	if b.prog != nil {
		b.addNames()
		for _, l := range b.prog.Lines {
			if l.Offset >= 0 && l.Offset < len(code) {
				b.stop(l.Offset, fmt.Sprintf("the code of line %d", l.Pos.Line))
			}
		}
		b.markData()
	}
	b.sortStops()
	return b
}

// addNames records the symbols and labels of the Program inside the code
// (a label may sit at its very end), and the symbols in syms and texts.
func (b *block) addNames() {
	p, n := b.prog, len(b.code)
	count := map[string]int{} // of the names the listing may print
	for _, s := range p.Symbols {
		if s.Offset < 0 || s.Offset > n || s.Name == "" {
			continue
		}
		if readsName(b.syntax, s.Name) {
			count[s.Name]++
		}
		if s.Offset < n {
			b.syms = append(b.syms, s)
			if s.Kind == asm.SymText {
				b.texts = append(b.texts, s)
			}
		}
	}
	for _, l := range p.Labels {
		if l.Offset >= 0 && l.Offset <= n && readsName(b.syntax, l.Name) {
			count[l.Name]++
		}
	}
	for _, s := range p.Symbols {
		if s.Offset >= 0 && s.Offset <= n && s.Name != "" {
			b.addName(s.Offset, name{text: s.Name, kind: symbolName, static: s.Static, unique: count[s.Name] == 1})
			b.stop(s.Offset, "symbol "+s.Name)
			if end := s.Offset + s.Size; s.Size > 0 && end < n {
				b.stop(end, "the end of symbol "+s.Name)
			}
		}
	}
	for _, l := range p.Labels {
		if l.Offset >= 0 && l.Offset <= n && l.Name != "" {
			b.addName(l.Offset, name{text: l.Name, kind: labelName, fn: l.Func, unique: count[l.Name] == 1})
			b.stop(l.Offset, "label "+l.Name)
		}
	}
	sort.SliceStable(b.syms, func(i, j int) bool { return b.syms[i].Offset < b.syms[j].Offset })
	sort.SliceStable(b.texts, func(i, j int) bool { return b.texts[i].Offset < b.texts[j].Offset })
}

// markData marks the bytes shown as data: GLOBL symbols, and whatever
// follows the last function; and stops where data and code meet.
func (b *block) markData() {
	n := len(b.code)
	b.data = make([]bool, n)
	textEnd := -1
	for _, s := range b.texts {
		textEnd = max(textEnd, s.Offset+s.Size)
	}
	if textEnd >= 0 {
		for i := max(textEnd, 0); i < n; i++ {
			b.data[i] = true
		}
	}
	for _, s := range b.syms {
		switch s.Kind {
		case asm.SymData, asm.SymRodata:
			for i := s.Offset; i < min(s.Offset+s.Size, n); i++ {
				b.data[i] = true
			}
		case asm.SymText:
			for i := s.Offset; i < min(s.Offset+s.Size, n); i++ {
				b.data[i] = false
			}
		}
	}
	for i := 1; i < n; i++ {
		if b.data[i] != b.data[i-1] {
			if b.data[i] {
				b.stop(i, "data")
			} else {
				b.stop(i, "code")
			}
		}
	}
}

// addName records a name at off, if the listing may print it (see
// readsName).
func (b *block) addName(off int, nm name) {
	if !readsName(b.syntax, nm.text) {
		return
	}
	if _, ok := b.names[off]; !ok {
		b.named = append(b.named, off)
	}
	b.names[off] = append(b.names[off], nm)
}

func (b *block) stop(off int, why string) {
	if _, ok := b.stopWhy[off]; !ok {
		b.stops = append(b.stops, off)
		b.stopWhy[off] = why
	}
}

func (b *block) sortStops() {
	sort.Ints(b.stops)
	sort.Ints(b.named)
	// Symbols before labels at the same offset, each in Program order.
	for _, off := range b.named {
		ns := b.names[off]
		sort.SliceStable(ns, func(i, j int) bool { return ns[i].kind < ns[j].kind })
	}
}

// nextStop returns the first stop after off, or len(code).
func (b *block) nextStop(off int) int {
	i := sort.SearchInts(b.stops, off+1)
	if i < len(b.stops) {
		return b.stops[i]
	}
	return len(b.code)
}

func (b *block) isData(off int) bool { return b.data != nil && b.data[off] }

// funcAt returns the name of the TEXT symbol containing off, or "".
func (b *block) funcAt(off int) string {
	for i := len(b.texts) - 1; i >= 0; i-- {
		s := b.texts[i]
		if s.Offset <= off {
			if off < s.Offset+s.Size {
				return s.Name
			}
			break
		}
	}
	return ""
}

// symbolAt returns the symbol containing off whose name the listing may
// print, to name off as symbol+offset.
func (b *block) symbolAt(off int) (asm.Symbol, bool) {
	for i := len(b.syms) - 1; i >= 0; i-- {
		s := b.syms[i]
		if s.Offset <= off && off < s.Offset+s.Size && readsName(b.syntax, s.Name) {
			return s, true
		}
	}
	return asm.Symbol{}, false
}

// nearest returns the name at or before off that is closest to it (a
// symbol before a label at the same offset) and its offset.
func (b *block) nearest(off int) (name, int, bool) {
	i := sort.SearchInts(b.named, off+1) - 1
	if i < 0 {
		return name{}, 0, false
	}
	at := b.named[i]
	ns := b.names[at]
	return ns[0], at, true
}
