package execmem

import "testing"

// BenchmarkLoad compares the ways to load small functions.
// BlockLoadClose is execmem.Load and Close of 16 bytes, one at a time;
// ArenaLoadFree an Arena's Load and Free of the same 16 bytes, one at a
// time; ArenaBatch 256 functions added to an Arena, sealed once and freed
// (the figure is per function). Run it with
//
//	go test -run '^$' -bench Load -count 10 ./execmem/
func BenchmarkLoad(b *testing.B) {
	code := make([]byte, 16)
	for i := range code {
		code[i] = 0x90 // NOP
	}
	code[len(code)-1] = 0xc3 // RET
	b.Run("BlockLoadClose", func(b *testing.B) {
		for b.Loop() {
			blk, err := Load(code)
			if err != nil {
				b.Fatal(err)
			}
			if err := blk.Close(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ArenaLoadFree", func(b *testing.B) {
		a, err := NewArena(ArenaOptions{})
		if err != nil {
			b.Fatal(err)
		}
		defer a.Close()
		for b.Loop() {
			s, err := a.Load(code)
			if err != nil {
				b.Fatal(err)
			}
			if err := s.Free(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ArenaBatch", func(b *testing.B) {
		const batch = 256
		a, err := NewArena(ArenaOptions{})
		if err != nil {
			b.Fatal(err)
		}
		defer a.Close()
		slots := make([]*Slot, batch)
		n := 0
		for b.Loop() {
			s, err := a.Add(code)
			if err != nil {
				b.Fatal(err)
			}
			slots[n] = s
			if n++; n == batch {
				if err := a.Seal(); err != nil {
					b.Fatal(err)
				}
				for _, s := range slots {
					if err := s.Free(); err != nil {
						b.Fatal(err)
					}
				}
				n = 0
			}
		}
	})
}
