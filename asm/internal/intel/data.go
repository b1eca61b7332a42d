package intel

// Directives of the Intel front end: sections, data, alignment, symbols.

import (
	"bytes"
	"encoding/binary"
	"math"
	"strings"

	"github.com/jitrun/jitrun/asm/internal/ir"
)

// sectionKind is what a data section holds.
type sectionKind uint8

const (
	secData   sectionKind = iota // .data: initialised data
	secRodata                    // .rodata: read-only data
	secBSS                       // .bss: zeros
)

// intelSection is a data section: its size so far, the lines that wrote
// bytes into it and its labels. Each label becomes a GLOBL symbol that
// runs to the next label (or the end of the section); bytes before the
// first label become a symbol named after the section (.data).
type intelSection struct {
	name     string
	kind     sectionKind
	size     int64
	lines    []intelDataLine
	pos      ir.Pos
	labels   []string
	offsets  []int64
	labelPos []ir.Pos
	maxAlign int64
}

// intelDataLine is what one source line wrote: bytes at off. Reserved
// zeros (resb, .zero, .bss) are not written: the symbol starts zeroed.
type intelDataLine struct {
	src   ir.Source
	off   int64
	bytes []byte
}

// symbols returns the section's symbols in order: the bytes before its
// first label (named after the section), then one per label. Labels at the
// same offset, and a label at the end, are symbols of size 0.
func (s *intelSection) symbols() []ir.DataSym {
	return ir.DataSymbols(s.name, s.pos, s.size, s.labels, s.offsets, s.labelPos)
}

// align is the alignment of the section's start: its largest align
// directive, and at least the largest power of two not above its size
// (at most 64), the alignment a symbol of that size gets by default.
func (s *intelSection) align() int64 {
	return max(s.maxAlign, ir.DefaultAlign(s.size))
}

func (p *parser) sectionByName(name string) *intelSection {
	for _, s := range p.sections {
		if s.name == name {
			return s
		}
	}
	return nil
}

// maxDataSize bounds the size of a data section, and maxCodeData the bytes
// data directives may place in code: a source asks for memory with them.
const (
	maxDataSize = 1 << 26
	maxCodeData = 1 << 24
)

// dataWidth returns the unit size of a data directive, or 0.
func dataWidth(word string) int {
	switch word {
	case "db", ".byte":
		return 1
	case "dw", ".word", ".short", ".2byte", ".value":
		return 2
	case "dd", ".long", ".int", ".4byte":
		return 4
	case "dq", ".quad", ".8byte":
		return 8
	}
	return 0
}

// isIntelDataDirective reports whether word lays out data besides db…dq.
func isIntelDataDirective(word string) bool {
	switch word {
	case ".ascii", ".asciz", ".string", ".zero", ".skip", ".space",
		"resb", "resw", "resd", "resq", "rest", "reso", "resy", "resz":
		return true
	}
	return false
}

// IsDirective reports whether word (lower case) is a directive of the
// Intel front end, in either spelling (section, .section, db, .byte, …).
func IsDirective(word string) bool { return isIntelDirective(word) }

// isIntelDirective reports whether word is a directive.
func isIntelDirective(word string) bool {
	switch strings.TrimPrefix(word, ".") {
	case "section", "segment", "text", "data", "rodata", "bss", "global", "globl", "extern", "bits",
		"use64", "default", "intel_syntax", "att_syntax", "align", "balign", "p2align", "equ", "set",
		"type", "size", "file", "ident", "cpu", "org", "dt", "ddq", "do", "dy", "dz", "incbin":
		return true
	}
	return dataWidth(word) > 0 || isIntelDataDirective(word) || strings.HasPrefix(word, ".cfi_")
}

// isNASMDirective reports whether word is a directive written without a
// leading dot (NASM's; GNU as's all start with one).
func isNASMDirective(word string) bool {
	switch word {
	case "section", "segment", "global", "extern", "bits", "use64", "default", "align", "cpu", "org", "incbin",
		"dt", "ddq", "do", "dy", "dz":
		return true
	}
	return dataWidth(word) > 0 || strings.HasPrefix(word, "res") && isIntelDataDirective(word)
}

