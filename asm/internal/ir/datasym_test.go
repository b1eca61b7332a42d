package ir

import (
	"reflect"
	"testing"
)

func TestDataSymbols(t *testing.T) {
	p := func(line int) Pos { return Pos{Line: line} }
	tests := []struct {
		name    string
		size    int64
		labels  []string
		offsets []int64
		want    []DataSym
	}{
		{"empty", 0, nil, nil, nil},
		{"no labels", 5, nil, nil, []DataSym{{Name: ".data", Size: 5, Pos: p(1)}}},
		{"label first", 8, []string{"a", "b"}, []int64{0, 3},
			[]DataSym{{Name: "a", Off: 0, Size: 3, Pos: p(10)}, {Name: "b", Off: 3, Size: 5, Pos: p(11)}}},
		{"bytes before", 8, []string{"a"}, []int64{2},
			[]DataSym{{Name: ".data", Size: 2, Pos: p(1)}, {Name: "a", Off: 2, Size: 6, Pos: p(10)}}},
		{"same offset and at end", 4, []string{"a", "b", "c"}, []int64{0, 0, 4},
			[]DataSym{{Name: "a", Size: 0, Pos: p(10)}, {Name: "b", Size: 4, Pos: p(11)}, {Name: "c", Off: 4, Size: 0, Pos: p(12)}}},
	}
	for _, tt := range tests {
		var pos []Pos
		for i := range tt.labels {
			pos = append(pos, p(10+i))
		}
		got := DataSymbols(".data", p(1), tt.size, tt.labels, tt.offsets, pos)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: DataSymbols = %+v; want %+v", tt.name, got, tt.want)
		}
	}
}
