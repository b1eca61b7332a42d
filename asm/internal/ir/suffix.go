package ir

import (
	"slices"
	"strings"
)

// GoSuffix is the Go-syntax instruction suffix (Inst.Suffix) of an
// AVX-512 instruction's decorations, as the Intel and AT&T front ends
// read them: the rounding operand ("" for none, "sae", "rn-sae",
// "rd-sae", "ru-sae", "rz-sae"), a broadcast ({1toN}) and zeroing ({z}),
// dot-separated in that order: "RN_SAE.BCST.Z", "SAE", "BCST", "Z".
// Those of the known roundings come from a table made once, without an
// allocation.
func GoSuffix(rounding string, bcst, zeroing bool) string {
	if rounding == "" && !bcst && !zeroing {
		return ""
	}
	if r := slices.Index(roundings[:], rounding); r >= 0 {
		return goSuffixes[r][b2i(bcst)][b2i(zeroing)]
	}
	return makeGoSuffix(rounding, bcst, zeroing)
}

// roundings are the rounding operands, "" for none; goSuffixes the
// suffixes of every combination of a rounding, a broadcast and {z}, made
// once (they are read-only).
var (
	roundings  = [...]string{"", "sae", "rn-sae", "rd-sae", "ru-sae", "rz-sae"}
	goSuffixes = func() (t [len(roundings)][2][2]string) {
		for r, rounding := range roundings {
			for b := range 2 {
				for z := range 2 {
					t[r][b][z] = makeGoSuffix(rounding, b == 1, z == 1)
				}
			}
		}
		return t
	}()
)

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// makeGoSuffix is GoSuffix, made afresh.
func makeGoSuffix(rounding string, bcst, zeroing bool) string {
	var suffix []string
	switch rounding {
	case "":
	case "sae":
		suffix = append(suffix, "SAE")
	default:
		suffix = append(suffix, strings.ToUpper(strings.ReplaceAll(rounding, "-", "_")))
	}
	if bcst {
		suffix = append(suffix, "BCST")
	}
	if zeroing {
		suffix = append(suffix, "Z")
	}
	return strings.Join(suffix, ".")
}
