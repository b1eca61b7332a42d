package intel

// The parser's memory of matches. A source says the same few kinds of
// instruction many times (mov rax, [rsp+8]; mov rcx, [rsp+16]), and
// matching one against the form table (every form of its mnemonic, the
// pick among those that fit) costs more than reading its operands. So
// the parser remembers the form each mnemonic and operand signature
// matched.
//
// The signature holds what matching reads of the operands — their
// kinds, register classes, memory sizes, broadcasts and vector index
// classes — packed with the mnemonic's number in a word (opSignature).
// A mnemonic with a form that fixes an operand (shl eax, 1; in al, dx;
// fst st0) has its matches read which register or immediate an operand
// is: the table says which mnemonics those are, and they are always
// matched afresh, as are instructions of more than four operands and
// operands the word has no room for. Only matches that succeed are
// remembered, so a mistake is always explained by matching itself.

import (
	"math/bits"

	"github.com/jitrun/jitrun/asm/internal/ir"
)

// The matches are remembered in a table of slots (a power of two of
// them, up to maxMatches, fewer for a short source) indexed by a hash of
// the signature: a match whose slot another holds takes it over. A look
// up is then one read of memory, where a map's was the most costly part
// of a match on a source of many kinds of instruction.
const maxMatches = 4096

// matchSlot is a remembered match: the signature (0: none) and its form.
type matchSlot struct {
	key uint64
	f   *intelForm
}

// matchSlotOf returns the slot of key in table (a power of two long).
func matchSlotOf(table []matchSlot, key uint64) *matchSlot {
	shift := 64 - bits.Len(uint(len(table)-1))
	return &table[(key*0x9e3779b97f4a7c15)>>shift]
}

// Packing a signature: sigOpBits bits an operand, up to sigOps
// operands; the mnemonic's number above them.
const (
	sigOpBits = 12
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
		var s uint64
		switch o.kind {
		case iopReg:
			// The register's class code is regClassCode's
			// (TestRegClassCodes).
			c := uint64(o.reg.Code)
			if c == 0 {
				return 0, false
			}
			s = 1 | c<<2
		case iopMem:
			size, bcst := sizeCode(o.size), bcstCode(o.bcst)
			if size < 0 || bcst < 0 {
				return 0, false
			}
			var vsib uint64
			if c := o.index.Code; c >= ir.IntelXMM && c <= ir.IntelZMM {
				vsib = uint64(c-ir.IntelXMM) + 1 // 1 xmm, 2 ymm, 3 zmm
			}
			s = 2 | uint64(size)<<2 | uint64(bcst)<<6 | vsib<<9
		case iopImm:
			s = 3
		default:
			return 0, false
		}
		sig |= s << (sigOpBits * i)
	}
	return sig, true
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
// for a word of none) that takes ops, through the parser's memory of
// matches (matchForm). It reports every problem as an error at the
// instruction.
func (p *parser) matchIntelForm(mnem string, info *mnemInfo, col int, ops []*intelOperand) (*intelForm, bool) {
	if info == nil {
		return p.matchFormOf(mnem, nil, col, ops)
	}
	sig, ok := opSignature(ops)
	if !ok || info.fixes || p.noCache {
		// Matched as matchForm does, without the signature: the
		// definition the tests compare the rest with.
		return p.matchFormOf(mnem, info.forms, col, ops)
	}
	// Never 0: a mnemonic's number is 1 or more.
	key := uint64(info.id)<<(sigOps*sigOpBits) | sig
	if p.matches != nil {
		if slot := matchSlotOf(p.matches, key); slot.key == key {
			return slot.f, true
		}
	}
	// The forms that fit, read from the signature; matchFormOf explains
	// why none does.
	cands := p.scratch.cands[:0]
	for _, f := range info.forms {
		if f.fitsSig(sig, len(ops)) {
			cands = append(cands, f)
		}
	}
	p.scratch.cands = cands[:0]
	if len(cands) == 0 {
		return p.matchFormOf(mnem, info.forms, col, ops)
	}
	f, ok := p.pickForm(mnem, cands, ops)
	if ok {
		if p.matches == nil {
			// Room for as many as the source may need: a kind a line
			// at most.
			n := 16
			for n < p.lines && n < maxMatches {
				n *= 2
			}
			p.matches = make([]matchSlot, n)
		}
		*matchSlotOf(p.matches, key) = matchSlot{key: key, f: f}
	}
	return f, ok
}
