package att

// Directives, as gcc writes them and GNU as reads them:
//
//	.text .data .bss .section NAME[,"FLAGS"[,@TYPE…]] .previous .pushsection .popsection
//	.byte .word .short .value .hword .2byte .long .int .4byte .quad .8byte   integers, or label differences .L3-.L4
//	.ascii .asciz .string .zero N .skip/.space N[,FILL] .float .single .double
//	.p2align N .align N .balign N (alignment in bytes on x86; a fill and a maximum are read and ignored)
//	.set/.equ NAME, VALUE   NAME = VALUE
//	.comm/.lcomm NAME, SIZE[, ALIGN]   zeroed writable data
//	.globl .global .local .weak .hidden .protected .internal .type .size .file .ident
//	.cfi_* .loc .addrsig .addrsig_sym .att_syntax .code64 .end          accepted and ignored
//
// Sections: .text and .text.* (.text.unlikely, .text.startup) are code,
// in source order; .rodata and .rodata.* read-only data; .data and
// .data.* writable data; .bss, .bss.* and @nobits sections zeros; any
// other section by its flags (x code, w writable, else read-only);
// .note.* and .comment are dropped.

import (
	"math"
	"strconv"
	"strings"

	"github.com/jitrun/jitrun/asm/internal/ir"
)

// ignoredDirectives mean nothing to code that is not linked: symbol
// visibility and types, debug and unwind information, file names.
var ignoredDirectives = map[string]bool{
	".globl": true, ".global": true, ".local": true, ".weak": true, ".hidden": true, ".protected": true,
	".internal": true, ".type": true, ".size": true, ".file": true, ".ident": true, ".loc": true,
	".addrsig": true, ".addrsig_sym": true, ".att_syntax": true, ".code64": true, ".end": true,
	".sleb128_": true, ".uleb128_": true, ".frame": true, ".def": true, ".endef": true, ".scl": true,
	".seh_proc": true, ".seh_endproc": true, ".seh_endprologue": true, ".seh_stackalloc": true,
	".seh_pushreg": true, ".seh_setframe": true, ".seh_savereg": true, ".seh_savexmm": true,
	".linkonce": true, ".symver": true, ".stabs": true, ".stabn": true, ".stabd": true,
}

// dataWidths are the integer data directives and their widths.
var dataWidths = map[string]int{
	".byte": 1, ".word": 2, ".short": 2, ".value": 2, ".hword": 2, ".2byte": 2,
	".long": 4, ".int": 4, ".4byte": 4, ".quad": 8, ".8byte": 8,
}

// directive parses a directive statement; toks[0] is its name.
func (p *parser) directive(t token, toks []token) {
	name := strings.ToLower(t.text)
	args := toks[1:]
	if ignoredDirectives[name] || strings.HasPrefix(name, ".cfi_") {
		return
	}
	if w := dataWidths[name]; w > 0 {
		p.integers(t, w, args)
		return
	}
	switch name {
	case ".text":
		p.switchTo(t, ".text", "")
	case ".data":
		p.switchTo(t, ".data", "")
	case ".bss":
		p.switchTo(t, ".bss", "")
	case ".section", ".pushsection":
		p.section(t, args, name == ".pushsection")
	case ".popsection":
		if len(p.stack) == 0 {
			p.errorf(t.col, ".popsection without .pushsection")
			return
		}
		p.previous, p.sec = p.sec, p.stack[len(p.stack)-1]
		p.stack = p.stack[:len(p.stack)-1]
	case ".previous":
		if p.previous == nil {
			p.errorf(t.col, ".previous: no section before this one")
			return
		}
		p.previous, p.sec = p.sec, p.previous
	case ".ascii", ".asciz", ".string":
		p.strings(t, name != ".ascii", args)
	case ".zero", ".skip", ".space":
		p.zeros(t, args)
	case ".float", ".single":
		p.floats(t, 4, args)
	case ".double":
		p.floats(t, 8, args)
	case ".p2align", ".align", ".balign":
		p.align(t, name, args)
	case ".set", ".equ":
		if args[0].kind != tIdent || !args[1].is(",") {
			p.errorf(t.col, "%s needs a name, a comma and a value", t.text)
			return
		}
		p.setConst(args[0], args[2:])
	case ".comm", ".lcomm":
		p.comm(t, args)
	case ".intel_syntax":
		p.errorf(t.col, ".intel_syntax: this source is Intel syntax from here on; read it with --syntax intel")
	case ".code16", ".code32":
		p.errorf(t.col, "%s: only 64-bit code is supported", t.text)
	case ".org":
		p.errorf(t.col, ".org: code assembled here is position independent; it has no origin")
	case ".incbin":
		p.errorf(t.col, ".incbin is not supported: a source cannot read files")
	case ".macro", ".rept", ".irp", ".irpc", ".if", ".ifdef", ".ifndef", ".include":
		p.errorf(t.col, "unsupported directive %s: the AT&T front end has no macros, conditionals or includes", t.text)
	default:
		p.errorf(t.col, "unsupported directive %s", t.text)
	}
}

