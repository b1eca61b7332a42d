package x86enc

// This file holds the checks every instruction passes before it reaches
// golang-asm: operand forms the encoder would panic on, exit the process on,
// or encode wrongly without a word. Each check is a small predicate; the
// tests hold one regression case per predicate.

import (
	"fmt"
	"math"
	"strings"

	"github.com/jitrun/jitrun/asm/internal/ir"
	"github.com/twitchyliquid64/golang-asm/obj"
	"github.com/twitchyliquid64/golang-asm/obj/x86"
)

// Register classes, by golang-asm register number.
func isGPR(r ir.Reg) bool      { return x86.REG_AX <= r && r <= x86.REG_R15 }
func isHighByte(r ir.Reg) bool { return x86.REG_AH <= r && r <= x86.REG_BH }
func isVector(r ir.Reg) bool   { return x86.REG_X0 <= r && r <= x86.REG_Z31 }
func isValidReg(r ir.Reg) bool { return x86.REG_AL <= r && r < x86.MAXREG }

// maxOperands is the most operands golang-asm's Prog can carry for x86.
const maxOperands = 5

// instFacts is what validating an instruction found out about its
// operands on the way, for the steps after it.
type instFacts struct {
	kinds    uint32  // bit k set: an operand of kind k
	highByte bool    // a register operand is AH, BH, CH or DH (checkEncoded)
	fix      progFix // what golang-asm's bytes will need added
}

func (f instFacts) has(k ir.OperandKind) bool { return f.kinds&(1<<k) != 0 }

// validate validates an instruction and returns its opcode and what it
// found out about the operands.
func validate(t *gasmTables, in *ir.Inst) (obj.As, instFacts, error) {
	var facts instFacts
	op, err := checkInst(t, nil, in, &facts)
	return op, facts, err
}

// checkInst is validate writing its facts into facts, looking the
// mnemonic up through ops if it is not nil.
func checkInst(t *gasmTables, ops *opCache, in *ir.Inst, facts *instFacts) (obj.As, error) {
	var op obj.As
	var immSize byte
	var ok bool
	if ops != nil {
		op, immSize, ok = ops.find(&t.opIndex, in.Op)
	} else {
		op, immSize, ok = t.opIndex.find(in.Op)
	}
	if !ok {
		return 0, unknownOp(t, in.Op)
	}
	sp := ir.Spell(in)
	flags := opFlags[op&obj.AMask]
	if flags&flagRejected == 0 {
		// rejectedOp would return "".
	} else if msg := rejectedOp(op, in); msg != "" {
		return 0, sp.Sentence("%s", msg)
	}
	if len(in.Args) > maxOperands {
		return 0, sp.Errorf("too many operands (%d; at most %d)", len(in.Args), maxOperands)
	}
	args, regFacts := in.Args, t.regFacts
	var regBits uint8 // the regFacts of the register operands, or'ed
	for i := range args {
		a := &args[i]
		facts.kinds |= 1 << (a.Kind & 31) // a Kind is below 32: no shift-range check
		if r := int(a.Reg); a.Kind == ir.RegOperand && uint(r) < uint(len(regFacts)) && regFacts[r] != 0 {
			// checkOperand passes it: the table holds its verdict.
			regBits |= regFacts[r]
			continue
		}
		if err := checkOperand(t, in, i); err != nil {
			return 0, err
		}
		if a.Kind == ir.MemOperand && a.Seg != 0 {
			facts.fix.seg = segPrefix(a.Seg)
		}
	}
	facts.highByte = regBits&regHighByte != 0
	facts.fix.rex = regBits&regSPB != 0
	// The loops below look for kinds of operands: they run only when an
	// operand of such a kind is there.
	if t.branch(op) != nil {
		if err := checkJump(t, op, in); err != nil {
			return 0, err
		}
	} else if facts.has(ir.LabelOperand) {
		for i := range in.Args {
			if a := &in.Args[i]; a.Kind == ir.LabelOperand {
				return 0, sp.Sentence("%s does not take a label operand (%s)", sp.Op(), a.Sym)
			}
		}
	}
	if facts.has(ir.ImmOperand) {
		if err := checkImmediates(op, in, immSize); err != nil {
			return 0, err
		}
	}
	for i := range in.Args {
		if facts.kinds&(1<<ir.FloatOperand|1<<ir.AddrOperand|1<<ir.StringOperand) == 0 {
			break
		}
		switch a := &in.Args[i]; a.Kind {
		case ir.FloatOperand:
			if i != 0 || floatWidth(op) == 0 {
				return 0, sp.Sentence("%s does not take a floating-point constant; MOVSS, MOVSD, ADDSD, MULSS and the other scalar SSE and x87 arithmetic instructions do (as their first operand)", sp.Op())
			}
		case ir.AddrOperand:
			if i != 0 || (op != x86.AMOVQ && op != x86.AMOVL) || len(in.Args) != 2 || in.Args[1].Kind != ir.RegOperand {
				return 0, sp.Errorf("an address ($%s) can only be loaded into a register with MOVQ or LEAQ", ir.DescribeMem(*a))
			}
		case ir.StringOperand:
			return 0, sp.Errorf("a string constant can only initialise data (DATA)")
		}
	}
	if facts.highByte || flags&^(flagRejected|flagGather) != 0 {
		// checkForms would return nil at once otherwise.
		if err := checkForms(op, in, facts.highByte); err != nil {
			return 0, err
		}
	}
	if in.Suffix != "" && strings.IndexByte(in.Suffix, 'Z') >= 0 && hasSuffix(in.Suffix, "Z") {
		n := len(in.Args)
		if n < 2 || in.Args[n-2].Kind != ir.RegOperand || in.Args[n-2].Reg < x86.REG_K1 || in.Args[n-2].Reg > x86.REG_K7 {
			// EVEX.z without a mask raises #UD; golang-asm encodes it anyway.
			return 0, sp.Sentence("%s.%s: zeroing (.Z) needs an opmask register K1-K7 before the destination", sp.Op(), in.Suffix)
		}
	}
	if flags&flagGather != 0 && len(in.Args) != 3 { // isGather(op)
		return 0, sp.Sentence("%s needs 3 operands, has %d", sp.Op(), len(in.Args))
	}
	return op, nil
}

