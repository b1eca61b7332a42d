package inteltab

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"golang.org/x/arch/x86/x86asm"
)

// CorpusLine is one instruction of the oracle corpus.
type CorpusLine struct {
	Category string // gpr, sse, avx2, bmi, avx512, x87, mmx
	GNU      string // GNU as spelling: dword ptr [rax]
	NASM     string // NASM spelling: dword [rax]
}

// Categories are the corpus sections, in order.
var Categories = []string{"gpr", "bmi", "sse", "avx2", "avx512", "x87", "mmx"}

// Registers the synthesized lines rotate through.
var (
	synthGPR64 = []x86asm.Reg{x86asm.RAX, x86asm.RCX, x86asm.RDX, x86asm.RBX, x86asm.RSP, x86asm.RBP, x86asm.RSI, x86asm.RDI, x86asm.R8, x86asm.R9, x86asm.R10, x86asm.R11, x86asm.R12, x86asm.R13, x86asm.R14, x86asm.R15}
	// Memory operands the synthesized lines rotate through: every base,
	// the SIB cases (rsp, rbp and r12, r13 bases), disp8 and disp32, and
	// RIP-relative.
	synthMems = []x86asm.Mem{
		{Base: x86asm.RAX},
		{Base: x86asm.RBX, Disp: 8},
		{Base: x86asm.RSP, Disp: 0x10},
		{Base: x86asm.RBP, Disp: -8},
		{Base: x86asm.R12, Index: x86asm.RCX, Scale: 4, Disp: 0x100},
		{Base: x86asm.R13},
		{Base: x86asm.RSI, Index: x86asm.RDI, Scale: 8, Disp: -0x80},
		{Base: x86asm.R15, Disp: 0x7fff},
		{Base: x86asm.RIP, Disp: 0x40},
		{Base: x86asm.RDX, Index: x86asm.R9, Scale: 2},
		{Base: x86asm.R8, Disp: 0x1000},
		{Base: x86asm.RCX, Index: x86asm.RBP, Scale: 1, Disp: 0x3f},
	}
)

// synthReg returns the n-th register of a class; evex allows 16-31.
func synthReg(class string, n int, evex bool) (x86asm.Reg, bool) {
	vec := 16
	if evex {
		vec = 32
	}
	switch class {
	case "r64":
		return x86asm.RAX + x86asm.Reg(n%16), true
	case "r32":
		return x86asm.EAX + x86asm.Reg(n%16), true
	case "r16":
		return x86asm.AX + x86asm.Reg(n%16), true
	case "r8":
		// al cl dl bl, then spl… r15b: never ah…bh, which cannot mix
		// with REX registers.
		k := n % 16
		if k < 4 {
			return x86asm.AL + x86asm.Reg(k), true
		}
		return x86asm.SPB + x86asm.Reg(k-4), true
	case "xmm":
		return x86asm.X0 + x86asm.Reg(n%vec), true
	case "ymm":
		return x86asm.Y0 + x86asm.Reg(n%vec), true
	case "zmm":
		return x86asm.Z0 + x86asm.Reg(n%32), true
	case "k":
		return x86asm.K0 + x86asm.Reg(n%8), true
	case "mm":
		return x86asm.M0 + x86asm.Reg(n%8), true
	case "st":
		return x86asm.F0 + x86asm.Reg(n%8), true
	}
	return 0, false
}

// synthesize makes a new instance of f with rotated registers, memory
// operands and AVX-512 decorations. seed varies the choices. It returns
// nil when a class cannot be synthesized (segment, control and debug
// registers: their forms keep their samples only).
func synthesize(f *Form, seed int, omitSize bool) *instance {
	in := &instance{form: f}
	evex := f.Category == "avx512"
	sample := (*sample)(nil)
	if len(f.samples) > 0 {
		sample = f.samples[0]
	}
	for i, c := range f.Classes {
		n := seed*7 + i*5 + 3
		switch {
		case strings.HasPrefix(c, "="):
			in.ops = append(in.ops, operand{literal: c[1:]})
		case c == "imm":
			v := int64(0x12)
			if sample != nil {
				if inst := sampleInstance(f, sample); inst != nil && inst.ops[i].isImm {
					v = inst.ops[i].imm
				}
			}
			in.ops = append(in.ops, operand{imm: v, isImm: true})
		case strings.HasPrefix(c, "vm"):
			// The index must differ from the destination and the mask
			// (or the gather is #UD): take its number from the other end.
			idx := map[byte]x86asm.Reg{'x': x86asm.X0, 'y': x86asm.Y0, 'z': x86asm.Z0}[c[len(c)-1]]
			limit := 16
			if evex {
				limit = 32
			}
			m := x86asm.Mem{Base: synthGPR64[n%16], Index: idx + x86asm.Reg(limit-1-seed%4), Scale: []uint8{1, 2, 4, 8}[n%4], Disp: int64(n%3) * 0x40}
			in.ops = append(in.ops, operand{mem: &m})
		case isMemClass(c):
			m := synthMems[n%len(synthMems)]
			if strings.HasPrefix(c, "b") {
				m.Disp = int64(n%4) * 0x40
			}
			in.ops = append(in.ops, operand{mem: &m, omitSize: omitSize})
		default:
			r, ok := synthReg(c, n, evex)
			if !ok {
				return nil
			}
			if isVectorReg(c) && hasVSIB(f) {
				r = vecBase(r) + x86asm.Reg(i*4+seed%4) // distinct, and apart from the index
			}
			in.ops = append(in.ops, operand{reg: r})
		}
	}
	if f.Mask && (f.MaskReq || seed%4 != 3) {
		in.mask = 1 + seed%7
		in.zeroing = f.Zeroing && seed%2 == 1
	}
	switch {
	case f.RC:
		in.rounding = []string{"rn-sae", "rd-sae", "ru-sae", "rz-sae"}[seed%4]
	case f.SAE:
		in.rounding = "sae"
	}
	return in
}

