package inteltab

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/jitrun/jitrun/asm/internal/ir"
	"golang.org/x/arch/x86/x86asm"
)

// Form is one Intel instruction form and the Go instruction it becomes.
type Form struct {
	Mnem    string   // Intel mnemonic, lower case
	Classes []string // Intel operand classes, Intel order (see the package doc)
	GoOp    string   // Go mnemonic
	// Args are the Go operands in Go order: "0"…"4" is that Intel operand,
	// "k" the opmask (left out when there is none), "=X0" a fixed register.
	Args     []string
	Mask     bool // takes an opmask {k1}…{k7}
	MaskReq  bool // needs one (gathers and scatters)
	Zeroing  bool // takes {z}
	RC       bool // takes embedded rounding {rn-sae}, {rd-sae}, {ru-sae}, {rz-sae}
	SAE      bool // takes {sae}
	Category string
	Why      string // for hand-written forms: why the data could not tell
	Alias    string // for an alias: the mnemonic it stands for
	// Bytes, for an instruction golang-asm has no mnemonic for (it then
	// takes no operand), are its bytes in hex.
	Bytes string

	samples []*sample
}

func (f *Form) key() string { return f.Mnem + " " + strings.Join(f.Classes, ",") }

func (f *Form) flags() string {
	var b strings.Builder
	if f.MaskReq {
		b.WriteByte('K')
	} else if f.Mask {
		b.WriteByte('k')
	}
	if f.Zeroing {
		b.WriteByte('z')
	}
	if f.RC {
		b.WriteByte('r')
	}
	if f.SAE {
		b.WriteByte('s')
	}
	return b.String()
}

// fromLearned turns a learned group into a Form.
func fromLearned(l *learned) (*Form, string) {
	f := &Form{Mnem: l.mnem, Classes: l.classes, GoOp: l.goOp, samples: l.samples,
		Zeroing: l.zeroing, RC: l.rc, SAE: l.sae}
	// A register operand that is the same fixed register in every sample
	// and that the instruction requires there (a shift count in cl, the
	// blend mask in xmm0, the x87 stack top): a literal class, so that
	// the form does not take any other register.
	fixed := map[int]string{}
	if len(l.samples) >= 2 {
		for i := range l.classes {
			var first x86asm.Reg
			same := true
			for _, s := range l.samples {
				if i >= len(s.cargs) {
					same = false
					break
				}
				r, ok := s.cargs[i].(x86asm.Reg)
				if !ok || (first != 0 && r != first) {
					same = false
					break
				}
				first = r
			}
			if go_, ok := implicitRegs[first]; same && ok && requiresReg(l.mnem, first) {
				fixed[i] = go_
				f.Classes = append([]string(nil), f.Classes...)
				f.Classes[i] = "=" + intelRegName(first)
			}
		}
	}
	var args []string
	for i, v := range l.bind.src {
		if g, ok := fixed[v]; ok && v >= 0 {
			args = append(args, "="+g)
			continue
		}
		if v < 0 {
			if l.bind.literal[i] == "F0" {
				// The x87 stack top, implicit in Intel syntax (fadd dword
				// ptr [rax]), explicit in Go's (FADDF (AX), F0).
				args = append(args, "=F0")
				continue
			}
			return nil, "a Go operand (" + l.bind.literal[i] + ") has no Intel operand: the decoder lost one"
		}
		args = append(args, strconv.Itoa(v))
	}
	if l.masked {
		f.Mask = true
		at := l.maskAt
		if at > len(args) {
			return nil, "opmask position out of range"
		}
		args = append(args[:at:at], append([]string{"k"}, args[at:]...)...)
	}
	f.Args = args
	f.Category = category(l)
	return f, ""
}

