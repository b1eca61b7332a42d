package ir

import (
	"reflect"
	"testing"
)

// testForm takes operands of the lengths in its classes.
type testForm []int

func (f testForm) Arity() int                { return len(f) }
func (f testForm) Fits(i int, o string) bool { return len(o) == f[i] }

func TestFitting(t *testing.T) {
	forms := []testForm{{1, 2}, {1}, {1, 3}, {2, 2}, {1, 2}}
	tests := []struct {
		ops  []string
		want []testForm
	}{
		{[]string{"a", "bb"}, []testForm{{1, 2}, {1, 2}}},
		{[]string{"a"}, []testForm{{1}}},
		{[]string{"a", "bbb"}, []testForm{{1, 3}}},
		{[]string{"aaa"}, nil},
		{nil, nil},
	}
	for _, tt := range tests {
		if got := Fitting(nil, forms, tt.ops); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Fitting(%q) = %v; want %v", tt.ops, got, tt.want)
		}
	}
	// It appends to out.
	if got := Fitting([]testForm{{9}}, forms, []string{"a"}); !reflect.DeepEqual(got, []testForm{{9}, {1}}) {
		t.Errorf("Fitting appending = %v", got)
	}
}
