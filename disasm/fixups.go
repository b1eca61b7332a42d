package disasm

import (
	"bytes"
	"fmt"
	"strings"

	"golang.org/x/arch/x86/x86asm"
)

// This file corrects the mistakes golang.org/x/arch/x86/x86asm v0.33.0 is
// known to make (listed in the package doc). It decodes nothing itself: it
// recognises a few exact byte patterns, marks what it cannot fix as data
// with a note, or hands x86asm a stand-in instruction with the same
// operand layout and renames the mnemonic it prints. Everything else is
// x86asm's work.

// exact lists instructions x86asm does not know, by their exact bytes.
var exact = []struct {
	bytes []byte
	text  [3]string // per asm.Syntax
}{
	// x86asm: "rep" of length 1, then garbage.
	{[]byte{0xf3, 0x0f, 0x1e, 0xfa}, [3]string{"ENDBR64", "endbr64", "endbr64"}},
	{[]byte{0xf3, 0x0f, 0x1e, 0xfb}, [3]string{"ENDBR32", "endbr32", "endbr32"}},
	// x86asm: unrecognized. The 0F 01 group with mod 11 holds many
	// instructions without operands; with F3 or F2 before it, others.
	{[]byte{0x0f, 0x01, 0xe8}, [3]string{"SERIALIZE", "serialize", "serialize"}},
	{[]byte{0x0f, 0x01, 0xca}, [3]string{"CLAC", "clac", "clac"}},
	{[]byte{0x0f, 0x01, 0xcb}, [3]string{"STAC", "stac", "stac"}},
	{[]byte{0x0f, 0x01, 0xee}, [3]string{"RDPKRU", "rdpkru", "rdpkru"}},
	{[]byte{0x0f, 0x01, 0xef}, [3]string{"WRPKRU", "wrpkru", "wrpkru"}},
	{[]byte{0x0f, 0x01, 0xfd}, [3]string{"RDPRU", "rdpru", "rdpru"}},
	{[]byte{0x0f, 0x01, 0xc1}, [3]string{"VMCALL", "vmcall", "vmcall"}},
	{[]byte{0x0f, 0x01, 0xc2}, [3]string{"VMLAUNCH", "vmlaunch", "vmlaunch"}},
	{[]byte{0x0f, 0x01, 0xc3}, [3]string{"VMRESUME", "vmresume", "vmresume"}},
	{[]byte{0x0f, 0x01, 0xc4}, [3]string{"VMXOFF", "vmxoff", "vmxoff"}},
	{[]byte{0x0f, 0x01, 0xcf}, [3]string{"ENCLS", "encls", "encls"}},
	{[]byte{0x0f, 0x01, 0xd4}, [3]string{"VMFUNC", "vmfunc", "vmfunc"}},
	{[]byte{0x0f, 0x01, 0xd7}, [3]string{"ENCLU", "enclu", "enclu"}},
	{[]byte{0xf3, 0x0f, 0x01, 0xe8}, [3]string{"SETSSBSY", "setssbsy", "setssbsy"}},
	{[]byte{0xf3, 0x0f, 0x01, 0xea}, [3]string{"SAVEPREVSSP", "saveprevssp", "saveprevssp"}},
	{[]byte{0xf3, 0x0f, 0x01, 0xec}, [3]string{"UIRET", "uiret", "uiret"}},
	{[]byte{0xf3, 0x0f, 0x01, 0xed}, [3]string{"TESTUI", "testui", "testui"}},
	{[]byte{0xf3, 0x0f, 0x01, 0xee}, [3]string{"CLUI", "clui", "clui"}},
	{[]byte{0xf3, 0x0f, 0x01, 0xef}, [3]string{"STUI", "stui", "stui"}},
	{[]byte{0xf2, 0x0f, 0x01, 0xe8}, [3]string{"XSUSLDTRK", "xsusldtrk", "xsusldtrk"}},
	{[]byte{0xf2, 0x0f, 0x01, 0xe9}, [3]string{"XRESLDTRK", "xresldtrk", "xresldtrk"}},
	// x86asm: wbinvd, the F3 dropped as ignored (see fixupDecoded).
	{[]byte{0xf3, 0x0f, 0x09}, [3]string{"WBNOINVD", "wbnoinvd", "wbnoinvd"}},
}