// The tables below hold what TestShapeScan found golang-asm v0.15.1 encoding
// wrongly without an error (checked against GNU objdump): the scan fails
// if any other instruction form disagrees with the decoder.

// needsMemory lists instructions whose hardware forms all take a memory
// operand, for which golang-asm also accepts registers and emits an invalid
// or different instruction (INVLPG AX becomes SWAPGS, XRSTOR AX LFENCE).
var needsMemory = map[obj.As]bool{
	x86.ACMPXCHG8B: true, x86.ACMPXCHG16B: true, x86.AINVLPG: true, x86.AINVPCID: true,
	x86.AMOVHPD: true, x86.AMOVLPD: true, x86.AMOVNTO: true, x86.AMOVNTIL: true,
	x86.AMOVNTIQ: true, x86.AMOVNTPD: true, x86.AMOVNTPS: true, x86.AMOVNTQ: true,
	x86.AXRSTOR: true, x86.AXRSTOR64: true, x86.AXRSTORS: true, x86.AXRSTORS64: true,
}

// mmxOnly lists MMX instructions for which golang-asm takes a
// general-purpose register as an MMX register of the same number
// (PAND AX, M1 becomes pand mm1, mm0).
var mmxOnly = map[obj.As]bool{
	x86.ACVTPL2PD: true, x86.ACVTPL2PS: true, x86.APACKSSLW: true, x86.APACKSSWB: true,
	x86.APACKUSWB: true, x86.APADDB: true, x86.APADDL: true, x86.APADDSB: true,
	x86.APADDSW: true, x86.APADDUSB: true, x86.APADDUSW: true, x86.APADDW: true,
	x86.APAND: true, x86.APANDN: true, x86.APAVGB: true, x86.APAVGW: true,
	x86.APCMPEQB: true, x86.APCMPEQL: true, x86.APCMPEQW: true, x86.APCMPGTB: true,
	x86.APCMPGTL: true, x86.APCMPGTW: true, x86.APHADDD: true, x86.APMADDWL: true,
	x86.APMULHUW: true, x86.APMULHW: true, x86.APMULLW: true, x86.APMULULQ: true,
	x86.APOR: true, x86.APSLLL: true, x86.APSLLQ: true, x86.APSLLW: true,
	x86.APSRAL: true, x86.APSRAW: true, x86.APSRLL: true, x86.APSRLQ: true,
	x86.APSRLW: true, x86.APUNPCKHBW: true, x86.APUNPCKHLQ: true, x86.APUNPCKHWL: true,
	x86.APUNPCKLBW: true, x86.APUNPCKLLQ: true, x86.APUNPCKLWL: true, x86.APXOR: true,
	x86.APSHUFW: true,
}

