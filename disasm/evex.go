package disasm

import (
	"bytes"
	"strings"
	"sync"

	"golang.org/x/arch/x86/x86asm"
)

// This file corrects what x86asm v0.33.0 decodes wrongly in VEX and EVEX
// instructions (AVX, AVX2, AVX-512). Its AVX decoder reads the operands
// itself, apart from the rest of x86asm, and makes mistakes of its own:
//
//   - A RIP-relative memory operand (ModRM mod 00, r/m 101) comes out with
//     no base register, as the absolute address disp32: [0x40], or [] when
//     the displacement is 0.
//   - The element count of a broadcast ({1toN}) is not known: the printers
//     take the destination register's width over the broadcast element,
//     which is wrong for conversions (vcvtdq2pd ymm, [m]{1to4}) and gives
//     nothing when the destination is an opmask (vpcmpd k, …).
//   - EVEX.b on a register form is shown as {sae} or a rounding mode
//     whatever the instruction takes; EVEX.b on a memory operand of an
//     instruction with no broadcast form, and zeroing-masking without a
//     mask or on a store, are dropped or shown, where the CPU raises #UD.
//
// vexPrefix locates the prefix and the fields these corrections need;
// fixupVEX applies them to a decoded instruction.

// vexPrefix is the VEX or EVEX prefix of an instruction and what follows
// it: the fields this package needs to correct x86asm's decoding.
type vexPrefix struct {
	at    int  // offset of the C4, C5 or 62 byte
	evex  bool // 62: EVEX; else VEX
	modrm byte // the ModRM byte after the opcode
	// EVEX fields (zero for VEX).
	w   bool // EVEX.W
	aaa byte // opmask register number (0: no masking)
	z   bool // zeroing-masking
	b   bool // broadcast, or rounding control / {sae} on a register form
}

// vexPrefixOf finds the VEX or EVEX prefix of the instruction at the start
// of src (after its legacy prefixes). ok is false for other instructions
// and when the bytes end before the ModRM byte.
func vexPrefixOf(src []byte) (v vexPrefix, ok bool) {
	e := split(src)
	if e.rex != 0 || len(e.rest) == 0 {
		return v, false
	}
	var n int // prefix bytes, the first included
	switch e.rest[0] {
	case 0xc5:
		n = 2
	case 0xc4:
		n = 3
	case 0x62:
		n = 4
	default:
		return v, false
	}
	if len(e.rest) < n+2 {
		return v, false
	}
	v = vexPrefix{at: len(e.legacy), evex: n == 4, modrm: e.rest[n+1]}
	if v.evex {
		p1, p2 := e.rest[2], e.rest[3]
		v.w = p1&0x80 != 0
		v.aaa = p2 & 7
		v.z = p2&0x80 != 0
		v.b = p2&0x10 != 0
	}
	return v, true
}

// ripRelative reports whether the ModRM byte selects [rip+disp32].
func (v vexPrefix) ripRelative() bool { return v.modrm>>6 == 0 && v.modrm&7 == 5 }

