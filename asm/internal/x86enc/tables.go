package x86enc

// What golang-asm tells: its mnemonics, how it encodes each branch, which
// registers it silently drops. It is learned by asking golang-asm when go
// generate runs (tables_probe_test.go) and kept as Go data (tables_gen.go),
// so that a process's first assembly only indexes constant data.

import (
	"math/bits"
	"sort"
	"sync"

	"github.com/jitrun/jitrun/asm/internal/ir"
	"github.com/twitchyliquid64/golang-asm/obj"
	"github.com/twitchyliquid64/golang-asm/obj/x86"
	"github.com/twitchyliquid64/golang-asm/objabi"
)

// The encoder's process-wide state. golang-asm keeps its instruction tables in
// package variables of obj/x86 (ycover, opindex, …) that are filled on first
// use and are not safe for concurrent use, so every call into it is made with
// encoderMu held. gasmTables is made once and read-only afterwards.
var (
	encoderMu   sync.Mutex
	tablesOnce  sync.Once
	tablesValue *gasmTables
)

// gasmTables is what golang-asm tells us, indexed for the encoder.
type gasmTables struct {
	// arch is golang-asm's amd64 architecture (x86.Linkamd64): Init,
	// Assemble, UnaryDst. It is not golang-asm's asm/arch.Arch, whose
	// package would bring all of golang-asm's other architectures into the
	// binary and their package initialisation into every process.
	arch *obj.LinkArch
	// ops maps every Go-syntax mnemonic (with the aliases go tool asm
	// accepts: JA, JZ, MOVD, …) to its opcode.
	ops map[string]obj.As
	// opIndex is ops as a hash table that every instruction looks its
	// mnemonic up in, faster than the map.
	opIndex opIndex
	// branches holds the encodings of the instructions that take a label:
	// JMP, CALL, the conditional jumps, LOOP*, JCXZ* and XBEGIN.
	branches map[obj.As]*BranchForm
	// branchByOp indexes branches by opcode&obj.AMask.
	branchByOp []*BranchForm
	// mnemonics is every accepted mnemonic, for "did you mean" hints.
	mnemonics []string
	// unclassified holds the registers golang-asm has no operand class for:
	// it treats them as absent and drops them from any instruction without
	// a word (HLT SPB assembles to f4; ADDB SPB, AL ignores SPB).
	unclassified []bool // indexed by Reg
	// regOK holds, by Reg, whether a register operand passes checkOperand:
	// a valid register, not TLS, and classified (or SPB). checkInst looks
	// it up instead of calling checkOperand for register operands.
	regOK []bool
	// regFacts holds, by Reg, what checkInst learns from a register
	// operand that regOK passes (regPasses, regHighByte, regSPB); 0 for
	// one it does not.
	regFacts []uint8
	// classes are golang-asm's classes of the operands prog makes.
	classes operandClasses
}

// BranchForm is how golang-asm encodes a branch to a label: the bytes that
// precede an 8-bit or a 32-bit displacement. A nil slice means the form does
// not exist (LOOP has no near form, CALL and XBEGIN no short form).
type BranchForm struct {
	Short []byte
	Near  []byte
}

//go:generate go test -run ^TestTablesGenerated$ -generate .

// tables returns the process's gasmTables, made on first use from the data
// of tables_gen.go.
func tables() *gasmTables {
	tablesOnce.Do(func() { tablesValue = loadTables() })
	return tablesValue
}