// noMMX lists instructions for which golang-asm takes an MMX register as
// the general-purpose register of the same number (PINSRQ $7, M1, X1
// becomes pinsrq $7, rcx, xmm1).
var noMMX = map[obj.As]bool{
	x86.APEXTRB: true, x86.APEXTRD: true, x86.APEXTRQ: true,
	x86.APINSRB: true, x86.APINSRD: true, x86.APINSRQ: true,
}

// invalid64 lists instructions that do not exist in 64-bit mode but that
// golang-asm encodes anyway (BOUNDW's opcode 62 is the EVEX prefix).
var invalid64 = map[obj.As]bool{
	x86.APUSHAW: true, x86.APUSHAL: true, x86.APOPAW: true, x86.APOPAL: true,
	x86.ABOUNDW: true, x86.ABOUNDL: true,
}

// Per-opcode flags, built once from the tables above so that the checks
// every instruction passes index an array instead of hashing.
const (
	flagInvalid64 uint8 = 1 << iota
	flagNeedsMemory
	flagMMXOnly
	flagNoMMX
	flagSpecial  // MOVLPS, MOVHPS, XCHGL, CRC32B, PUSH*, POP*
	flagRejected // a case of rejectedOp's switch
	flagGather   // isGather
)

var opFlags = func() *[obj.AMask + 1]uint8 {
	var f [obj.AMask + 1]uint8
	set := func(m map[obj.As]bool, bit uint8) {
		for op := range m {
			f[op&obj.AMask] |= bit
		}
	}
	set(invalid64, flagInvalid64)
	set(needsMemory, flagNeedsMemory)
	set(mmxOnly, flagMMXOnly)
	set(noMMX, flagNoMMX)
	for _, op := range []obj.As{x86.AMOVLPS, x86.AMOVHPS, x86.AXCHGL, x86.ACRC32B, x86.APUSHW, x86.APUSHL, x86.APUSHQ, x86.APOPW, x86.APOPL, x86.APOPQ} {
		f[op&obj.AMask] |= flagSpecial
	}
	for _, op := range rejectedOps {
		f[op&obj.AMask] |= flagRejected
	}
	for op := range obj.As(len(f)) {
		// op with the amd64 opcodes' base (x86.AAAA's high bits) is the
		// opcode whose index f is.
		if isGather(op | x86.AAAA&^obj.AMask) {
			f[op] |= flagGather
		}
	}
	return &f
}()

