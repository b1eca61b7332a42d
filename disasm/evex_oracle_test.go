package disasm

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/arch/x86/x86asm"

	"github.com/jitrun/jitrun/asm"
)

// evexForm is one EVEX encoding with EVEX.b set.
type evexForm struct {
	code []byte
	mem  bool // a memory operand ([rax]); else register operands only
}

// evexForms returns an EVEX encoding with EVEX.b set for every distinct
// instruction x86asm decodes in EVEX maps 1-3: each opcode, pp, W and
// ModRM.reg, as a register form (mod 11, L'L 00: rounding mode rn) and as
// a memory form ([rax], L'L 00, 01 and 10), with an imm8 after for the
// instructions that take one. Opmask and vvvv are 0 (vvvv=1111).
func evexForms() []evexForm {
	var forms []evexForm
	seen := map[string]bool{}
	for mm := byte(1); mm <= 3; mm++ {
		for op := 0; op < 256; op++ {
			for pp := byte(0); pp < 4; pp++ {
				for w := byte(0); w < 2; w++ {
					for reg := byte(0); reg < 8; reg++ {
						for _, mem := range []bool{false, true} {
							for ll := byte(0); ll < 3; ll++ {
								if !mem && ll > 0 {
									break
								}
								modrm := 0xc1 | reg<<3
								if mem {
									modrm = reg << 3
								}
								src := []byte{0x62, 0xf0 | mm, w<<7 | 0x7c | pp, 0x18 | ll<<5, byte(op), modrm, 0x01}
								inst, err := x86asm.Decode(src, 64)
								if err != nil || inst.Op == 0 {
									continue
								}
								key := fmt.Sprint(inst.Op, w, ll, mem, inst.Args)
								if !seen[key] {
									seen[key] = true
									forms = append(forms, evexForm{code: src[:inst.Len], mem: mem})
								}
							}
						}
					}
				}
			}
		}
	}
	return forms
}

// objdumpRaw disassembles raw 64-bit code with objdump, in Intel syntax
// or AT&T, and returns the text of the instruction at each offset.
func objdumpRaw(t *testing.T, code []byte, intel bool) map[int]string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "code.bin")
	if err := os.WriteFile(bin, code, 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"-D", "-w", "-b", "binary", "-m", "i386:x86-64"}
	if intel {
		args = append(args, "-M", "intel")
	}
	out, err := exec.Command("objdump", append(args, bin)...).CombinedOutput()
	if err != nil {
		t.Fatalf("objdump: %v\n%s", err, out)
	}
	texts := map[int]string{}
	for _, l := range strings.Split(string(out), "\n") {
		if m := objdumpInst.FindStringSubmatch(l); m != nil {
			off, _ := strconv.ParseUint(m[1], 16, 64)
			texts[int(off)] = strings.Join(strings.Fields(m[3]), " ")
		}
	}
	return texts
}

var (
	controlText = regexp.MustCompile(`\{(r[nduz]-sae|sae)\}`)
	countText   = regexp.MustCompile(`\{1to([0-9]+)\}`)
)