// section parses .section NAME[,"FLAGS"[,@TYPE[,…]]].
func (p *parser) section(t token, args []token, push bool) {
	var name string
	i := 0
	switch a := args[0]; a.kind {
	case tString:
		name = a.text
		i = 1
	case tIdent:
		// A name may be written in pieces the lexer split: .rodata.cst8
		// is one identifier, but .note.GNU-stack is .note.GNU - stack.
		start := a.col - 1
		end := start
		for ; args[i].kind != tEOL && !args[i].is(","); i++ {
			end = args[i].col - 1 + len(args[i].text)
		}
		name = p.lineText[start:end]
	default:
		p.errorf(t.col, "%s needs a section name", t.text)
		return
	}
	flags, typ := "", ""
	if args[i].is(",") {
		i++
		if args[i].kind == tString {
			flags = args[i].text
			i++
		}
		if args[i].is(",") && (args[i+1].is("@") || args[i+1].is("%")) && args[i+2].kind == tIdent {
			typ = args[i+2].text
		}
	}
	if push {
		p.stack = append(p.stack, p.sec)
	}
	p.switchTo(t, name, flags+"/"+typ)
}

// switchTo makes the named section the current one, creating it.
func (p *parser) switchTo(t token, name, attrs string) {
	kind := sectionKindOf(name, attrs)
	if kind == secText {
		if p.sec != p.text {
			p.previous, p.sec = p.sec, p.text
		}
		return
	}
	for _, s := range p.sections {
		if s.name == name {
			if p.sec != s {
				p.previous, p.sec = p.sec, s
			}
			return
		}
	}
	s := &section{name: name, kind: kind, pos: p.pos(t.col)}
	if kind != secIgnored {
		p.sections = append(p.sections, s)
	}
	p.previous, p.sec = p.sec, s
}

// sectionKindOf says what a section holds, by its name, or else by its
// flags and type ("FLAGS/TYPE").
func sectionKindOf(name, attrs string) sectionKind {
	has := func(prefix string) bool { return name == prefix || strings.HasPrefix(name, prefix+".") }
	switch {
	case has(".text"):
		return secText
	case has(".rodata"), has(".data.rel.ro"):
		return secRodata
	case has(".bss"), has(".tbss"):
		return secBSS
	case has(".data"):
		return secData
	case strings.HasPrefix(name, ".note"), name == ".comment", strings.HasPrefix(name, ".debug"), name == ".eh_frame", has(".llvm_addrsig"):
		return secIgnored
	}
	flags, typ, _ := strings.Cut(attrs, "/")
	switch {
	case strings.Contains(flags, "x"):
		return secText
	case typ == "nobits":
		return secBSS
	case strings.Contains(flags, "w"):
		return secData
	}
	return secRodata
}

// comm declares zeroed data: .comm NAME, SIZE[, ALIGN].
func (p *parser) comm(t token, args []token) {
	if args[0].kind != tIdent || !args[1].is(",") {
		p.errorf(t.col, "%s needs a name and a size", t.text)
		return
	}
	vals, ok := p.constants(t, args[2:], 2)
	if !ok {
		return
	}
	size, align := vals[0], int64(1)
	if len(vals) > 1 {
		align = vals[1]
	}
	if size < 0 || size > maxDataSize {
		p.errorf(args[2].col, "%s size %d out of range (0 to %d)", t.text, size, maxDataSize)
		return
	}
	if align < 1 || align > ir.MaxAlign || align&(align-1) != 0 {
		p.errorf(t.col, "alignment %d is not a power of two between 1 and %d", align, ir.MaxAlign)
		return
	}
	saved, prev := p.sec, p.previous
	p.switchTo(t, ".bss", "")
	p.padTo(t, align)
	p.label(args[0])
	p.emit(t, nil, size)
	p.sec, p.previous = saved, prev
}