// directive handles a directive and reports whether word was one.
func (p *parser) directive(word string, toks []itok) bool {
	if dataWidth(word) > 0 || isIntelDataDirective(word) {
		p.data(word, toks, 1)
		return true
	}
	if strings.HasPrefix(word, ".cfi_") {
		return true // call-frame information: nothing to do without a linker
	}
	do, ok := directives[word]
	if ok {
		do(p, word, toks[0], toks[1:])
	}
	return ok
}

// directives are the directives besides data, by the word as written
// (lower case): NASM's without a dot, GNU as's with one, some both ways.
var directives = map[string]func(p *parser, word string, t itok, args []itok){
	"section": sectionDirective, ".section": sectionDirective, "segment": sectionDirective, ".segment": sectionDirective,
	".text": namedSection, ".data": namedSection, ".rodata": namedSection, ".bss": namedSection,
	"global": globalDirective, ".global": globalDirective, ".globl": globalDirective,
	"extern": externDirective, ".extern": externDirective,
	"bits":    bitsDirective,
	"default": defaultDirective,
	"align":   alignDirective, ".align": alignDirective, "balign": alignDirective, ".balign": alignDirective,
	"p2align": alignDirective, ".p2align": alignDirective,
	".equ": equDirective, ".set": equDirective,
	".intel_syntax": intelSyntaxDirective,
	".att_syntax":   attSyntaxDirective,
	"org":           orgDirective,
	"incbin":        incbinDirective, ".incbin": incbinDirective,
	"dt": wideDataDirective, "ddq": wideDataDirective, "do": wideDataDirective, "dy": wideDataDirective, "dz": wideDataDirective,
	// Accepted and ignored.
	"use64": ignoreDirective, ".use64": ignoreDirective, "cpu": ignoreDirective,
	".type": ignoreDirective, ".size": ignoreDirective, ".file": ignoreDirective, ".ident": ignoreDirective,
}

func ignoreDirective(*parser, string, itok, []itok) {}

func sectionDirective(p *parser, _ string, t itok, args []itok) {
	if args[0].kind != itIdent {
		p.errorf(t.col, "%s needs a section name", t.text)
		return
	}
	// Attributes after the name (align=16, "a", @progbits) are ignored.
	p.section(args[0])
}

func namedSection(p *parser, word string, t itok, _ []itok) {
	p.section(itok{kind: itIdent, text: word, col: t.col})
}

func globalDirective(p *parser, _ string, t itok, args []itok) { p.globalNames(t, args) }

// externDirective accepts the names of the library's routines
// (Options.Library), which the encoder links in; any other name is an
// error.
func externDirective(p *parser, _ string, t itok, args []itok) {
	ok := false
	for _, a := range args {
		if a.kind == itIdent && p.isLibrary(a.text) {
			ok = true // extern print_int, print_hex
			continue
		}
		if a.kind == itEOL || a.kind == itPunct && a.text == "," {
			continue
		}
		ok = false
		break
	}
	if !ok {
		p.errorf(t.col, "extern: jitrun has no linker, so code can only use labels of its own source and the routines of its I/O library (jitrun help lib)")
	}
}

func bitsDirective(p *parser, _ string, _ itok, args []itok) {
	n, _, ok := p.evalConst(args, "bits")
	if ok && n != 64 {
		p.errorf(args[0].col, "bits %d: only 64-bit code is supported", n)
	}
}

func defaultDirective(p *parser, _ string, _ itok, args []itok) {
	switch w := strings.ToLower(args[0].text); {
	case args[0].kind == itIdent && w == "rel":
	case args[0].kind == itIdent && w == "abs":
		p.errorf(args[0].col, "default abs: absolute addresses need a linker; jitrun code is always RIP-relative")
	default:
		p.errorf(args[0].col, "default takes rel")
	}
}

func alignDirective(p *parser, word string, t itok, args []itok) { p.align(word, t, args) }

// equDirective is .equ name, value.
func equDirective(p *parser, word string, t itok, args []itok) {
	if args[0].kind != itIdent || args[1].kind != itPunct || args[1].text != "," {
		p.errorf(t.col, "%s needs a name, a comma and a value", word)
		return
	}
	p.equ(args[0], args[2:])
}

func intelSyntaxDirective(p *parser, _ string, _ itok, args []itok) {
	if args[0].kind == itIdent && strings.EqualFold(args[0].text, "prefix") {
		p.errorf(args[0].col, ".intel_syntax prefix (%%rax) is not supported: write registers without %%")
	}
}