// TestOracleEVEXControls checks what this package makes of EVEX.b, where
// x86asm goes wrong (evex.go), against objdump, over every EVEX
// instruction x86asm decodes (evexForms):
//
//   - on a register form: a rounding mode, {sae}, or neither (#UD), as
//     objdump shows {rn-sae}, {sae} or {rn-bad};
//   - on a memory form: the element count of the broadcast, as objdump's
//     AT&T syntax shows {1toN}. (Where the instruction has no broadcast
//     form the row is data, #UD; objdump is no oracle there: it shows
//     {bad} for some and a broadcast for others, vpsubw among them.)
//
// Then it feeds the Intel and AT&T text of each instruction back to GNU
// as, which must make the same bytes of it or another encoding of the same
// instruction.
func TestOracleEVEXControls(t *testing.T) {
	needTools(t, "as", "objcopy", "nm", "objdump")
	forms := evexForms()
	// One after the other, 16 NOPs apart, so that objdump is back in step
	// at each form whatever it made of the one before.
	var code []byte
	at := make([]int, len(forms))
	for i, f := range forms {
		at[i] = len(code)
		code = append(code, f.code...)
		code = append(code, make([]byte, 16)...)
		for j := len(code) - 16; j < len(code); j++ {
			code[j] = 0x90
		}
	}
	intel, att := objdumpRaw(t, code, true), objdumpRaw(t, code, false)
	regs, mems, asData, sae, rc, bcst, unknown := 0, 0, 0, 0, 0, 0, 0
	var intelTexts, gnuTexts []string
	var kept []int // indexes of the forms decoded, not data
	for i, f := range forms {
		r := Decode(f.code, Options{Syntax: asm.SyntaxIntel})[0]
		theirs, ok := intel[at[i]]
		if !ok {
			t.Errorf("% x: objdump is out of step here", f.code)
			continue
		}
		if !f.mem {
			regs++
			theyBad := strings.Contains(theirs, "(bad)") || strings.Contains(theirs, "-bad}")
			if strings.HasPrefix(theirs, "vp2intersect") {
				// objdump shows {sae}, which GNU as rejects and the SDM
				// does not list for vp2intersectd/q: #UD.
				theyBad = true
			}
			if r.Bad != theyBad {
				t.Errorf("% x: %q (bad %v, %s); objdump %q", f.code, r.Text, r.Bad, r.Note, theirs)
				continue
			}
			if r.Bad {
				asData++
				continue
			}
			ours, want := controlText.FindString(r.Text), controlText.FindString(theirs)
			if ours != want {
				t.Errorf("% x: %q shows %q; objdump %q", f.code, r.Text, ours, theirs)
			}
			if ours == "{sae}" {
				sae++
			} else {
				rc++
			}
		} else {
			mems++
			if r.Bad {
				asData++
				continue
			}
			ours, want := countText.FindString(r.Text), countText.FindString(att[at[i]])
			if strings.Contains(theirs, "(bad)") {
				unknown++ // newer than binutils 2.40 (AVX10.2): x86asm's count stands
			} else if ours == "" || ours != want {
				t.Errorf("% x: %q shows broadcast %q; objdump %q", f.code, r.Text, ours, att[at[i]])
			}
			bcst++
		}
		kept = append(kept, i)
		intelTexts = append(intelTexts, r.Text)
		gnuTexts = append(gnuTexts, Decode(f.code, Options{Syntax: asm.SyntaxATT})[0].Text)
	}
	t.Logf("EVEX.b: %d register forms (%d rounding mode, %d {sae}), %d memory forms (%d broadcasts, %d of them unknown to objdump); %d shown as data (#UD or unknown)",
		regs, rc, sae, mems, bcst, unknown, asData)

	for _, tc := range []struct {
		syntax asm.Syntax
		header string
		texts  []string
	}{
		{asm.SyntaxIntel, ".intel_syntax noprefix\n.text\n", intelTexts},
		{asm.SyntaxATT, ".text\n", gnuTexts},
	} {
		obj, _, starts, rejected := assembleEntries(t, tc.header, tc.texts, func(i int) string { return bytesText(asm.SyntaxATT, forms[kept[i]].code) })
		// Where GNU as rejects the text, does it take objdump's text of
		// the same bytes? If not, binutils cannot assemble the
		// instruction at all (vpdpbssd's EVEX form, AVX10.2).
		var theirs []string
		objdumps := intel
		if tc.syntax == asm.SyntaxATT {
			objdumps = att
		}
		for i, k := range kept {
			if _, ok := rejected[tc.texts[i]]; ok {
				theirs = append(theirs, objdumps[at[k]])
			}
		}
		_, _, _, theirsRejected := assembleEntries(t, tc.header, theirs, nil)
		same, other, unknown := 0, 0, 0
		for i, k := range kept {
			f := forms[k]
			back := obj.text[starts[i]:starts[i+1]]
			if msg, ok := rejected[tc.texts[i]]; ok {
				if _, no := theirsRejected[objdumps[at[k]]]; no || strings.Contains(objdumps[at[k]], "(bad)") {
					unknown++
					continue
				}
				t.Errorf("%s: GNU as rejects %q (% x): %s; it takes objdump's %q", tc.syntax, tc.texts[i], f.code, msg, objdumps[at[k]])
				continue
			}
			switch again := Decode(back, Options{Syntax: tc.syntax}); {
			case string(back) == string(f.code):
				same++
			case len(again) > 0 && again[0].Text == tc.texts[i] && len(again[0].Bytes) == len(back):
				other++
			default:
				t.Errorf("%s: %q (% x) reassembles to % x", tc.syntax, tc.texts[i], f.code, back)
			}
		}
		t.Logf("%s: GNU as reassembles %d of %d to the same bytes, %d to another encoding of the same instruction; %d it cannot assemble from objdump's text either",
			tc.syntax, same, len(kept), other, unknown)
	}
}