// category sorts a form into the corpus sections.
func category(l *learned) string {
	vec, gpr, mmx, x87, kreg := false, false, false, false, false
	for _, c := range l.classes {
		switch {
		case c == "xmm" || c == "ymm" || c == "zmm" || strings.HasPrefix(c, "vm") || c == "=xmm0":
			vec = true
		case c == "k":
			kreg = true
		case c == "mm":
			mmx = true
		case c == "st" || strings.HasPrefix(c, "=st"):
			x87 = true
		case strings.HasPrefix(c, "r"):
			gpr = true
		}
	}
	s := l.samples[0]
	switch {
	case s.enc == encEVEX || kreg:
		return "avx512"
	case s.enc == encVEX && !vec:
		return "bmi"
	case s.enc == encVEX:
		return "avx2"
	case mmx:
		return "mmx"
	case x87 || strings.HasPrefix(l.mnem, "f"):
		return "x87"
	case vec:
		return "sse"
	case gpr || len(l.classes) > 0:
		return "gpr"
	}
	return "gpr"
}

// preferred orders candidate Go mnemonics for the same Intel form: the one
// named like the Intel mnemonic, then the shortest encoding (no redundant
// prefix), then the most samples.
func preferred(a, b *Form) bool {
	an, bn := strings.ToLower(a.GoOp) == a.Mnem, strings.ToLower(b.GoOp) == b.Mnem
	if an != bn {
		return an
	}
	al, bl := avgLen(a), avgLen(b)
	if al != bl {
		return al < bl
	}
	if len(a.samples) != len(b.samples) {
		return len(a.samples) > len(b.samples)
	}
	return a.GoOp < b.GoOp
}

func avgLen(f *Form) float64 {
	if len(f.samples) == 0 {
		return 0
	}
	n := 0
	for _, s := range f.samples {
		n += len(s.line.code)
	}
	return float64(n) / float64(len(f.samples))
}

// resolveBroadcast gives each broadcast class its element count: the size
// of the full-vector memory operand of the same instruction over the
// element size (vcvtdq2pd zmm, m256/m32bcst broadcasts 1to8).
func resolveBroadcast(forms []*Form) {
	full := map[string]int{}
	for _, f := range forms {
		for i, c := range f.Classes {
			if strings.HasPrefix(c, "m") && ir.IntelClassBits(c) >= 64 {
				k := f.Mnem + "|" + f.GoOp + "|" + strings.Join(f.Classes[:i], ",") + "|@|" + strings.Join(f.Classes[i+1:], ",")
				full[k] = ir.IntelClassBits(c)
			}
		}
	}
	for _, f := range forms {
		for i, c := range f.Classes {
			if !strings.HasPrefix(c, "b") || strings.Contains(c, ":") {
				continue
			}
			elt := ir.IntelClassBits("m" + c[1:])
			k := f.Mnem + "|" + f.GoOp + "|" + strings.Join(f.Classes[:i], ",") + "|@|" + strings.Join(f.Classes[i+1:], ",")
			vec := full[k]
			if vec == 0 {
				switch f.Classes[0] {
				case "xmm":
					vec = 128
				case "ymm":
					vec = 256
				case "zmm":
					vec = 512
				}
			}
			if vec == 0 || elt == 0 {
				vec, elt = 1, 1
			}
			f.Classes[i] = c + ":" + strconv.Itoa(vec/elt)
		}
	}
}

// sampleInstance renders a sample of its form with the sample's own
// operands, so that GNU as can check the form against Go's bytes.
func sampleInstance(f *Form, s *sample) *instance {
	in := &instance{form: f, mask: s.mask, zeroing: s.zeroing}
	k := 0
	for _, a := range s.iargs {
		if k >= len(f.Classes) {
			break
		}
		c := f.Classes[k]
		switch a := a.(type) {
		case x86asm.Reg:
			if strings.HasPrefix(c, "=") {
				in.ops = append(in.ops, operand{literal: c[1:]})
			} else {
				in.ops = append(in.ops, operand{reg: a})
			}
		case x86asm.Imm:
			if strings.HasPrefix(c, "=") {
				in.ops = append(in.ops, operand{literal: c[1:]})
			} else {
				in.ops = append(in.ops, operand{imm: int64(a), isImm: true})
			}
		case x86asm.Mem:
			if !isMemClass(c) {
				continue // implicit memory operand, not written
			}
			m := a
			in.ops = append(in.ops, operand{mem: &m})
		default:
			return nil
		}
		k++
	}
	if len(in.ops) != len(f.Classes) {
		return nil
	}
	if s.inst.SAE {
		if s.rc {
			in.rounding = [...]string{"rn-sae", "rd-sae", "ru-sae", "rz-sae"}[s.inst.Rounding&3]
		} else {
			in.rounding = "sae"
		}
	}
	return in
}