// checkForms rejects the operand forms golang-asm encodes wrongly.
// highByte says whether a register operand is AH, BH, CH or DH.
func checkForms(op obj.As, in *ir.Inst, highByte bool) error {
	flags := opFlags[op&obj.AMask] &^ (flagRejected | flagGather)
	if !highByte && flags == 0 {
		return nil
	}
	sp := ir.Spell(in)
	for i := range in.Args {
		if a := &in.Args[i]; a.Kind == ir.RegOperand && isHighByte(a.Reg) && !takesByte(in.Op, i) {
			// golang-asm encodes AH's number as SP (NEGL AH becomes neg esp).
			return sp.Errorf("%s is a byte register; %s does not take a byte operand there", sp.Reg(a.Reg), sp.Op())
		}
	}
	if flags == 0 {
		return nil
	}
	switch {
	case flags&flagInvalid64 != 0:
		return sp.Sentence("%s is not valid in 64-bit mode", sp.Op())
	case flags&flagNeedsMemory != 0:
		hasMem := false
		for _, a := range in.Args {
			if a.Kind == ir.MemOperand {
				hasMem = true
			}
		}
		if !hasMem {
			return sp.Sentence("%s needs a memory operand (it has no register form)", sp.Op())
		}
	case flags&flagMMXOnly != 0:
		for _, a := range in.Args {
			if a.Kind == ir.RegOperand && (isGPR(a.Reg) || isByteReg(a.Reg)) {
				return sp.Errorf("%s is not an MMX register (%s)", sp.Reg(a.Reg), sp.Pick("M0-M7", "mm0-mm7"))
			}
		}
	case flags&flagNoMMX != 0:
		for _, a := range in.Args {
			if a.Kind == ir.RegOperand && a.Reg >= x86.REG_M0 && a.Reg <= x86.REG_M7 {
				return sp.Sentence("%s does not take an MMX register (%s)", sp.Op(), sp.Reg(a.Reg))
			}
		}
	case op == x86.AMOVLPS || op == x86.AMOVHPS:
		if len(in.Args) == 2 && in.Args[0].Kind == ir.RegOperand && in.Args[1].Kind == ir.RegOperand {
			alt := map[obj.As]string{x86.AMOVLPS: "MOVHLPS", x86.AMOVHPS: "MOVLHPS"}[op]
			if sp.Intel() {
				alt = strings.ToLower(alt)
			}
			return sp.Sentence("%s has no register-to-register form (its encoding with two registers is %s): write %s", sp.Op(), alt, alt)
		}
	case op == x86.AXCHGL:
		if len(in.Args) == 2 && in.Args[0].Kind == ir.RegOperand && in.Args[0].Reg == x86.REG_AX && in.Args[1].Kind == ir.RegOperand && in.Args[1].Reg == x86.REG_AX {
			if sp.Intel() {
				return sp.Errorf("the encoder would emit nop (0x90), which does not clear the upper half of rax: write mov eax, eax to zero-extend, or nop")
			}
			return sp.Sentence("XCHGL AX, AX would be encoded as NOP (0x90), which does not clear the upper half of RAX: write MOVL AX, AX to zero-extend, or NOP")
		}
	case op == x86.ACRC32B:
		if len(in.Args) > 0 && in.Args[0].Kind == ir.RegOperand && isWideSPBPSIDI(in.Args[0].Reg) {
			r := in.Args[0].Reg
			return sp.Errorf("the encoder would read %s as %s, a high-byte register: write %s for its low byte", sp.Reg(r), sp.Reg(r-x86.REG_SP+x86.REG_AH), sp.Reg(r-x86.REG_SP+x86.REG_SPB))
		}
	}
	switch op {
	case x86.APUSHW, x86.APUSHL, x86.APUSHQ, x86.APOPW, x86.APOPL, x86.APOPQ:
		for _, a := range in.Args {
			if a.Kind == ir.RegOperand && (a.Reg == x86.REG_CS || a.Reg == x86.REG_DS || a.Reg == x86.REG_ES || a.Reg == x86.REG_SS) {
				return sp.Sentence("%s %s is not valid in 64-bit mode (only %s and %s can be pushed and popped)", sp.Op(), sp.Reg(a.Reg), sp.Reg(x86.REG_FS), sp.Reg(x86.REG_GS))
			}
		}
	}
	return nil
}

// isWideSPBPSIDI reports whether r is SP, BP, SI or DI: as a byte source
// of CRC32B, golang-asm encodes their numbers without a REX prefix, which
// reads AH, CH, DH or BH (SPB, BPB, SIB and DIB get their REX prefix).
func isWideSPBPSIDI(r ir.Reg) bool {
	return x86.REG_SP <= r && r <= x86.REG_DI
}

func isByteReg(r ir.Reg) bool { return x86.REG_AL <= r && r <= x86.REG_R15B || isHighByte(r) }

// takesByte reports whether operand i of op is a byte operand, where AH,
// BH, CH and DH can be encoded.
func takesByte(op string, i int) bool {
	switch op {
	case "MOVBWZX", "MOVBLZX", "MOVBQZX", "MOVBWSX", "MOVBLSX", "MOVBQSX", "CRC32B":
		return i == 0
	}
	if strings.HasPrefix(op, "SET") && len(op) == 5 {
		return true // SETEQ and the other SETcc
	}
	return strings.HasSuffix(op, "B")
}

// rejectedOps are the cases of rejectedOp's switch (flagRejected).
var rejectedOps = []obj.As{
	obj.ATEXT, obj.AFUNCDATA, obj.APCDATA, obj.APCALIGN, obj.AEND, obj.AXXX,
	obj.AGETCALLERPC, obj.ADUFFCOPY, obj.ADUFFZERO, x86.AADJSP, x86.AJCXZW,
	obj.ANOP, x86.ABYTE, x86.AWORD, x86.ALONG, x86.AQUAD,
}