func attSyntaxDirective(p *parser, _ string, t itok, _ []itok) {
	p.errorf(t.col, ".att_syntax: AT&T syntax is not supported; write Intel syntax, or Go syntax with --syntax go")
}

func orgDirective(p *parser, _ string, t itok, _ []itok) {
	p.errorf(t.col, "org: code assembled here is position independent; it has no origin")
}

func incbinDirective(p *parser, _ string, t itok, _ []itok) {
	p.errorf(t.col, "incbin is not supported: a source cannot read files")
}

func wideDataDirective(p *parser, word string, t itok, _ []itok) {
	p.errorf(t.col, "%s is not supported: use db, dw, dd or dq", word)
}

// section switches to a section.
func (p *parser) section(name itok) {
	n := strings.ToLower(name.text)
	var kind sectionKind
	switch n {
	case ".text":
		p.sec = nil
		return
	case ".data":
		kind = secData
	case ".rodata", ".rdata":
		kind = secRodata
		n = ".rodata"
	case ".bss":
		kind = secBSS
	default:
		p.errorf(name.col, "unknown section %s: use .text, .data, .rodata or .bss", name.text)
		return
	}
	if s := p.sectionByName(n); s != nil {
		p.sec = s
		return
	}
	p.sec = &intelSection{name: n, kind: kind, pos: p.pos(name.col)}
	p.sections = append(p.sections, p.sec)
}

func (p *parser) globalNames(t itok, args []itok) {
	if args[0].kind == itEOL {
		p.errorf(t.col, "%s needs a name", t.text)
		return
	}
	for _, a := range args {
		switch {
		case a.kind == itIdent:
			p.globals = append(p.globals, nameRef{name: p.qualify(a.text), pos: p.pos(a.col)})
		case a.kind == itPunct && (a.text == "," || a.text == ":"):
			// global f, g / global f:function (NASM's symbol type)
		case a.kind == itEOL:
		default:
			p.errorf(a.col, "unexpected %s in %s", a, t.text)
			return
		}
	}
}

// align pads to a power of two: NOPs in code, zeros in data.
func (p *parser) align(word string, t itok, args []itok) {
	if args[0].kind == itEOL {
		p.errorf(t.col, "%s needs an alignment", word)
		return
	}
	n, next, ok := p.evalConst(args, "alignment")
	if !ok {
		return
	}
	if args[next].kind != itEOL {
		p.errorf(args[next].col, "%s takes only an alignment (the padding is NOPs in code and zeros in data)", word)
		return
	}
	if word == ".p2align" {
		if n < 0 || n > 12 {
			p.errorf(args[0].col, ".p2align %d: want 0 to 12", n)
			return
		}
		n = 1 << n
	}
	if n < 1 || n > ir.MaxAlign || n&(n-1) != 0 {
		p.errorf(args[0].col, "alignment %d is not a power of two between 1 and %d", n, ir.MaxAlign)
		return
	}
	if p.sec == nil {
		p.stmts = append(p.stmts, &ir.AlignDef{Source: p.source(t), Align: n})
		return
	}
	p.sec.maxAlign = max(p.sec.maxAlign, n)
	pad := (n - p.sec.size%n) % n
	p.emit(t, nil, pad)
}

// data lays out a data directive count times (times N db …).
func (p *parser) data(word string, toks []itok, count int64) {
	t := toks[0]
	args := toks[1:]
	limit := int64(maxDataSize)
	if p.sec == nil {
		limit = maxCodeData
	}
	var b []byte
	var zeros int64
	ok := false
	switch {
	case strings.HasPrefix(word, "res"):
		zeros, ok = p.reserveData(word, args, limit)
	case word == ".zero" || word == ".skip" || word == ".space":
		b, zeros, ok = p.fillData(word, t, args, limit)
	case word == ".ascii" || word == ".asciz" || word == ".string":
		b, ok = p.stringData(word, t, args)
	default:
		b, ok = p.valueData(word, t, args)
	}
	if !ok {
		return
	}
	if (int64(len(b))+zeros)*count > limit {
		p.errorf(t.col, "too much data (more than %d bytes)", limit)
		return
	}
	if count != 1 {
		b = bytes.Repeat(b, int(count))
		zeros *= count
	}
	p.emit(t, b, zeros)
}