// constants reads up to max comma-separated constants.
func (p *parser) constants(t token, toks []token, max int) ([]int64, bool) {
	var out []int64
	e := exprParser{p: p, toks: toks}
	for {
		v := e.expr()
		if e.err != "" {
			p.errorf(e.ecol, "%s", e.err)
			return nil, false
		}
		if !v.isConst() {
			p.errorf(t.col, "%s needs constants, not %s", t.text, fmtValue(v))
			return nil, false
		}
		out = append(out, v.c)
		n := e.peek()
		if n.kind == tEOL {
			return out, true
		}
		if !n.is(",") || len(out) == max {
			p.errorf(n.col, "unexpected %s in %s", n, t.text)
			return nil, false
		}
		e.pos++
	}
}

// integers places integers (or label differences) of width bytes.
func (p *parser) integers(t token, width int, args []token) {
	if args[0].kind == tEOL {
		p.errorf(t.col, "%s needs at least one value", t.text)
		return
	}
	e := exprParser{p: p, toks: args}
	buf := make([]byte, 0, 8*width)
	for {
		at := e.peek()
		v := e.expr()
		if e.err != "" {
			p.errorf(e.ecol, "%s", e.err)
			return
		}
		switch {
		case v.isConst():
			bits := uint(8 * width)
			if bits < 64 && (v.c < -1<<(bits-1) || v.c > 1<<bits-1) {
				p.errorf(at.col, "%d does not fit in %d bytes", v.c, width)
				return
			}
			for i := 0; i < width; i++ {
				buf = append(buf, byte(uint64(v.c)>>(8*i)))
			}
		case v.sym != "" && v.sub != "" && width >= 4:
			if p.sec.kind == secText {
				p.errorf(at.col, "%s in code: a label difference is supported in data sections only (.section .rodata)", fmtValue(v))
				return
			}
			if p.sec.kind == secBSS {
				p.errorf(at.col, "%s holds zeros only: put a label difference in .rodata or .data", p.sec.name)
				return
			}
			// Bytes so far, then the difference, which the encoder fills.
			p.emit(t, buf, 0)
			buf = buf[:0]
			s := p.sec
			s.lines = append(s.lines, dataLine{src: p.source(t), off: s.size, width: width, diff: v})
			p.refs = append(p.refs, ref{name: v.sym, pos: p.pos(at.col)}, ref{name: v.sub, pos: p.pos(at.col)})
			s.size += int64(width)
		case v.sym != "" && v.sub != "":
			p.errorf(at.col, "%s: a label difference needs .long or .quad (4 or 8 bytes)", fmtValue(v))
			return
		default:
			p.errorf(at.col, "%s: an address in data needs a linker (jitrun code is position independent): write a label difference (.long %s-.Lbase, as gcc -fPIE does) or compute the address at run time with leaq %s(%%rip), %%reg", fmtValue(v), fmtValue(v), fmtValue(v))
			return
		}
		n := e.peek()
		if n.kind == tEOL {
			break
		}
		if !n.is(",") {
			p.errorf(n.col, "unexpected %s in %s", n, t.text)
			return
		}
		e.pos++
	}
	p.emit(t, buf, 0)
}

// strings places strings, each NUL-terminated when nul is set.
func (p *parser) strings(t token, nul bool, args []token) {
	var b []byte
	for i := 0; ; i++ {
		a := args[i]
		if a.kind != tString {
			p.errorf(a.col, "%s takes strings, found %s", t.text, a)
			return
		}
		b = append(b, a.text...)
		if nul {
			b = append(b, 0)
		}
		i++
		if args[i].kind == tEOL {
			break
		}
		if !args[i].is(",") {
			p.errorf(args[i].col, "unexpected %s in %s", args[i], t.text)
			return
		}
	}
	p.emit(t, b, 0)
}

