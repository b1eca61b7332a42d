package inteltab

import (
	"strconv"
	"strings"

	"github.com/jitrun/jitrun/asm/internal/ir"
	"golang.org/x/arch/x86/x86asm"
)

// Go's encoder tests write almost every AVX-512 form with an opmask and
// without zeroing, broadcast or rounding. Those are properties of the
// instruction that GNU as knows: probeEVEX asks it. For each EVEX form it
// tries {z} (register destinations), {rn-sae} and {sae} (register-only
// forms) and a 32- and 64-bit element broadcast of a full-vector memory
// operand, on the form's own sample; a decoration is kept when GNU as
// takes it and its bytes decode to the same instruction with that
// decoration. The oracle test then checks jitrun's bytes for each.
func probeEVEX(r *Result, forms []*Form) ([]*Form, error) {
	type probe struct {
		f     *Form
		kind  string // "z", "rc", "sae", "b32", "b64"
		bform *Form  // the broadcast form
		line  string
	}
	hasBcst := map[string]bool{}
	for _, f := range forms {
		for i, c := range f.Classes {
			if strings.HasPrefix(c, "b") && strings.Contains(c, ":") {
				hasBcst[f.Mnem+"|"+f.GoOp+"|"+strings.Join(f.Classes[:i], ",")+"|"+strings.Join(f.Classes[i+1:], ",")] = true
			}
		}
	}
	var probes []probe
	for _, f := range forms {
		s := evexSample(f)
		if s == nil {
			continue
		}
		base := sampleInstance(f, s)
		if base == nil {
			continue
		}
		base.rounding = ""
		base.zeroing = false
		if f.Mask && !f.Zeroing && !f.MaskReq && isVectorReg(f.Classes[0]) {
			in := *base
			in.mask, in.zeroing = 1, true
			probes = append(probes, probe{f: f, kind: "z", line: in.render(spellGNU)})
		}
		allRegs := len(f.Classes) > 0
		for _, c := range f.Classes {
			if isMemClass(c) {
				allRegs = false
			}
		}
		if allRegs && !f.RC && !f.SAE {
			in := *base
			in.rounding = "rn-sae"
			probes = append(probes, probe{f: f, kind: "rc", line: in.render(spellGNU)})
			in.rounding = "sae"
			probes = append(probes, probe{f: f, kind: "sae", line: in.render(spellGNU)})
		}
		for i, c := range f.Classes {
			bits := ir.IntelClassBits(c)
			if !strings.HasPrefix(c, "m") || bits < 128 {
				continue
			}
			if hasBcst[f.Mnem+"|"+f.GoOp+"|"+strings.Join(f.Classes[:i], ",")+"|"+strings.Join(f.Classes[i+1:], ",")] {
				continue
			}
			for _, elt := range []int{32, 64} {
				g := *f
				g.Classes = append([]string(nil), f.Classes...)
				g.Classes[i] = "b" + strconv.Itoa(elt) + ":" + strconv.Itoa(bits/elt)
				g.samples = nil
				in := *base
				in.form = &g
				probes = append(probes, probe{f: f, kind: "b" + strconv.Itoa(elt), bform: &g, line: in.render(spellGNU)})
			}
		}
	}
	lines := make([]string, len(probes))
	for i, p := range probes {
		lines[i] = p.line
	}
	res, err := AssembleGNU(lines)
	if err != nil {
		return nil, err
	}
	var added []*Form
	counts := map[string]int{}
	for i, p := range probes {
		if res[i].Err != "" {
			continue
		}
		inst, err := x86asm.Decode(res[i].Code, 64)
		if err != nil || inst.Len != len(res[i].Code) || intelMnemonic(inst) != p.f.Mnem {
			continue
		}
		switch p.kind {
		case "z":
			if evexZ(res[i].Code) {
				p.f.Zeroing = true
				counts["{z}"]++
			}
		case "rc":
			if inst.SAE && hasRC(inst) {
				p.f.RC = true
				counts["{rn-sae}"]++
			}
		case "sae":
			if inst.SAE && !p.f.RC {
				p.f.SAE = true
				counts["{sae}"]++
			}
		case "b32", "b64":
			elt, _ := strconv.Atoi(p.kind[1:])
			if inst.Broadcast && inst.MemBytes*8 == elt {
				p.bform.Why = "broadcast probed with GNU as"
				added = append(added, p.bform)
				counts["broadcast"]++
			}
		}
	}
	for i, p := range probes {
		if p.bform != nil {
			p.bform.Zeroing = p.f.Zeroing // probed in the same batch
			_ = i
		}
	}
	for _, k := range []string{"{z}", "{rn-sae}", "{sae}", "broadcast"} {
		r.reportf("GNU as probe: %d forms take %s", counts[k], k)
	}
	return append(forms, added...), nil
}

func isVectorReg(c string) bool { return c == "xmm" || c == "ymm" || c == "zmm" }

// evexSample returns a sample of f encoded with EVEX, or nil.
func evexSample(f *Form) *sample {
	for _, s := range f.samples {
		if s.enc == encEVEX {
			return s
		}
	}
	return nil
}

func evexZ(code []byte) bool {
	p2, ok := evexP2(code)
	return ok && p2&0x80 != 0
}

// hasRC reports whether an instruction decoded with SAE is shown with a
// rounding mode (embedded rounding) rather than {sae} alone: x86asm prints
// "{rn-sae}" for the former.
func hasRC(inst x86asm.Inst) bool {
	return strings.Contains(x86asm.IntelSyntax(inst, 0, func(uint64) (string, uint64) { return "", 0 }), "{rn-sae}")
}