// reserveData is resb, resw, …: a count of zeroed units.
func (p *parser) reserveData(word string, args []itok, limit int64) (zeros int64, ok bool) {
	width := map[string]int64{"resb": 1, "resw": 2, "resd": 4, "resq": 8, "rest": 10, "reso": 16, "resy": 32, "resz": 64}[word]
	n, next, ok := p.evalConst(args, word+" count")
	if !ok {
		return 0, false
	}
	if args[next].kind != itEOL {
		p.errorf(args[next].col, "unexpected %s after the count", args[next])
		return 0, false
	}
	if n < 0 || n > limit/width {
		p.errorf(args[0].col, "%s %d: count out of range (0 to %d)", word, n, limit/width)
		return 0, false
	}
	return n * width, true
}

// fillData is .zero, .skip and .space: a size and an optional fill byte. Zeros
// are returned as a count, other bytes as bytes.
func (p *parser) fillData(word string, t itok, args []itok, limit int64) (b []byte, zeros int64, ok bool) {
	ops, bad := splitOperands(args)
	if bad > 0 || len(ops) == 0 || len(ops) > 2 {
		p.errorf(t.col, "%s takes a size and an optional fill byte", word)
		return nil, 0, false
	}
	n, _, ok := p.evalConst(ops[0], "size")
	if !ok {
		return nil, 0, false
	}
	if n < 0 || n > limit {
		p.errorf(args[0].col, "%s %d: size out of range (0 to %d)", word, n, limit)
		return nil, 0, false
	}
	fill := int64(0)
	if len(ops) == 2 {
		if fill, _, ok = p.evalConst(ops[1], "fill byte"); !ok {
			return nil, 0, false
		}
		if fill < -128 || fill > 255 {
			p.errorf(ops[1][0].col, "fill %d does not fit in a byte", fill)
			return nil, 0, false
		}
	}
	if fill == 0 {
		return nil, n, true
	}
	return bytes.Repeat([]byte{byte(fill)}, int(n)), 0, true
}

// stringData is .ascii, .asciz and .string: strings with C escapes, each
// followed by a zero byte but for .ascii.
func (p *parser) stringData(word string, t itok, args []itok) ([]byte, bool) {
	ops, bad := splitOperands(args)
	if bad > 0 || len(ops) == 0 {
		p.errorf(t.col, "%s needs a string", word)
		return nil, false
	}
	var b []byte
	for _, op := range ops {
		if op[0].kind != itString || op[1].kind != itEOL {
			p.errorf(op[0].col, "%s takes strings", word)
			return nil, false
		}
		s := op[0].text
		if op[0].quote != '`' {
			u, ok := p.unescapeGNU(s, op[0].col)
			if !ok {
				return nil, false
			}
			s = u
		}
		b = append(b, s...)
		if word != ".ascii" {
			b = append(b, 0)
		}
	}
	return b, true
}

// valueData is db, dw, dd, dq and their GNU names: a list of values.
func (p *parser) valueData(word string, t itok, args []itok) ([]byte, bool) {
	width := dataWidth(word)
	ops, bad := splitOperands(args)
	if bad > 0 {
		p.errorf(bad, "missing value")
		return nil, false
	}
	if len(ops) == 0 {
		p.errorf(t.col, "%s needs at least one value", word)
		return nil, false
	}
	var b []byte
	for _, op := range ops {
		v, ok := p.dataValue(op, width)
		if !ok {
			return nil, false
		}
		b = append(b, v...)
	}
	return b, true
}