// zeros places N bytes of zeros, or of a fill byte: .zero N, .skip N, FILL.
func (p *parser) zeros(t token, args []token) {
	vals, ok := p.constants(t, args, 2)
	if !ok {
		return
	}
	n := vals[0]
	if n < 0 || n > maxDataSize {
		p.errorf(t.col, "%s %d: size out of range (0 to %d)", t.text, n, maxDataSize)
		return
	}
	if len(vals) == 2 && vals[1] != 0 {
		if vals[1] < -128 || vals[1] > 255 {
			p.errorf(t.col, "fill %d does not fit in a byte", vals[1])
			return
		}
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(vals[1])
		}
		p.emit(t, b, 0)
		return
	}
	p.emit(t, nil, n)
}

// floats places floating-point numbers of width bytes.
func (p *parser) floats(t token, width int, args []token) {
	var b []byte
	for i := 0; ; {
		neg := false
		if args[i].is("-") {
			neg = true
			i++
		} else if args[i].is("+") {
			i++
		}
		a := args[i]
		var f float64
		switch a.kind {
		case tFloat:
			f, _ = strconv.ParseFloat(a.text, 64)
		case tInt:
			f = float64(a.val)
		case tIdent:
			// 0f1.5 and 0d1.5 lex as the number 0 and f1, d1 …; inf and nan.
			switch strings.ToLower(a.text) {
			case "inf", "infinity":
				f = math.Inf(1)
			case "nan":
				f = math.NaN()
			default:
				p.errorf(a.col, "%s takes numbers, found %s", t.text, a)
				return
			}
		default:
			p.errorf(a.col, "%s takes numbers, found %s", t.text, a)
			return
		}
		if neg {
			f = -f
		}
		if width == 4 {
			if math.Abs(f) > math.MaxFloat32 && !math.IsInf(f, 0) {
				p.errorf(a.col, "%s does not fit in a 32-bit float", a.text)
				return
			}
			v := math.Float32bits(float32(f))
			b = append(b, byte(v), byte(v>>8), byte(v>>16), byte(v>>24))
		} else {
			v := math.Float64bits(f)
			for k := 0; k < 8; k++ {
				b = append(b, byte(v>>(8*k)))
			}
		}
		i++
		if args[i].kind == tEOL {
			break
		}
		if !args[i].is(",") {
			p.errorf(args[i].col, "unexpected %s in %s", args[i], t.text)
			return
		}
		i++
	}
	p.emit(t, b, 0)
}

// align pads to an alignment: .p2align N (2^N bytes), .align and .balign
// N (bytes, on x86). A fill byte and a maximum skip are read and ignored:
// code pads with NOPs, data with zeros, always to the boundary.
func (p *parser) align(t token, name string, args []token) {
	if args[0].kind == tEOL {
		p.errorf(t.col, "%s needs an alignment", t.text)
		return
	}
	e := exprParser{p: p, toks: args}
	v := e.expr()
	if e.err != "" {
		p.errorf(e.ecol, "%s", e.err)
		return
	}
	if !v.isConst() {
		p.errorf(args[0].col, "%s needs a constant", t.text)
		return
	}
	if n := e.peek(); n.kind != tEOL && !n.is(",") {
		p.errorf(n.col, "unexpected %s in %s", n, t.text)
		return
	}
	a := v.c
	if name == ".p2align" {
		if a < 0 || a > 12 {
			p.errorf(args[0].col, ".p2align %d: want 0 to 12", a)
			return
		}
		a = 1 << a
	}
	if a == 0 {
		a = 1
	}
	if a < 1 || a > ir.MaxAlign || a&(a-1) != 0 {
		p.errorf(args[0].col, "alignment %d is not a power of two between 1 and %d", a, ir.MaxAlign)
		return
	}
	p.padTo(t, a)
}

// padTo pads the current section to a multiple of a.
func (p *parser) padTo(t token, a int64) {
	s := p.sec
	switch s.kind {
	case secText:
		p.stmts = append(p.stmts, &ir.AlignDef{Source: p.source(t), Align: a})
	case secIgnored:
	default:
		s.maxAlign = max(s.maxAlign, a)
		if pad := (a - s.size%a) % a; pad > 0 {
			p.emit(t, nil, pad)
		}
	}
}