// rejectedOp returns why op cannot be assembled here, or "" (always for an
// op not in rejectedOps).
func rejectedOp(op obj.As, in *ir.Inst) string {
	switch op {
	case obj.ATEXT, obj.AFUNCDATA, obj.APCDATA, obj.APCALIGN:
		return fmt.Sprintf("%s is a directive, not an instruction", in.Op)
	case obj.AEND, obj.AXXX:
		return fmt.Sprintf("unknown instruction %s", in.Op)
	case obj.AGETCALLERPC, obj.ADUFFCOPY, obj.ADUFFZERO:
		return fmt.Sprintf("%s needs the Go compiler and runtime; it has no meaning in jitrun code", in.Op)
	case x86.AADJSP:
		return "ADJSP is the Go compiler's frame pseudo-instruction: write SUBQ $n, SP or ADDQ $n, SP"
	case x86.AJCXZW:
		return "JCXZW (test CX) is not encodable in 64-bit mode: use JCXZL (ECX) or JCXZQ (RCX)"
	case obj.ANOP:
		if len(in.Args) > 0 {
			return "NOP takes no operands (go tool asm's NOP with operands is a compiler hint that emits nothing)"
		}
	case x86.ABYTE, x86.AWORD, x86.ALONG, x86.AQUAD:
		if len(in.Args) != 1 || in.Args[0].Kind != ir.ImmOperand {
			return fmt.Sprintf("%s takes one integer constant ($value)", in.Op)
		}
	}
	return ""
}

// checkOperand validates the shape of operand i on its own.
func checkOperand(t *gasmTables, in *ir.Inst, i int) error {
	a := &in.Args[i]
	sp := ir.Spell(in)
	switch a.Kind {
	case ir.RegOperand:
		if err := checkReg(in, a.Reg); err != nil {
			return err
		}
		if t.unclassified[a.Reg] && a.Reg != x86.REG_SPB { // a valid register: in range; SPB is encoded as AH with a REX prefix (progFix)
			// golang-asm would drop the operand and encode the rest.
			return sp.Errorf("register %s is not supported by the encoder (it would be dropped from the instruction)", sp.Reg(a.Reg))
		}
	case ir.MemOperand, ir.AddrOperand:
		return checkMem(in, a)
	case ir.RegListOperand:
		if err := checkReg(in, a.Reg); err != nil {
			return err
		}
		if err := checkReg(in, a.RegHi); err != nil {
			return err
		}
		if !isVector(a.Reg) || !isVector(a.RegHi) || a.RegHi < a.Reg || a.RegHi-a.Reg > 31 {
			return sp.Errorf("bad register range [%s-%s]", a.Reg, a.RegHi)
		}
	case ir.LabelOperand:
		if a.Sym == "" && (a.Disp < -1<<20 || a.Disp > 1<<20) {
			return sp.Errorf("relative target %d(PC) is out of range", a.Disp)
		}
	case ir.ImmOperand, ir.FloatOperand, ir.StringOperand:
	default:
		return sp.Errorf("operand %d has no kind", i+1)
	}
	return nil
}

func checkReg(in *ir.Inst, r ir.Reg) error {
	switch {
	case r == x86.REG_TLS:
		return ir.Spell(in).Errorf("TLS needs a linker and the Go runtime; it has no meaning in jitrun code")
	case !isValidReg(r):
		return ir.Spell(in).Errorf("invalid register number %d", int(r))
	}
	return nil
}

func isSegReg(r ir.Reg) bool { return x86.REG_CS <= r && r <= x86.REG_GS }