// fixupVEX corrects x86asm's decoding of a VEX or EVEX instruction (see
// the top of this file). ok is false when it has nothing to correct.
func fixupVEX(src []byte, inst x86asm.Inst) (decoded, bool) {
	v, ok := vexPrefixOf(src[:inst.Len])
	if !ok {
		return decoded{}, false
	}
	d := decoded{n: inst.Len, ok: true, inst: inst}
	changed := false
	mem := -1 // index of the memory operand
	for i, a := range inst.Args {
		if _, ok := a.(x86asm.Mem); ok {
			mem = i
		}
	}
	if mem >= 0 && v.ripRelative() {
		if m := inst.Args[mem].(x86asm.Mem); m.Base == 0 && m.Index == 0 {
			m.Base = x86asm.RIP
			d.inst.Args[mem] = m
			changed = true
		}
	}
	if !v.evex {
		return d, changed
	}
	op := strings.ToLower(inst.Op.String())
	switch {
	case v.z && v.aaa == 0:
		return bad(inst.Len, "EVEX.z (zeroing-masking) is set with no opmask: the CPU raises #UD on this %s", op), true
	case v.z && mem == 0:
		return bad(inst.Len, "EVEX.z (zeroing-masking) is set on a store: the CPU raises #UD on this %s", op), true
	case v.b && mem >= 0 && !inst.Broadcast:
		if fp16Broadcast()[inst.Op] {
			return bad(inst.Len, "%s with an AVX512-FP16 broadcast: the decoder does not know it", op), true
		}
		return bad(inst.Len, "EVEX.b (broadcast) is set on the memory operand of %s, which has no broadcast form: the CPU raises #UD", op), true
	case v.b && mem >= 0:
		// The broadcast repeats one element over the whole memory
		// operand: its size is the operand's without EVEX.b.
		whole := bytes.Clone(src[:inst.Len])
		whole[v.at+3] &^= 0x10
		full, err := safeDecode(whole)
		if err != nil || full.Op != inst.Op || inst.MemBytes <= 0 || full.MemBytes%inst.MemBytes != 0 {
			return bad(inst.Len, "%s with a broadcast the decoder cannot size", op), true
		}
		d.bcst = full.MemBytes / inst.MemBytes
		changed = true
	case v.b && inst.SAE:
		switch roundingOf(inst.Op, v.w) {
		case takesNone:
			return bad(inst.Len, "EVEX.b (rounding control or {sae}) is set on the register form of %s, which takes neither: the CPU raises #UD", op), true
		case takesSAE:
			d.sae = true
			changed = true
		}
	}
	return d, changed
}

// segmentPrefixes are the segment override prefixes and their registers.
var segmentPrefixes = map[byte]x86asm.Reg{0x26: x86asm.ES, 0x2e: x86asm.CS, 0x36: x86asm.SS, 0x3e: x86asm.DS, 0x64: x86asm.FS, 0x65: x86asm.GS}

// vexAfterPrefixes decodes a VEX or EVEX instruction that legacy prefixes
// come before (e: the instruction split at its opcode, which is the VEX
// or EVEX prefix). x86asm takes C4, C5 and 62 for VEX and EVEX only as
// the first byte, and shows a prefix before them as a prefix with no
// instruction. A segment override (fs:) and 67 (32-bit addressing) are
// valid there; 66, F2, F3 and F0 make the CPU raise #UD.
func vexAfterPrefixes(e encoding) (decoded, bool) {
	d := decodeAt(e.rest)
	n := len(e.legacy) + d.n
	switch {
	case !d.ok && d.fixed == nil && d.n <= 1:
		return decoded{}, false // not an instruction after all: x86asm says what it is
	case n > maxInstLen:
		return bad(len(e.legacy), "prefixes that make the instruction after them longer than %d bytes: the CPU raises #GP", maxInstLen), true
	case !d.ok:
		return bad(n, "%s", d.note), true
	}
	inst := d.inst
	var prefixes []x86asm.Prefix
	var seg x86asm.Reg
	segAt, addr := -1, false
	for i, c := range e.legacy {
		p := x86asm.Prefix(c)
		switch {
		case c == 0x67:
			p, addr = x86asm.PrefixAddr32|x86asm.PrefixImplicit, true
		case segmentPrefixes[c] != 0:
			// The last one counts, as x86asm marks it.
			if segAt >= 0 {
				prefixes[segAt] |= x86asm.PrefixIgnored
			}
			seg, segAt = segmentPrefixes[c], i
		default:
			return bad(n, "a %02x prefix before a VEX or EVEX prefix: the CPU raises #UD", c), true
		}
		prefixes = append(prefixes, p)
	}
	for _, p := range inst.Prefix {
		if p == 0 {
			break
		}
		prefixes = append(prefixes, p)
	}
	if len(prefixes) > len(inst.Prefix) {
		return decoded{}, false
	}
	inst.Prefix = [len(inst.Prefix)]x86asm.Prefix{}
	copy(inst.Prefix[:], prefixes)
	for i, a := range inst.Args {
		if m, ok := a.(x86asm.Mem); ok {
			if seg != 0 {
				// The override is shown on the operand, not as a prefix.
				m.Segment = seg
				inst.Prefix[segAt] |= x86asm.PrefixImplicit
			}
			if addr {
				// x86asm's AVX decoder knows no address size: 67 makes
				// the base and index 32-bit registers, and RIP EIP.
				m = addr32(m)
				inst.AddrSize = 32
			}
			inst.Args[i] = m
		}
	}
	inst.Len = n
	d.n, d.inst = n, inst
	return d, true
}

