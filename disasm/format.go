package disasm

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/arch/x86/x86asm"

	"github.com/jitrun/jitrun/asm"
)

// Instruction text comes from x86asm's three printers. They name a branch
// target or a RIP-relative operand only through a symbol lookup, and only
// the start of a symbol for branches, in their own spelling (f(SB) for a
// label in Go syntax, [f] for RIP-relative memory in Intel syntax, f for it
// in AT&T syntax, which means an absolute address there). So the lookup
// hands them placeholders, and format puts in the text that each syntax's
// assembler reads back: JMP loop / CALL f(SB) / msg+0x8(SB),
// jmp loop / qword ptr [rip+msg+0x8], jmp loop / msg+0x8(%rip).

// ref is one operand that names an address: a branch target or a
// RIP-relative memory operand.
type ref struct {
	rel   bool   // a branch target (x86asm.Rel); else RIP-relative memory
	addr  uint64 // the address it names
	delta uint64 // addr - pc: what x86asm adds to the pc it is given
	text  string // what to print for it; empty to leave x86asm's number
}

// biases are added to the pc given to x86asm, so that it is never 0 (which
// makes it print branch targets as .+N) and the addresses it looks up for
// targets cannot be mistaken for an immediate or an absolute address of
// the same instruction, which it also looks up.
var biases = []uint64{0x4000_0000_0000_0000, 0x2000_0000_0000_0000, 0x6000_0000_0000_0000}

// format returns the text of d, the decoding of src at offset off. ok is
// false if x86asm failed to print it.
func (b *block) format(d decoded, src []byte, off int) (text string, ok bool) {
	if d.fixed != nil {
		return d.fixed[slot(b.syntax)], true
	}
	inst, zero := absoluteZero(d.inst)
	pc := b.base + uint64(off)
	refs, others := b.operandRefs(inst, pc, off)
	fpc := printPC(pc, refs, others)
	lookup := func(addr uint64) (string, uint64) {
		for i, r := range refs {
			if r.text != "" && fpc+r.delta == addr {
				return placeholder(i), addr
			}
		}
		return "", 0
	}
	text, err := printInst(b.syntax, inst, fpc, lookup)
	if err != nil {
		return "", false
	}
	text = b.nameRefs(text, refs)
	if strings.ContainsRune(text, '\x01') {
		return "", false // x86asm spelled a name in a way not foreseen
	}
	if zero {
		text = strings.Replace(text, absoluteSentinelText, zeroText[slot(b.syntax)], 1)
	}
	if d.rename != nil {
		from, to := d.rename[slot(b.syntax)][0], d.rename[slot(b.syntax)][1]
		text = replaceWord(text, from, to)
	}
	text = strings.TrimPrefix(text, d.trim)
	text = evexText(b.syntax, text, d)
	switch b.syntax {
	case asm.SyntaxGo:
		text = goByteRegs(text, inst)
		text = goCleanup(text, inst)
	case asm.SyntaxIntel:
		text = intelCleanup(text, inst)
	case asm.SyntaxATT:
		text = gnuCleanup(text, inst)
	}
	return absoluteText(b.syntax, text, inst, src), true
}

// target returns the address an instruction at pc refers to: the target
// of a branch, or of a RIP-relative memory operand.
func target(inst x86asm.Inst, pc uint64) (uint64, bool) {
	for _, a := range inst.Args {
		switch a := a.(type) {
		case x86asm.Rel:
			return pc + uint64(inst.Len) + uint64(int64(a)), true
		case x86asm.Mem:
			if a.Base == x86asm.RIP {
				return pc + uint64(inst.Len) + uint64(a.Disp), true
			}
		}
	}
	return 0, false
}

// operandRefs returns the operands of inst at pc (offset off) that name an
// address, with the text to print for each, and the immediates and
// absolute addresses of inst, which x86asm's printers also look up.
func (b *block) operandRefs(inst x86asm.Inst, pc uint64, off int) (refs []ref, others []uint64) {
	for _, a := range inst.Args {
		switch a := a.(type) {
		case x86asm.Rel:
			delta := uint64(inst.Len) + uint64(int64(a))
			refs = append(refs, ref{rel: true, addr: pc + delta, delta: delta})
		case x86asm.Mem:
			switch {
			case namedRIP(a):
				delta := uint64(inst.Len) + uint64(a.Disp)
				refs = append(refs, ref{addr: pc + delta, delta: delta})
			case a.Base == 0:
				others = append(others, uint64(a.Disp))
			}
		case x86asm.Imm:
			others = append(others, uint64(a))
		}
	}
	for i := range refs {
		refs[i].text = b.refText(refs[i], off)
	}
	return refs, others
}

// printPC returns the pc to give x86asm's printers for an instruction at
// pc: pc plus the first of the biases that neither is 0 nor makes the
// address of a ref equal to one of the others.
func printPC(pc uint64, refs []ref, others []uint64) uint64 {
pick:
	for _, bias := range biases {
		fpc := pc + bias
		if fpc == 0 {
			continue
		}
		for _, r := range refs {
			for _, o := range others {
				if fpc+r.delta == o {
					continue pick
				}
			}
		}
		return fpc
	}
	return pc + biases[len(biases)-1]
}

// nameRefs puts the names of refs in the text x86asm printed with their
// placeholders.
func (b *block) nameRefs(text string, refs []ref) string {
	for i, r := range refs {
		if r.text == "" {
			continue
		}
		ph := placeholder(i)
		switch {
		case b.syntax == asm.SyntaxGo:
			text = strings.ReplaceAll(text, ph+"(SB)", r.text)
		case b.syntax == asm.SyntaxIntel && !r.rel:
			text = strings.ReplaceAll(text, "["+ph+"]", r.text)
		default:
			text = strings.ReplaceAll(text, ph, r.text)
		}
	}
	return text
}