// unescapeGNU decodes the C escapes GNU as reads in .ascii strings.
func (p *parser) unescapeGNU(s string, col int) (string, bool) {
	if !strings.Contains(s, `\`) {
		return s, true
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		r, n, msg := unescapeC(s[i+1:])
		if msg != "" {
			p.errorf(col, "%s", msg)
			return "", false
		}
		b.WriteString(r)
		i += n
	}
	return b.String(), true
}

// dataValue encodes one value of a db/dw/dd/dq list.
func (p *parser) dataValue(op []itok, width int) ([]byte, bool) {
	// A string: its bytes, padded with zeros to a multiple of the width.
	if op[0].kind == itString && op[1].kind == itEOL {
		b := []byte(op[0].text)
		for len(b)%width != 0 {
			b = append(b, 0)
		}
		return b, true
	}
	// A floating-point number: dd is float32, dq float64.
	neg := false
	f := op
	if f[0].kind == itPunct && (f[0].text == "-" || f[0].text == "+") && f[1].kind == itFloat {
		neg = f[0].text == "-"
		f = f[1:]
	}
	if f[0].kind == itFloat {
		if f[1].kind != itEOL {
			p.errorf(f[1].col, "unexpected %s after a floating-point number", f[1])
			return nil, false
		}
		v := f[0].fval
		if neg {
			v = -v
		}
		switch width {
		case 4:
			if math.Abs(v) > math.MaxFloat32 {
				p.errorf(f[0].col, "%s does not fit in a 32-bit float", f[0].text)
				return nil, false
			}
			return binary.LittleEndian.AppendUint32(nil, math.Float32bits(float32(v))), true
		case 8:
			return binary.LittleEndian.AppendUint64(nil, math.Float64bits(v)), true
		}
		p.errorf(f[0].col, "a floating-point number needs dd (32 bits) or dq (64 bits)")
		return nil, false
	}
	e := &exprParser{p: p, toks: op}
	v := e.expr()
	if e.err != "" {
		p.errorf(e.ecol, "%s", e.err)
		return nil, false
	}
	if e.peek().kind != itEOL {
		p.errorf(e.peek().col, "unexpected %s in data", e.peek())
		return nil, false
	}
	if !v.isConst() {
		p.errorf(op[0].col, "an address in data needs a linker (jitrun code is position independent): compute it at run time with lea reg, [rel label]")
		return nil, false
	}
	if width < 8 {
		bits := uint(8 * width)
		if v.c < -1<<(bits-1) || v.c > 1<<bits-1 {
			p.errorf(op[0].col, "%d does not fit in %d bits", v.c, bits)
			return nil, false
		}
	}
	var buf [8]byte
	binary.LittleEndian.PutUint64(buf[:], uint64(v.c))
	return buf[:width], true
}

// emit places data at the current position: b, or that many zeros. In
// code it is raw bytes; in a data section the section's next bytes.
func (p *parser) emit(t itok, b []byte, zeros int64) {
	if p.sec == nil {
		if zeros > 0 {
			b = append(b, make([]byte, zeros)...)
		}
		if len(b) > 0 {
			if p.codeData += int64(len(b)); p.codeData > maxCodeData {
				p.errorf(t.col, "too much data in code (more than %d bytes)", maxCodeData)
				return
			}
			p.stmts = append(p.stmts, &ir.BytesDef{Source: p.source(t), Bytes: b})
		}
		return
	}
	// In data, the line's labels are part of what the line map shows.
	src := p.source(p.lineStart)
	s := p.sec
	n := int64(len(b)) + zeros
	if s.size+n > maxDataSize {
		p.errorf(t.col, "section %s is larger than %d bytes", s.name, maxDataSize)
		return
	}
	if s.kind == secBSS {
		for _, c := range b {
			if c != 0 {
				p.errorf(t.col, ".bss holds zeros only: put initialised data in .data")
				return
			}
		}
		b = nil
	}
	if len(b) > 0 {
		s.lines = append(s.lines, intelDataLine{src: src, off: s.size, bytes: b})
	}
	s.size += n
}

// emitData appends the GLOBL symbols of the data sections and their DATA.
// The symbols of a section follow each other without gaps (Align 1), as
// NASM lays them out; the first is aligned for the whole section.
func (p *parser) emitData() {
	for _, s := range p.sections {
		syms := s.symbols()
		for k, d := range syms {
			text := d.Name + ":"
			if d.Name == s.name {
				text = "section " + s.name
			}
			g := &ir.GloblDef{Source: ir.Source{Pos: d.Pos, Text: text}, Name: d.Name, Size: d.Size, Align: 1}
			if k == 0 {
				g.Align = s.align()
			}
			if s.kind == secRodata {
				g.Flags = ir.FlagRODATA
			}
			p.stmts = append(p.stmts, g)
		}
		if s.kind == secBSS {
			continue
		}
		k := 0
		for _, l := range s.lines {
			// The symbol the line's bytes are in: labels start lines, so a
			// line never spans two.
			for k+1 < len(syms) && syms[k+1].Off <= l.off {
				k++
			}
			d := syms[k]
			p.stmts = append(p.stmts, &ir.DataDef{Source: l.src, Name: d.Name, Off: l.off - d.Off, Width: int64(len(l.bytes)),
				Value: ir.Operand{Kind: ir.StringOperand, String: string(l.bytes)}})
		}
	}
}
