//go:build linux && amd64

package probe

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"

	"github.com/jitrun/jitrun/execmem"
)

func TestMmapTouches(t *testing.T) {
	dir := t.TempDir()
	code := filepath.Join(dir, "ret.bin")
	if err := os.WriteFile(code, append([]byte{retByte}, make([]byte, 100)...), 0o644); err != nil {
		t.Fatal(err)
	}
	type touchWant struct {
		out    Outcome
		sig    syscall.Signal
		siCode string
		code   uint64 // page-fault error code
		detail string // in the detail
	}
	tests := []struct {
		name    string
		req     MmapRequest
		maps    string // the protection and sharing in the maps line
		touches []touchWant
	}{
		{"anonymous r--", MmapRequest{Size: 4096, Prot: execmem.ProtRead,
			Touches: []Touch{{Read, 0x10}, {Write, 0x10}, {Exec, 0}}}, "r--p", []touchWant{
			{out: Allowed, detail: "read 0x00"},
			{out: Faulted, sig: syscall.SIGSEGV, siCode: "SEGV_ACCERR", code: 0x7},
			{out: Faulted, sig: syscall.SIGSEGV, siCode: "SEGV_ACCERR", code: 0x15},
		}},
		// Zeros are ADD [RAX], AL with RAX zero: the fetch works, then the
		// write to address 0 faults.
		{"anonymous rwx runs zeros", MmapRequest{Size: 1, Prot: execmem.ProtRWX, Touches: []Touch{{Exec, 0}}}, "rwxp", []touchWant{
			{out: Allowed, sig: syscall.SIGSEGV, siCode: "SEGV_MAPERR", code: 0x6, detail: "the fetch worked"},
		}},
		{"file r-x runs its RET", MmapRequest{Size: 4096, Prot: execmem.ProtRX, File: code, Touches: []Touch{{Exec, 0}, {Read, 0}}}, "r-xp", []touchWant{
			{out: Allowed, detail: "returned"},
			{out: Allowed, detail: "read 0xc3"},
		}},
		{"shared file, write keeps the contents", MmapRequest{Size: 4096, Prot: execmem.ProtRW, File: code, Shared: true, Touches: []Touch{{Write, 0}}}, "rw-s", []touchWant{
			{out: Allowed, detail: "wrote 0xc3 (the byte that was there)"},
		}},
		{"past the end of the file", MmapRequest{Size: 8192, Prot: execmem.ProtRead, File: code, Touches: []Touch{{Read, 4096}}}, "r--p", []touchWant{
			{out: Faulted, sig: syscall.SIGBUS, siCode: "BUS_ADRERR", code: 0x4},
		}},
		// Whatever lies after the mapping answers (often the mapping
		// made before it): the touch is marked outside.
		{"past the end of the mapping", MmapRequest{Size: 4096, Prot: execmem.ProtRW, Touches: []Touch{{Read, 0x1000}}}, "rw-p", []touchWant{
			{out: NotTried},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Mmap(context.Background(), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if res.Mmap.Outcome != Allowed || res.Addr == 0 || res.Len%execmem.PageSize() != 0 || !strings.Contains(res.Maps, tt.maps) {
				t.Fatalf("mmap %s at %#x+%#x, maps %q; want allowed, %s", res.Mmap.Cell(), res.Addr, res.Len, res.Maps, tt.maps)
			}
			if len(res.Touches) != len(tt.touches) {
				t.Fatalf("%d touches, want %d", len(res.Touches), len(tt.touches))
			}
			for i, w := range tt.touches {
				got := res.Touches[i]
				if got.Touch != tt.req.Touches[i] || got.Addr != res.Addr+uintptr(got.Offset) {
					t.Errorf("touch %d is %v at %#x", i, got.Touch, got.Addr)
				}
				if got.Outside != (got.Offset >= uint64(res.Len)) {
					t.Errorf("touch %v: outside %v", got.Touch, got.Outside)
				}
				if w.out != NotTried && (got.Outcome != w.out || !strings.Contains(got.Detail, w.detail)) {
					t.Errorf("touch %v: %s %q, want %s %q", got.Touch, got.Cell(), got.Evidence(true), w.out, w.detail)
				}
				if w.siCode != "" {
					if got.Fault == nil {
						t.Errorf("touch %v: no fault evidence", got.Touch)
					} else if f := got.Fault; f.Signal != w.sig || f.CodeName() != w.siCode || f.ErrorCode != w.code {
						t.Errorf("touch %v: %s, want %s %s error %#x", got.Touch, f.Long(), w.sig, w.siCode, w.code)
					}
				}
			}
			// The mapping is gone afterwards. (Only a file mapping can be
			// told apart: other threads may map anonymous memory at the
			// same place at once.)
			if reg, err := regionOf(res.Addr); err == nil && tt.req.File != "" && reg.String() == res.Maps {
				t.Errorf("the mapping at %#x is still there: %s", res.Addr, reg)
			}
		})
	}
	if data, _ := os.ReadFile(code); data[0] != retByte {
		t.Errorf("the shared write touch changed the file: %#x", data[0])
	}
}

func TestMmapPlacement(t *testing.T) {
	taken, err := execmem.Map(1, execmem.MapOptions{Prot: execmem.ProtRead})
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()

	res, err := Mmap(context.Background(), MmapRequest{Size: 1, Prot: execmem.ProtRW, Addr: taken.Addr(), Placement: execmem.PlaceNoReplace})
	if err != nil {
		t.Fatal(err)
	}
	if res.Mmap.Outcome != Refused || res.Mmap.Errno != "EEXIST" || res.Addr != 0 {
		t.Errorf("noreplace over a taken page: %s at %#x, want refused EEXIST", res.Mmap.Cell(), res.Addr)
	}

	res, err = Mmap(context.Background(), MmapRequest{Size: 1, Prot: execmem.ProtRW, Addr: taken.Addr(), Placement: execmem.PlaceHint})
	if err != nil {
		t.Fatal(err)
	}
	if res.Mmap.Outcome != Allowed || !res.Moved() || res.Addr == taken.Addr() || !strings.HasPrefix(res.Mmap.Detail, "moved") {
		t.Errorf("hint at a taken page: %s %q at %#x, want moved", res.Mmap.Cell(), res.Mmap.Detail, res.Addr)
	}
	if reg, err := regionOf(taken.Addr()); err != nil || reg.Prot != execmem.ProtRead {
		t.Errorf("the taken page is now %v (%v), want r-- untouched", reg, err)
	}
}

// TestMmapFixed: MAP_FIXED runs in a child; over free memory it maps
// there, over the program's own text it kills the child, and both are
// reported.
func TestMmapFixed(t *testing.T) {
	res, err := Mmap(context.Background(), MmapRequest{Size: 4096, Prot: execmem.ProtRW, Addr: 0x200000000, Placement: execmem.PlaceFixed,
		Touches: []Touch{{Write, 8}, {Read, 8}}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Child == nil || !res.Child.OK() {
		t.Fatalf("child: %+v", res.Child)
	}
	if res.Mmap.Outcome != Allowed || res.Addr != 0x200000000 || len(res.Touches) != 2 || res.Touches[1].Outcome != Allowed {
		t.Errorf("MAP_FIXED at 0x200000000: %s at %#x, touches %+v", res.Mmap.Cell(), res.Addr, res.Touches)
	}

	text, err := regionOf(textPC())
	if err != nil {
		t.Fatal(err)
	}
	if text.Start >= 1<<32 {
		t.Skipf("SKIPPED: the test binary is position-independent (text at %#x): its child's text is elsewhere", text.Start)
	}
	res, err = Mmap(context.Background(), MmapRequest{Size: int(text.Len()), Prot: execmem.ProtRW, Addr: text.Start, Placement: execmem.PlaceFixed})
	if err != nil {
		t.Fatal(err)
	}
	if res.Child == nil || res.Child.Exit != "killed by SIGSEGV" {
		t.Errorf("MAP_FIXED over the child's own text: child %+v, want killed by SIGSEGV", res.Child)
	}
	if res.Mmap.Outcome != Failed || !strings.Contains(res.Mmap.Detail, "replaced memory it was using") {
		t.Errorf("mmap %s %q, want the child's death explained", res.Mmap.Cell(), res.Mmap.Detail)
	}
	if len(res.Replaced) == 0 || !strings.Contains(res.Replaced[0], "r-xp") {
		t.Errorf("replaced %q, want the text's r-xp line", res.Replaced)
	}
}

func TestMmapBadRequests(t *testing.T) {
	page := uintptr(execmem.PageSize())
	tests := []struct {
		req MmapRequest
		err string
	}{
		{MmapRequest{Size: 0}, "must be positive"},
		{MmapRequest{Size: 1, Addr: page}, "needs a placement"},
		{MmapRequest{Size: 1, Placement: execmem.PlaceNoReplace}, "needs an address"},
		{MmapRequest{Size: 1, Addr: page + 1, Placement: execmem.PlaceHint}, "not a multiple of the page size"},
		{MmapRequest{Size: 1, Offset: int64(page)}, "without a file"},
		{MmapRequest{Size: 1, File: "/nonexistent/file"}, "no such file"},
		{MmapRequest{Size: 1, File: "/dev/null", Offset: 3}, "multiple of the page size"},
	}
	for _, tt := range tests {
		_, err := Mmap(context.Background(), tt.req)
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("Mmap(%v): %v, want an error with %q", tt.req, err, tt.err)
		}
	}
}

func TestMmapJSON(t *testing.T) {
	res, err := Mmap(context.Background(), MmapRequest{Size: 4096, Prot: execmem.ProtRead, Touches: []Touch{{Read, 1}, {Write, 2}}})
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var back MmapResult
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&back, res) {
		t.Errorf("round trip:\n got %+v\nwant %+v", back, *res)
	}
	var generic map[string]any
	json.Unmarshal(data, &generic)
	for _, k := range []string{"request", "result", "evidence", "addr", "len", "moved", "maps", "replaced", "touches"} {
		if _, ok := generic[k]; !ok {
			t.Errorf("mmap JSON lacks %q: %s", k, data)
		}
	}
	touches := generic["touches"].([]any)
	w := touches[1].(map[string]any)
	if w["access"] != "write" || w["offset"] != "0x2" || w["outcome"] != "fault" || w["evidence"].(map[string]any)["error_code"] != "0x7" {
		t.Errorf("write touch JSON: %v", w)
	}
}
