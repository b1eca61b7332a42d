package x86enc

// Why golang-asm refused an instruction. It says only "invalid
// instruction"; the checks before it (validate.go) have ruled out the
// operand kinds it cannot take, so what is left is usually a value: an
// immediate out of the range of the instruction's field, or a vector
// register above 15 in an instruction that has no EVEX form. explain asks
// golang-asm again with that value changed, to tell which.

import (
	"fmt"
	"math/bits"
	"strings"

	"github.com/jitrun/jitrun/asm/internal/ir"
	"github.com/twitchyliquid64/golang-asm/obj"
	"github.com/twitchyliquid64/golang-asm/obj/x86"
)

// explain turns what golang-asm said about an instruction into an error
// for its statement, in the instruction's syntax. For an Intel-syntax
// instruction whose immediate is out of the range golang-asm gives an
// 8-bit field but is the same byte in the other reading, signed or
// unsigned (pshufd xmm0, xmm1, -1 or psrlw mm0, 200, as GNU as and NASM
// take them), it returns golang-asm's encoding with that byte instead.
func (b *Batch) explain(q queued, msg string) (encodedInst, error) {
	sp := ir.Spell(q.inst)
	if msg != "invalid instruction" {
		return encodedInst{}, sp.Errorf("%s", msg)
	}
	if k := immArg(q.inst); k >= 0 {
		v := q.inst.Args[k].Imm
		lo, hi, ok := b.probeImmRange(q, k)
		if ok && (v < lo || v > hi) {
			if sp.Intel() && hi-lo == 0xff {
				// An 8-bit field that golang-asm takes only signed
				// (-128..127) or only unsigned (0..255): Intel syntax,
				// like GNU as and NASM, writes the same byte either way.
				if v >= -0x80 && v <= 0xff {
					if enc, ok := b.tryImm(q, k, v-(v-lo)&^0xff); ok {
						return enc, nil
					}
				}
				lo, hi = -0x80, 0xff
			}
			n := bits.Len64(uint64(hi))
			if lo < 0 {
				n = max(n, bits.Len64(uint64(-lo-1))+1)
			}
			return encodedInst{}, sp.Errorf("immediate %s does not fit in %d bits (%s..%s)", sp.ImmArg(k), n, sp.Imm(lo), sp.Imm(hi))
		}
	}
	for _, a := range q.inst.Args {
		if a.Kind == ir.RegOperand && isHighVector(a.Reg) && b.encodesWithLowVectors(q) {
			return encodedInst{}, sp.Errorf("%s: registers 16-31 need an EVEX (AVX-512) form, which %s does not have", sp.Reg(a.Reg), sp.Op())
		}
	}
	if k := lowByteArg(q.inst); k >= 0 && b.encodesWithWideRegs(q) {
		return encodedInst{}, sp.Errorf("%s", byteSizeMessage(sp, q.inst, k))
	}
	return encodedInst{}, sp.Errorf("invalid instruction: no form of %s takes %s", sp.Op(), sp.Args())
}

// immArg returns the index of the instruction's only immediate, or -1.
func immArg(in *ir.Inst) int {
	k := -1
	for i, a := range in.Args {
		if a.Kind == ir.ImmOperand {
			if k >= 0 {
				return -1
			}
			k = i
		}
	}
	return k
}

// probeImmRange finds the values immediate k of the instruction can take,
// by trying the bounds of the immediate fields x86 has (checkImmediates
// knows the ranges of the common instructions; this asks golang-asm about
// the rest). ok is false when the instruction fails whatever the immediate
// (the problem is elsewhere).
func (b *Batch) probeImmRange(q queued, k int) (lo, hi int64, ok bool) {
	for _, v := range []int64{0, 1} {
		if _, ok = b.tryImm(q, k, v); ok {
			lo, hi = v, v
			break
		}
	}
	if !ok {
		return 0, 0, false
	}
	for _, v := range []int64{1<<32 - 1, 1<<31 - 1, 1<<16 - 1, 1<<15 - 1, 0xff, 0x7f, 0x1f, 0xf, 7, 3, 1} {
		if v > hi {
			if _, accepted := b.tryImm(q, k, v); accepted {
				hi = v
				break
			}
		}
	}
	for _, v := range []int64{-1 << 31, -1 << 15, -1 << 7} {
		if _, accepted := b.tryImm(q, k, v); accepted {
			lo = v
			break
		}
	}
	return lo, hi, true
}