// sizeNeeded reports whether the memory operand at slot i of f needs its
// size keyword: another form of the same mnemonic differs from f only in
// that operand's size.
func sizeNeeded(forms map[string][]*Form, f *Form, i int) bool {
	for _, g := range forms[f.Mnem] {
		if g == f || len(g.Classes) != len(f.Classes) {
			continue
		}
		same := true
		for j := range g.Classes {
			if j != i && g.Classes[j] != f.Classes[j] {
				same = false
			}
		}
		if same && isMemClass(g.Classes[i]) && (g.GoOp != f.GoOp || g.Bytes != f.Bytes) {
			return true
		}
	}
	return false
}

// Corpus builds the oracle corpus: for every form its first sample as
// Go's tests write it (registers, memory, immediates), and an instance
// with other registers, another addressing mode (RIP-relative among them),
// the AVX-512 decorations the form takes, and every other time no size
// keyword where the other operands settle the size. Lines GNU as rejects
// are left out and counted in the report.
func Corpus(r *Result) ([]CorpusLine, error) {
	byMnem := map[string][]*Form{}
	for _, f := range r.Forms {
		byMnem[f.Mnem] = append(byMnem[f.Mnem], f)
	}
	var ins []*instance
	var cats []string
	for k, f := range r.Forms {
		if f.Alias != "" && k%3 != 0 {
			continue // aliases: a third of them is plenty
		}
		if len(f.samples) > 0 {
			if in := sampleInstance(f, f.samples[0]); in != nil {
				ins = append(ins, in)
				cats = append(cats, f.Category)
			}
		}
		omit := k%2 == 0
		for i, c := range f.Classes {
			if isMemClass(c) && sizeNeeded(byMnem, f, i) {
				omit = false
			}
		}
		if in := synthesize(f, k, omit); in != nil {
			ins = append(ins, in)
			cats = append(cats, f.Category)
		}
	}
	gnu := make([]string, len(ins))
	for i, in := range ins {
		gnu[i] = in.render(spellGNU)
	}
	res, err := AssembleGNU(gnu)
	if err != nil {
		return nil, err
	}
	var out []CorpusLine
	seen := map[string]bool{}
	rejected := map[string]int{}
	for i, in := range ins {
		if res[i].Err != "" {
			msg := res[i].Err
			if j := strings.Index(msg, "`"); j >= 0 {
				msg = msg[:j]
			}
			rejected[msg]++
			continue
		}
		if seen[gnu[i]] {
			continue
		}
		seen[gnu[i]] = true
		out = append(out, CorpusLine{Category: cats[i], GNU: gnu[i], NASM: in.render(spellNASM)})
	}
	var msgs []string
	for m, n := range rejected {
		msgs = append(msgs, fmt.Sprintf("corpus: %d lines GNU as rejects (%s) left out", n, strings.TrimSpace(m)))
	}
	sort.Strings(msgs)
	r.Report = append(r.Report, msgs...)
	rank := map[string]int{}
	for i, c := range Categories {
		rank[c] = i
	}
	sort.SliceStable(out, func(i, j int) bool { return rank[out[i].Category] < rank[out[j].Category] })
	return out, nil
}

// corpusFile writes the corpus in one spelling, a category header before
// each section.
func corpusFile(lines []CorpusLine, nasm bool) []byte {
	var b bytes.Buffer
	c := "#"
	if nasm {
		c = ";"
	}
	fmt.Fprintf(&b, "%s Oracle corpus of the Intel front end, %s spelling: one instruction a line.\n", c, map[bool]string{false: "GNU as (dword ptr [rax])", true: "NASM (dword [rax])"}[nasm])
	fmt.Fprintf(&b, "%s Generated by go run ./internal/intelgen; DO NOT EDIT. %d lines.\n", c, len(lines))
	cur := ""
	for _, l := range lines {
		if l.Category != cur {
			cur = l.Category
			fmt.Fprintf(&b, "%s category: %s\n", c, cur)
		}
		if nasm {
			b.WriteString(l.NASM)
		} else {
			b.WriteString(l.GNU)
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

func hasVSIB(f *Form) bool {
	for _, c := range f.Classes {
		if strings.HasPrefix(c, "vm") {
			return true
		}
	}
	return false
}

// vecBase returns register 0 of r's vector class.
func vecBase(r x86asm.Reg) x86asm.Reg {
	switch {
	case r >= x86asm.Z0:
		return x86asm.Z0
	case r >= x86asm.Y0:
		return x86asm.Y0
	}
	return x86asm.X0
}
