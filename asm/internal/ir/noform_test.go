package ir

import (
	"strings"
	"testing"
)

func TestNoFormMessage(t *testing.T) {
	many := strings.Split("a,b,c,d,e,f,g,h,i,j", ",")
	tests := []struct {
		order string
		got   []string
		forms []string
		want  string
	}{
		{"", nil, []string{"r64", "r64", ""}, "x does not take (no operands); its forms: r64 | no operands"},
		{" (AT&T order)", []string{"xmm", "r64"}, []string{"r64, r64"}, "x does not take (xmm, r64); its forms (AT&T order): r64, r64"},
		{"", []string{"m"}, many, "x does not take (m); its forms: a | b | c | d | e | f | g | h; and 2 more"},
		{"", []string{"m"}, append(many[:8:8], "a", "b"), "x does not take (m); its forms: a | b | c | d | e | f | g | h"},
	}
	for _, tt := range tests {
		if got := NoFormMessage("x", tt.order, tt.got, tt.forms); got != tt.want {
			t.Errorf("NoFormMessage(%q, %q, %q) =\n%s\nwant\n%s", tt.order, tt.got, tt.forms, got, tt.want)
		}
	}
}