// absoluteSentinel stands in for a zero address in a memory operand with
// neither base nor index (mov rax, [0]), which x86asm's printers leave out:
// mov rax, qword ptr [] (Intel), mov ,%rax (AT&T). No immediate of an
// instruction with a memory operand prints as it (they have 32 bits at
// most), so format can put the zero back in its place.
const (
	absoluteSentinel     = 0x7e57_0000_0000
	absoluteSentinelText = "0x7e5700000000"
)

// zeroText is a zero address in each syntax (see slot).
var zeroText = [3]string{"0", "0x0", "0x0"}

// absoluteZero returns inst with absoluteSentinel for the displacement of
// an absolute memory operand at address 0, and whether it had one.
func absoluteZero(inst x86asm.Inst) (x86asm.Inst, bool) {
	for i, a := range inst.Args {
		if m, ok := a.(x86asm.Mem); ok && isAbsolute(m) && m.Disp == 0 {
			m.Disp = absoluteSentinel
			inst.Args[i] = m
			return inst, true
		}
	}
	return inst, false
}

// isAbsolute reports whether m is an absolute address: no base, no index
// ([0x10], fs:[0x28]).
func isAbsolute(m x86asm.Mem) bool {
	return m.Base == 0 && (m.Index == 0 || m.Scale == 0)
}

// signedHex is v in hex with its sign: 0x1f, -0x1.
func signedHex(v int64) string {
	if v < 0 {
		return fmt.Sprintf("-%#x", uint64(-v))
	}
	return fmt.Sprintf("%#x", v)
}

func placeholder(i int) string { return "\x01" + strconv.Itoa(i) + "\x01" }

// printInst runs x86asm's printer for the syntax, turning a panic into an
// error.
func printInst(s asm.Syntax, inst x86asm.Inst, pc uint64, lookup x86asm.SymLookup) (text string, err error) {
	defer func() {
		if r := recover(); r != nil {
			text, err = "", fmt.Errorf("printer panic: %v", r)
		}
	}()
	switch s {
	case asm.SyntaxIntel:
		text = x86asm.IntelSyntax(inst, pc, lookup)
	case asm.SyntaxATT:
		text = x86asm.GNUSyntax(gnuPrefixes(inst), pc, lookup)
	default:
		text = x86asm.GoSyntax(goDataSize(inst), pc, lookup)
	}
	return text, nil
}

// refText is what to print for r, an operand of the instruction at offset
// from: a name the syntax's assembler resolves to r.addr, or for a branch
// that leaves the code, the address. It is empty for a RIP-relative
// operand with no name: x86asm's [rip+0x10] then stays.
func (b *block) refText(r ref, from int) string {
	absolute := ""
	if r.rel {
		absolute = fmt.Sprintf("%#x", r.addr)
	}
	o := r.addr - b.base
	if o > uint64(len(b.code)) {
		return absolute
	}
	nm, off, ok := b.resolve(int(o), from)
	if !ok {
		return absolute
	}
	plus := ""
	if off != 0 {
		plus = fmt.Sprintf("+%#x", off)
	}
	switch b.syntax {
	case asm.SyntaxGo:
		switch {
		case nm.kind == symbolName:
			static := ""
			if nm.static {
				static = "<>"
			}
			return nm.text + static + plus + "(SB)"
		case off != 0:
			// Go syntax has no label+offset.
			return absolute
		case r.rel:
			return nm.text
		default:
			return nm.text + "(SB)"
		}
	case asm.SyntaxIntel:
		if r.rel {
			return nm.text + plus
		}
		return "[rip+" + nm.text + plus + "]"
	default:
		if r.rel {
			return nm.text + plus
		}
		return nm.text + plus + "(%rip)"
	}
}

// resolve names offset o (0 through len(code)) for an operand of the
// instruction at offset from. A label of the same function reads best
// (JMP loop), then a symbol (CALL g(SB)), then another label the syntax's
// assembler can see from there, then the symbol containing o with an
// offset (f+0x7). Go labels are scoped to their function; Intel and GNU
// labels are global, so a name defined twice is ambiguous there.
func (b *block) resolve(o, from int) (name, int, bool) {
	fn := b.funcAt(from)
	visible := func(nm name) bool {
		if b.syntax == asm.SyntaxGo && nm.fn != "" {
			return nm.fn == fn
		}
		return nm.unique
	}
	ns := b.names[o]
	for _, nm := range ns {
		if nm.kind == labelName && nm.fn != "" && nm.fn == fn && visible(nm) {
			return nm, 0, true
		}
	}
	for _, nm := range ns {
		if nm.kind != labelName || visible(nm) {
			return nm, 0, true
		}
	}
	if s, ok := b.symbolAt(o); ok {
		return name{text: s.Name, kind: symbolName, static: s.Static}, o - s.Offset, true
	}
	return name{}, 0, false
}

// replaceWord replaces the first whole word from in text with to, keeping
// a suffix glued to it (IMULQ becomes ADCXQ).
func replaceWord(text, from, to string) string {
	for i := 0; i+len(from) <= len(text); i++ {
		if (i == 0 || text[i-1] == ' ' || text[i-1] == ';') && strings.HasPrefix(text[i:], from) {
			return text[:i] + to + text[i+len(from):]
		}
	}
	return text
}

// argCount is the number of operands x86asm decoded.
func argCount(inst x86asm.Inst) int {
	n := 0
	for n < len(inst.Args) && inst.Args[n] != nil {
		n++
	}
	return n
}