// tryImm encodes the instruction with immediate k set to v.
func (b *Batch) tryImm(q queued, k int, v int64) (encodedInst, bool) {
	in := *q.inst
	in.Args = append([]ir.Operand(nil), q.inst.Args...)
	in.Args[k].Imm = v
	return b.try(&in, q.op)
}

// encodesWithLowVectors reports whether the instruction encodes with its
// vector registers 16-31 replaced by 0-15.
func (b *Batch) encodesWithLowVectors(q queued) bool {
	in := *q.inst
	in.Args = append([]ir.Operand(nil), q.inst.Args...)
	for i := range in.Args {
		if a := &in.Args[i]; a.Kind == ir.RegOperand && isHighVector(a.Reg) {
			a.Reg -= 16
		}
	}
	_, ok := b.try(&in, q.op)
	return ok
}

// lowByteArg returns the index of the first operand that is a low byte
// register (AL…R15B, SPB…DIB), or -1.
func lowByteArg(in *ir.Inst) int {
	for i, a := range in.Args {
		if a.Kind == ir.RegOperand && x86.REG_AL <= a.Reg && a.Reg <= x86.REG_R15B {
			return i
		}
	}
	return -1
}

// encodesWithWideRegs reports whether the instruction encodes with its low
// byte registers replaced by the 64-bit registers they are part of (AL by
// AX): whether the byte register is what is wrong.
func (b *Batch) encodesWithWideRegs(q queued) bool {
	in := *q.inst
	in.Args = append([]ir.Operand(nil), q.inst.Args...)
	for i := range in.Args {
		if a := &in.Args[i]; a.Kind == ir.RegOperand && x86.REG_AL <= a.Reg && a.Reg <= x86.REG_R15B {
			a.Reg += x86.REG_AX - x86.REG_AL
		}
	}
	_, ok := b.try(&in, q.op)
	return ok
}

// byteSizeMessage explains the byte register at operand k of an
// instruction that takes wider registers there (MOVQ AL, BX): what to
// write instead, and for a MOV of a byte source how to widen it.
func byteSizeMessage(sp ir.Speller, in *ir.Inst, k int) string {
	r := in.Args[k].Reg
	wide := r + x86.REG_AX - x86.REG_AL
	msg := fmt.Sprintf("operand sizes differ: %s is an 8-bit register", sp.Reg(r))
	if bits := opBits(in.Op); bits > 0 {
		msg += fmt.Sprintf(" and %s has %d-bit operands", sp.Op(), bits)
	}
	msg += "; write " + sp.Reg(wide)
	if k == 0 && (in.Op == "MOVQ" || in.Op == "MOVL" || in.Op == "MOVW") {
		size := in.Op[3:]
		msg += fmt.Sprintf(", or widen %s with MOVB%sZX (zero-extend) or MOVB%sSX (sign-extend)", sp.Reg(r), size, size)
	}
	return msg
}

// opBits is the operand size a Go mnemonic's last letter gives (ADDQ 64,
// ADDL 32, ADDW 16), or 0.
func opBits(op string) int {
	switch {
	case strings.HasSuffix(op, "Q"):
		return 64
	case strings.HasSuffix(op, "L"):
		return 32
	case strings.HasSuffix(op, "W"):
		return 16
	}
	return 0
}

// try encodes a variant of an instruction that passed the checks, and
// returns golang-asm's bytes (before encodedInst.fix).
func (b *Batch) try(in *ir.Inst, op obj.As) (encodedInst, bool) {
	p, err := b.b.prog(in, op)
	if err != nil {
		return encodedInst{}, false
	}
	enc, msg := b.b.assembleOne(p)
	return enc, msg == ""
}

// isHighVector reports whether r is X16-X31, Y16-Y31 or Z16-Z31.
func isHighVector(r ir.Reg) bool {
	return x86.REG_X16 <= r && r <= x86.REG_X31 || x86.REG_Y16 <= r && r <= x86.REG_Y31 || x86.REG_Z16 <= r && r <= x86.REG_Z31
}