// loadTables makes a gasmTables from what go generate learned by probing
// golang-asm (probeTables, tables_gen.go): the hash table of mnemonics is
// laid out there already, and the rest is indexed here, without a call
// into golang-asm. TestTablesGenerated checks that it equals a fresh
// probe.
func loadTables() *gasmTables {
	t := &gasmTables{ops: make(map[string]obj.As, len(genMnemonics)), mnemonics: genMnemonics[:]}
	for i, name := range genMnemonics {
		t.ops[name] = genMnemonicOps[i]
	}
	t.arch = &x86.Linkamd64
	t.opIndex = opIndex{
		keys:  genOpIndexKeys[:],
		ops:   genOpIndexOps[:],
		imm:   make([]byte, len(genOpIndexKeys)),
		mask:  uint64(len(genOpIndexKeys) - 1),
		shift: uint(64 - bits.TrailingZeros(uint(len(genOpIndexKeys)))),
		long:  make(map[string]obj.As, len(genOpIndexLong)),
	}
	for _, name := range genOpIndexLong {
		t.opIndex.long[name] = t.ops[name]
	}
	t.opIndex.setImmFamilySizes(t.mnemonics)
	t.branches = make(map[obj.As]*BranchForm, len(genBranches))
	for i := range genBranches {
		t.branches[genBranches[i].op] = &genBranches[i].form
	}
	t.unclassified = make([]bool, x86.MAXREG)
	for _, r := range genUnclassified {
		t.unclassified[r] = true
	}
	t.classes = operandClasses{none: genNoneClass, mem: genMemClass, imm: genImmClasses}
	for _, rc := range genRegClasses {
		t.classes.reg[rc.reg] = rc.class
	}
	t.index()
	return t
}

// index fills the tables made from the others: branchByOp, regOK and
// regFacts.
func (t *gasmTables) index() {
	t.branchByOp = make([]*BranchForm, obj.AMask+1)
	for op, f := range t.branches {
		t.branchByOp[op&obj.AMask] = f
	}
	t.regOK = make([]bool, x86.MAXREG)
	for r := range t.regOK {
		reg := ir.Reg(r) // checkReg's and checkOperand's tests, in their order
		t.regOK[r] = reg != x86.REG_TLS && isValidReg(reg) && (!t.unclassified[r] || reg == x86.REG_SPB)
	}
	t.regFacts = make([]uint8, x86.MAXREG)
	for r, ok := range t.regOK {
		if !ok {
			continue
		}
		t.regFacts[r] = regPasses
		if isHighByte(ir.Reg(r)) {
			t.regFacts[r] |= regHighByte
		}
		if r == x86.REG_SPB {
			t.regFacts[r] |= regSPB
		}
	}
}

// The bits of gasmTables.regFacts.
const (
	regPasses   uint8 = 1 << iota // regOK: checkOperand passes the register
	regHighByte                   // AH, BH, CH or DH (instFacts.highByte)
	regSPB                        // SPB, which needs a REX prefix (progFix.rex)
)

// opIndex maps mnemonics to opcodes: an open-addressing hash table of
// a power-of-two size at least twice the number of mnemonics, probed
// linearly from the slot the top bits of the name's hash pick. A slot
// holds its mnemonic's bytes packed in two words (and the opcode is in a
// parallel slice), so that a lookup reads 16 bytes of a 64 KiB table and
// no string; the few mnemonics above 15 bytes are looked up in long. It
// is read-only once made. Each slot also holds what immFamilySize says of
// its mnemonic, so that validation need not compare names.
type opIndex struct {
	keys  []packedName
	ops   []obj.As
	imm   []byte // immFamilySize of the slot's mnemonic
	mask  uint64 // len(keys)-1
	shift uint   // 64 - log2(len(keys))
	long  map[string]obj.As
}

// packedName is a mnemonic of 1 to 15 bytes: its bytes little-endian in
// the two words, zero-padded, and its length in the top byte of the
// second; the zero packedName is an empty slot.
type packedName [2]uint64

// pack packs name, and reports whether it fits.
func pack(name string) (packedName, bool) {
	lo, hi, ok := packWords(name)
	return packedName{lo, hi}, ok
}

// packWords is pack returning the two words. It reads the name in 8- and
// 4-byte loads (overlapping for the lengths between), not byte by byte:
// every mnemonic is looked up once per instruction.
func packWords(name string) (lo, hi uint64, ok bool) {
	n := len(name)
	if n == 0 || n > 15 {
		return 0, 0, false
	}
	if n <= 8 {
		return packShort(name), uint64(n) << 56, true
	}
	return load32(name) | load32(name[4:])<<32, packShort(name[8:]) | uint64(n)<<56, true
}

// packShort packs a string of at most 8 bytes little-endian into a word,
// zero-padded. Overlapping loads write the same bytes to the same places.
func packShort(s string) uint64 {
	switch n := len(s); {
	case n >= 4:
		return load32(s) | load32(s[n-4:])<<(8*(n-4))
	case n > 0:
		return uint64(s[0]) | uint64(s[n/2])<<(8*(n/2)) | uint64(s[n-1])<<(8*(n-1))
	}
	return 0
}