// addr32 is m with 32-bit addressing: its 64-bit base and index registers
// as their 32-bit halves, RIP as EIP.
func addr32(m x86asm.Mem) x86asm.Mem {
	narrow := func(r x86asm.Reg) x86asm.Reg {
		switch {
		case r == x86asm.RIP:
			return x86asm.EIP
		case x86asm.RAX <= r && r <= x86asm.R15:
			return r - x86asm.RAX + x86asm.EAX
		}
		return r
	}
	m.Base, m.Index = narrow(m.Base), narrow(m.Index)
	return m
}

// rounding is what EVEX.b means on the register form of an instruction.
type rounding uint8

const (
	takesNone rounding = iota // nothing: EVEX.b is #UD
	takesSAE                  // {sae}: suppress all exceptions
	takesRC                   // {rn-sae} … {rz-sae}: static rounding, exceptions suppressed
)

// roundingOf says what EVEX.b means on the register form of op (with
// EVEX.W w). The tables are checked against objdump over every EVEX
// register form x86asm decodes (TestOracleEVEXControls).
func roundingOf(op x86asm.Op, w bool) rounding {
	switch {
	case roundingOps()[op]:
		if (op == x86asm.VCVTSI2SD || op == x86asm.VCVTUSI2SD) && !w {
			// A 32-bit integer always fits a double: nothing to round.
			return takesNone
		}
		return takesRC
	case saeOps()[op]:
		return takesSAE
	}
	return takesNone
}

// roundingOps take static rounding control on their register form: the
// floating-point arithmetic that rounds (x86asm prints a rounding mode for
// each, and also for vcvtps2pd, vcvtss2sd, vcvtdq2pd, vcvtudq2pd and
// vpermi2/vpermt2, which take {sae} or nothing).
var roundingOps = lazyOpSet(roundingNames)

const roundingNames = `
	VADDPD VADDPS VADDSD VADDSS VSUBPD VSUBPS VSUBSD VSUBSS
	VMULPD VMULPS VMULSD VMULSS VDIVPD VDIVPS VDIVSD VDIVSS
	VSQRTPD VSQRTPS VSQRTSD VSQRTSS VSCALEFPD VSCALEFPS VSCALEFSD VSCALEFSS
	VFMADD132PD VFMADD132PS VFMADD132SD VFMADD132SS VFMADD213PD VFMADD213PS VFMADD213SD VFMADD213SS
	VFMADD231PD VFMADD231PS VFMADD231SD VFMADD231SS VFMSUB132PD VFMSUB132PS VFMSUB132SD VFMSUB132SS
	VFMSUB213PD VFMSUB213PS VFMSUB213SD VFMSUB213SS VFMSUB231PD VFMSUB231PS VFMSUB231SD VFMSUB231SS
	VFNMADD132PD VFNMADD132PS VFNMADD132SD VFNMADD132SS VFNMADD213PD VFNMADD213PS VFNMADD213SD VFNMADD213SS
	VFNMADD231PD VFNMADD231PS VFNMADD231SD VFNMADD231SS VFNMSUB132PD VFNMSUB132PS VFNMSUB132SD VFNMSUB132SS
	VFNMSUB213PD VFNMSUB213PS VFNMSUB213SD VFNMSUB213SS VFNMSUB231PD VFNMSUB231PS VFNMSUB231SD VFNMSUB231SS
	VFMADDSUB132PD VFMADDSUB132PS VFMADDSUB213PD VFMADDSUB213PS VFMADDSUB231PD VFMADDSUB231PS
	VFMSUBADD132PD VFMSUBADD132PS VFMSUBADD213PD VFMSUBADD213PS VFMSUBADD231PD VFMSUBADD231PS
	VCVTDQ2PS VCVTPD2DQ VCVTPD2PS VCVTPD2QQ VCVTPD2UDQ VCVTPD2UQQ VCVTPS2DQ VCVTPS2QQ VCVTPS2UDQ VCVTPS2UQQ
	VCVTQQ2PD VCVTQQ2PS VCVTUDQ2PS VCVTUQQ2PD VCVTUQQ2PS VCVTSD2SS
	VCVTSD2SI VCVTSD2USI VCVTSS2SI VCVTSS2USI VCVTSI2SD VCVTSI2SS VCVTUSI2SD VCVTUSI2SS
`

