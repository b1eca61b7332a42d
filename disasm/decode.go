package disasm

import (
	"fmt"

	"golang.org/x/arch/x86/x86asm"
)

// maxInstLen is the longest x86 instruction the CPU accepts.
const maxInstLen = 15

// decoded is the decoding of the bytes at one offset: an instruction
// (ok), or n bytes shown as data with a note saying why (bad).
type decoded struct {
	n    int
	ok   bool
	inst x86asm.Inst
	// fixed, when set, is the text of an instruction x86asm gets wrong,
	// per syntax (see fixups.go): one it does not know (ok false), or one
	// it decodes right but prints wrong (ok true, inst its decoding).
	fixed *[3]string
	// rename, when set, replaces the mnemonic x86asm printed for a
	// stand-in instruction: rename[s] is {old, new} for syntax s.
	rename *[3][2]string
	// trim is a prefix x86asm prints that the renamed instruction has no
	// use for (data16 before clwb).
	trim string
	// bcst is the element count of an EVEX broadcast ({1toN}), which
	// x86asm's printers get wrong (see evex.go); 0 for none.
	bcst int
	// sae is set when the instruction's EVEX.b means {sae}, where
	// x86asm prints a rounding mode (vcvtps2pd, vcvtss2sd).
	sae  bool
	note string // why a bad decoding is bad
	// alias, when set, says that the instruction is an undocumented
	// alias encoding, which an assembler given its text does not make.
	alias string
}

func bad(n int, format string, args ...any) decoded {
	return decoded{n: n, note: fmt.Sprintf(format, args...)}
}

// decodeAt decodes the instruction at the start of src, correcting the
// mistakes of x86asm that fixups.go knows. It always consumes at least one
// byte and at most len(src) bytes.
func decodeAt(src []byte) decoded {
	if len(src) > maxInstLen {
		src = src[:maxInstLen]
	}
	if d, ok := fixup(src); ok {
		return d
	}
	inst, err := safeDecode(src)
	switch {
	case err != nil && evexMap(src) > 3:
		return bad(1, "EVEX map %d instruction (APX or newer): the decoder does not know it", evexMap(src))
	case err != nil:
		return bad(1, "not an instruction: %v", err)
	case inst.Len <= 0 || inst.Len > len(src):
		return bad(1, "not an instruction: the decoder returned length %d", inst.Len)
	case inst.Op == 0:
		return bad(1, "a prefix with no instruction the decoder knows after it")
	}
	if d, ok := fixupDecoded(src, inst); ok {
		return d
	}
	return decoded{n: inst.Len, ok: true, inst: inst}
}

// safeDecode is x86asm.Decode in 64-bit mode, with a panic in the decoder
// turned into an error: the listing must survive any byte sequence.
func safeDecode(src []byte) (inst x86asm.Inst, err error) {
	defer func() {
		if r := recover(); r != nil {
			inst, err = x86asm.Inst{}, fmt.Errorf("decoder panic: %v", r)
		}
	}()
	return x86asm.Decode(src, 64)
}

// evexMap returns the map number of an EVEX instruction at the start of
// src (after legacy prefixes), or 0.
func evexMap(src []byte) int {
	e := split(src)
	if e.rex != 0 || len(e.rest) < 2 || e.rest[0] != 0x62 {
		return 0
	}
	return int(e.rest[1] & 7)
}

// Instruction decodes the instruction at the start of src with the
// corrections this package makes to x86asm, for callers that need its
// operation and operands (explain names the instruction that faulted and
// computes the address it touched). ok is false for bytes that are not an
// instruction, and for instructions x86asm has no Op for, which this
// package knows by their bytes alone (endbr64) or decodes through a
// stand-in of another instruction with the same operands (adcx through
// imul, rdseed through rdrand, clwb through xsaveopt): their Op would name
// the wrong instruction. An undocumented alias encoding has the Op of its
// documented twin (sal esp, 1 of d1 f4 is SHL).
func Instruction(src []byte) (inst x86asm.Inst, ok bool) {
	d := decodeAt(src)
	standIn := d.rename != nil && d.alias == ""
	return d.inst, d.ok && !standIn
}
