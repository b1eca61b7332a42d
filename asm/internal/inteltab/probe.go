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
	hasBcst := map[string]bool{}
	for _, f := range forms {
		for i, c := range f.Classes {
			if strings.HasPrefix(c, "b") && strings.Contains(c, ":") {
				hasBcst[bcstKey(f, i)] = true
			}
		}
	}
	var probes []evexProbe
	for _, f := range forms {
		probes = append(probes, formProbes(f, hasBcst)...)
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
		if what := p.apply(inst, res[i].Code); what != "" {
			counts[what]++
			if what == "broadcast" {
				added = append(added, p.bform)
			}
		}
	}
	for _, p := range probes {
		if p.bform != nil {
			p.bform.Zeroing = p.f.Zeroing // probed in the same batch
		}
	}
	for _, k := range []string{"{z}", "{rn-sae}", "{sae}", "broadcast"} {
		r.reportf("GNU as probe: %d forms take %s", counts[k], k)
	}
	return append(forms, added...), nil
}

// evexProbe is one line that asks GNU as whether a form takes an EVEX
// feature.
type evexProbe struct {
	f     *Form
	kind  string // "z", "rc", "sae", "b32", "b64"
	bform *Form  // the broadcast form
	line  string
}

// bcstKey names form f with its operand i left out, to find broadcast
// forms of the same instruction.
func bcstKey(f *Form, i int) string {
	return f.Mnem + "|" + f.GoOp + "|" + strings.Join(f.Classes[:i], ",") + "|" + strings.Join(f.Classes[i+1:], ",")
}

// formProbes returns the probes of form f: {z} on a masked vector
// destination, {rn-sae} and {sae} on an all-register form, a 32- and a
// 64-bit broadcast of each memory operand of 128 bits or more that has no
// broadcast form yet.
func formProbes(f *Form, hasBcst map[string]bool) []evexProbe {
	s := evexSample(f)
	if s == nil {
		return nil
	}
	base := sampleInstance(f, s)
	if base == nil {
		return nil
	}
	base.rounding = ""
	base.zeroing = false
	var probes []evexProbe
	if f.Mask && !f.Zeroing && !f.MaskReq && isVectorReg(f.Classes[0]) {
		in := *base
		in.mask, in.zeroing = 1, true
		probes = append(probes, evexProbe{f: f, kind: "z", line: in.render(spellGNU)})
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
		probes = append(probes, evexProbe{f: f, kind: "rc", line: in.render(spellGNU)})
		in.rounding = "sae"
		probes = append(probes, evexProbe{f: f, kind: "sae", line: in.render(spellGNU)})
	}
	for i, c := range f.Classes {
		bits := ir.IntelClassBits(c)
		if !strings.HasPrefix(c, "m") || bits < 128 || hasBcst[bcstKey(f, i)] {
			continue
		}
		for _, elt := range []int{32, 64} {
			g := *f
			g.Classes = append([]string(nil), f.Classes...)
			g.Classes[i] = "b" + strconv.Itoa(elt) + ":" + strconv.Itoa(bits/elt)
			g.samples = nil
			in := *base
			in.form = &g
			probes = append(probes, evexProbe{f: f, kind: "b" + strconv.Itoa(elt), bform: &g, line: in.render(spellGNU)})
		}
	}
	return probes
}

// apply records what GNU as's encoding of the probe (decoded as inst)
// shows, and returns the feature it confirmed ("{z}", "{rn-sae}",
// "{sae}", "broadcast"), or "".
func (p evexProbe) apply(inst x86asm.Inst, code []byte) string {
	switch p.kind {
	case "z":
		if evexZ(code) {
			p.f.Zeroing = true
			return "{z}"
		}
	case "rc":
		if inst.SAE && hasRC(inst) {
			p.f.RC = true
			return "{rn-sae}"
		}
	case "sae":
		if inst.SAE && !p.f.RC {
			p.f.SAE = true
			return "{sae}"
		}
	case "b32", "b64":
		elt, _ := strconv.Atoi(p.kind[1:])
		if inst.Broadcast && inst.MemBytes*8 == elt {
			p.bform.Why = "broadcast probed with GNU as"
			return "broadcast"
		}
	}
	return ""
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
