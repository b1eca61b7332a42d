package memarg

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/jitrun/jitrun/execmem"
	"github.com/jitrun/jitrun/internal/platform"
)

func mustParse(t testing.TB, words ...string) []Spec {
	t.Helper()
	var specs []Spec
	for _, w := range words {
		s, _, err := Parse(w)
		if err != nil {
			t.Fatal(err)
		}
		specs = append(specs, s)
	}
	return specs
}

func TestMap(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "data.bin")
	if err := os.WriteFile(path, []byte("file bytes"), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	set, err := Map(mustParse(t, "str:hi", "buf:5000", "u16:1,2", "file:"+path, "buf:0", "file:"+empty))
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	ps := uintptr(execmem.PageSize())
	want := []struct {
		size int
		data []byte
	}{
		{3, []byte("hi\x00")},
		{5000, make([]byte, 5000)},
		{4, []byte{1, 0, 2, 0}},
		{10, []byte("file bytes")},
		{0, []byte{}},
		{0, []byte{}},
	}
	if len(set.Buffers) != len(want) {
		t.Fatalf("%d buffers, want %d", len(set.Buffers), len(want))
	}
	for i, b := range set.Buffers {
		end := b.Addr + uintptr(b.Size)
		if b.Size != want[i].size || end%ps != 0 {
			t.Errorf("%s: size %d at %#x (end %#x); want size %d ending at a page boundary", b.Spec.Arg, b.Size, b.Addr, end, want[i].size)
		}
		if b.Spec.Size != b.Size {
			t.Errorf("%s: Spec.Size %d, Size %d", b.Spec.Arg, b.Spec.Size, b.Size)
		}
		data, complete := b.Contents(1 << 20)
		if !bytes.Equal(data, want[i].data) || !complete {
			t.Errorf("%s: contents %q, %v; want %q", b.Spec.Arg, data, complete, want[i].data)
		}
		// The guard page: the byte after the data cannot be read; the
		// last byte of the data can.
		var one [1]byte
		if n := platform.ReadMemory(end, one[:]); n != 0 {
			t.Errorf("%s: the byte after the data at %#x is readable", b.Spec.Arg, end)
		}
		if b.Size > 0 {
			if n := platform.ReadMemory(end-1, one[:]); n != 1 {
				t.Errorf("%s: the last byte of the data at %#x is not readable", b.Spec.Arg, end-1)
			}
		}
		if got := set.Pointers()[i]; got != uint64(b.Addr) {
			t.Errorf("Pointers()[%d] = %#x, want %#x", i, got, b.Addr)
		}
	}
	for _, c := range []struct {
		max, n int
	}{{16, 16}, {0, 0}, {-1, 0}, {5000, 5000}, {1 << 40, 5000}} {
		if data, complete := set.Buffers[1].Contents(c.max); len(data) != c.n || !complete {
			t.Errorf("Contents(%d) of buf:5000: %d bytes, %v; want %d, true", c.max, len(data), complete, c.n)
		}
	}
	// A buffer the code made unreadable reads short.
	b := set.Buffers[1]
	if err := execmem.Protect(b.Addr&^(ps-1), int(ps), execmem.ProtNone, false); err != nil {
		t.Fatal(err)
	}
	if data, complete := b.Contents(5000); complete || len(data) != 0 {
		t.Errorf("Contents of a buffer whose first page is PROT_NONE: %d bytes, complete %v", len(data), complete)
	}
	if err := set.Close(); err != nil {
		t.Fatal(err)
	}
	if len(set.Buffers) != 0 {
		t.Error("Close left buffers")
	}
}

func TestMapErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		words []string
		want  string
	}{
		{[]string{"buf:1G", "buf:1"}, "buf:1: the memory arguments together come to more than the cap of 1 GiB"},
		{[]string{"file:" + filepath.Join(dir, "missing")}, "file:" + filepath.Join(dir, "missing") + ": no such file or directory"},
		{[]string{"file:" + dir}, "file:" + dir + ": " + dir + " is not a regular file"},
	}
	for _, tt := range tests {
		set, err := Map(mustParse(t, tt.words...))
		var ie *InputError
		if err == nil || err.Error() != tt.want || !errors.As(err, &ie) {
			t.Errorf("Map(%q) = %v, %v; want the input error %s", tt.words, set, err, tt.want)
		}
		if set != nil {
			set.Close()
		}
	}
	// A Spec made by hand past the cap is refused too.
	if _, err := Map([]Spec{{Arg: "big", Kind: KindBuf, Size: MaxBuffer + 1}}); err == nil || err.Error() != "big: 1073741825 bytes is over the cap of 1 GiB for one buffer" {
		t.Errorf("Map of a buffer over the cap: %v", err)
	}
}

// BenchmarkMapClose maps and unmaps one small buffer: what a memory
// argument adds to a call's set-up.
func BenchmarkMapClose(b *testing.B) {
	specs := mustParse(b, "i64:1,2,3,4")
	for b.Loop() {
		set, err := Map(specs)
		if err != nil {
			b.Fatal(err)
		}
		set.Close()
	}
}