// load32 returns the first 4 bytes of s, little-endian.
func load32(s string) uint64 {
	_ = s[3]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24
}

// hash mixes the packed bytes (the multipliers are the 64-bit golden
// ratio and a large odd constant): every byte reaches the top bits, which
// pick the slot (Fibonacci hashing).
func (p packedName) hash() uint64 { return hashWords(p[0], p[1]) }

func hashWords(lo, hi uint64) uint64 {
	return lo*0x9E3779B97F4A7C15 + hi*0xC2B2AE3D27D4EB4F
}

func newOpIndex(ops map[string]obj.As) opIndex {
	n, shift := 1, uint(64)
	for n < 2*len(ops) {
		n, shift = n*2, shift-1
	}
	x := opIndex{keys: make([]packedName, n), ops: make([]obj.As, n), imm: make([]byte, n), mask: uint64(n - 1), shift: shift, long: map[string]obj.As{}}
	// In sorted order, so that the slots two colliding names take (and
	// tables_gen.go) do not depend on the map's order.
	names := make([]string, 0, len(ops))
	for name := range ops {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		op := ops[name]
		key, ok := pack(name)
		if !ok {
			if name != "" {
				x.long[name] = op
			}
			continue
		}
		i := key.hash() >> x.shift
		for x.keys[i] != (packedName{}) {
			i = (i + 1) & x.mask
		}
		x.keys[i], x.ops[i], x.imm[i] = key, op, immFamilySize(name)
	}
	return x
}

// setImmFamilySizes fills the imm column of x, whose imm is all zero, for
// the mnemonics of names (at least those of x that immFamilySize sizes).
func (x *opIndex) setImmFamilySizes(names []string) {
	for _, name := range names {
		size := immFamilySize(name)
		key, ok := pack(name)
		if size == 0 || !ok {
			continue
		}
		for i := key.hash() >> x.shift; x.keys[i] != (packedName{}); i = (i + 1) & x.mask {
			if x.keys[i] == key {
				x.imm[i] = size
				break
			}
		}
	}
}

// lookup returns the opcode of mnemonic name.
func (x *opIndex) lookup(name string) (obj.As, bool) {
	op, _, ok := x.find(name)
	return op, ok
}

// find returns the opcode of mnemonic name and its immFamilySize.
func (x *opIndex) find(name string) (obj.As, byte, bool) {
	lo, hi, ok := packWords(name)
	if !ok {
		op, ok := x.long[name]
		return op, immFamilySize(name), ok
	}
	return x.findPacked(lo, hi, hashWords(lo, hi))
}

// findPacked is find for a name that packs into lo and hi, whose hash is h.
func (x *opIndex) findPacked(lo, hi, h uint64) (obj.As, byte, bool) {
	for i := h >> x.shift; ; i = (i + 1) & x.mask {
		k := &x.keys[i]
		if k[0] == lo && k[1] == hi {
			return x.ops[i], x.imm[i], true
		}
		if k[1] == 0 { // every key has its length there
			return 0, 0, false
		}
	}
}

// newLink returns a fresh golang-asm context whose diagnostics go to diag.
// The caller holds encoderMu.
func newLink(t *gasmTables, diag func(format string, args ...interface{})) *obj.Link {
	ctxt := obj.Linknew(t.arch)
	ctxt.Headtype = objabi.Hlinux
	// IsAsm: no NOP padding of jumps for the Intel jump erratum.
	ctxt.IsAsm = true
	ctxt.DiagFunc = diag
	t.arch.Init(ctxt)
	return ctxt
}

// Mnemonics returns every Go mnemonic the encoder knows (with the aliases
// go tool asm accepts), sorted.
func Mnemonics() []string {
	out := append([]string(nil), tables().mnemonics...)
	sort.Strings(out)
	return out
}

// IsMnemonic reports whether name is a Go mnemonic the encoder knows.
func IsMnemonic(name string) bool {
	_, ok := tables().ops[name]
	return ok
}
