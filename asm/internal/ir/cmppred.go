package ir

import "strings"

// cmpPredicates are the comparison predicates of cmpps and vcmpps, by
// value (the first 8 for SSE).
var cmpPredicates = []string{
	"eq", "lt", "le", "unord", "neq", "nlt", "nle", "ord",
	"eq_uq", "nge", "ngt", "false", "neq_oq", "ge", "gt", "true",
	"eq_os", "lt_oq", "le_oq", "unord_s", "neq_us", "nlt_uq", "nle_uq", "ord_s",
	"eq_us", "nge_uq", "ngt_uq", "false_os", "neq_os", "ge_oq", "gt_oq", "true_us",
}

// cmpPredicateAliases are other names of the first eight predicates.
var cmpPredicateAliases = map[string]int{
	"eq_oq": 0, "lt_os": 1, "le_os": 2, "unord_q": 3, "neq_uq": 4, "nlt_us": 5, "nle_us": 6, "ord_q": 7,
}

// vpcmpPredicates are the predicates of vpcmp{b,w,d,q,ub,uw,ud,uq}.
var vpcmpPredicates = map[string]int{"eq": 0, "lt": 1, "le": 2, "false": 3, "neq": 4, "nlt": 5, "nle": 6, "true": 7}

// CmpPseudoOp splits a comparison predicate pseudo-mnemonic (lower case)
// into its instruction and predicate immediate, for both syntaxes:
// {v,}cmpPREDps/pd/ss/sd (cmpltps is cmpps with 1; without the v only
// the first eight predicates) and vpcmpPRED{b,w,d,q,ub,uw,ud,uq}
// (vpcmpltud is vpcmpud with 1). ok is false for any other mnemonic.
func CmpPseudoOp(mnem string) (base string, pred int, ok bool) {
	for _, pre := range []string{"vcmp", "cmp"} {
		rest, ok := strings.CutPrefix(mnem, pre)
		if !ok || len(rest) < 3 {
			continue
		}
		typ := rest[len(rest)-2:]
		if typ != "ps" && typ != "pd" && typ != "ss" && typ != "sd" {
			continue
		}
		pred := rest[:len(rest)-2]
		n := -1
		for i, name := range cmpPredicates {
			if name == pred {
				n = i
			}
		}
		if v, ok := cmpPredicateAliases[pred]; ok {
			n = v
		}
		if n < 0 || (pre == "cmp" && n >= 8) {
			continue
		}
		return pre + typ, n, true
	}
	if rest, ok := strings.CutPrefix(mnem, "vpcmp"); ok {
		for pred, v := range vpcmpPredicates {
			typ, ok := strings.CutPrefix(rest, pred)
			if !ok {
				continue
			}
			switch typ {
			case "b", "w", "d", "q", "ub", "uw", "ud", "uq":
				return "vpcmp" + typ, v, true
			}
		}
	}
	return "", 0, false
}
