//go:build linux && amd64

package execmem_test

import (
	"bytes"
	"strings"
	"sync"
	"testing"

	"github.com/jitrun/jitrun/execmem"
	"github.com/jitrun/jitrun/trampoline"
)

// retConst returns "mov eax, v; ret".
func retConst(v uint32) []byte {
	return []byte{0xb8, byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24), 0xc3}
}

// Loading N small functions costs one mprotect per chunk, not N.
func TestArenaBatchedSeal(t *testing.T) {
	a, err := execmem.NewArena(execmem.ArenaOptions{ChunkSize: 8192, Align: 32})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	const n = 1000
	slots := make([]*execmem.Slot, n)
	for i := range slots {
		if slots[i], err = a.Add(retConst(uint32(i))); err != nil {
			t.Fatal(err)
		}
		if slots[i].Sealed() {
			t.Fatal("sealed before Seal")
		}
	}
	if err := a.Seal(); err != nil {
		t.Fatal(err)
	}
	st := a.Stats()
	// 1000 slots of 32 bytes in 8 KiB chunks: 256 per chunk, 4 chunks.
	if st.Chunks != 4 || st.Mmaps != 4 || st.Mprotects != 4 || st.Slots != n || st.Bytes != 6*n {
		t.Errorf("stats %+v, want 4 chunks, 4 mmaps, 4 mprotects", st)
	}
	for i, s := range slots {
		if s.Addr()%32 != 0 || !s.Sealed() || !bytes.Equal(s.Bytes(), retConst(uint32(i))) {
			t.Fatalf("slot %d at %#x: sealed %v bytes % x", i, s.Addr(), s.Sealed(), s.Bytes())
		}
		if r, err := trampoline.Call(s.Addr()); err != nil || r.RAX != uint64(i) {
			t.Fatalf("slot %d returned %d, %v", i, r.RAX, err)
		}
	}
	// Between two slots: INT3.
	gap := unsafeBytes(slots[0].Addr()+6, 32-6)
	if !bytes.Equal(gap, bytes.Repeat([]byte{0xcc}, len(gap))) {
		t.Errorf("gap after slot 0: % x", gap)
	}
	if r := regionAt(t, slots[0].Addr()); r.Prot != execmem.ProtRX {
		t.Errorf("sealed chunk: %s", r)
	}
	// Code added after a Seal starts on a fresh page; the sealed pages are
	// never made writable again.
	late, err := a.Load(retConst(7))
	if err != nil {
		t.Fatal(err)
	}
	if late.Addr()%uint64Page() != 0 {
		t.Errorf("code added after Seal at %#x, want a page boundary", late.Addr())
	}
	if r, err := trampoline.Call(late.Addr()); err != nil || r.RAX != 7 {
		t.Errorf("late slot: %d, %v", r.RAX, err)
	}
}

func uint64Page() uintptr { return uintptr(execmem.PageSize()) }

