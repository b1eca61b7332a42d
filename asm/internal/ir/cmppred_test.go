package ir

import (
	"testing"
)

func TestCmpPseudoOp(t *testing.T) {
	tests := []struct {
		mnem string
		base string
		pred int
		ok   bool
	}{
		{"cmpltps", "cmpps", 1, true},
		{"cmpordsd", "cmpsd", 7, true},
		{"cmpeq_oqss", "cmpss", 0, true},
		{"vcmpnle_uqpd", "vcmppd", 22, true},
		{"vcmptrue_usps", "vcmpps", 31, true},
		{"vcmpunord_qsd", "vcmpsd", 3, true},
		{"vpcmpltud", "vpcmpud", 1, true},
		{"vpcmpnequb", "vpcmpub", 4, true},
		{"vpcmptrueq", "vpcmpq", 7, true},
		{"cmpgtps", "", 0, false},  // only the first eight without the v
		{"cmpps", "", 0, false},    // no predicate
		{"cmpltpq", "", 0, false},  // no such type
		{"vpcmpltx", "", 0, false}, // no such element
		{"vpclmullqlqdq", "", 0, false},
		{"add", "", 0, false},
	}
	for _, tt := range tests {
		base, pred, ok := CmpPseudoOp(tt.mnem)
		if base != tt.base || pred != tt.pred || ok != tt.ok {
			t.Errorf("CmpPseudoOp(%q) = %q, %d, %v; want %q, %d, %v", tt.mnem, base, pred, ok, tt.base, tt.pred, tt.ok)
		}
	}
}
