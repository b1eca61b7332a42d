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
// jmp loop / qword ptr [rel msg+0x8], jmp loop / msg+0x8(%rip).

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
		text = gnuCleanup(text)
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
		return "[rel " + nm.text + plus + "]"
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

// gnuPrefixes returns inst with the payload bytes of its VEX or EVEX
// prefix marked implicit: x86asm's AT&T printer otherwise takes a payload
// byte of 0x65 or 0x64 for a GS or FS segment override and prints
// vpmulld %gs:0x20(%rdi),… for c4 e2 65 40 57 20.
func gnuPrefixes(inst x86asm.Inst) x86asm.Inst {
	for i, p := range inst.Prefix {
		if p == 0 {
			break
		}
		switch p & 0xff {
		case 0xc4, 0xc5, 0x62:
			for j := i + 1; j < len(inst.Prefix) && inst.Prefix[j] != 0; j++ {
				inst.Prefix[j] |= x86asm.PrefixImplicit
			}
			return inst
		}
	}
	return inst
}

// goDataSize returns inst with DataSize 8 when its operands are byte
// registers (and maybe an immediate): x86asm's Go printer takes the size
// suffix from DataSize, which is 32 for 00 c3, and prints ADDL AL, BL for
// ADDB AL, BL.
func goDataSize(inst x86asm.Inst) x86asm.Inst {
	if inst.MemBytes != 0 {
		return inst
	}
	bytes := 0
	for _, a := range inst.Args {
		switch a := a.(type) {
		case x86asm.Reg:
			if a < x86asm.AL || a > x86asm.R15B {
				return inst
			}
			bytes++
		case x86asm.Mem, x86asm.Rel:
			return inst
		}
	}
	if bytes > 0 {
		inst.DataSize = 8
	}
	return inst
}

// goByteNames are the Go names of the byte registers that x86asm's Go
// printer calls SP, BP, SI and DI, the names of the wider registers.
var goByteNames = map[x86asm.Reg]string{x86asm.SPB: "SPB", x86asm.BPB: "BPB", x86asm.SIB: "SIB", x86asm.DIB: "DIB"}

// goByteRegs renames SPL, BPL, SIL and DIL operands in Go text (MOVB SIB,
// AL, not MOVB SI, AL). Go text lists the operands in reverse, separated by
// ", ", except that CMP keeps Intel order.
func goByteRegs(text string, inst x86asm.Inst) string {
	n := argCount(inst)
	found := false
	for _, a := range inst.Args[:n] {
		if r, ok := a.(x86asm.Reg); ok && goByteNames[r] != "" {
			found = true
		}
	}
	parts := strings.Split(text, ", ")
	if !found || len(parts) != n {
		return text
	}
	head, first := "", parts[0]
	if i := strings.LastIndexByte(first, ' '); i >= 0 {
		head, first = first[:i+1], first[i+1:]
	}
	parts[0] = first
	for k := range parts {
		i := n - 1 - k
		if inst.Op == x86asm.CMP && n == 2 {
			i = k
		}
		if r, ok := inst.Args[i].(x86asm.Reg); ok && goByteNames[r] != "" {
			parts[k] = goByteNames[r]
		}
	}
	return head + strings.Join(parts, ", ")
}

// goCompares are the SSE compares with a predicate immediate, which Go
// writes last (CMPPS (BX), X2, $7) and x86asm first.
var goCompares = map[x86asm.Op]string{x86asm.CMPPS: "CMPPS", x86asm.CMPPD: "CMPPD", x86asm.CMPSS: "CMPSS", x86asm.CMPSD_XMM: "CMPSD"}