// sameInstruction reports whether two encodings decode to the same
// instruction.
func sameInstruction(a, b []byte) bool {
	ia, err1 := x86asm.Decode(a, 64)
	ib, err2 := x86asm.Decode(b, 64)
	if err1 != nil || err2 != nil || ia.Len != len(a) || ib.Len != len(b) {
		return false
	}
	// VPEXTRW has two encodings (0F C5 and 0F3A 15) that x86asm names
	// apart.
	for _, i := range []*x86asm.Inst{&ia, &ib} {
		if i.Op == x86asm.VPEXTRW_C5 {
			i.Op = x86asm.VPEXTRW
		}
	}
	lookup := func(uint64) (string, uint64) { return "", 0 }
	return x86asm.IntelSyntax(ia, 0, lookup) == x86asm.IntelSyntax(ib, 0, lookup)
}

// sortForms orders forms by mnemonic, then class list.
func sortForms(forms []*Form) {
	sort.SliceStable(forms, func(i, j int) bool {
		if forms[i].Mnem != forms[j].Mnem {
			return forms[i].Mnem < forms[j].Mnem
		}
		return strings.Join(forms[i].Classes, ",") < strings.Join(forms[j].Classes, ",")
	})
}

func (f *Form) String() string {
	return fmt.Sprintf("%s %s -> %s %s %s", f.Mnem, strings.Join(f.Classes, ","), f.GoOp, strings.Join(f.Args, ","), f.flags())
}

// settleEVEX completes the AVX-512 decorations the samples of one form did
// not all show: an opmask and zeroing are properties of the instruction,
// so a form takes them when another form of the same instruction does (Go's
// tests write most forms only with a mask, some only without). Zeroing needs
// a register destination. Only gathers and scatters need their opmask.
func settleEVEX(forms []*Form) {
	type info struct {
		maskFromEnd int // position of "k" counted from the end of Args
		zeroing     bool
	}
	groups := map[string]*info{}
	for _, f := range forms {
		k := f.Mnem + " " + f.GoOp
		g := groups[k]
		if g == nil {
			g = &info{}
			groups[k] = g
		}
		for i, a := range f.Args {
			if a == "k" {
				g.maskFromEnd = len(f.Args) - i
			}
		}
		g.zeroing = g.zeroing || f.Zeroing
	}
	for _, f := range forms {
		evex := false
		for _, s := range f.samples {
			if s.enc == encEVEX {
				evex = true
			}
		}
		if !evex {
			continue
		}
		g := groups[f.Mnem+" "+f.GoOp]
		if !f.Mask && g.maskFromEnd > 0 {
			at := len(f.Args) + 1 - g.maskFromEnd
			if at >= 0 && at <= len(f.Args) {
				f.Args = append(f.Args[:at:at], append([]string{"k"}, f.Args[at:]...)...)
				f.Mask = true
			}
		}
		if g.zeroing && len(f.Classes) > 0 && !isMemClass(f.Classes[0]) && f.Classes[0] != "k" {
			f.Zeroing = true
		}
		for _, c := range f.Classes {
			if strings.HasPrefix(c, "vm") && f.Mask {
				f.MaskReq = true
			}
		}
	}
}

// implicitRegs are the registers an instruction may require in an operand
// position, by their Go names.
var implicitRegs = map[x86asm.Reg]string{x86asm.CL: "CL", x86asm.X0: "X0", x86asm.F0: "F0"}

// requiresReg reports whether instruction mnem can require register r in
// an operand: the shift count cl of the legacy shifts, the blend mask xmm0
// of the SSE4.1 blends and sha256rnds2, the stack top of x87.
func requiresReg(mnem string, r x86asm.Reg) bool {
	switch r {
	case x86asm.CL:
		switch mnem {
		case "rcl", "rcr", "rol", "ror", "sal", "sar", "shl", "shr", "shld", "shrd":
			return true
		}
	case x86asm.X0:
		switch mnem {
		case "blendvps", "blendvpd", "pblendvb", "sha256rnds2":
			return true
		}
	case x86asm.F0:
		return strings.HasPrefix(mnem, "f")
	}
	return false
}
