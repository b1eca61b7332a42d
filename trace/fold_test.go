package trace

import (
	"fmt"
	"strings"
	"testing"
)

// steps makes steps at the offsets (symbol "f"), with their offset as
// their line.
func stepsAt(offs ...int) []*Step {
	var list []*Step
	for i, o := range offs {
		list = append(list, &Step{N: i + 1, Place: Place{PC: 0x1000 + uint64(o), Offset: o, Symbol: "f", SymOffset: o}})
	}
	return list
}

func TestFolder(t *testing.T) {
	tests := []struct {
		name  string
		offs  []int
		brk   int // N of a step with a breakpoint hit (0: none)
		flush bool
		want  string
	}{
		{"straight", []int{0, 1, 2, 3}, 0, true, "1@0 2@1 3@2 4@3"},
		{"two iterations stay", []int{0, 1, 0, 1, 5}, 0, true, "1@0 2@1 3@0 4@1 5@5"},
		{"loop folded", []int{0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 9}, 0, true,
			"1@0 2@1 3@2 4@0 5@1 6@2 | f+0x0..+0x2 × 2 more iterations 13@0 14@1 15@9"},
		{"one more", []int{0, 1, 0, 1, 0, 1, 7}, 0, true, "1@0 2@1 3@0 4@1 | f+0x0..+0x1 × 1 more iteration 7@7"},
		{"one-step loop", []int{4, 4, 4, 4, 4, 5}, 0, true, "1@4 2@4 | f+0x4 × 3 more iterations 6@5"},
		{"cut short at the end", []int{0, 1, 0, 1, 0, 1, 0}, 0, true, "1@0 2@1 3@0 4@1 | f+0x0..+0x1 × 1 more iteration 7@0"},
		{"not flushed", []int{0, 1, 0, 1, 0, 1}, 0, false, "1@0 2@1 3@0 4@1"},
		{"breakpoint ends the fold", []int{0, 1, 0, 1, 0, 1, 0, 1, 0, 1}, 7, true,
			"1@0 2@1 3@0 4@1 | f+0x0..+0x1 × 1 more iteration 7@0 8@1 9@0 10@1"},
		{"a second loop", []int{0, 0, 0, 0, 3, 3, 3, 3}, 0, true, "1@0 2@0 | f+0x0 × 2 more iterations 5@3 6@3 | f+0x3 × 2 more iterations"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out []string
			f := &Folder{Out: func(l string) { out = append(out, l) }, Indent: "| "}
			for _, s := range stepsAt(tt.offs...) {
				if s.N == tt.brk {
					s.Break = &Hit{}
				}
				f.Add(s, fmt.Sprintf("%d@%d", s.N, s.Offset))
			}
			if tt.flush {
				f.Flush()
			}
			if got := strings.Join(out, " "); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestFoldLong(t *testing.T) {
	// A million iterations of a 3-step loop fold into one line.
	var out []string
	f := &Folder{Out: func(l string) { out = append(out, l) }}
	body := stepsAt(0, 2, 5)
	for i := range 1_000_000 {
		f.Add(body[i%3], "x")
	}
	f.Flush()
	// 2 iterations shown, 333,331 folded, and the 1,000,000th step.
	if len(out) != 8 || out[6] != "f+0x0..+0x5 × 333,331 more iterations" {
		t.Errorf("%d lines, last %q", len(out), out[len(out)-1])
	}
}

func TestPlaceAndCount(t *testing.T) {
	tests := []struct{ got, want string }{
		{Place{PC: 0x1234, Offset: -1}.String(), "0x1234"},
		{Place{Offset: 16}.String(), "+0x10"},
		{Place{Offset: 16, Symbol: "loop", SymOffset: 3}.String(), "loop+0x3"},
		{Count(0), "0"}, {Count(999), "999"}, {Count(1000), "1,000"}, {Count(-1234567), "-1,234,567"},
		{FormatBytes(nil), "?"}, {FormatBytes([]byte{0x2a, 0, 0, 0}), "0x2a"}, {FormatBytes([]byte{1, 2, 3}), "010203"},
		{formatReg(5), "5"}, {formatReg(^uint64(0)), "-1"}, {formatReg(0x10000), "0x10000"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