// goCleanup puts x86asm's Go text the way go tool asm reads it where
// they differ in a way that is plain to fix: PUSHQ for a push of an
// immediate (x86asm: PUSHL, which is not valid in 64-bit mode), the SSE
// compares (x86asm: CMPSD_XMM $0x7, 0(BX), X2 for CMPSD (BX), X2, $7),
// and VCVTPD2DQ of 512-bit memory (x86asm: VCVTPD2DQZ).
func goCleanup(text string, inst x86asm.Inst) string {
	if _, imm := inst.Args[0].(x86asm.Imm); inst.Op == x86asm.PUSH && imm && inst.DataSize != 16 {
		text = strings.Replace(text, "PUSHL $", "PUSHQ $", 1)
	}
	// x86asm's Z suffix; Go has X and Y for the 128- and 256-bit memory
	// forms, and no suffix for 512 bits.
	text = strings.Replace(text, "VCVTPD2DQZ ", "VCVTPD2DQ ", 1)
	if name, ok := goCompares[inst.Op]; ok {
		op, args, _ := strings.Cut(text, " ")
		if imm, rest, ok := strings.Cut(args, ", "); ok && strings.HasPrefix(imm, "$") {
			text = name + " " + rest + ", " + imm
		} else {
			text = name + strings.TrimPrefix(text, op)
		}
	}
	return text
}

// gnuNoSuffix are mnemonics x86asm gives a size suffix GNU as rejects.
var gnuNoSuffix = map[string]string{"lgdtl": "lgdt", "lidtl": "lidt", "sgdtl": "sgdt", "sidtl": "sidt"}

// gnuCleanup makes x86asm's AT&T text something GNU as reads back: no
// %riz or %eiz pseudo index (a SIB byte without an index, which r12 and
// rsp bases need anyway), repnz for repn, and no size suffix where GNU as
// takes none.
func gnuCleanup(text string) string {
	for _, z := range []string{",%riz,1)", ",%riz)", ",%eiz,1)", ",%eiz)"} {
		text = strings.ReplaceAll(text, z, ")")
	}
	if rest, ok := strings.CutPrefix(text, "repn "); ok {
		text = "repnz " + rest
	}
	// In 64-bit mode 66 is only ever data16; x86asm calls a second one
	// data32 (66 66 2e 0f 1f 84 …, a padding NOP).
	text = strings.ReplaceAll(text, "data32 ", "data16 ")
	// A 16-bit mnemonic (nopw) already stands for one 66; GNU as refuses
	// a data16 besides, so extra 66 bytes of padding are left out.
	rest := text
	for strings.HasPrefix(rest, "data16 ") {
		rest = rest[len("data16 "):]
	}
	if m, _, _ := strings.Cut(rest, " "); rest != text && strings.HasSuffix(m, "w") {
		text = rest
	}
	text = strings.Replace(text, "bnd jmpq ", "bnd jmp ", 1)
	// x86asm gives vcvtpd2dq with a 512-bit memory operand a z suffix;
	// GNU as has x and y (which the 128- and 256-bit forms need), and no z.
	text = strings.Replace(text, "vcvtpd2dqz ", "vcvtpd2dq ", 1)
	op, args, _ := strings.Cut(text, " ")
	if plain, ok := gnuNoSuffix[op]; ok {
		text = strings.TrimSpace(plain + " " + args)
	}
	return text
}

// x87Implicit lists the x87 instructions for which x86asm, following
// XED, prints implicit st0 (and st1) operands that no assembler accepts:
// fsqrt st0, fld st0, qword ptr [rax], fstp dword ptr [rbx], st0. It maps
// each to the text to remove when the instruction has the given number of
// decoded operands.
var x87Implicit = map[x86asm.Op]implicitST{}

type implicitST struct {
	args int    // decoded operands when x86asm adds the implicit ones
	drop string // what it adds
}

func init() {
	add := func(st implicitST, ops ...x86asm.Op) {
		for _, op := range ops {
			x87Implicit[op] = st
		}
	}
	add(implicitST{0, " st0"}, x86asm.FCHS, x86asm.FABS, x86asm.FTST, x86asm.FLDPI, x86asm.FLDL2E, x86asm.FLDLG2,
		x86asm.F2XM1, x86asm.FXAM, x86asm.FLD1, x86asm.FLDL2T, x86asm.FSQRT, x86asm.FRNDINT, x86asm.FCOS, x86asm.FSIN)
	add(implicitST{0, " st0, st1"}, x86asm.FPTAN, x86asm.FSINCOS, x86asm.FUCOMPP, x86asm.FCOMPP, x86asm.FYL2X,
		x86asm.FPATAN, x86asm.FXTRACT, x86asm.FPREM1, x86asm.FPREM, x86asm.FYL2XP1, x86asm.FSCALE)
	add(implicitST{1, ", st0"}, x86asm.FST, x86asm.FSTP, x86asm.FISTTP, x86asm.FIST, x86asm.FISTP, x86asm.FBSTP)
	add(implicitST{1, " st0,"}, x86asm.FLD, x86asm.FXCH, x86asm.FCOM, x86asm.FCOMP, x86asm.FIADD, x86asm.FIMUL,
		x86asm.FICOM, x86asm.FICOMP, x86asm.FISUBR, x86asm.FIDIV, x86asm.FUCOM, x86asm.FUCOMP, x86asm.FILD, x86asm.FBLD,
		x86asm.FADD, x86asm.FMUL, x86asm.FSUB, x86asm.FSUBR, x86asm.FISUB, x86asm.FDIV, x86asm.FDIVR, x86asm.FIDIVR)
}

