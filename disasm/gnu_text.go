package disasm

import (
	"regexp"
	"strings"

	"golang.org/x/arch/x86/x86asm"
)

// The AT&T printer's text, put the way GNU as reads it.

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

// gnuNames are x86asm's AT&T mnemonics that GNU as knows by another name:
// the size suffix it rejects (lgdtl), and icebp for f1 (int1).
var gnuNames = map[string]string{"lgdtl": "lgdt", "lidtl": "lidt", "sgdtl": "sgdt", "sidtl": "sidt", "icebp": "int1"}

// gnuNoIndex is x86asm's %riz or %eiz pseudo index, with its scale: a SIB
// byte without an index, whose scale bits do nothing. Without a base
// either, the parentheses go too (0x10(,%riz,2) is the address 0x10).
var gnuNoIndex = regexp.MustCompile(`(\(,%[er]iz(,[1248])?\))|,%[er]iz(,[1248])?\)`)

// gnuCleanup makes x86asm's AT&T text something GNU as reads back: no
// %riz or %eiz pseudo index (a SIB byte without an index, which r12 and
// rsp bases need anyway; GNU as rejects %riz), repnz for repn, and GNU
// as's names where x86asm's differ (see gnuNames).
func gnuCleanup(text string, inst x86asm.Inst) string {
	text = gnuFar(text, inst)
	text = gnuNoIndex.ReplaceAllStringFunc(text, func(z string) string {
		if strings.HasPrefix(z, "(") {
			return ""
		}
		return ")"
	})
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
	for from, to := range gnuNames {
		text = replaceWord(text, from, to)
	}
	return text
}

// gnuFar spells far transfers by their operand size, which x86asm's AT&T
// text gets wrong: lretq for cb (GNU as makes 48 cb of it), lcallq *(%rax)
// (which GNU as rejects) for ff 18. GNU as writes lret, lretw, lretq and
// lcall, lcallw, rex.W lcall.
func gnuFar(text string, inst x86asm.Inst) string {
	var name string
	switch inst.Op {
	case x86asm.LRET:
		name = "lret"
	case x86asm.LCALL:
		name = "lcall"
	case x86asm.LJMP:
		name = "ljmp"
	default:
		return text
	}
	prefixes, args, _ := strings.Cut(text, name)
	prefixes = strings.Replace(prefixes, "rex.W ", "", 1)
	_, args, _ = strings.Cut(args, " ") // the suffix x86asm gave it
	switch inst.DataSize {
	case 16:
		name += "w"
	case 64:
		if inst.Op == x86asm.LRET {
			name += "q"
		} else {
			name = "rex.W " + name
		}
	}
	return strings.TrimSpace(prefixes + name + " " + args)
}