// checkMem validates off(base)(index*scale), sym+off(SB), a PC-relative
// displacement and a segment override.
func checkMem(in *ir.Inst, a *ir.Operand) error {
	sp := ir.Spell(in)
	if a.Seg != 0 {
		switch {
		case a.Seg == x86.REG_FS || a.Seg == x86.REG_GS:
		case isSegReg(a.Seg):
			return sp.Errorf("a %s override has no effect in 64-bit mode (%s have base 0): only %s and %s override", sp.Reg(a.Seg), sp.Pick("CS, DS, ES and SS", "cs, ds, es and ss"), sp.Reg(x86.REG_FS), sp.Reg(x86.REG_GS))
		default:
			return sp.Errorf("%s is not a segment register (%s or %s)", sp.Reg(a.Seg), sp.Reg(x86.REG_FS), sp.Reg(x86.REG_GS))
		}
		if a.Kind != ir.MemOperand || strings.HasPrefix(in.Op, "LEA") {
			return sp.Errorf("an address computation ignores a segment override: the %s base would not be added", sp.Reg(a.Seg))
		}
	}
	if a.PCRel {
		if a.Reg != 0 || a.Index != 0 || a.Sym != "" {
			return sp.Errorf("a displacement from the end of the instruction takes no register or symbol")
		}
		if a.Disp < math.MinInt32 || a.Disp > math.MaxInt32 {
			return sp.Errorf("displacement %d from the end of the instruction does not fit in 32 bits", a.Disp)
		}
		return nil
	}
	if a.Reg != 0 {
		if err := checkReg(in, a.Reg); err != nil {
			return err
		}
		if !isGPR(a.Reg) {
			return sp.Errorf("base register %s is not a 64-bit general-purpose register", sp.Reg(a.Reg))
		}
	}
	if a.Index != 0 {
		if err := checkReg(in, a.Index); err != nil {
			return err
		}
		switch {
		case a.Index == x86.REG_SP:
			return sp.Errorf("%s cannot be an index register", sp.Reg(x86.REG_SP))
		case !isGPR(a.Index) && !isVector(a.Index):
			return sp.Errorf("index register %s is neither a general-purpose nor a vector register", sp.Reg(a.Index))
		}
		switch a.Scale {
		case 1, 2, 4, 8:
		default:
			return sp.Errorf("scale %d is not 1, 2, 4 or 8", a.Scale)
		}
	} else if a.Scale != 0 && a.Scale != 1 {
		return sp.Errorf("scale %d without an index register", a.Scale)
	}
	if a.Sym != "" {
		if a.Reg != 0 || a.Index != 0 {
			return sp.Errorf("%s: a symbol reference is PC-relative and cannot add registers; load its address with LEAQ %s(SB), R first", ir.DescribeMem(*a), a.Sym)
		}
		if a.Disp < math.MinInt32 || a.Disp > math.MaxInt32 {
			return sp.Errorf("offset %d from %s does not fit in 32 bits", a.Disp, a.Sym)
		}
		return nil
	}
	if in.Op == "LEAL" {
		// LEAL keeps the low 32 bits of the sum, which do not depend on how
		// the displacement is extended: any value is exact.
		return nil
	}
	if a.Disp < math.MinInt32 || a.Disp > math.MaxInt32 {
		return sp.Errorf("offset too large: displacement %s does not fit in a signed 32-bit field", ir.FmtImm(a.Disp))
	}
	return nil
}

// checkJump validates a branch instruction's operands.
func checkJump(t *gasmTables, op obj.As, in *ir.Inst) error {
	sp := ir.Spell(in)
	if len(in.Args) != 1 {
		if len(in.Args) == 0 {
			return sp.Sentence("%s needs a target", sp.Op())
		}
		return sp.Sentence("%s takes one operand, the target (has %d)", sp.Op(), len(in.Args))
	}
	a := in.Args[0]
	switch a.Kind {
	case ir.LabelOperand:
		f := t.branch(op)
		if f.Short == nil && f.Near == nil {
			return sp.Sentence("%s cannot take a label", sp.Op())
		}
		return nil
	case ir.RegOperand, ir.MemOperand:
		if op == obj.AJMP || op == obj.ACALL {
			if a.Kind == ir.RegOperand && !isGPR(a.Reg) {
				return sp.Errorf("target register %s is not a 64-bit general-purpose register", sp.Reg(a.Reg))
			}
			return nil
		}
	case ir.ImmOperand:
		return sp.Sentence("%s $%d: a constant is not a branch target here (it would need a linker); jump to a label", sp.Op(), a.Imm)
	}
	return sp.Sentence("%s needs a label as its target", sp.Op())
}

// immRange is the set of values an immediate field can hold as written.
type immRange struct{ lo, hi int64 }