// argCount is the number of operands x86asm decoded.
func argCount(inst x86asm.Inst) int {
	n := 0
	for n < len(inst.Args) && inst.Args[n] != nil {
		n++
	}
	return n
}

// intelPrefixes puts back the prefixes x86asm's Intel printer leaves out
// or spells in a way no assembler reads: a CS, DS, ES or SS override on a
// memory operand (a no-op in 64-bit mode, but in the bytes of every padding
// NOP 66 2e 0f 1f 84 …), notrack (3e) on an indirect branch, and the
// branch hints hint-not-taken (2e) and hint-taken (3e), which become cs and
// ds.
func intelPrefixes(text string, inst x86asm.Inst) string {
	text = strings.Replace(text, "hint-not-taken ", "cs ", 1)
	text = strings.Replace(text, "hint-taken ", "ds ", 1)
	seg := ""
prefixes:
	for _, p := range inst.Prefix {
		if p == 0 {
			break
		}
		switch p & 0xff {
		case 0xc4, 0xc5, 0x62:
			// A VEX or EVEX prefix ends the legacy prefixes: the bytes
			// after it are its payload, not overrides.
			break prefixes
		case 0x2e:
			seg = "cs"
		case 0x3e:
			seg = "ds"
		case 0x26:
			seg = "es"
		case 0x36:
			seg = "ss"
		case 0x64, 0x65:
			seg = "" // fs and gs win, and x86asm prints them
		}
	}
	if seg == "" {
		return text
	}
	mems, indirect := 0, false
	for _, a := range inst.Args {
		switch a.(type) {
		case x86asm.Mem:
			mems++
			indirect = true
		case x86asm.Reg:
			indirect = true
		}
	}
	switch {
	case (inst.Op == x86asm.JMP || inst.Op == x86asm.CALL) && seg == "ds" && indirect:
		return "notrack " + text
	case mems == 1 && strings.Count(text, "[") == 1 && !strings.Contains(text, ":["):
		return strings.Replace(text, "[", seg+":[", 1)
	}
	return text
}

// tbyteOps are the x87 instructions with an 80-bit memory form, which
// x86asm decodes with MemBytes 0.
var tbyteOps = map[x86asm.Op]bool{x86asm.FLD: true, x86asm.FSTP: true, x86asm.FBLD: true, x86asm.FBSTP: true}

// sizeWords are the operand-size keywords that may precede "ptr".
var sizeWords = map[string]bool{
	"byte": true, "word": true, "dword": true, "qword": true, "tbyte": true, "fword": true,
	"mmword": true, "xmmword": true, "ymmword": true, "zmmword": true,
}

// stringOps are the string instructions, whose memory operands ([rdi],
// [rsi]) are implied by the mnemonic.
var stringOps = map[x86asm.Op]bool{
	x86asm.MOVSB: true, x86asm.MOVSW: true, x86asm.MOVSD: true, x86asm.MOVSQ: true,
	x86asm.STOSB: true, x86asm.STOSW: true, x86asm.STOSD: true, x86asm.STOSQ: true,
	x86asm.LODSB: true, x86asm.LODSW: true, x86asm.LODSD: true, x86asm.LODSQ: true,
	x86asm.SCASB: true, x86asm.SCASW: true, x86asm.SCASD: true, x86asm.SCASQ: true,
	x86asm.CMPSB: true, x86asm.CMPSW: true, x86asm.CMPSD: true, x86asm.CMPSQ: true,
}

