package intel

// Matching by signature. Matching an instruction against the form table
// (every form of its mnemonic, then the pick among those that fit) cost
// more than reading its operands; but what matching reads of the
// operands — their kinds, register classes, memory sizes, broadcasts and
// vector index classes — packs in a word, the operand signature
// (opSignature), and the forms a signature fits are known from the table
// alone. So the table is matched once, when go generate runs: for every
// mnemonic, every signature some form fits, and the form matching picks
// for it (sigTable, kept as Go data in data_forms_gen.go). An instruction is then matched by one look up of
// its mnemonic's number and its signature.
//
// Matching itself (matchFormOf) reads the instruction instead, and
// explains why it fits nothing: where no form fits a signature, or
// several fit and the pick is left open (a memory operand without a
// size), where a mnemonic has a form that fixes an operand (shl eax, 1;
// in al, dx; fst st0: the signature does not say which register or
// immediate an operand is), and for instructions of more than four
// operands and operands the word has no room for. TestMatchCache
// compares the two over both corpora.

import (
	"github.com/jitrun/jitrun/asm/internal/ir"
)

// Packing a signature: sigOpBits bits an operand (its kind in 2, a
// register class or memory size in 4, a broadcast in 3, a vector index
// in 2), up to sigOps operands; the mnemonic's number above them.
const (
	sigOpBits = 11
	sigOps    = 4
)

// opSignature packs what matching reads of ops into the low
// sigOps*sigOpBits bits of a word; false when it does not fit.
func opSignature(ops []*intelOperand) (uint64, bool) {
	if len(ops) > sigOps {
		return 0, false
	}
	var sig uint64
	for i, o := range ops {
		s, ok := operandSig(o.kind, o.reg, o.size, o.bcst, o.index)
		if !ok {
			return 0, false
		}
		sig |= s << (sigOpBits * i)
	}
	return sig, true
}

// operandSig packs what matching reads of one operand (its kind; a
// register's class code; a memory operand's size, broadcast and vector
// index) into sigOpBits bits; false when it does not fit.
func operandSig(kind iopKind, reg ireg, size, bcst int, index ireg) (uint64, bool) {
	switch kind {
	case iopReg:
		// The register's class code is regClassCode's
		// (TestRegClassCodes).
		c := uint64(reg.Code)
		if c == 0 {
			return 0, false
		}
		return 1 | c<<2, true
	case iopMem:
		size, bcst := sizeCode(size), bcstCode(bcst)
		if size < 0 || bcst < 0 {
			return 0, false
		}
		var vsib uint64
		if c := index.Code; c >= ir.IntelXMM && c <= ir.IntelZMM {
			vsib = uint64(c-ir.IntelXMM) + 1 // 1 xmm, 2 ymm, 3 zmm
		}
		return 2 | uint64(size)<<2 | uint64(bcst)<<6 | vsib<<9, true
	case iopImm:
		return 3, true
	}
	return 0, false
}

// regClassCode numbers a register class from 1 (4 bits); 0 for one not
// numbered.
func regClassCode(class string) uint64 {
	switch class {
	case "r8":
		return 1
	case "r16":
		return 2
	case "r32":
		return 3
	case "r64":
		return 4
	case "xmm":
		return 5
	case "ymm":
		return 6
	case "zmm":
		return 7
	case "k":
		return 8
	case "mm":
		return 9
	case "st":
		return 10
	case "sreg":
		return 11
	case "cr":
		return 12
	case "dr":
		return 13
	}
	return 0
}

// sizeCode numbers a memory operand's size (4 bits), -1 for a size not
// numbered.
func sizeCode(bits int) int {
	switch bits {
	case 0:
		return 0
	case 8:
		return 1
	case 16:
		return 2
	case 32:
		return 3
	case 48:
		return 4
	case 64:
		return 5
	case 80:
		return 6
	case 128:
		return 7
	case 256:
		return 8
	case 512:
		return 9
	}
	return -1
}

// bcstCode numbers a broadcast {1toN} (3 bits), -1 for one not numbered.
func bcstCode(n int) int {
	switch n {
	case 0:
		return 0
	case 2:
		return 1
	case 4:
		return 2
	case 8:
		return 3
	case 16:
		return 4
	case 32:
		return 5
	case 64:
		return 6
	}
	return -1
}

// matchIntelForm finds the form of mnem (whose mnemInfo is info, nil
// for a word of none) that takes ops, by signature (sigTable) where it
// can. It reports every problem as an error at the instruction.
func (p *parser) matchIntelForm(mnem string, info *mnemInfo, col int, ops []*intelOperand) (*intelForm, bool) {
	if info == nil {
		return p.matchFormOf(mnem, nil, col, ops)
	}
	sig, ok := opSignature(ops)
	if ok && !info.fixes && !p.noCache {
		if f := intelTable.bySig.find(info, sig); f != nil {
			return f, true
		}
	}
	// Matched as matchForm does: the definition the tests compare the
	// signatures with, which explains why no form fits or which size to
	// write.
	return p.matchFormOf(mnem, info.forms, col, ops)
}

// sigTable holds, by mnemonic number and operand signature, the form
// matching picks for operands of that signature: an open-addressed table
// of slots (a power of two of them), made when go generate runs
// (newSigTable, TestFormsGenerated) and only read. A signature no form fits, or whose pick is left
// open, has no slot. A slot is one word, so that the table is small
// enough to stay in the cache: the key (sigKey) above slotFormBits bits
// of the form's place among its mnemonic's forms; 0 is an empty slot.
type sigTable struct {
	slots []uint64
	shift uint // 64 - log2(len(slots))
}

// slotFormBits holds the place of a form among its mnemonic's forms (24
// at most in the table: a form further on is matched by matchFormOf).
const slotFormBits = 64 - 15 - sigOps*sigOpBits

// sigKey packs a mnemonic's number (1 or more, below 1<<15) above a
// signature.
func sigKey(id uint16, sig uint64) uint64 { return uint64(id)<<(sigOps*sigOpBits) | sig }

// slot is where a key's probe starts (Fibonacci hashing).
func (t *sigTable) slot(key uint64) uint64 { return (key * 0x9E3779B97F4A7C15) >> t.shift }

// find returns the form matching picks for operands of signature sig of
// the mnemonic info; nil for none, or for a pick left open.
func (t *sigTable) find(info *mnemInfo, sig uint64) *intelForm {
	if place, ok := t.findPlace(info.id, sig); ok {
		return info.forms[place]
	}
	return nil
}

// findPlace is find, returning the place of the form among the forms of
// the mnemonic numbered id.
func (t *sigTable) findPlace(id uint16, sig uint64) (int, bool) {
	key := sigKey(id, sig)
	for i := t.slot(key); ; i = (i + 1) & uint64(len(t.slots)-1) {
		switch s := t.slots[i]; s >> slotFormBits {
		case key:
			return int(s & (1<<slotFormBits - 1)), true
		case 0:
			return 0, false
		}
	}
}
