package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMmapGolden(t *testing.T) {
	file := filepath.Join(t.TempDir(), "ret.bin")
	if err := os.WriteFile(file, []byte{0xc3, 1, 2, 3}, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
	}{
		{"mmap-ro.golden", []string{"mmap", "--prot", "r--", "--touch", "read@0x10,write@0x10,exec"}},
		{"mmap-zeros.golden", []string{"mmap", "--prot", "rwx", "--size", "1", "--touch", "x"}},
		{"mmap-file.golden", []string{"mmap", "--file", file, "--prot", "rx", "--touch", "exec,read@3,read@0x1000", "--size", "8k"}},
		{"mmap-fixed.golden", []string{"mmap", "--addr", "0x300000000", "--fixed", "--touch", "write@8"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, stdout, stderr := runCmd(t, "", tt.args...)
			if status != exitOK || stderr != "" {
				t.Fatalf("status %d, stderr %q", status, stderr)
			}
			out := strings.ReplaceAll(stdout, file, "FILE")
			checkGolden(t, filepath.Join("testdata", "probe", tt.name), maskProbe(out))
		})
	}
}

func TestMmapNoReplaceJSON(t *testing.T) {
	// 0x400000 is the start of a non-PIE Go binary's image: taken.
	status, stdout, stderr := runCmd(t, "", "mmap", "--addr", "0x400000", "--noreplace", "--json")
	if status != exitOK || stderr != "" {
		t.Fatalf("status %d, stderr %q", status, stderr)
	}
	var doc struct {
		Request  map[string]any `json:"request"`
		Result   string         `json:"result"`
		Evidence map[string]any `json:"evidence"`
		Touches  []any          `json:"touches"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("%v in %s", err, stdout)
	}
	if doc.Request["placement"] != "noreplace" || doc.Request["addr"] != "0x400000" || doc.Touches == nil {
		t.Errorf("request %v touches %v", doc.Request, doc.Touches)
	}
	if doc.Result == "refused" && doc.Evidence["errno"] != "EEXIST" || doc.Result != "refused" && doc.Result != "allowed" {
		t.Errorf("result %s evidence %v, want refused EEXIST (or allowed for a position-independent test binary)", doc.Result, doc.Evidence)
	}
}

func TestMmapUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		err  string
	}{
		{[]string{"mmap", "--size", "0"}, "jitrun mmap: --size: \"0\": the size must be positive\n"},
		{[]string{"mmap", "--size", "lots"}, "jitrun mmap: --size: \"lots\" is not a size: write 65536, 0x10000, 64k, 1M or 1G\n"},
		{[]string{"mmap", "--prot", "rwz"}, "jitrun mmap: --prot: protection \"rwz\": 'z' is not r, w or x (want r-x, rw-, rx, none, …)\n"},
		{[]string{"mmap", "--fixed"}, "jitrun mmap: --fixed and --noreplace need --addr\n"},
		{[]string{"mmap", "--addr", "0x1000", "--fixed", "--noreplace"}, "jitrun mmap: --fixed and --noreplace are two placements: give one\n"},
		{[]string{"mmap", "--addr", "0x1001"}, "jitrun mmap: --addr 0x1001 is not a multiple of the page size (0x1000)\n"},
		{[]string{"mmap", "--addr", "far"}, "jitrun mmap: --addr: \"far\" is not an address: write 0x401000 or 4198400\n"},
		{[]string{"mmap", "--offset", "4096"}, "jitrun mmap: --offset needs --file\n"},
		{[]string{"mmap", "--file", "/dev/null", "--offset", "3"}, "jitrun mmap: --offset 0x3 is not a multiple of the page size (0x1000)\n"},
		{[]string{"mmap", "--file", "/nonexistent"}, "jitrun mmap: --file: open /nonexistent: no such file or directory\n"},
		{[]string{"mmap", "--touch", "read,wirte@4"}, "jitrun mmap: --touch: touch list \"read,wirte@4\": column 6: unknown access \"wirte\" (want read, write or exec)\n"},
		{[]string{"mmap", "--touch", "read@-1"}, "jitrun mmap: --touch: touch list \"read@-1\": column 1: offset \"-1\" is not a non-negative integer (write 0x10 or 16)\n"},
		{[]string{"mmap", "here"}, "jitrun mmap: takes no arguments, got \"here\"\n"},
		// Issue 11: "mmap with placement noreplace needs an address".
		{[]string{"mmap", "--addr", "0", "--noreplace"}, "jitrun mmap: --addr 0 with --noreplace: page 0 lies below vm.mmap_min_addr (" + mmapMinAddr() +
			"), where the kernel refuses a fixed mapping with EPERM unless the process has CAP_SYS_RAWIO (it then maps page 0, and null pointers stop faulting); jitrun mmap does not ask for page 0: give --addr 0x1000 or above\n"},
		{[]string{"mmap", "--addr", "0", "--fixed"}, "jitrun mmap: --addr 0 with --fixed: page 0 lies below vm.mmap_min_addr (" + mmapMinAddr() +
			"), where the kernel refuses a fixed mapping with EPERM unless the process has CAP_SYS_RAWIO (it then maps page 0, and null pointers stop faulting); jitrun mmap does not ask for page 0: give --addr 0x1000 or above\n"},
	}
	for _, tt := range tests {
		status, stdout, stderr := runCmd(t, "", tt.args...)
		if status != exitInput || stdout != "" || stderr != tt.err {
			t.Errorf("%q: status %d, stdout %q, stderr %q; want 2 and %q", tt.args, status, stdout, stderr, tt.err)
		}
	}
}