// saeOps take {sae} (suppress all exceptions) and no rounding mode on
// their register form: compares, min and max, truncating and widening
// conversions, and the other floating-point operations that do not round.
var saeOps = lazyOpSet(saeNames)

const saeNames = `
	VCMPPD VCMPPS VCMPSD VCMPSS VCMPPH VCMPSH VCOMISD VCOMISS VUCOMISD VUCOMISS
	VMAXPD VMAXPS VMAXSD VMAXSS VMINPD VMINPS VMINSD VMINSS
	VCVTPS2PD VCVTSS2SD VCVTPH2PS VCVTPS2PH
	VCVTTPD2DQ VCVTTPD2QQ VCVTTPD2UDQ VCVTTPD2UQQ VCVTTPS2DQ VCVTTPS2QQ VCVTTPS2UDQ VCVTTPS2UQQ
	VCVTTSD2SI VCVTTSD2USI VCVTTSS2SI VCVTTSS2USI
	VGETEXPPD VGETEXPPS VGETEXPSD VGETEXPSS VGETMANTPD VGETMANTPS VGETMANTSD VGETMANTSS VGETMANTPH VGETMANTSH
	VFIXUPIMMPD VFIXUPIMMPS VFIXUPIMMSD VFIXUPIMMSS VRANGEPD VRANGEPS VRANGESD VRANGESS
	VREDUCEPD VREDUCEPS VREDUCESD VREDUCESS VREDUCEPH VREDUCESH
	VRNDSCALEPD VRNDSCALEPS VRNDSCALESD VRNDSCALESS VRNDSCALEPH VRNDSCALESH
	VEXP2PD VEXP2PS VRCP28PD VRCP28PS VRCP28SD VRCP28SS VRSQRT28PD VRSQRT28PS VRSQRT28SD VRSQRT28SS
`

// fp16Broadcast are the AVX512-FP16 instructions of EVEX maps 1-3 that
// x86asm decodes without their 16-bit broadcast form.
var fp16Broadcast = lazyOpSet(fp16BroadcastNames)

const fp16BroadcastNames = `VCMPPH VFPCLASSPH VGETMANTPH VREDUCEPH VRNDSCALEPH`

// lazyOpSet returns the set of x86asm ops named in names, made at its
// first use: building it takes the names of every op (opNamed), which a
// process that never decodes an EVEX instruction (jitrun asm, jitrun
// version) should not pay for at start-up. A name x86asm does not have is
// left out (TestOpTables checks that there is none).
func lazyOpSet(names string) func() map[x86asm.Op]bool {
	return sync.OnceValue(func() map[x86asm.Op]bool {
		set := map[x86asm.Op]bool{}
		for _, n := range strings.Fields(names) {
			if op, ok := opNamed()[n]; ok {
				set[op] = true
			}
		}
		return set
	})
}

// opNamed maps x86asm's op names to the ops.
var opNamed = sync.OnceValue(func() map[string]x86asm.Op {
	m := map[string]x86asm.Op{}
	// Ops are numbered from 1; VZEROUPPER is the last in v0.33.0, and a
	// margin covers a later version's additions.
	for op := x86asm.Op(1); op < x86asm.VZEROUPPER+1024; op++ {
		if name := op.String(); !strings.HasPrefix(name, "Op(") {
			m[name] = op
		}
	}
	return m
})