var (
	rangeImm8   = immRange{-1 << 7, 1<<8 - 1}
	rangeImm16  = immRange{-1 << 15, 1<<16 - 1}
	rangeImm32  = immRange{-1 << 31, 1<<32 - 1}
	rangeSImm32 = immRange{-1 << 31, 1<<31 - 1}
	rangeUImm8  = immRange{0, 1<<8 - 1}
	rangeUImm16 = immRange{0, 1<<16 - 1}
)

// immFamilies are the integer instructions whose immediate golang-asm
// truncates (B, W) or sign-extends from 32 bits (Q) without a word.
var immFamilies = []string{"ADC", "ADD", "AND", "CMP", "OR", "SBB", "SUB", "TEST", "XOR", "MOV", "PUSH", "IMUL3"}

// immFamilySize returns the size letter (B, W, L or Q) of a mnemonic of
// immFamilies (ADDB, IMUL3Q), or 0 for any other mnemonic. opIndex holds
// it for each mnemonic.
func immFamilySize(name string) byte {
	if len(name) < 2 {
		return 0
	}
	base, size := name[:len(name)-1], name[len(name)-1]
	for _, f := range immFamilies {
		if base == f {
			return size
		}
	}
	return 0
}

// immLimit returns the range the immediates of op can hold, if it is one of
// the instructions whose immediates golang-asm does not range-check.
// size is immFamilySize(in.Op).
func immLimit(op obj.As, in *ir.Inst, size byte) (immRange, string, bool) {
	switch op {
	case x86.AINB, x86.AINW, x86.AINL, x86.AOUTB, x86.AOUTW, x86.AOUTL, x86.AINT:
		return rangeUImm8, "an unsigned 8-bit field", true
	case obj.ARET, x86.ARETFL, x86.ARETFQ, x86.ARETFW:
		return rangeUImm16, "an unsigned 16-bit field", true
	case x86.ABYTE:
		return rangeImm8, "8 bits", true
	case x86.AWORD:
		return rangeImm16, "16 bits", true
	case x86.ALONG:
		return rangeImm32, "32 bits", true
	case x86.AQUAD:
		return immRange{}, "", false
	}
	switch size {
	case 'B':
		return rangeImm8, "8 bits", true
	case 'W':
		return rangeImm16, "16 bits", true
	case 'L':
		return rangeImm32, "32 bits", true
	case 'Q':
		if op == x86.AMOVQ && len(in.Args) == 2 && in.Args[1].Kind == ir.RegOperand {
			return immRange{}, "", false // MOVQ $imm64, reg has every form
		}
		return rangeSImm32, "a sign-extended 32-bit field", true
	}
	return immRange{}, "", false
}

// checkImmediates rejects immediates the encoder would truncate or
// sign-extend into a different value; in has an immediate operand, and
// immSize is immFamilySize(in.Op).
func checkImmediates(op obj.As, in *ir.Inst, immSize byte) error {
	r, what, ok := immLimit(op, in, immSize)
	if !ok {
		return nil
	}
	for i := range in.Args {
		if a := &in.Args[i]; a.Kind != ir.ImmOperand || (r.lo <= a.Imm && a.Imm <= r.hi) {
			continue
		}
		sp := ir.Spell(in)
		msg := fmt.Sprintf("immediate %s does not fit in %s (%s..%s)", sp.ImmArg(i), what, sp.Imm(r.lo), sp.Imm(r.hi))
		if r == rangeSImm32 {
			msg += sp.Pick("; load it into a register with MOVQ first", "; load it into a register with mov first")
		}
		return sp.Errorf("%s", msg)
	}
	return nil
}

// hasSuffix reports whether the dot-separated suffix list contains s.
func hasSuffix(suffix, s string) bool {
	for suffix != "" {
		var part string
		part, suffix, _ = strings.Cut(suffix, ".")
		if part == s {
			return true
		}
	}
	return false
}

func isGather(op obj.As) bool {
	switch op {
	case x86.AVGATHERDPD, x86.AVGATHERDPS, x86.AVGATHERQPD, x86.AVGATHERQPS,
		x86.AVPGATHERDD, x86.AVPGATHERDQ, x86.AVPGATHERQD, x86.AVPGATHERQQ,
		x86.AVPSCATTERDD, x86.AVPSCATTERDQ, x86.AVPSCATTERQD, x86.AVPSCATTERQQ,
		x86.AVSCATTERDPD, x86.AVSCATTERDPS, x86.AVSCATTERQPD, x86.AVSCATTERQPS:
		return true
	}
	return false
}

