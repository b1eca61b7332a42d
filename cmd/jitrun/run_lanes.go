package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/jitrun/jitrun/internal/lanes"
	"github.com/jitrun/jitrun/trampoline"
)

// regView is how register listings (--regs, faults, timeouts) show a
// vector register: by default its hex and its f64 lanes; with --lanes,
// the one view named.
type regView struct {
	view lanes.View
	set  bool // --lanes was given
}

// lanesUsage is the text of --lanes in run -h.
var lanesUsage = "show vector registers in register listings (--regs, faults, timeouts) as lanes of `VIEW`, lane 0 first: " +
	lanes.ViewNames() + " (default: hex, then the f64 lanes)"

// registerLanes adds --lanes to run's flags.
func registerLanes(fset *flag.FlagSet, p *string) {
	fset.StringVar(p, "lanes", "", lanesUsage)
}

// parseLanes reads --lanes (when given) into a view; --json, whose
// vector registers are hex strings, has no use for it.
func parseLanes(cl *commandLine, value string, json bool) (regView, error) {
	if !cl.given("lanes") {
		return regView{}, nil
	}
	if json {
		return regView{}, errors.New("--json gives the vector registers as hex strings; --lanes is for the text report: drop one of them")
	}
	v, err := lanes.ParseView(value)
	if err != nil {
		return regView{}, fmt.Errorf("--lanes: %v", err)
	}
	return regView{view: v, set: true}, nil
}

// format shows the register's bytes reg (its used width) in the view.
func (v regView) format(reg []byte) string {
	if v.set {
		if v.view == lanes.Hex {
			return lanes.Format(reg, lanes.Hex)
		}
		return v.view.String() + " " + lanes.Format(reg, v.view)
	}
	return lanes.Format(reg, lanes.Hex) + "  f64 " + lanes.Format(reg, lanes.F64)
}

// writeVecRegs lists the vector registers of regs that are not zero or
// that the code changed, each named and cut to the width its set bits
// need (xmm, ymm when bits 128–255 are set, zmm beyond), in the report's
// view, then the opmask registers k0–k7 that are not zero or changed.
// mark gives the * of a changed register.
func (r *report) writeVecRegs(b *strings.Builder, regs *trampoline.Regs, mark func(bool) string) {
	hidden := false
	for i := range vecShown(regs) {
		v, entry := regs.Vec(i), r.entry.Vec(i)
		changed := v != entry
		w := lanes.Width(v[:])
		if w == 0 && !changed {
			hidden = true
			continue
		}
		w = max(w, 16)
		fmt.Fprintf(b, "%s %-6s %s\n", mark(changed), lanes.Name(i, w), r.vec.format(v[:w]))
	}
	if hidden {
		b.WriteString("  (vector registers not listed are zero, as they started)\n")
	}
	entryK := r.entry.Vector.Opmasks()
	for i, k := range regs.Vector.Opmasks() {
		if regs.Vector.Zeroed && (k != 0 || k != entryK[i]) {
			fmt.Fprintf(b, "%s %-6s %#x\n", mark(k != entryK[i]), fmt.Sprintf("k%d", i), k)
		}
	}
}

// vecShown is how many vector registers a listing shows: all 32, or
// only zmm0–15 when zmm16–31 (and k0–k7) may hold what earlier code on
// the thread left (trampoline.Vector.Zeroed; jitrun run always takes a
// snapshot, which clears them first).
func vecShown(r *trampoline.Regs) int {
	if r.Vector.Zeroed {
		return trampoline.VecRegs
	}
	return 16
}

// vecJSON adds the vector state beyond xmm0–15 to j, each register as
// one hex string of its full width, high bits first: "ymm" (16 strings
// of 64 digits) when a bit 128–255 of some ymm register is set, "zmm" (32
// of 128 digits) when a bit past 255 of zmm0–15 or a bit of zmm16–31 is,
// "k" (8, k0–k7) when an opmask register is not zero. Code that leaves
// them zero gets none of the three.
func vecJSON(r *trampoline.Regs, j *regsJSON) {
	var vec [trampoline.VecRegs][64]byte
	ymm, zmm := false, false
	for i := range vecShown(r) {
		vec[i] = r.Vec(i)
		switch w := lanes.Width(vec[i][:]); {
		case w == 64 || w > 0 && i >= 16:
			zmm = true
		case w == 32:
			ymm = true
		}
	}
	hex := func(b []byte) string { return strings.ReplaceAll(lanes.Format(b, lanes.Hex), "_", "") }
	if ymm || zmm {
		j.YMM = make([]string, 16)
		for i := range j.YMM {
			j.YMM[i] = hex(vec[i][:32])
		}
	}
	if zmm {
		j.ZMM = make([]string, len(vec))
		for i := range j.ZMM {
			j.ZMM[i] = hex(vec[i][:])
		}
	}
	if ks := r.Vector.Opmasks(); ks != [8]uint64{} && r.Vector.Zeroed {
		j.K = make([]string, len(ks))
		for i, k := range ks {
			j.K[i] = hexJSON(k)
		}
	}
}