// Unsealed code is not executable: calling it is an NX fault.
func TestArenaUnsealedFaults(t *testing.T) {
	a, err := execmem.NewArena(execmem.ArenaOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	s, err := a.Add(retConst(1))
	if err != nil {
		t.Fatal(err)
	}
	_, err = trampoline.Call(s.Addr())
	var f *trampoline.Fault
	if !errorsAs(err, &f) || f.ErrorCode != 0x15 || f.PC != s.Addr() {
		t.Errorf("calling unsealed code: %v, want an NX fault", err)
	}
}

func TestArenaFree(t *testing.T) {
	ps := execmem.PageSize()
	t.Run("flip", func(t *testing.T) {
		a, _ := execmem.NewArena(execmem.ArenaOptions{ChunkSize: ps})
		defer a.Close()
		s1, _ := a.Load(retConst(1))
		s2, _ := a.Load(make([]byte, ps)) // a chunk of its own
		if a.Stats().Chunks != 2 {
			t.Fatalf("stats %+v", a.Stats())
		}
		addr := s2.Addr()
		if err := s2.Free(); err != nil {
			t.Fatal(err)
		}
		if err := s2.Free(); err == nil || !strings.Contains(err.Error(), "already free") {
			t.Errorf("second Free = %v", err)
		}
		// The chunk was sealed and is empty: unmapped.
		if st := a.Stats(); st.Chunks != 1 || st.Munmaps != 1 || st.Slots != 1 {
			t.Errorf("after free: %+v", st)
		}
		rs, _ := execmem.Maps()
		if r, ok := execmem.FindRegion(rs, addr); ok && r.Prot.WriteExec() {
			t.Errorf("freed chunk: %s", r)
		}
		s1.Free()
		if st := a.Stats(); st.Chunks != 0 || st.Slots != 0 || st.Bytes != 0 {
			t.Errorf("all freed: %+v", st)
		}
	})
	t.Run("dualmap", func(t *testing.T) {
		a, _ := execmem.NewArena(execmem.ArenaOptions{Strategy: execmem.StrategyDualMap})
		defer a.Close()
		s1, _ := a.Add(retConst(1))
		s2, _ := a.Add(retConst(2))
		if !s1.Sealed() {
			t.Error("dual-mapped code not executable at once")
		}
		addr := s1.Addr()
		s1.Free()
		if !bytes.Equal(unsafeBytes(addr, 16), bytes.Repeat([]byte{0xcc}, 16)) {
			t.Error("freed slot not refilled with INT3")
		}
		s3, _ := a.Add(retConst(3))
		if s3.Addr() != addr {
			t.Errorf("freed space not reused: %#x, want %#x", s3.Addr(), addr)
		}
		for _, s := range []*execmem.Slot{s2, s3} {
			if r, err := trampoline.Call(s.Addr()); err != nil || r.RAX != uint64(s.Bytes()[1]) {
				t.Errorf("slot at %#x: %d, %v", s.Addr(), r.RAX, err)
			}
		}
		if st := a.Stats(); st.Mprotects != 0 || st.Mmaps != 2 {
			t.Errorf("dual mapping: %+v, want no mprotect and two views", st)
		}
		rw, rx := regionAt(t, addr), execmem.Region{}
		rs, _ := execmem.Maps()
		for _, r := range rs {
			if strings.HasPrefix(r.Path, "/memfd:jitrun-code") && r.Prot == execmem.ProtRW {
				rx = r
			}
		}
		if rw.Prot != execmem.ProtRX || rx.Prot != execmem.ProtRW {
			t.Errorf("views: exec %s, write %s", rw, rx)
		}
	})
}

func TestArenaErrors(t *testing.T) {
	for _, tc := range []struct {
		opt  execmem.ArenaOptions
		want string
	}{
		{execmem.ArenaOptions{Align: 3}, "alignment 3 must be a power of two"},
		{execmem.ArenaOptions{Align: 1 << 20}, "alignment 1048576 must be a power of two from 1 to the page size"},
		{execmem.ArenaOptions{ChunkSize: -1}, "chunk size -1 is negative"},
		{execmem.ArenaOptions{Strategy: 9}, "unknown strategy 9"},
	} {
		if _, err := execmem.NewArena(tc.opt); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.opt, err, tc.want)
		}
	}
	a, _ := execmem.NewArena(execmem.ArenaOptions{})
	if _, err := a.Add(nil); err == nil || !strings.Contains(err.Error(), "the code is empty") {
		t.Errorf("Add(nil) = %v", err)
	}
	a.Close()
	if _, err := a.Add(retConst(1)); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("Add after Close = %v", err)
	}
}

// Concurrent adds, seals, calls and frees.
func TestArenaConcurrent(t *testing.T) {
	for _, s := range []execmem.Strategy{execmem.StrategyFlip, execmem.StrategyDualMap} {
		a, _ := execmem.NewArena(execmem.ArenaOptions{Strategy: s, ChunkSize: 4096})
		var wg sync.WaitGroup
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 200; i++ {
					v := uint32(g*1000 + i)
					slot, err := a.Load(retConst(v))
					if err != nil {
						t.Error(err)
						return
					}
					if r, err := trampoline.Call(slot.Addr()); err != nil || r.RAX != uint64(v) {
						t.Errorf("%s: %d, %v", s, r.RAX, err)
						return
					}
					if i%2 == 0 {
						slot.Free()
					}
				}
			}()
		}
		wg.Wait()
		if st := a.Stats(); st.Slots != 400 {
			t.Errorf("%s: %+v, want 400 slots left", s, st)
		}
		a.Close()
	}
}