// checkEncoded inspects what golang-asm produced for an instruction it
// accepted and rejects the outputs known to be wrong. highByte says
// whether a register operand is AH, BH, CH or DH.
func checkEncoded(in *ir.Inst, code []byte, highByte bool) error {
	if len(code) == 0 {
		return ir.Spell(in).Errorf("invalid instruction (the encoder produced no bytes)")
	}
	if !highByte {
		return nil
	}
	for i := range in.Args {
		if a := &in.Args[i]; a.Kind == ir.RegOperand && isHighByte(a.Reg) && hasREX(code) {
			// With a REX prefix, the encodings of AH, CH, DH, BH mean SPL,
			// BPL, SIL, DIL: MOVB AH, R8B would become mov r8b, spl.
			sp := ir.Spell(in)
			return sp.Errorf("%s cannot be used in an instruction that needs a REX prefix (%s or 64-bit operands)", sp.Reg(a.Reg), sp.Pick("R8-R15, SPB/BPB/SIB/DIB", "r8-r15, spl/bpl/sil/dil"))
		}
	}
	return nil
}

// hasREX reports whether an encoded instruction carries a REX prefix.
func hasREX(code []byte) bool {
	for _, c := range code {
		switch c {
		case 0x66, 0x67, 0xF2, 0xF3, 0xF0, 0x2E, 0x3E, 0x26, 0x36, 0x64, 0x65:
			continue
		}
		return c&0xF0 == 0x40
	}
	return false
}

// unknownOp explains an unknown mnemonic, with the closest known ones.
func unknownOp(t *gasmTables, name string) error {
	if name == "" {
		return fmt.Errorf("missing instruction")
	}
	up := strings.ToUpper(name)
	if up != name {
		if _, ok := t.ops[up]; ok {
			return fmt.Errorf("unknown instruction %s (Go syntax mnemonics are upper case: %s)", name, up)
		}
	}
	if hint, ok := intelHints[up]; ok {
		return fmt.Errorf("unknown instruction %s: %s", name, hint)
	}
	if s := ir.Suggest(t.mnemonics, up); len(s) > 0 {
		return fmt.Errorf("unknown instruction %s (did you mean %s?)", name, strings.Join(s, ", "))
	}
	return fmt.Errorf("unknown instruction %s", name)
}

// intelHints explains the Intel mnemonics Go syntax spells differently.
var intelHints = map[string]string{
	"MOV":   "Go syntax puts the operand size in the mnemonic: MOVB, MOVW, MOVL, MOVQ",
	"ADD":   "Go syntax puts the operand size in the mnemonic: ADDB, ADDW, ADDL, ADDQ",
	"SUB":   "Go syntax puts the operand size in the mnemonic: SUBB, SUBW, SUBL, SUBQ",
	"CMP":   "Go syntax puts the operand size in the mnemonic: CMPB, CMPW, CMPL, CMPQ",
	"XOR":   "Go syntax puts the operand size in the mnemonic: XORB, XORW, XORL, XORQ",
	"AND":   "Go syntax puts the operand size in the mnemonic: ANDB, ANDW, ANDL, ANDQ",
	"OR":    "Go syntax puts the operand size in the mnemonic: ORB, ORW, ORL, ORQ",
	"INC":   "Go syntax puts the operand size in the mnemonic: INCB, INCW, INCL, INCQ",
	"DEC":   "Go syntax puts the operand size in the mnemonic: DECB, DECW, DECL, DECQ",
	"LEA":   "Go syntax puts the operand size in the mnemonic: LEAQ, LEAL, LEAW",
	"PUSH":  "Go syntax puts the operand size in the mnemonic: PUSHQ, PUSHW",
	"POP":   "Go syntax puts the operand size in the mnemonic: POPQ, POPW",
	"IMUL":  "Go syntax puts the operand size in the mnemonic: IMULQ, IMULL; the three-operand form is IMUL3Q",
	"MOVZX": "Go syntax spells zero extension MOVBQZX, MOVWQZX, MOVBLZX, MOVWLZX",
	"MOVSX": "Go syntax spells sign extension MOVBQSX, MOVWQSX, MOVLQSX, MOVBLSX, MOVWLSX",
}