// data16Names are the Intel names of instructions x86asm prints as
// "data16" plus the 32-bit name, where 66 selects the 16-bit form.
var data16Names = map[string]string{
	"data16 cbw": "cbw", "data16 cwd": "cwd", "data16 pushf": "pushfw", "data16 popf": "popfw",
	"data16 iret": "iretw", "data16 insw": "insw", "data16 outsw": "outsw",
}

// intelCleanup makes x86asm's Intel text something an Intel-syntax
// assembler reads back: no "ptr" without a size keyword before it
// (lea rax, ptr [rip+0x8]), but tbyte for an 80-bit operand (fld tbyte
// ptr [r13]); no register after a multi-byte NOP's memory
// operand (nop dword ptr [rax], eax), which XED prints and assemblers
// reject; no implicit x87 st0 (see x87Implicit); the 16-bit names of cbw,
// cwd, pushfw and the like, the size of a 16-bit push of an immediate, and
// no implied operands on string instructions (rep movsb).
func intelCleanup(text string, inst x86asm.Inst) string {
	var out strings.Builder
	for {
		i := strings.Index(text, "ptr ")
		if i < 0 {
			out.WriteString(text)
			break
		}
		before := text[:i]
		word := strings.TrimSpace(before[strings.LastIndexAny(strings.TrimRight(before, " "), " ,")+1:])
		switch {
		case (i == 0 || before[len(before)-1] == ' ') && !sizeWords[word] && tbyteOps[inst.Op] && inst.MemBytes == 0:
			// x86asm gives the 80-bit operand of fld, fstp, fbld and
			// fbstp no size; fld [r13] would be ambiguous.
			out.WriteString(before + "tbyte ptr ")
		case (i == 0 || before[len(before)-1] == ' ') && !sizeWords[word]:
			out.WriteString(before)
		default:
			out.WriteString(text[:i+4])
		}
		text = text[i+4:]
	}
	text = out.String()
	text = intelPrefixes(text, inst)
	for _, a := range inst.Args {
		if m, ok := a.(x86asm.Mem); ok && m.Base == x86asm.EIP {
			// x86asm prints EIP as RIP, and leaves out the 67 that
			// makes it EIP.
			text = strings.Replace(text, "[rip", "[eip", 1)
		}
	}
	if inst.Op == x86asm.NOP && argCount(inst) == 1 {
		// XED adds eax (or ax) to the one operand of 0F 1F: nop dx, ax
		// for 66 0F 1F C2, which assemblers reject.
		if i := strings.LastIndex(text, ", "); i >= 0 {
			text = text[:i]
		}
	}
	if inst.Op == x86asm.CMPSD_XMM {
		// x86asm's name, apart from the string instruction cmpsd.
		text = replaceWord(text, "cmpsd_xmm", "cmpsd")
	}
	if stringOps[inst.Op] && !strings.Contains(text, ":[") && !strings.Contains(text, "[e") {
		// rep movsb, not rep movsb byte ptr [rdi], byte ptr [rsi]: the
		// operands are implied, and NASM takes none.
		if i := strings.Index(text, " byte ptr ["); i >= 0 {
			text = text[:i]
		} else if i := strings.Index(text, " word ptr ["); i >= 0 {
			text = text[:i]
		} else if i := strings.Index(text, " dword ptr ["); i >= 0 {
			text = text[:i]
		} else if i := strings.Index(text, " qword ptr ["); i >= 0 {
			text = text[:i]
		}
	}
	if x, ok := x87Implicit[inst.Op]; ok && argCount(inst) == x.args {
		text = strings.Replace(text, x.drop, "", 1)
	}
	if name, ok := data16Names[text]; ok {
		text = name
	}
	if imm, ok := inst.Args[0].(x86asm.Imm); inst.Op == x86asm.PUSH && ok {
		// x86asm prints the immediate as 32 bits unsigned (push
		// 0xffffffff for 6a ff), but the CPU sign-extends it to the
		// operand size: push -0x1 pushes eight bytes of ones. 66 6a 01
		// pushes two bytes, push 0x1 eight.
		prefixes, _, _ := strings.Cut(text, "push ")
		if inst.DataSize == 16 {
			text = prefixes + "push word ptr " + signedHex(int64(int16(imm)))
		} else {
			text = prefixes + "push " + signedHex(int64(int32(imm)))
		}
	}
	return text
}
