package att

// The AT&T mnemonics that are not an Intel mnemonic with a size suffix,
// and the branches.

import (
	"strings"

	"github.com/jitrun/jitrun/asm/internal/ir"
)

// attNames maps AT&T-only mnemonics to the Intel mnemonic and the size
// in bits of their memory operand (0: the registers say).
var attNames = map[string]struct {
	intel string
	bits  int
}{
	// Sign extension of the accumulator.
	"cbtw": {"cbw", 0}, "cwtl": {"cwde", 0}, "cltq": {"cdqe", 0},
	"cwtd": {"cwd", 0}, "cltd": {"cdq", 0}, "cqto": {"cqo", 0},
	// Zero and sign extension: movz/movs, the source size, the destination size.
	"movzbw": {"movzx", 8}, "movzbl": {"movzx", 8}, "movzbq": {"movzx", 8},
	"movzwl": {"movzx", 16}, "movzwq": {"movzx", 16},
	"movsbw": {"movsx", 8}, "movsbl": {"movsx", 8}, "movsbq": {"movsx", 8},
	"movswl": {"movsx", 16}, "movswq": {"movsx", 16},
	"movslq": {"movsxd", 32},
	"movzb":  {"movzx", 8}, "movzw": {"movzx", 16}, "movsb": {"movsx", 8}, "movsw": {"movsx", 16}, "movsl": {"movsxd", 32},
	// String instructions: AT&T's l is Intel's d.
	"cmpsl": {"cmpsd", 0}, "lodsl": {"lodsd", 0}, "stosl": {"stosd", 0},
	"scasl": {"scasd", 0}, "insl": {"insd", 0}, "outsl": {"outsd", 0},
	// movabs: mov with a 64-bit immediate (or absolute address).
	"movabsq": {"mov", 64}, "movabs": {"mov", 0}, "movabsl": {"mov", 32}, "movabsw": {"mov", 16}, "movabsb": {"mov", 8},
	// Far returns and the like with their AT&T spelling.
	"lretq": {"retf", 0},
	// The l of pcmpestri/pcmpestrm: 32-bit lengths, the default.
	"pcmpestril": {"pcmpestri", 0}, "pcmpestrml": {"pcmpestrm", 0},
	"vpcmpestril": {"vpcmpestri", 0}, "vpcmpestrml": {"vpcmpestrm", 0},
	// sal is shl.
	"sal": {"shl", 0}, "salb": {"shl", 8}, "salw": {"shl", 16}, "sall": {"shl", 32}, "salq": {"shl", 64},
}

// stringOps are the string instructions without operands, whose names
// movsb, movsw (AT&T: the same without operands) clash with the
// extensions movsbw, movswl … when written without a destination size.
var stringOps = map[string]string{"movsb": "movsb", "movsw": "movsw", "movsl": "movsd", "movsq": "movsq"}

// branches are the branch mnemonics besides jcc, by their Go names.
var branches = map[string]string{
	"jmp": "JMP", "call": "CALL", "loop": "LOOP", "loope": "LOOPEQ", "loopz": "LOOPEQ",
	"loopne": "LOOPNE", "loopnz": "LOOPNE", "jrcxz": "JCXZQ", "jecxz": "JCXZL", "xbegin": "XBEGIN",
}

// branchOp returns the Go mnemonic of a branch to a label.
func branchOp(mnem string) (string, bool) {
	if op, ok := branches[mnem]; ok {
		return op, true
	}
	if mnem == "jmpq" || mnem == "callq" {
		return branches[mnem[:len(mnem)-1]], true
	}
	if cc, ok := strings.CutPrefix(mnem, "j"); ok {
		forms()
		if goCC, ok := table.cond[cc]; ok {
			return "J" + goCC, true
		}
	}
	return "", false
}

// prefixes maps the prefix words to Go's prefix instructions.
var prefixes = map[string]string{
	"lock": "LOCK", "rep": "REP", "repe": "REP", "repz": "REP", "repne": "REPN", "repnz": "REPN",
}

// lockable are the instructions a lock prefix may precede (with a memory
// destination), by Intel name.
var lockable = map[string]bool{
	"add": true, "adc": true, "and": true, "btc": true, "btr": true, "bts": true, "cmpxchg": true,
	"cmpxchg8b": true, "cmpxchg16b": true, "dec": true, "inc": true, "neg": true, "not": true,
	"or": true, "sbb": true, "sub": true, "xor": true, "xadd": true, "xchg": true,
}

// x87Reversed are the x87 subtractions and divisions whose AT&T names
// mean the reverse of Intel's when the destination is not %st (the
// "fsub/fsubr" swap GNU as keeps for compatibility with the UnixWare
// assembler).
var x87Reversed = map[string]string{
	"fsub": "fsubr", "fsubr": "fsub", "fdiv": "fdivr", "fdivr": "fdiv",
	"fsubp": "fsubrp", "fsubrp": "fsubp", "fdivp": "fdivrp", "fdivrp": "fdivp",
}

// pseudoOp splits a predicate pseudo-mnemonic (vcmpltps, vpcmpltud) into
// its instruction and predicate.
func pseudoOp(mnem string) (string, int, bool) {
	if base, pred, ok := ir.CmpPseudoOp(mnem); ok {
		return base, pred, true
	}
	for _, pre := range []string{"vpclmul", "pclmul"} {
		if rest, ok := strings.CutPrefix(mnem, pre); ok {
			switch rest {
			case "lqlqdq":
				return pre + "qdq", 0x00, true
			case "hqlqdq":
				return pre + "qdq", 0x01, true
			case "lqhqdq":
				return pre + "qdq", 0x10, true
			case "hqhqdq":
				return pre + "qdq", 0x11, true
			}
		}
	}
	return "", 0, false
}
