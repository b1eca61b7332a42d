package slab

import "testing"

// TestTakeAndReuse checks that values taken do not overlap, that blocks
// grow from 8 up to the maximum, and that after Reuse the same memory is
// handed out again, zeroed.
func TestTakeAndReuse(t *testing.T) {
	s := Make[int](32)
	var got [][]int
	for i, n := range []int{1, 3, 5, 40, 2} {
		v := s.Take(n)
		if len(v) != n || cap(v) != n {
			t.Fatalf("Take(%d): len %d cap %d", n, len(v), cap(v))
		}
		for k := range v {
			if v[k] != 0 {
				t.Fatalf("Take(%d)[%d] = %d, want 0", n, k, v[k])
			}
			v[k] = i + 1
		}
		got = append(got, v)
	}
	for i, v := range got {
		for k := range v {
			if v[k] != i+1 {
				t.Fatalf("value %d of take %d overwritten by a later take: %d", k, i, v[k])
			}
		}
	}
	// Blocks: 8 (1+3, then 5 does not fit), 16 (5), 40 (a block of its
	// own, above the maximum), 32 (2).
	if blocks := blockLens(append(s.full, s.block)); len(blocks) != 4 || blocks[0] != 8 || blocks[1] != 16 || blocks[2] != 40 || blocks[3] != 32 {
		t.Fatalf("blocks of %d values", blocks)
	}
	p := s.New(7)
	if *p != 7 {
		t.Fatalf("New(7) = %d", *p)
	}
	s.Reuse()
	v := s.Take(30)
	if &v[0] != &got[4][0] {
		t.Errorf("after Reuse, Take(30) did not get the last block used (of 32 values) again")
	}
	for k := range v {
		if v[k] != 0 {
			t.Fatalf("after Reuse, value %d is %d, want 0", k, v[k])
		}
	}
}

func blockLens(bs [][]int) []int {
	var out []int
	for _, b := range bs {
		out = append(out, len(b))
	}
	return out
}

// TestMakeFrom checks that MakeFrom's blocks start at first and double up
// to the maximum, and that a first above the maximum or below 1 is
// brought within them.
func TestMakeFrom(t *testing.T) {
	for _, c := range []struct {
		first, most int
		takes       []int
		want        []int
	}{
		{first: 100, most: 256, takes: []int{60, 60, 100, 200, 300}, want: []int{100, 200, 256, 300}},
		{first: 3, most: 256, takes: []int{3, 1, 6}, want: []int{3, 6, 12}},
		{first: 1000, most: 64, takes: []int{64, 1}, want: []int{64, 64}},
		{first: 0, most: 64, takes: []int{1, 1, 1}, want: []int{1, 2}},
	} {
		s := MakeFrom[int](c.first, c.most)
		for _, n := range c.takes {
			s.Take(n)
		}
		got := blockLens(append(s.full, s.block))
		if len(got) != len(c.want) {
			t.Errorf("MakeFrom(%d, %d), takes %d: blocks of %d values, want %d", c.first, c.most, c.takes, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("MakeFrom(%d, %d), takes %d: blocks of %d values, want %d", c.first, c.most, c.takes, got, c.want)
				break
			}
		}
	}
}

// TestMakeUncleared checks that a Slab made by MakeUncleared grows as
// MakeFrom's does, hands out zeroed values from a new block, and after
// Reuse hands the same memory out again as it was left.
func TestMakeUncleared(t *testing.T) {
	s := MakeUncleared[int](4, 8)
	first := s.Take(3)
	for k := range first {
		if first[k] != 0 {
			t.Fatalf("new block: value %d is %d, want 0", k, first[k])
		}
		first[k] = 10 + k
	}
	s.Take(5) // a second block, of 8
	if blocks := blockLens(append(s.full, s.block)); len(blocks) != 2 || blocks[0] != 4 || blocks[1] != 8 {
		t.Fatalf("blocks of %d values, want [4 8]", blocks)
	}
	s.Reuse()
	s.Take(8) // the last block used, again
	again := s.Take(3)
	if &again[0] != &first[0] {
		t.Fatalf("after Reuse, the first block was not handed out again")
	}
	for k := range again {
		if again[k] != 10+k {
			t.Errorf("after Reuse, value %d is %d, want %d as it was left (MakeUncleared does not clear)", k, again[k], 10+k)
		}
	}
}

// TestMakeStep checks a Slab made by MakeStep: a first block of first
// values, then blocks of most at once (not doubling up to it); after
// Reuse the blocks are handed out again, the largest first, zeroed
// unless uncleared.
func TestMakeStep(t *testing.T) {
	for _, uncleared := range []bool{false, true} {
		s := MakeStep[int](4, 64, uncleared)
		for i := range 10 {
			s.Take(1)[0] = i + 1 // 4 in the first block, 6 in a second
		}
		if blocks := blockLens(append(s.full, s.block)); len(blocks) != 2 || blocks[0] != 4 || blocks[1] != 64 {
			t.Fatalf("uncleared %v: blocks of %d values, want 4 then 64", uncleared, blocks)
		}
		s.Reuse()
		v := s.Take(1)
		if cap(s.block) != 64 || (v[0] == 0) == uncleared {
			t.Errorf("uncleared %v: after Reuse a block of %d values holding %d", uncleared, cap(s.block), v[0])
		}
	}
}