// isLegacyPrefix reports whether c is a legacy prefix byte (lock, rep,
// segment, operand or address size).
func isLegacyPrefix(c byte) bool {
	switch c {
	case 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3:
		return true
	}
	return false
}

// encoding is an instruction's bytes split at the opcode: the legacy
// prefixes, the REX byte (0 for none), and the rest from the opcode on.
type encoding struct {
	legacy []byte
	rex    byte
	rest   []byte
	// mandatory is the last 66, F2 or F3 prefix (0 for none), which picks
	// the instruction for many opcodes.
	mandatory byte
}

func split(src []byte) encoding {
	var e encoding
	i := 0
	for i < len(src) && isLegacyPrefix(src[i]) {
		switch src[i] {
		case 0x66, 0xf2, 0xf3:
			e.mandatory = src[i]
		}
		i++
	}
	e.legacy, e.rest = src[:i], src[i:]
	if len(e.rest) > 0 && e.rest[0]&0xf0 == 0x40 {
		e.rex, e.rest = e.rest[0], e.rest[1:]
	}
	return e
}

// prefixLen is the number of bytes before the opcode.
func (e encoding) prefixLen() int { return len(e.legacy) + boolInt(e.rex != 0) }

// withoutMandatory returns the legacy prefixes other than 66, F2 and F3.
func (e encoding) withoutMandatory() []byte {
	var kept []byte
	for _, c := range e.legacy {
		if c != 0x66 && c != 0xf2 && c != 0xf3 {
			kept = append(kept, c)
		}
	}
	return kept
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// fixup recognises, before x86asm sees them, byte sequences it decodes
// wrongly or not at all.
func fixup(src []byte) (decoded, bool) {
	for _, e := range exact {
		if bytes.HasPrefix(src, e.bytes) {
			text := e.text
			return decoded{n: len(e.bytes), fixed: &text}, true
		}
	}
	e := split(src)
	if d, ok := fixupAlias(src, e); ok {
		return d, true
	}
	op := e.rest
	switch {
	case len(e.legacy) > 0 && e.rex == 0 && len(op) > 0 && (op[0] == 0xc4 || op[0] == 0xc5 || op[0] == 0x62):
		return vexAfterPrefixes(e)
	case len(op) >= 4 && op[0] == 0x0f && op[1] == 0x38 && op[2] == 0xf6 &&
		(e.mandatory == 0x66 || e.mandatory == 0xf3):
		// ADCX (66) and ADOX (F3) r, r/m: x86asm shows "data16" or "rep"
		// alone. IMUL r, r/m (0F AF /r) has the same operands.
		name := map[byte]string{0x66: "ADCX", 0xf3: "ADOX"}[e.mandatory]
		stand := append(e.withoutMandatory(), rexBytes(e.rex)...)
		stand = append(stand, 0x0f, 0xaf)
		stand = append(stand, op[3:]...)
		return standIn(stand, len(e.legacy)+1-len(e.withoutMandatory()), x86asm.IMUL, "IMUL", name)
	case len(op) >= 3 && op[0] == 0x0f && op[1] == 0xc7 && op[2]>>6 == 3 && (op[2]>>3)&7 == 7:
		// RDSEED r (NP 0F C7 /7) and RDPID r64 (F3 0F C7 /7): x86asm
		// knows neither. RDRAND r (0F C7 /6) has the same operand.
		modrm := op[2] &^ 0x08
		if e.mandatory == 0xf3 {
			// RDPID's register is 64 bits wide whatever REX.W says.
			stand := append(e.withoutMandatory(), e.rex|0x48, 0x0f, 0xc7, modrm)
			return standIn(stand, len(e.legacy)-len(e.withoutMandatory())-boolInt(e.rex == 0), x86asm.RDRAND, "RDRAND", "RDPID")
		}
		stand := bytes.Clone(src[:e.prefixLen()+3])
		stand[len(stand)-1] = modrm
		return standIn(stand, 0, x86asm.RDRAND, "RDRAND", "RDSEED")
	case len(op) >= 3 && op[0] == 0x0f && op[1] >= 0x20 && op[1] <= 0x23 && op[2]>>6 != 3:
		// MOV to or from a control or debug register: the CPU reads the
		// ModRM byte as register to register whatever its mod bits say;
		// x86asm reads a memory operand and takes displacement bytes that
		// belong to the next instruction. The stand-in has mod 11.
		stand := bytes.Clone(src[:e.prefixLen()+3])
		stand[len(stand)-1] |= 0xc0
		d := decodeAt(stand)
		return d, d.ok
	case len(op) >= 3 && op[0] == 0x0f && (op[1] == 0x24 || op[1] == 0x26):
		// MOV from or to a test register (TR3-TR7, 386 and 486): x86asm
		// shows mov rax, tr0, which the CPU refuses and GNU as reads as a
		// load from the symbol tr0. The ModRM byte is register to register,
		// as for control registers.
		dir := map[byte]string{0x24: "from", 0x26: "to"}[op[1]]
		return bad(e.prefixLen()+3, "mov %s a test register (0f %02x), which 64-bit mode does not have: the CPU raises #UD", dir, op[1]), true
	case len(op) >= 3 && op[0] == 0x0f && op[1] == 0xae && op[2]>>6 == 3 && (op[2]>>3)&7 == 6 &&
		e.mandatory != 0:
		// TPAUSE (66), UMONITOR (F3), UMWAIT (F2): x86asm shows MFENCE or
		// a prefix alone. Show the bytes as data, with the name.
		name := map[byte]string{0x66: "tpause", 0xf3: "umonitor", 0xf2: "umwait"}[e.mandatory]
		return bad(e.prefixLen()+3, "%s (WAITPKG): the decoder does not know it", name), true
	}
	return decoded{}, false
}

func rexBytes(rex byte) []byte {
	if rex == 0 {
		return nil
	}
	return []byte{rex}
}

// standIn decodes stand, a rewritten copy of an instruction whose operands
// x86asm reads right, expects it to be want, gives it the original's
// length (stand's plus delta) and renames its mnemonic from → to (in Go
// spelling; the other syntaxes get lower case).
func standIn(stand []byte, delta int, want x86asm.Op, from, to string) (decoded, bool) {
	d := decodeAt(stand)
	if !d.ok || d.inst.Op != want || d.rename != nil || d.n+delta <= 0 {
		return decoded{}, false
	}
	d.n += delta
	d.inst.Len = d.n
	d.rename = renames(from, to)
	return d, true
}

// renames renames a Go mnemonic, and its lower-case Intel and GNU forms.
func renames(from, to string) *[3][2]string {
	lf, lt := strings.ToLower(from), strings.ToLower(to)
	return &[3][2]string{{from, to}, {lf, lt}, {lf, lt}} // Go, Intel, AT&T: see slot
}

// fixupDecoded corrects what x86asm decoded from src.
func fixupDecoded(src []byte, inst x86asm.Inst) (decoded, bool) {
	// EVEX maps 4-7 (AVX512-FP16, APX): x86asm reads only the low two map
	// bits, so map 5 VADDPH comes out as map 1 VADDPS.
prefixes:
	for i := 0; i+1 < len(inst.Prefix) && inst.Prefix[i] != 0; i++ {
		switch inst.Prefix[i] & 0xff {
		case 0xc4, 0xc5:
			break prefixes // VEX: x86asm reads all five map bits
		case 0x62:
			if m := inst.Prefix[i+1] & 7; m < 1 || m > 3 {
				return bad(inst.Len, "EVEX map %d instruction (AVX512-FP16 or newer): the decoder does not know it", m), true
			}
			break prefixes
		}
	}
	if d, ok := lockUD(inst); ok {
		return d, true
	}
	e := split(src[:inst.Len])
	// F2 and F3 pick the instruction for most 0F opcodes; where x86asm
	// does not know the prefixed form it drops the prefix as ignored and
	// shows the plain one: INCSSPQ as lfence, SENDUIPI as rdrand (and
	// WBNOINVD, F3 0F 09, as wbinvd, which the exact table catches first).
	if len(e.rest) > 0 && e.rest[0] == 0x0f {
		for _, p := range inst.Prefix {
			if p == 0 {
				break
			}
			if c := byte(p); p&x86asm.PrefixIgnored != 0 && (c == 0xf2 || c == 0xf3) {
				return bad(inst.Len, "the decoder drops the %X prefix and reads %s; %X changes the meaning of most 0F opcodes (F3 0F 09 is wbnoinvd, not wbinvd), so this is shown as data",
					c, strings.ToLower(inst.Op.String()), c), true
			}
		}
	}
	// 66 0F AE /6 and /7 with memory are CLWB and CLFLUSHOPT; x86asm
	// shows XSAVEOPT and CLFLUSH (same operand).
	if e.mandatory == 0x66 && (inst.Op == x86asm.XSAVEOPT || inst.Op == x86asm.CLFLUSH) {
		from, to := "XSAVEOPT", "CLWB"
		if inst.Op == x86asm.CLFLUSH {
			from, to = "CLFLUSH", "CLFLUSHOPT"
		}
		return decoded{n: inst.Len, ok: true, inst: inst, rename: renames(from, to), trim: "data16 "}, true
	}
	// SYSRET and SYSEXIT return to 64-bit code with REX.W, to 32-bit code
	// without: x86asm prints sysret and sysexit (Intel), which GNU as
	// takes as ambiguous, and sysretq and sysexit for both (AT&T). Only
	// the text is wrong: the decoding stays (explain names them).
	if inst.Op == x86asm.SYSRET || inst.Op == x86asm.SYSEXIT {
		return decoded{n: inst.Len, ok: true, inst: inst, fixed: sysNames[sysName{inst.Op, e.rex&0x08 != 0}]}, true
	}
	// VZEROUPPER and VZEROALL have no ModRM byte, but x86asm counts the
	// byte after them as one. Take the shortest length that decodes to the
	// same instruction.
	if inst.Op == x86asm.VZEROUPPER || inst.Op == x86asm.VZEROALL {
		for n := 1; n < inst.Len; n++ {
			if short, err := safeDecode(src[:n]); err == nil && short.Op == inst.Op && short.Len == n {
				return decoded{n: n, ok: true, inst: short}, true
			}
		}
	}
	// RDRAND with REX.W: x86asm drops the register. Decode the same bytes
	// without REX.W and widen the register it finds.
	if inst.Op == x86asm.RDRAND && inst.Args[0] == nil {
		if e.rex&0x08 != 0 {
			narrow := bytes.Clone(src[:inst.Len])
			narrow[len(e.legacy)] &^= 0x08
			n, err := safeDecode(narrow)
			if r, ok := n.Args[0].(x86asm.Reg); err == nil && ok && x86asm.EAX <= r && r <= x86asm.R15L {
				inst.Args[0] = r - x86asm.EAX + x86asm.RAX
				inst.DataSize = 64
				return decoded{n: inst.Len, ok: true, inst: inst}, true
			}
		}
	}
	return fixupVEX(src, inst)
}

// x87Aliases are the undocumented x87 register forms the CPU runs as
// another instruction: its opcode byte, the ModRM base (mod 11, the
// register st(i) added), and the documented encoding of the same
// instruction, which x86asm decodes, under the alias's name.
var x87Aliases = []struct {
	op, modrm byte
	stand     [2]byte
	want      x86asm.Op
	from, to  string
}{
	{0xd9, 0xd8, [2]byte{0xdd, 0xd8}, x86asm.FSTP, "FSTP", "FSTP1"},
	{0xdd, 0xc8, [2]byte{0xd9, 0xc8}, x86asm.FXCH, "FXCH", "FXCH4"},
	{0xdf, 0xc8, [2]byte{0xd9, 0xc8}, x86asm.FXCH, "FXCH", "FXCH7"},
	{0xdf, 0xd0, [2]byte{0xdd, 0xd8}, x86asm.FSTP, "FSTP", "FSTP8"},
	{0xdf, 0xd8, [2]byte{0xdd, 0xd8}, x86asm.FSTP, "FSTP", "FSTP9"},
	{0xdc, 0xd0, [2]byte{0xd8, 0xd0}, x86asm.FCOM, "FCOM", "FCOM2"},
	{0xdc, 0xd8, [2]byte{0xd8, 0xd8}, x86asm.FCOMP, "FCOMP", "FCOMP3"},
	{0xde, 0xd0, [2]byte{0xd8, 0xd8}, x86asm.FCOMP, "FCOMP", "FCOMP5"},
}

// shiftOps are the opcodes of the shift and rotate group (ModRM.reg picks
// the operation), whose /6 is an undocumented alias of /4, shl (sal).
var shiftOps = map[byte]bool{0xc0: true, 0xc1: true, 0xd0: true, 0xd1: true, 0xd2: true, 0xd3: true}

// fixupAlias decodes the undocumented alias encodings the CPU runs and
// x86asm rejects: shift /6 (sal, as /4), test r/m, imm /1 (as /0), and the
// x87 register aliases (fstp1, fxch4, fxch7, fstp8, fstp9, fcom2, fcomp3,
// fcomp5). Each goes through the documented encoding as a stand-in, with
// the alias's name, and a note for bytesNote: an assembler given the text
// writes the documented encoding.
func fixupAlias(src []byte, e encoding) (decoded, bool) {
	op := e.rest
	if len(op) < 2 {
		return decoded{}, false
	}
	reg := (op[1] >> 3) & 7
	stand := bytes.Clone(src)
	at := e.prefixLen()
	var d decoded
	var ok bool
	switch {
	case shiftOps[op[0]] && reg == 6:
		stand[at+1] = op[1]&^0x38 | 4<<3
		d, ok = standIn(stand, 0, x86asm.SHL, "SHL", "SAL")
		d.alias = fmt.Sprintf("%02x /6: an undocumented alias of sal/shl (%02x /4) that the CPU runs; assemblers write /4, so --asm writes the bytes", op[0], op[0])
	case (op[0] == 0xf6 || op[0] == 0xf7) && reg == 1:
		stand[at+1] = op[1] &^ 0x38
		d, ok = standIn(stand, 0, x86asm.TEST, "TEST", "TEST")
		d.alias = fmt.Sprintf("%02x /1: an undocumented alias of test (%02x /0) that the CPU runs; assemblers write /0, so --asm writes the bytes", op[0], op[0])
	case op[1] >= 0xc0:
		for _, a := range x87Aliases {
			if op[0] == a.op && op[1]&^7 == a.modrm {
				stand[at], stand[at+1] = a.stand[0], a.stand[1]|op[1]&7
				d, ok = standIn(stand, 0, a.want, a.from, a.to)
				d.alias = fmt.Sprintf("%s (%02x %02x+i): an undocumented alias of %s (%02x %02x+i) that the CPU runs; assemblers know no %s, so --asm writes the bytes",
					strings.ToLower(a.to), a.op, a.modrm, strings.ToLower(a.from), a.stand[0], a.stand[1], strings.ToLower(a.to))
				break
			}
		}
	}
	if !ok {
		return decoded{}, false
	}
	return d, true
}

// sysName is SYSRET or SYSEXIT, with REX.W or without.
type sysName struct {
	op x86asm.Op
	w  bool
}

// sysNames are the names of sysret and sysexit by operand size, as GNU as
// reads them (Go syntax has one name for both).
var sysNames = map[sysName]*[3]string{
	{x86asm.SYSRET, true}:   {"SYSRET", "sysretq", "sysretq"},
	{x86asm.SYSRET, false}:  {"SYSRET", "sysretd", "sysretl"},
	{x86asm.SYSEXIT, true}:  {"SYSEXIT", "sysexitq", "sysexitq"},
	{x86asm.SYSEXIT, false}: {"SYSEXIT", "sysexitd", "sysexitl"},
}

// lockUD shows as data an instruction with a lock prefix it does not take
// (a register destination, or no read-modify-write: lock add eax, ecx),
// which the CPU refuses with #UD. x86asm marks such a prefix invalid and
// prints the instruction all the same; GNU as rejects the text.
func lockUD(inst x86asm.Inst) (decoded, bool) {
	for _, p := range inst.Prefix {
		if p == 0 {
			break
		}
		if p&0xff == x86asm.PrefixLOCK && p&x86asm.PrefixInvalid != 0 {
			return bad(inst.Len, "lock before %s, which takes none (only a read-modify-write of memory does): the CPU raises #UD",
				strings.ToLower(inst.Op.String())), true
		}
	}
	return decoded{}, false
}
